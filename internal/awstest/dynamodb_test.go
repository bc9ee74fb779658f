package awstest_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/awstest"
)

type av = types.AttributeValue

func s(v string) av { return &types.AttributeValueMemberS{Value: v} }

func key(id string) map[string]av { return map[string]av{contract.AttrFaceID: s(id)} }

// face is a face item of the project's table layout.
func face(id, objectKey string) map[string]av {
	it := key(id)
	if objectKey != "" {
		it[contract.AttrObjectKey] = s(objectKey)
	}
	return it
}

func put(t *testing.T, env *awstest.Env, items ...map[string]av) {
	t.Helper()
	for _, it := range items {
		if _, err := env.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: &env.Table, Item: it}); err != nil {
			t.Fatalf("PutItem: %v", err)
		}
	}
}

func id(it map[string]av) string { return it[contract.AttrFaceID].(*types.AttributeValueMemberS).Value }

// ids lists the FaceIds of items, comma-separated.
func ids(items []map[string]av) string {
	var out []string
	for _, it := range items {
		out = append(out, id(it))
	}
	return strings.Join(out, ",")
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprint(err)
}

func TestItemRoundTrip(t *testing.T) {
	env := awstest.New(t)
	ctx := t.Context()
	it := map[string]av{
		contract.AttrFaceID:    s("f1"),
		contract.AttrObjectKey: s("index/a.jpg"),
		"Empty":                s(""),
		"N":                    &types.AttributeValueMemberN{Value: "-12.5e3"},
		"B":                    &types.AttributeValueMemberB{Value: []byte{0, 1, 2}},
		"Bool":                 &types.AttributeValueMemberBOOL{Value: true},
		"Null":                 &types.AttributeValueMemberNULL{Value: true},
		"M":                    &types.AttributeValueMemberM{Value: map[string]av{"x": s("y"), "l": &types.AttributeValueMemberL{Value: []av{s("a"), &types.AttributeValueMemberN{Value: "1"}}}}},
		"L":                    &types.AttributeValueMemberL{Value: []av{}},
		"SS":                   &types.AttributeValueMemberSS{Value: []string{"b", "a"}},
		"NS":                   &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"BS":                   &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2}}},
	}
	put(t, env, it)
	got, err := env.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &env.Table, Key: key("f1"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Item, it) {
		t.Errorf("GetItem = %#v\nwant %#v", got.Item, it)
	}
	if items := env.DB.Items(env.Table); len(items) != 1 || !reflect.DeepEqual(items[0], it) {
		t.Errorf("Items = %#v", items)
	}

	missing, err := env.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &env.Table, Key: key("nope")})
	if err != nil || missing.Item != nil {
		t.Errorf("GetItem(missing) = %v, %v", missing.Item, err)
	}

	del, err := env.DynamoDB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &env.Table, Key: key("f1"), ReturnValues: types.ReturnValueAllOld})
	if err != nil || !reflect.DeepEqual(del.Attributes, it) {
		t.Errorf("DeleteItem = %v, %v", del, err)
	}
	if n := env.DB.ItemCount(env.Table); n != 0 {
		t.Errorf("ItemCount = %d after delete", n)
	}
	if _, err := env.DynamoDB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &env.Table, Key: key("f1")}); err != nil {
		t.Errorf("deleting a missing item: %v", err)
	}
}

func TestPutItemCondition(t *testing.T) {
	env := awstest.New(t)
	put(t, env, face("taken", "a.jpg"))
	tests := []struct {
		name   string
		id     string
		cond   string
		names  map[string]string
		values map[string]av
		want   string // "" for success, else the error code
	}{
		{"new key", "free1", "attribute_not_exists(FaceId)", nil, nil, ""},
		{"new key through #name", "free2", "attribute_not_exists( #pk )", map[string]string{"#pk": contract.AttrFaceID}, nil, ""},
		{"existing key", "taken", "attribute_not_exists(FaceId)", nil, nil, "ConditionalCheckFailedException"},
		{"existing key, absent attribute", "taken", "attribute_not_exists(#s)", map[string]string{"#s": "Status"}, nil, ""},
		{"undefined #name", "free3", "attribute_not_exists(#pk)", nil, nil, "ValidationException"},
		{"unused name", "free4", "attribute_not_exists(FaceId)", map[string]string{"#x": "X"}, nil, "ValidationException"},
		{"unused value", "free5", "", nil, map[string]av{":v": s("x")}, "ValidationException"},
		{"unsupported condition", "free6", "attribute_exists(FaceId)", nil, nil, "ValidationException"},
		{"OR, first holds", "free7", "attribute_not_exists(FaceId) OR ObjectKey = :k", nil, map[string]av{":k": s("a.jpg")}, ""},
		{"OR, second holds", "taken", "attribute_not_exists(FaceId) OR ObjectKey = :k", nil, map[string]av{":k": s("b.jpg")}, ""},
		{"OR, neither holds", "taken", "attribute_not_exists(FaceId) OR ObjectKey = :k", nil, map[string]av{":k": s("c.jpg")}, "ConditionalCheckFailedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &dynamodb.PutItemInput{TableName: &env.Table, Item: face(tt.id, "b.jpg"), ExpressionAttributeNames: tt.names, ExpressionAttributeValues: tt.values}
			if tt.cond != "" {
				in.ConditionExpression = &tt.cond
			}
			_, err := env.DynamoDB.PutItem(t.Context(), in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("PutItem: %v", err)
				}
				return
			}
			if got := apiCode(err); got != tt.want {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
	var ccf *types.ConditionalCheckFailedException
	_, err := env.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: &env.Table, Item: face("taken", ""), ConditionExpression: aws.String("attribute_not_exists(FaceId)")})
	if !errors.As(err, &ccf) {
		t.Errorf("err = %T %v, want *types.ConditionalCheckFailedException", err, err)
	}
	if got := ids(env.DB.Items(env.Table)); got != "free1,free2,free7,taken" {
		t.Errorf("items = %s", got)
	}
}

// TestUpdateItem: SET of one attribute changes only it, under PutItem's
// conditions; a failed condition changes nothing; other update forms and
// the key attribute are refused.
func TestUpdateItem(t *testing.T) {
	env := awstest.New(t)
	put(t, env, face("f1", "a.jpg"))
	update := func(id, expr, cond string, values map[string]av) error {
		in := &dynamodb.UpdateItemInput{TableName: &env.Table, Key: key(id), UpdateExpression: &expr,
			ExpressionAttributeNames: map[string]string{"#p": contract.AttrPerson}, ExpressionAttributeValues: values}
		if cond != "" {
			in.ConditionExpression = &cond
		}
		_, err := env.DynamoDB.UpdateItem(t.Context(), in)
		return err
	}
	if err := update("f1", "SET #p = :v", "attribute_not_exists(#p)", map[string]av{":v": s("Ann")}); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if err := update("f1", "SET #p = :to", "#p = :from", map[string]av{":from": s("Bob"), ":to": s("Anna")}); apiCode(err) != "ConditionalCheckFailedException" {
		t.Errorf("SET under a failing condition: %v", err)
	}
	if err := update("f1", "SET #p = :to", "#p = :from", map[string]av{":from": s("Ann"), ":to": s("Anna")}); err != nil {
		t.Errorf("SET under a holding condition: %v", err)
	}
	if err := update("gone", "SET #p = :to", "#p = :from", map[string]av{":from": s("Ann"), ":to": s("Anna")}); apiCode(err) != "ConditionalCheckFailedException" {
		t.Errorf("SET of a missing item under a condition on it: %v", err)
	}
	for _, expr := range []string{"REMOVE #p", "SET #p = :v, ObjectKey = :v"} {
		if err := update("f1", expr, "", map[string]av{":v": s("x")}); apiCode(err) != "ValidationException" {
			t.Errorf("%q: %v, want ValidationException", expr, err)
		}
	}
	got := env.DB.Items(env.Table)
	want := face("f1", "a.jpg")
	want[contract.AttrPerson] = s("Anna")
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("items = %v, want %v", got, want)
	}
}

func TestQueryIndexPagination(t *testing.T) {
	env := awstest.New(t)
	// Five items of a.jpg put out of order, two of b.jpg, one without ObjectKey.
	for _, id := range []string{"f3", "f1", "f5", "f2", "f4"} {
		put(t, env, face(id, "a.jpg"))
	}
	put(t, env, face("g1", "b.jpg"), face("g2", "b.jpg"), face("IMAGE#a.jpg", ""))

	tests := []struct {
		name      string
		limit     *int32
		wantPages []string
	}{
		{"no limit", nil, []string{"f1,f2,f3,f4,f5"}},
		{"limit 2", aws.Int32(2), []string{"f1,f2", "f3,f4", "f5"}},
		{"limit 5: full last page, then an empty one", aws.Int32(5), []string{"f1,f2,f3,f4,f5", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pager := dynamodb.NewQueryPaginator(env.DynamoDB, &dynamodb.QueryInput{
				TableName:                 &env.Table,
				IndexName:                 aws.String(contract.ObjectKeyIndex),
				KeyConditionExpression:    aws.String("#k = :k"),
				ExpressionAttributeNames:  map[string]string{"#k": contract.AttrObjectKey},
				ExpressionAttributeValues: map[string]av{":k": s("a.jpg")},
				Limit:                     tt.limit,
			})
			var pages []string
			for pager.HasMorePages() {
				page, err := pager.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, ids(page.Items))
				if page.LastEvaluatedKey != nil && len(page.LastEvaluatedKey) != 2 {
					t.Errorf("LastEvaluatedKey %v lacks the table or index key", page.LastEvaluatedKey)
				}
			}
			if !reflect.DeepEqual(pages, tt.wantPages) {
				t.Errorf("pages = %q, want %q", pages, tt.wantPages)
			}
		})
	}

	table, err := env.DynamoDB.Query(t.Context(), &dynamodb.QueryInput{
		TableName:                 &env.Table,
		KeyConditionExpression:    aws.String("FaceId = :id"),
		ExpressionAttributeValues: map[string]av{":id": s("g2")},
	})
	if err != nil || ids(table.Items) != "g2" || table.Count != 1 {
		t.Errorf("query on table = %v, %v", table, err)
	}

	errs := []struct {
		name string
		in   dynamodb.QueryInput
		want string
	}{
		{"wrong key attribute", dynamodb.QueryInput{IndexName: aws.String(contract.ObjectKeyIndex), KeyConditionExpression: aws.String("FaceId = :v")}, "ValidationException"},
		{"unknown index", dynamodb.QueryInput{IndexName: aws.String("Nope"), KeyConditionExpression: aws.String("ObjectKey = :v")}, "ValidationException"},
		{"consistent read on index", dynamodb.QueryInput{IndexName: aws.String(contract.ObjectKeyIndex), KeyConditionExpression: aws.String("ObjectKey = :v"), ConsistentRead: aws.Bool(true)}, "ValidationException"},
		{"sort key condition", dynamodb.QueryInput{KeyConditionExpression: aws.String("FaceId = :v AND begins_with(x, :v)")}, "ValidationException"},
		{"limit 0", dynamodb.QueryInput{KeyConditionExpression: aws.String("FaceId = :v"), Limit: aws.Int32(0)}, "ValidationException"},
		{"unknown table", dynamodb.QueryInput{TableName: aws.String("nope"), KeyConditionExpression: aws.String("FaceId = :v")}, "ResourceNotFoundException"},
		{"filter expression", dynamodb.QueryInput{KeyConditionExpression: aws.String("FaceId = :v"), FilterExpression: aws.String("x = :v")}, "SerializationException"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.TableName == nil {
				in.TableName = &env.Table
			}
			in.ExpressionAttributeValues = map[string]av{":v": s("a.jpg")}
			if _, err := env.DynamoDB.Query(t.Context(), &in); apiCode(err) != tt.want {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestScanPagination(t *testing.T) {
	env := awstest.New(t)
	put(t, env, face("c", ""), face("a", ""), face("b", ""))
	pager := dynamodb.NewScanPaginator(env.DynamoDB, &dynamodb.ScanInput{TableName: &env.Table, Limit: aws.Int32(2)})
	var pages []string
	for pager.HasMorePages() {
		page, err := pager.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, ids(page.Items))
	}
	if want := []string{"a,b", "c"}; !reflect.DeepEqual(pages, want) {
		t.Errorf("pages = %q, want %q", pages, want)
	}
}

func TestBatchGetItem(t *testing.T) {
	env := awstest.New(t)
	put(t, env, face("a", "x.jpg"), face("b", "x.jpg"))
	keys := func(ids ...string) map[string]types.KeysAndAttributes {
		ka := types.KeysAndAttributes{}
		for _, id := range ids {
			ka.Keys = append(ka.Keys, key(id))
		}
		return map[string]types.KeysAndAttributes{env.Table: ka}
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprint("k", i)
	}
	tests := []struct {
		name        string
		items       map[string]types.KeysAndAttributes
		unprocessed bool
		want        string // FaceIds found, sorted, or the error code
	}{
		{"two found, one missing", keys("b", "a", "zz"), false, "a,b"},
		{"101 keys", keys(many...), false, "ValidationException"},
		{"100 keys", keys(many[:100]...), false, ""},
		{"duplicate keys", keys("a", "a"), false, "ValidationException"},
		{"unknown table", map[string]types.KeysAndAttributes{"nope": {Keys: []map[string]av{key("a")}}}, false, "ResourceNotFoundException"},
		{"wrong key", map[string]types.KeysAndAttributes{env.Table: {Keys: []map[string]av{{"Id": s("a")}}}}, false, "ValidationException"},
		{"unprocessed", keys("a", "b"), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unprocessed {
				env.DB.UnprocessedNext("BatchGetItem", 1)
			}
			out, err := env.DynamoDB.BatchGetItem(t.Context(), &dynamodb.BatchGetItemInput{RequestItems: tt.items})
			if err != nil {
				if got := apiCode(err); got != tt.want {
					t.Errorf("err = %v, want %s", err, tt.want)
				}
				return
			}
			got := out.Responses[env.Table]
			slices.SortFunc(got, func(a, b map[string]av) int { return strings.Compare(id(a), id(b)) })
			if ids(got) != tt.want {
				t.Errorf("Responses = %s, want %s", ids(got), tt.want)
			}
			if tt.unprocessed != (len(out.UnprocessedKeys) > 0) {
				t.Errorf("UnprocessedKeys = %v", out.UnprocessedKeys)
			}
			if tt.unprocessed {
				// Retrying the unprocessed keys, as clients must, reads them.
				again, err := env.DynamoDB.BatchGetItem(t.Context(), &dynamodb.BatchGetItemInput{RequestItems: out.UnprocessedKeys})
				if err != nil || len(again.Responses[env.Table]) != 2 || len(again.UnprocessedKeys) != 0 {
					t.Errorf("retry = %+v, %v", again, err)
				}
			}
		})
	}
}

func TestBatchWriteItem(t *testing.T) {
	env := awstest.New(t)
	put(t, env, face("old", "x.jpg"))
	putReq := func(id string) types.WriteRequest {
		return types.WriteRequest{PutRequest: &types.PutRequest{Item: face(id, "y.jpg")}}
	}
	delReq := func(id string) types.WriteRequest {
		return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(id)}}
	}
	write := func(reqs ...types.WriteRequest) (*dynamodb.BatchWriteItemOutput, error) {
		return env.DynamoDB.BatchWriteItem(t.Context(), &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{env.Table: reqs},
		})
	}

	var tooMany []types.WriteRequest
	for i := range 26 {
		tooMany = append(tooMany, putReq(fmt.Sprint("n", i)))
	}
	if _, err := write(tooMany...); apiCode(err) != "ValidationException" {
		t.Errorf("26 requests: err = %v, want ValidationException", err)
	}
	if _, err := write(putReq("a"), delReq("a")); apiCode(err) != "ValidationException" {
		t.Errorf("duplicate keys: err = %v, want ValidationException", err)
	}
	if _, err := write(types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]av{"x": s("y")}}}); apiCode(err) != "ValidationException" {
		t.Errorf("item without key: err = %v, want ValidationException", err)
	}
	if _, err := write(putReq("")); apiCode(err) != "ValidationException" {
		t.Errorf("empty key: err = %v, want ValidationException", err)
	}

	env.DB.UnprocessedNext("BatchWriteItem", 1)
	out, err := write(putReq("a"), putReq("b"), delReq("old"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.UnprocessedItems[env.Table]); n != 3 {
		t.Errorf("%d unprocessed, want 3", n)
	}
	if got := ids(env.DB.Items(env.Table)); got != "old" {
		t.Errorf("unprocessed call wrote: items = %s", got)
	}
	out, err = env.DynamoDB.BatchWriteItem(t.Context(), &dynamodb.BatchWriteItemInput{RequestItems: out.UnprocessedItems})
	if err != nil || len(out.UnprocessedItems) != 0 {
		t.Fatalf("retry = %v, %v", out, err)
	}
	if got := ids(env.DB.Items(env.Table)); got != "a,b" {
		t.Errorf("items = %s, want a,b", got)
	}
	if got := env.DB.Calls("BatchWriteItem"); got != 6 {
		t.Errorf("Calls = %d, want 6", got)
	}
}

func TestItemValidation(t *testing.T) {
	env := awstest.New(t)
	tests := []struct {
		name string
		item map[string]av
		want string
	}{
		{"missing partition key", map[string]av{"x": s("y")}, "ValidationException"},
		{"empty partition key", key(""), "ValidationException"},
		{"partition key of type BOOL", map[string]av{contract.AttrFaceID: &types.AttributeValueMemberBOOL{Value: true}}, "ValidationException"},
		{"empty index key", face("a", ""), ""},
		{"index key of type L", map[string]av{contract.AttrFaceID: s("a"), contract.AttrObjectKey: &types.AttributeValueMemberL{}}, "ValidationException"},
		{"empty set", map[string]av{contract.AttrFaceID: s("a"), "SS": &types.AttributeValueMemberSS{}}, "ValidationException"},
		{"duplicate numbers", map[string]av{contract.AttrFaceID: s("a"), "NS": &types.AttributeValueMemberNS{Value: []string{"1", "1.0"}}}, "ValidationException"},
		{"malformed number", map[string]av{contract.AttrFaceID: s("a"), "N": &types.AttributeValueMemberN{Value: "1/2"}}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: &env.Table, Item: tt.item})
			if tt.want == "" && err != nil || tt.want != "" && apiCode(err) != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	var nf *types.ResourceNotFoundException
	if _, err := env.DynamoDB.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: key("a")}); !errors.As(err, &nf) {
		t.Errorf("unknown table: %T %v, want *types.ResourceNotFoundException", err, err)
	}
}

func TestNumberKeys(t *testing.T) {
	env := awstest.New(t)
	env.DB.CreateTable("numbers", "N", nil)
	for _, n := range []string{"10", "9", "-1", "2.5"} {
		if _, err := env.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{
			TableName: aws.String("numbers"), Item: map[string]av{"N": &types.AttributeValueMemberN{Value: n}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := env.DynamoDB.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String("numbers"), Key: map[string]av{"N": &types.AttributeValueMemberN{Value: "2.50"}},
	})
	if err != nil || got.Item == nil {
		t.Errorf("GetItem(2.50) = %v, %v; want the item 2.5", got, err)
	}
	var order []string
	for _, it := range env.DB.Items("numbers") {
		order = append(order, it["N"].(*types.AttributeValueMemberN).Value)
	}
	if want := []string{"-1", "2.5", "9", "10"}; !reflect.DeepEqual(order, want) {
		t.Errorf("Items order = %v, want %v", order, want)
	}
	if env.DB.Items("nope") != nil || env.DB.ItemCount("nope") != 0 {
		t.Errorf("unknown table has items")
	}
}
