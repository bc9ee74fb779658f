package awstest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// item is a DynamoDB item, a key or a set of expression attribute values as
// the DynamoDB stand-in stores them.
type item = map[string]types.AttributeValue

// wireItem is an item in DynamoDB's JSON wire form, {"name": {"S": "..."}}:
// it decodes and encodes the attribute value types S, N, B, BOOL, NULL, M, L,
// SS, NS and BS. Decoding rejects what DynamoDB rejects with a
// ValidationException (malformed numbers, empty or duplicated sets, values
// with zero or several types).
type wireItem map[string]types.AttributeValue

// UnmarshalJSON decodes an item from the wire form.
func (w *wireItem) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := make(wireItem, len(raw))
	for name, v := range raw {
		av, err := decodeAttr(v)
		if err != nil {
			return err
		}
		out[name] = av
	}
	*w = out
	return nil
}

// MarshalJSON encodes the item in the wire form.
func (w wireItem) MarshalJSON() ([]byte, error) {
	return json.Marshal(encodeMap(w))
}

// numberPattern is the syntax of DynamoDB numbers.
var numberPattern = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

func validationError(format string, args ...any) *apiError {
	return clientError("ValidationException", format, args...)
}

func decodeAttr(data json.RawMessage) (types.AttributeValue, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if len(raw) != 1 {
		return nil, validationError("Supplied AttributeValue has %d datatypes, must contain exactly one of the supported datatypes", len(raw))
	}
	for typ, v := range raw {
		return decodeTyped(typ, v)
	}
	panic("unreachable")
}

func decodeTyped(typ string, v json.RawMessage) (types.AttributeValue, error) {
	switch typ {
	case "S":
		s, err := decodeJSON[string](v)
		return &types.AttributeValueMemberS{Value: s}, err
	case "N":
		s, err := decodeJSON[string](v)
		if err == nil {
			_, err = normalizeNumber(s)
		}
		return &types.AttributeValueMemberN{Value: s}, err
	case "B":
		b, err := decodeJSON[[]byte](v)
		return &types.AttributeValueMemberB{Value: b}, err
	case "BOOL":
		b, err := decodeJSON[bool](v)
		return &types.AttributeValueMemberBOOL{Value: b}, err
	case "NULL":
		b, err := decodeJSON[bool](v)
		if err == nil && !b {
			err = validationError("Null attribute value types must have the value of true")
		}
		return &types.AttributeValueMemberNULL{Value: true}, err
	case "M":
		m, err := decodeJSON[wireItem](v)
		return &types.AttributeValueMemberM{Value: m}, err
	case "L":
		raws, err := decodeJSON[[]json.RawMessage](v)
		l := make([]types.AttributeValue, len(raws))
		for i := 0; i < len(raws) && err == nil; i++ {
			l[i], err = decodeAttr(raws[i])
		}
		return &types.AttributeValueMemberL{Value: l}, err
	case "SS":
		ss, err := decodeJSON[[]string](v)
		if err == nil {
			err = checkSet("string", ss, func(s string) (string, error) { return s, nil })
		}
		return &types.AttributeValueMemberSS{Value: ss}, err
	case "NS":
		ns, err := decodeJSON[[]string](v)
		if err == nil {
			err = checkSet("number", ns, normalizeNumber)
		}
		return &types.AttributeValueMemberNS{Value: ns}, err
	case "BS":
		bs, err := decodeJSON[[][]byte](v)
		if err == nil {
			err = checkSet("binary", bs, func(b []byte) (string, error) { return string(b), nil })
		}
		return &types.AttributeValueMemberBS{Value: bs}, err
	}
	return nil, validationError("Supplied AttributeValue has an unsupported datatype %q", typ)
}

// decodeJSON decodes v as a T.
func decodeJSON[T any](v json.RawMessage) (T, error) {
	var t T
	err := json.Unmarshal(v, &t)
	return t, err
}

// checkSet rejects empty sets and sets with two members of equal canonical form.
func checkSet[T any](kind string, members []T, canonical func(T) (string, error)) error {
	if len(members) == 0 {
		return validationError("One or more parameter values were invalid: An %s set may not be empty", kind)
	}
	seen := map[string]bool{}
	for _, m := range members {
		c, err := canonical(m)
		if err != nil {
			return err
		}
		if seen[c] {
			return validationError("One or more parameter values were invalid: Input collection contains duplicates")
		}
		seen[c] = true
	}
	return nil
}

// normalizeNumber validates a DynamoDB number and returns a canonical form,
// equal for equal numbers ("1", "1.0" and "10e-1").
func normalizeNumber(s string) (string, error) {
	r, ok := new(big.Rat).SetString(s)
	if !numberPattern.MatchString(s) || !ok {
		return "", validationError("The parameter cannot be converted to a numeric value: %s", s)
	}
	return r.RatString(), nil
}

func encodeMap(m map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for name, av := range m {
		out[name] = encodeAttr(av)
	}
	return out
}

func encodeAttr(av types.AttributeValue) any {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": encodeMap(v.Value)}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = encodeAttr(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *types.AttributeValueMemberBS:
		return map[string]any{"BS": v.Value}
	}
	panic(fmt.Sprintf("awstest: attribute value of type %T", av))
}

// keyString returns a canonical string for a key attribute value (S, N or
// B, not empty), equal for equal keys.
func keyString(av types.AttributeValue) (string, error) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		if v.Value != "" {
			return "S" + v.Value, nil
		}
	case *types.AttributeValueMemberN:
		n, err := normalizeNumber(v.Value)
		return "N" + n, err
	case *types.AttributeValueMemberB:
		if len(v.Value) > 0 {
			return "B" + string(v.Value), nil
		}
	default:
		return "", validationError("One or more parameter values were invalid: a key attribute must be of type S, N or B")
	}
	return "", validationError("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty value.")
}

// compareKeys orders key attribute values as DynamoDB orders them: strings
// and binaries bytewise, numbers numerically (values of different types by
// type).
func compareKeys(a, b types.AttributeValue) int {
	switch x := a.(type) {
	case *types.AttributeValueMemberS:
		if y, ok := b.(*types.AttributeValueMemberS); ok {
			return strings.Compare(x.Value, y.Value)
		}
	case *types.AttributeValueMemberN:
		if y, ok := b.(*types.AttributeValueMemberN); ok {
			rx, _ := new(big.Rat).SetString(x.Value)
			ry, _ := new(big.Rat).SetString(y.Value)
			return rx.Cmp(ry)
		}
	case *types.AttributeValueMemberB:
		if y, ok := b.(*types.AttributeValueMemberB); ok {
			return bytes.Compare(x.Value, y.Value)
		}
	}
	return cmp.Compare(fmt.Sprintf("%T", a), fmt.Sprintf("%T", b))
}

// cloneItem returns a deep copy of it.
func cloneItem(it item) item {
	data, err := json.Marshal(wireItem(it))
	if err != nil {
		panic(err)
	}
	var out wireItem
	if err := json.Unmarshal(data, &out); err != nil {
		panic(err)
	}
	return out
}
