package dynamotable

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// API is the subset of *dynamodb.Client the table calls.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// DynamoDB batch limits (DynamoDB API reference).
const (
	maxBatchGet   = 100
	maxBatchWrite = 25
)

// attrRenaming is a person item's attribute holding its other name while a
// rename is unfinished (service.PersonItem.Renaming; personItem's tag).
const attrRenaming = "Renaming"

// Item types, in the ItemType attribute.
const (
	typeFace   = "FACE"
	typeImage  = "IMAGE"
	typePerson = "PERSON"
	// typeErasure is an erasure record (service.ErasureRecord).
	typeErasure = "ERASURE"
	// typeSweepMark is a sweep mark (service.FaceTable.PutSweepMarks).
	typeSweepMark = "SWEEP"
)

// item is the stored shape of face and image items. Attribute names follow
// Rekognition's (FaceId, ImageId, ExternalImageId, BoundingBox, Confidence).
type item struct {
	FaceID           string                `dynamodbav:"FaceId"`
	ItemType         string                `dynamodbav:"ItemType"`
	ImageID          string                `dynamodbav:"ImageId,omitempty"`
	ExternalImageID  string                `dynamodbav:"ExternalImageId,omitempty"`
	BoundingBox      *contract.BoundingBox `dynamodbav:"BoundingBox,omitempty"`
	Confidence       float64               `dynamodbav:"Confidence,omitempty"`
	Bucket           string                `dynamodbav:"Bucket"`
	ObjectKey        string                `dynamodbav:"ObjectKey"`
	ETag             string                `dynamodbav:"ETag,omitempty"`
	ContentSHA256    string                `dynamodbav:"ContentSha256,omitempty"`
	Person           string                `dynamodbav:"Person,omitempty"`
	Status           string                `dynamodbav:"Status,omitempty"`
	Reason           string                `dynamodbav:"Reason,omitempty"`
	FaceCount        int                   `dynamodbav:"FaceCount,omitempty"`
	FaceIDs          []string              `dynamodbav:"FaceIds,omitempty,stringset"`
	Version          int                   `dynamodbav:"Version,omitempty"`
	RunID            string                `dynamodbav:"RunId,omitempty"`
	TargetVersion    int                   `dynamodbav:"TargetVersion,omitempty"`
	UnindexedReasons []string              `dynamodbav:"UnindexedReasons,omitempty"`
	IndexedAt        time.Time             `dynamodbav:"IndexedAt"`
	CollectionID     string                `dynamodbav:"CollectionId,omitempty"`
	// ExpiresAt is contract.AttrExpiresAt, in seconds since the Unix
	// epoch, as DynamoDB's time to live reads it; 0 (absent) for none.
	ExpiresAt int64 `dynamodbav:"ExpiresAt,omitempty"`
	// Landmarks, Pose and Quality are a face's attributes
	// (service.FaceItem.Attributes), named as Rekognition's FaceDetail.
	Landmarks []contract.Landmark `dynamodbav:"Landmarks,omitempty"`
	Pose      *contract.Pose      `dynamodbav:"Pose,omitempty"`
	Quality   *contract.Quality   `dynamodbav:"Quality,omitempty"`
}

// epochSeconds returns t as the seconds since the Unix epoch of a time to
// live attribute, 0 for the zero time.
func epochSeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// erasureItem is the stored shape of an erasure record: no ObjectKey and
// no Person, so it is in neither index.
type erasureItem struct {
	FaceID   string    `dynamodbav:"FaceId"`
	ItemType string    `dynamodbav:"ItemType"`
	Kind     string    `dynamodbav:"Kind"`
	ErasedAt time.Time `dynamodbav:"ErasedAt"`
	Faces    int       `dynamodbav:"Faces"`
	Keys     []string  `dynamodbav:"Keys"`
	Versions int       `dynamodbav:"Versions"`
	Users    int       `dynamodbav:"Users"`
}

// sweepMarkItem is the stored shape of a sweep mark.
type sweepMarkItem struct {
	FaceID    string    `dynamodbav:"FaceId"`
	ItemType  string    `dynamodbav:"ItemType"`
	SeenAt    time.Time `dynamodbav:"SeenAt"`
	ExpiresAt int64     `dynamodbav:"ExpiresAt"`
}

// personItem is the stored shape of person items. It has no ObjectKey:
// person items stay out of ObjectKeyIndex.
type personItem struct {
	FaceID   string `dynamodbav:"FaceId"`
	ItemType string `dynamodbav:"ItemType"`
	Person   string `dynamodbav:"Person"`
	UserID   string `dynamodbav:"UserId"`
	Renaming string `dynamodbav:"Renaming,omitempty"`
}

// Table is a service.FaceTable on DynamoDB. Create it with New.
type Table struct {
	api  API
	name string
	// Backoff is the first wait before retrying unprocessed batch work; it
	// doubles on each retry, up to maxBatchAttempts calls. Default 50 ms.
	Backoff time.Duration
}

// New returns the table named name reached through api.
func New(api API, name string) *Table {
	return &Table{api: api, name: name, Backoff: 50 * time.Millisecond}
}

var _ service.FaceTable = (*Table)(nil)

func key(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{contract.AttrFaceID: &types.AttributeValueMemberS{Value: id}}
}

// GetImage implements service.FaceTable with a strongly consistent GetItem.
func (t *Table) GetImage(ctx context.Context, bucket, objectKey string) (*service.ImageItem, error) {
	out, err := t.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(t.name),
		Key:            key(service.ImageItemID(bucket, objectKey)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil || out.Item == nil {
		return nil, err
	}
	var it item
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, fmt.Errorf("decode image item: %w", err)
	}
	img := imageFromItem(it)
	return &img, nil
}

// FacesOfObject implements service.FaceTable with a Query on
// ObjectKeyIndex, following every page.
func (t *Table) FacesOfObject(ctx context.Context, bucket, objectKey string) ([]service.FaceItem, error) {
	var faces []service.FaceItem
	err := t.queryIndex(ctx, contract.ObjectKeyIndex, contract.AttrObjectKey, objectKey, func(it item) {
		if it.ItemType == typeFace && it.Bucket == bucket {
			faces = append(faces, faceFromItem(it))
		}
	})
	return faces, err
}

// queryIndex queries the global secondary index for the items whose
// partition key attr is value, following every page, and calls each with
// every item in order.
func (t *Table) queryIndex(ctx context.Context, index, attr, value string, each func(item)) error {
	p := dynamodb.NewQueryPaginator(t.api, &dynamodb.QueryInput{
		TableName:                 aws.String(t.name),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#k = :k"),
		ExpressionAttributeNames:  map[string]string{"#k": attr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":k": &types.AttributeValueMemberS{Value: value}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		var items []item
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return fmt.Errorf("decode %s items: %w", index, err)
		}
		for _, it := range items {
			each(it)
		}
	}
	return nil
}

// PutImage implements service.FaceTable with a PutItem conditional on the
// stored Version (or on no item being stored, for prevVersion 0);
// DynamoDB's ConditionalCheckFailedException becomes
// service.ErrVersionConflict.
func (t *Table) PutImage(ctx context.Context, img service.ImageItem, prevVersion int) error {
	av, err := attributevalue.MarshalMap(item{
		FaceID:           service.ImageItemID(img.Bucket, img.Key),
		ItemType:         typeImage,
		Bucket:           img.Bucket,
		ObjectKey:        img.Key,
		ETag:             img.ETag,
		ContentSHA256:    img.ContentSHA256,
		Person:           img.Person,
		Status:           img.Status,
		Reason:           img.Reason,
		FaceCount:        img.FaceCount,
		FaceIDs:          img.FaceIDs,
		UnindexedReasons: img.UnindexedReasons,
		Version:          img.Version,
		RunID:            img.RunID,
		IndexedAt:        img.IndexedAt,
		ExpiresAt:        epochSeconds(img.ExpiresAt),
		CollectionID:     img.CollectionID,
	})
	if err != nil {
		return fmt.Errorf("encode image item: %w", err)
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(t.name), Item: av}
	if prevVersion == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(#id)")
		in.ExpressionAttributeNames = map[string]string{"#id": contract.AttrFaceID}
	} else {
		in.ConditionExpression = aws.String("#v = :v")
		in.ExpressionAttributeNames = map[string]string{"#v": "Version"}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: strconv.Itoa(prevVersion)}}
	}
	_, err = t.api.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("%w: %s", service.ErrVersionConflict, service.ImageItemID(img.Bucket, img.Key))
	}
	return err
}

// PutFaces implements service.FaceTable with BatchWriteItem, 25 items a
// call, retrying unprocessed items. Of items with the same FaceId the last
// is written (DynamoDB refuses a batch that names a key twice).
func (t *Table) PutFaces(ctx context.Context, faces []service.FaceItem) error {
	reqs := make([]types.WriteRequest, 0, len(faces))
	at := make(map[string]int, len(faces)) // FaceId → its request in reqs
	for _, f := range faces {
		av, err := attributevalue.MarshalMap(faceToItem(f))
		if err != nil {
			return fmt.Errorf("encode face item: %w", err)
		}
		req := types.WriteRequest{PutRequest: &types.PutRequest{Item: av}}
		if i, ok := at[f.FaceID]; ok {
			reqs[i] = req
			continue
		}
		at[f.FaceID] = len(reqs)
		reqs = append(reqs, req)
	}
	return t.batchWrite(ctx, reqs)
}

// faceToItem returns the stored shape of the face item f.
func faceToItem(f service.FaceItem) item {
	bb := f.BoundingBox
	return item{
		FaceID:          f.FaceID,
		ItemType:        typeFace,
		ImageID:         f.ImageID,
		ExternalImageID: f.ExternalImageID,
		BoundingBox:     &bb,
		Confidence:      f.Confidence,
		Landmarks:       f.Attributes.Landmarks,
		Pose:            f.Attributes.Pose,
		Quality:         f.Attributes.Quality,
		Bucket:          f.Bucket,
		ObjectKey:       f.Key,
		ETag:            f.ETag,
		ContentSHA256:   f.ContentSHA256,
		Person:          f.Person,
		IndexedAt:       f.IndexedAt,
		TargetVersion:   f.TargetVersion,
		CollectionID:    f.CollectionID,
	}
}

// PutPerson implements service.FaceTable with PutItem.
func (t *Table) PutPerson(ctx context.Context, p service.PersonItem) error {
	av, err := attributevalue.MarshalMap(personItem{FaceID: service.PersonItemID(p.UserID), ItemType: typePerson, Person: p.Person, UserID: p.UserID, Renaming: p.Renaming})
	if err != nil {
		return fmt.Errorf("encode person item: %w", err)
	}
	_, err = t.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.name), Item: av})
	return err
}

// ReplacePerson implements service.FaceTable with a PutItem conditional
// on the stored Person and Renaming being prev's (the first requires the
// item; an empty Renaming is an absent attribute).
func (t *Table) ReplacePerson(ctx context.Context, p, prev service.PersonItem) error {
	av, err := attributevalue.MarshalMap(personItem{FaceID: service.PersonItemID(p.UserID), ItemType: typePerson, Person: p.Person, UserID: p.UserID, Renaming: p.Renaming})
	if err != nil {
		return fmt.Errorf("encode person item: %w", err)
	}
	cond := "#p = :prev AND attribute_not_exists(#r)"
	values := map[string]types.AttributeValue{":prev": &types.AttributeValueMemberS{Value: prev.Person}}
	if prev.Renaming != "" {
		cond = "#p = :prev AND #r = :renaming"
		values[":renaming"] = &types.AttributeValueMemberS{Value: prev.Renaming}
	}
	_, err = t.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(t.name),
		Item:                      av,
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  map[string]string{"#p": contract.AttrPerson, "#r": attrRenaming},
		ExpressionAttributeValues: values,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("%w: person item", service.ErrVersionConflict)
	}
	return err
}

// DeleteItems implements service.FaceTable with BatchWriteItem, each id
// once (DynamoDB refuses a batch that names a key twice).
func (t *Table) DeleteItems(ctx context.Context, ids []string) error {
	reqs := make([]types.WriteRequest, 0, len(ids))
	for _, id := range distinct(ids) {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(id)}})
	}
	return t.batchWrite(ctx, reqs)
}

// distinct returns ids without repeats, in the order of their first
// occurrence.
func distinct(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// DeletePerson implements service.FaceTable with BatchWriteItem, as
// DeleteItems.
func (t *Table) DeletePerson(ctx context.Context, prev service.PersonItem) error {
	names := map[string]string{"#k": contract.AttrFaceID}
	values := map[string]types.AttributeValue{}
	cond := "attribute_not_exists(#k)"
	if prev.Person != "" {
		names["#p"], names["#r"] = contract.AttrPerson, attrRenaming
		values[":prev"] = &types.AttributeValueMemberS{Value: prev.Person}
		cond += " OR #p = :prev AND attribute_not_exists(#r)"
		if prev.Renaming != "" {
			values[":renaming"] = &types.AttributeValueMemberS{Value: prev.Renaming}
			cond = "attribute_not_exists(#k) OR #p = :prev AND #r = :renaming"
		}
	}
	in := &dynamodb.DeleteItemInput{
		TableName:                aws.String(t.name),
		Key:                      key(service.PersonItemID(prev.UserID)),
		ConditionExpression:      aws.String(cond),
		ExpressionAttributeNames: names,
	}
	if len(values) > 0 {
		in.ExpressionAttributeValues = values
	}
	_, err := t.api.DeleteItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("%w: person item", service.ErrVersionConflict)
	}
	return err
}

// GetFaces implements service.FaceTable with BatchGetItem, 100 keys a
// call (one call for up to 100 FaceIds), retrying unprocessed keys.
func (t *Table) GetFaces(ctx context.Context, faceIDs []string) (map[string]service.FaceItem, error) {
	found := make(map[string]service.FaceItem, len(faceIDs))
	err := t.batchGet(ctx, faceIDs, false, func(items []map[string]types.AttributeValue) error {
		var its []item
		if err := attributevalue.UnmarshalListOfMaps(items, &its); err != nil {
			return fmt.Errorf("decode face items: %w", err)
		}
		for _, it := range its {
			if it.ItemType == typeFace {
				found[it.FaceID] = faceFromItem(it)
			}
		}
		return nil
	})
	return found, err
}

// GetPersons implements service.FaceTable with BatchGetItem, as GetFaces,
// but strongly consistent: a person item decides which user a name maps
// to (resolve), right after a rename or a new person wrote it.
func (t *Table) GetPersons(ctx context.Context, userIDs []string) (map[string]service.PersonItem, error) {
	ids := make([]string, len(userIDs))
	for i, u := range userIDs {
		ids[i] = service.PersonItemID(u)
	}
	found := make(map[string]service.PersonItem, len(userIDs))
	err := t.batchGet(ctx, ids, true, func(items []map[string]types.AttributeValue) error {
		var its []personItem
		if err := attributevalue.UnmarshalListOfMaps(items, &its); err != nil {
			return fmt.Errorf("decode person items: %w", err)
		}
		for _, it := range its {
			if it.ItemType == typePerson {
				found[it.UserID] = service.PersonItem{Person: it.Person, UserID: it.UserID, Renaming: it.Renaming}
			}
		}
		return nil
	})
	return found, err
}

// batchGet reads the items of ids with BatchGetItem, each id once
// (DynamoDB refuses a batch that names a key twice), 100 keys a call,
// strongly consistent if consistent (twice the read capacity), retrying
// unprocessed keys, and hands each answer's items to take.
func (t *Table) batchGet(ctx context.Context, ids []string, consistent bool, take func([]map[string]types.AttributeValue) error) error {
	for chunk := range slices.Chunk(distinct(ids), maxBatchGet) {
		keys := make([]map[string]types.AttributeValue, len(chunk))
		for i, id := range chunk {
			keys[i] = key(id)
		}
		pending := map[string]types.KeysAndAttributes{t.name: {Keys: keys, ConsistentRead: aws.Bool(consistent)}}
		err := t.retryUnprocessed(ctx, func() (bool, error) {
			out, err := t.api.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return false, err
			}
			if err := take(out.Responses[t.name]); err != nil {
				return false, err
			}
			pending = out.UnprocessedKeys
			return len(pending) == 0, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// GetFace implements service.FaceTable with a GetItem (eventually
// consistent).
func (t *Table) GetFace(ctx context.Context, faceID string) (*service.FaceItem, error) {
	out, err := t.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(t.name), Key: key(faceID)})
	if err != nil || out.Item == nil {
		return nil, err
	}
	var it item
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, fmt.Errorf("decode face item: %w", err)
	}
	if it.ItemType != typeFace {
		return nil, nil
	}
	f := faceFromItem(it)
	return &f, nil
}

// ListFaces implements service.FaceTable with one Query on PersonIndex
// (with a person) or one Scan of the table (without), of Limit limit,
// keeping the face items. The token is the base64url (unpadded) of the
// JSON of DynamoDB's LastEvaluatedKey, whose attributes are all strings.
func (t *Table) ListFaces(ctx context.Context, person string, limit int, token string) ([]service.FaceItem, string, error) {
	keyAttrs := []string{contract.AttrFaceID}
	if person != "" {
		keyAttrs = append(keyAttrs, contract.AttrPerson)
	}
	start, err := decodeToken(token, keyAttrs)
	if err != nil {
		return nil, "", err
	}
	var items []map[string]types.AttributeValue
	var last map[string]types.AttributeValue
	if person != "" {
		out, err := t.api.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(t.name),
			IndexName:                 aws.String(contract.PersonIndex),
			KeyConditionExpression:    aws.String("#p = :p"),
			ExpressionAttributeNames:  map[string]string{"#p": contract.AttrPerson},
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: person}},
			Limit:                     aws.Int32(int32(limit)),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, "", err
		}
		items, last = out.Items, out.LastEvaluatedKey
	} else if items, last, err = t.scan(ctx, limit, start); err != nil {
		return nil, "", err
	}
	var decoded []item
	if err := attributevalue.UnmarshalListOfMaps(items, &decoded); err != nil {
		return nil, "", fmt.Errorf("decode face items: %w", err)
	}
	var faces []service.FaceItem
	for _, it := range decoded {
		if it.ItemType == typeFace {
			faces = append(faces, faceFromItem(it))
		}
	}
	next, err := encodeToken(last)
	return faces, next, err
}

// ListPersons implements service.FaceTable with one Scan of the table,
// of Limit limit, keeping the person items; tokens are those of ListFaces
// without a person.
func (t *Table) ListPersons(ctx context.Context, limit int, token string) ([]service.PersonItem, string, error) {
	return scanPage(ctx, t, limit, token, func(it personItem) (service.PersonItem, bool) {
		return service.PersonItem{Person: it.Person, UserID: it.UserID, Renaming: it.Renaming}, it.ItemType == typePerson
	})
}

// scan reads one page of the table, of Limit limit, from start.
func (t *Table) scan(ctx context.Context, limit int, start map[string]types.AttributeValue) (items []map[string]types.AttributeValue, last map[string]types.AttributeValue, err error) {
	out, err := t.api.Scan(ctx, &dynamodb.ScanInput{
		TableName:         aws.String(t.name),
		Limit:             aws.Int32(int32(limit)),
		ExclusiveStartKey: start,
	})
	if err != nil {
		return nil, nil, err
	}
	return out.Items, out.LastEvaluatedKey, nil
}

// encodeToken returns the page token of a LastEvaluatedKey ("" for none).
func encodeToken(last map[string]types.AttributeValue) (string, error) {
	if len(last) == 0 {
		return "", nil
	}
	m := make(map[string]string, len(last))
	for k, v := range last {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("LastEvaluatedKey attribute %s is not a string", k)
		}
		m[k] = s.Value
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeToken returns the ExclusiveStartKey of a page token (nil for "");
// a token that does not decode to exactly the attributes keyAttrs (the
// key of the table or index read) is service.ErrInvalidToken.
func decodeToken(token string, keyAttrs []string) (map[string]types.AttributeValue, error) {
	if token == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	var m map[string]string
	if err != nil || json.Unmarshal(b, &m) != nil || len(m) != len(keyAttrs) {
		return nil, service.ErrInvalidToken
	}
	for _, a := range keyAttrs {
		if _, ok := m[a]; !ok {
			return nil, service.ErrInvalidToken
		}
	}
	key := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		key[k] = &types.AttributeValueMemberS{Value: v}
	}
	return key, nil
}

func (t *Table) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	for start := 0; start < len(reqs); start += maxBatchWrite {
		pending := map[string][]types.WriteRequest{t.name: reqs[start:min(start+maxBatchWrite, len(reqs))]}
		err := t.retryUnprocessed(ctx, func() (bool, error) {
			out, err := t.api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return false, err
			}
			pending = out.UnprocessedItems
			return len(pending) == 0, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// maxBatchAttempts bounds the calls made for one batch whose items keep
// coming back unprocessed (DynamoDB's answer to throttling in batches).
const maxBatchAttempts = 8

// errUnprocessed is returned when a batch is still unprocessed after
// maxBatchAttempts; it maps to a retryable throttling error upstream.
type errUnprocessed struct{}

// Error says that batch work stayed unprocessed.
func (errUnprocessed) Error() string {
	return "DynamoDB left batch items unprocessed after retries"
}

// ErrorCode lets the service treat errUnprocessed like AWS throttling.
func (errUnprocessed) ErrorCode() string { return "ProvisionedThroughputExceededException" }

// ErrorMessage implements smithy.APIError.
func (e errUnprocessed) ErrorMessage() string { return e.Error() }

// ErrorFault implements smithy.APIError.
func (errUnprocessed) ErrorFault() smithy.ErrorFault { return smithy.FaultUnknown }

var _ smithy.APIError = errUnprocessed{}

// retryUnprocessed calls try until it reports done, waiting with
// exponential backoff between calls, as DynamoDB asks for unprocessed batch
// work (DynamoDB developer guide, "Batch operations").
func (t *Table) retryUnprocessed(ctx context.Context, try func() (done bool, err error)) error {
	wait := t.Backoff
	for attempt := 1; ; attempt++ {
		done, err := try()
		if err != nil || done {
			return err
		}
		if attempt == maxBatchAttempts {
			return errUnprocessed{}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func faceFromItem(it item) service.FaceItem {
	f := service.FaceItem{
		FaceID:          it.FaceID,
		ImageID:         it.ImageID,
		ExternalImageID: it.ExternalImageID,
		Confidence:      it.Confidence,
		Attributes:      contract.FaceAttributes{Landmarks: it.Landmarks, Pose: it.Pose, Quality: it.Quality},
		Bucket:          it.Bucket,
		Key:             it.ObjectKey,
		ETag:            it.ETag,
		ContentSHA256:   it.ContentSHA256,
		Person:          it.Person,
		IndexedAt:       it.IndexedAt,
		TargetVersion:   it.TargetVersion,
		CollectionID:    it.CollectionID,
	}
	if it.BoundingBox != nil {
		f.BoundingBox = *it.BoundingBox
	}
	return f
}

func imageFromItem(it item) service.ImageItem {
	return service.ImageItem{
		Bucket:           it.Bucket,
		Key:              it.ObjectKey,
		ETag:             it.ETag,
		ContentSHA256:    it.ContentSHA256,
		Status:           it.Status,
		Reason:           it.Reason,
		FaceCount:        it.FaceCount,
		UnindexedReasons: it.UnindexedReasons,
		FaceIDs:          it.FaceIDs,
		Version:          it.Version,
		RunID:            it.RunID,
		Person:           it.Person,
		IndexedAt:        it.IndexedAt,
		ExpiresAt:        fromEpochSeconds(it.ExpiresAt),
		CollectionID:     it.CollectionID,
	}
}

// fromEpochSeconds is the inverse of epochSeconds.
func fromEpochSeconds(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// ImagesOfPerson implements service.FaceTable with a Query on
// PersonIndex, following every page, keeping the image items.
func (t *Table) ImagesOfPerson(ctx context.Context, person string) ([]service.ImageItem, error) {
	var images []service.ImageItem
	err := t.queryIndex(ctx, contract.PersonIndex, contract.AttrPerson, person, func(it item) {
		if it.ItemType == typeImage {
			images = append(images, imageFromItem(it))
		}
	})
	return images, err
}

// ListImages implements service.FaceTable with one Scan of the table, of
// Limit limit, keeping the image items; tokens are those of ListPersons.
func (t *Table) ListImages(ctx context.Context, limit int, token string) ([]service.ImageItem, string, error) {
	return scanPage(ctx, t, limit, token, func(it item) (service.ImageItem, bool) {
		return imageFromItem(it), it.ItemType == typeImage
	})
}

// scanPage reads one page of the table (one Scan of Limit limit, from the
// item token names, a ListFaces token without a person), decodes each
// item as an S and keeps what keep accepts, converted; it returns them and
// the token of the next page ("" after the last).
func scanPage[S, R any](ctx context.Context, t *Table, limit int, token string, keep func(S) (R, bool)) ([]R, string, error) {
	start, err := decodeToken(token, []string{contract.AttrFaceID})
	if err != nil {
		return nil, "", err
	}
	items, last, err := t.scan(ctx, limit, start)
	if err != nil {
		return nil, "", err
	}
	var decoded []S
	if err := attributevalue.UnmarshalListOfMaps(items, &decoded); err != nil {
		return nil, "", fmt.Errorf("decode items: %w", err)
	}
	var out []R
	for _, it := range decoded {
		if r, ok := keep(it); ok {
			out = append(out, r)
		}
	}
	next, err := encodeToken(last)
	return out, next, err
}

// PutErasure implements service.FaceTable with PutItem.
func (t *Table) PutErasure(ctx context.Context, rec service.ErasureRecord) error {
	av, err := attributevalue.MarshalMap(erasureItem{
		FaceID: rec.ID, ItemType: typeErasure, Kind: rec.Kind, ErasedAt: rec.At,
		Faces: rec.Faces, Keys: rec.Keys, Versions: rec.Versions, Users: rec.Users,
	})
	if err != nil {
		return fmt.Errorf("encode erasure record: %w", err)
	}
	_, err = t.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.name), Item: av})
	return err
}

// GetSweepMarks implements service.FaceTable with BatchGetItem, as
// GetFaces.
func (t *Table) GetSweepMarks(ctx context.Context, ids []string) (map[string]time.Time, error) {
	found := make(map[string]time.Time, len(ids))
	err := t.batchGet(ctx, ids, false, func(items []map[string]types.AttributeValue) error {
		var its []sweepMarkItem
		if err := attributevalue.UnmarshalListOfMaps(items, &its); err != nil {
			return fmt.Errorf("decode sweep marks: %w", err)
		}
		for _, it := range its {
			if it.ItemType == typeSweepMark {
				found[it.FaceID] = it.SeenAt
			}
		}
		return nil
	})
	return found, err
}

// PutSweepMarks implements service.FaceTable with BatchWriteItem, as
// PutFaces.
func (t *Table) PutSweepMarks(ctx context.Context, ids []string, seen, expires time.Time) error {
	reqs := make([]types.WriteRequest, 0, len(ids))
	for _, id := range distinct(ids) {
		av, err := attributevalue.MarshalMap(sweepMarkItem{FaceID: id, ItemType: typeSweepMark, SeenAt: seen, ExpiresAt: epochSeconds(expires)})
		if err != nil {
			return fmt.Errorf("encode sweep mark: %w", err)
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: av}})
	}
	return t.batchWrite(ctx, reqs)
}

// aliasItem is the stored shape of alias items (service.AliasItemID). It
// has no Person and no ObjectKey: alias items are in no index.
type aliasItem struct {
	FaceID   string `dynamodbav:"FaceId"`
	ItemType string `dynamodbav:"ItemType"`
	UserID   string `dynamodbav:"UserId"`
}

// typeAlias is an alias item's ItemType.
const typeAlias = "ALIAS"

// GetAlias implements service.FaceTable with BatchGetItem, strongly
// consistent, as GetPersons (the functions that resolve names already
// read person items so): an alias written by a rename must be seen by
// the reconcile of the copy it caused, or the image would be indexed
// again rather than relabelled.
func (t *Table) GetAlias(ctx context.Context, person string) (string, error) {
	userID := ""
	err := t.batchGet(ctx, []string{service.AliasItemID(person)}, true, func(items []map[string]types.AttributeValue) error {
		var its []aliasItem
		if err := attributevalue.UnmarshalListOfMaps(items, &its); err != nil {
			return fmt.Errorf("decode alias items: %w", err)
		}
		for _, it := range its {
			if it.ItemType == typeAlias {
				userID = it.UserID
			}
		}
		return nil
	})
	return userID, err
}

// PutAlias implements service.FaceTable with a PutItem conditional on no
// item or one naming userID.
func (t *Table) PutAlias(ctx context.Context, person, userID string) error {
	av, err := attributevalue.MarshalMap(aliasItem{FaceID: service.AliasItemID(person), ItemType: typeAlias, UserID: userID})
	if err != nil {
		return fmt.Errorf("encode alias item: %w", err)
	}
	_, err = t.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(t.name),
		Item:                      av,
		ConditionExpression:       aws.String("attribute_not_exists(#id) OR #u = :u"),
		ExpressionAttributeNames:  map[string]string{"#id": contract.AttrFaceID, "#u": "UserId"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": &types.AttributeValueMemberS{Value: userID}},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("%w: alias item", service.ErrVersionConflict)
	}
	return err
}

// DeleteAlias implements service.FaceTable with BatchWriteItem, as
// DeleteItems.
func (t *Table) DeleteAlias(ctx context.Context, person string) error {
	return t.DeleteItems(ctx, []string{service.AliasItemID(person)})
}

// RelabelFaces implements service.FaceTable with one UpdateItem per face
// that sets only its Person, conditional on the stored Person being from
// (which also requires the item to exist); a failed condition skips the
// face. BatchWriteItem takes no conditions, and a face's relabel must not
// bring back a face item that a concurrent index run deleted; a PutItem
// of the whole item would write back what the caller read, which may be
// stale (FacesOfObject reads an eventually consistent index).
func (t *Table) RelabelFaces(ctx context.Context, faces []service.FaceItem, from string) error {
	for _, f := range faces {
		_, err := t.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(t.name),
			Key:                      key(f.FaceID),
			UpdateExpression:         aws.String("SET #p = :to"),
			ConditionExpression:      aws.String("#p = :from"),
			ExpressionAttributeNames: map[string]string{"#p": contract.AttrPerson},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":from": &types.AttributeValueMemberS{Value: from},
				":to":   &types.AttributeValueMemberS{Value: f.Person},
			},
		})
		var ccf *types.ConditionalCheckFailedException
		if err != nil && !errors.As(err, &ccf) {
			return err
		}
	}
	return nil
}
