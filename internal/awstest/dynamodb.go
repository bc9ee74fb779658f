package awstest

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Request limits of DynamoDB's batch operations.
const (
	maxBatchGetKeys      = 100
	maxBatchWriteEntries = 25
)

var (
	conditionPattern    = regexp.MustCompile(`^\s*attribute_not_exists\s*\(\s*(#?[A-Za-z0-9_]+)\s*\)\s*$`)
	keyConditionPattern = regexp.MustCompile(`^\s*(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)\s*$`)
	orPattern           = regexp.MustCompile(`\s+OR\s+`)
	andPattern          = regexp.MustCompile(`\s+AND\s+`)
	setPattern          = regexp.MustCompile(`^\s*SET\s+(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)\s*$`)
)

// FakeDynamoDB is a stand-in for Amazon DynamoDB (JSON 1.0 protocol,
// X-Amz-Target DynamoDB_20120810.<Operation>) implementing GetItem, PutItem,
// DeleteItem, Query, Scan, BatchGetItem and BatchWriteItem on tables with a
// partition key only, and global secondary indexes with a partition key only
// that project all attributes. Everything it does not implement (sort keys,
// filter, projection and update expressions, conditions other than
// attribute_not_exists) is answered with an error, never ignored.
//
// Items are kept in their wire form. Query and Scan return items in
// partition key order and, like DynamoDB, return a LastEvaluatedKey whenever
// a page holds Limit items, even if no item follows. Its methods are safe for
// concurrent use.
type FakeDynamoDB struct {
	jsonService

	tables      map[string]*table
	unprocessed map[string]int // BatchGetItem/BatchWriteItem calls left to answer as unprocessed
}

// table is one table of the DynamoDB stand-in.
type table struct {
	pk    string            // partition key attribute
	gsis  map[string]string // index name → the index's partition key attribute
	items map[string]item   // by keyString of the partition key
}

func newFakeDynamoDB() *FakeDynamoDB {
	d := &FakeDynamoDB{tables: map[string]*table{}, unprocessed: map[string]int{}}
	d.jsonService = newJSONService("DynamoDB_20120810.", "application/x-amz-json-1.0", map[string]operation{
		"GetItem":        jsonOp(d.getItem),
		"PutItem":        jsonOp(d.putItem),
		"DeleteItem":     jsonOp(d.deleteItem),
		"UpdateItem":     jsonOp(d.updateItem),
		"Query":          jsonOp(d.query),
		"Scan":           jsonOp(d.scan),
		"BatchGetItem":   jsonOp(d.batchGetItem),
		"BatchWriteItem": jsonOp(d.batchWriteItem),
	})
	return d
}

// CreateTable creates an empty table whose partition key is the attribute
// partitionKey, with global secondary indexes gsis (index name → the
// index's partition key attribute; nil for none). It panics if the table
// exists or a name is empty: those are mistakes in the test.
func (d *FakeDynamoDB) CreateTable(name, partitionKey string, gsis map[string]string) {
	if name == "" || partitionKey == "" {
		panic("awstest: CreateTable needs a table name and a partition key")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.tables[name]; ok {
		panic(fmt.Sprintf("awstest: CreateTable: table %q exists", name))
	}
	d.tables[name] = &table{pk: partitionKey, gsis: maps.Clone(gsis), items: map[string]item{}}
}

// UnprocessedNext makes the next n calls of op, "BatchGetItem" or
// "BatchWriteItem", that pass validation answer every key or write request
// as unprocessed (UnprocessedKeys, UnprocessedItems) without reading or
// writing anything. It panics for another op or n < 1.
func (d *FakeDynamoDB) UnprocessedNext(op string, n int) {
	if (op != "BatchGetItem" && op != "BatchWriteItem") || n < 1 {
		panic(fmt.Sprintf("awstest: UnprocessedNext(%q, %d): need BatchGetItem or BatchWriteItem and n >= 1", op, n))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.unprocessed[op] += n
}

// Items returns deep copies of the items of the table in partition key
// order (none if there is no such table).
func (d *FakeDynamoDB) Items(tableName string) []map[string]types.AttributeValue {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.tables[tableName]
	if !ok {
		return nil
	}
	var out []map[string]types.AttributeValue
	for _, it := range t.sorted(nil) {
		out = append(out, cloneItem(it))
	}
	return out
}

// ItemCount returns the number of items in the table (0 if there is no
// such table).
func (d *FakeDynamoDB) ItemCount(tableName string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.tables[tableName]; ok {
		return len(t.items)
	}
	return 0
}

func (d *FakeDynamoDB) table(name string) (*table, error) {
	t, ok := d.tables[name]
	if !ok {
		return nil, clientError("ResourceNotFoundException", "Requested resource not found: Table: %s not found", name)
	}
	return t, nil
}

// takeUnprocessed reports whether this call of op is to be answered as
// unprocessed, using up one UnprocessedNext.
func (d *FakeDynamoDB) takeUnprocessed(op string) bool {
	if d.unprocessed[op] == 0 {
		return false
	}
	d.unprocessed[op]--
	return true
}

// keyOf returns the keyString of a key, which must hold exactly the
// table's partition key.
func (t *table) keyOf(key item) (string, error) {
	av, ok := key[t.pk]
	if !ok || len(key) != 1 {
		return "", validationError("The provided key element does not match the schema")
	}
	return keyString(av)
}

// itemKey validates an item to be written and returns its keyString: it must
// hold the partition key, and any index key attributes must be valid keys.
func (t *table) itemKey(it item) (string, error) {
	av, ok := it[t.pk]
	if !ok {
		return "", validationError("One or more parameter values were invalid: Missing the key %s in the item", t.pk)
	}
	for _, attr := range t.gsis {
		if v, ok := it[attr]; ok {
			if _, err := keyString(v); err != nil {
				return "", err
			}
		}
	}
	return keyString(av)
}

// sorted returns the items for which keep is true (all if keep is nil) in
// partition key order.
func (t *table) sorted(keep func(item) bool) []item {
	var out []item
	for _, it := range t.items {
		if keep == nil || keep(it) {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b item) int { return compareKeys(a[t.pk], b[t.pk]) })
	return out
}

// page returns, of items sorted by partition key, up to limit (nil: no
// limit) that follow the exclusive start key start, and the key of the last
// one (its keyAttrs) if the page is full.
func (t *table) page(items []item, start item, limit *int, keyAttrs []string) (pageResponse, error) {
	if limit != nil && *limit < 1 {
		return pageResponse{}, validationError("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *limit)
	}
	if start != nil {
		hasAll := !slices.ContainsFunc(keyAttrs, func(attr string) bool { return start[attr] == nil })
		if len(start) != len(keyAttrs) || !hasAll {
			return pageResponse{}, validationError("The provided starting key is invalid: it must hold exactly the key attributes %v", keyAttrs)
		}
		if _, err := keyString(start[t.pk]); err != nil {
			return pageResponse{}, err
		}
		i, _ := slices.BinarySearchFunc(items, start[t.pk], func(it item, k types.AttributeValue) int {
			c := compareKeys(it[t.pk], k)
			if c == 0 {
				return -1 // the start key itself is excluded
			}
			return c
		})
		items = items[i:]
	}
	resp := pageResponse{Items: []wireItem{}}
	for _, it := range items {
		if limit != nil && len(resp.Items) == *limit {
			break
		}
		resp.Items = append(resp.Items, it)
	}
	resp.Count, resp.ScannedCount = len(resp.Items), len(resp.Items)
	if limit != nil && len(resp.Items) == *limit {
		last := resp.Items[len(resp.Items)-1]
		resp.LastEvaluatedKey = wireItem{}
		for _, attr := range keyAttrs {
			resp.LastEvaluatedKey[attr] = last[attr]
		}
	}
	return resp, nil
}

// pageResponse is the response of Query and Scan.
type pageResponse struct {
	Items            []wireItem
	Count            int
	ScannedCount     int
	LastEvaluatedKey wireItem `json:",omitempty"`
}

// expression resolves the #names and :values of a request's expressions
// and checks that each one given is used, as DynamoDB does.
type expression struct {
	names      map[string]string
	values     item
	usedNames  map[string]bool
	usedValues map[string]bool
}

func newExpression(names map[string]string, values item) *expression {
	return &expression{names: names, values: values, usedNames: map[string]bool{}, usedValues: map[string]bool{}}
}

// name returns the attribute name a token stands for: the token itself or,
// for #alias, its ExpressionAttributeNames entry.
func (e *expression) name(token string) (string, error) {
	if token[0] != '#' {
		return token, nil
	}
	name, ok := e.names[token]
	if !ok {
		return "", validationError("Invalid expression: An expression attribute name used in the document path is not defined; attribute name: %s", token)
	}
	e.usedNames[token] = true
	return name, nil
}

// value returns the ExpressionAttributeValues entry of a :value token.
func (e *expression) value(token string) (types.AttributeValue, error) {
	v, ok := e.values[token]
	if !ok {
		return nil, validationError("Invalid expression: An expression attribute value used in expression is not defined; attribute value: %s", token)
	}
	e.usedValues[token] = true
	return v, nil
}

// condition evaluates a PutItem ConditionExpression against the stored
// item old (nil if none). The forms supported are attribute_not_exists(a)
// and a = :v (a scalar S, N or B attribute), several of them joined by
// AND, and such conjunctions joined by OR (AND binds tighter, as in
// DynamoDB; no parentheses); "" always holds.
func (e *expression) condition(expr string, old item) (bool, error) {
	if expr == "" {
		return true, nil
	}
	if parts := orPattern.Split(expr, -1); len(parts) > 1 {
		holds := false
		for _, p := range parts {
			h, err := e.condition(p, old)
			if err != nil {
				return false, err
			}
			holds = holds || h
		}
		return holds, nil
	}
	if parts := andPattern.Split(expr, -1); len(parts) > 1 {
		holds := true
		for _, p := range parts {
			h, err := e.condition(p, old)
			if err != nil {
				return false, err
			}
			holds = holds && h
		}
		return holds, nil
	}
	if m := conditionPattern.FindStringSubmatch(expr); m != nil {
		name, err := e.name(m[1])
		if err != nil {
			return false, err
		}
		_, exists := old[name]
		return !exists, nil
	}
	if m := keyConditionPattern.FindStringSubmatch(expr); m != nil {
		name, err := e.name(m[1])
		if err != nil {
			return false, err
		}
		want, err := e.value(m[2])
		if err != nil {
			return false, err
		}
		wantKey, err := keyString(want)
		if err != nil {
			return false, err
		}
		got, ok := old[name]
		if !ok {
			return false, nil
		}
		gotKey, err := keyString(got)
		return err == nil && gotKey == wantKey, nil
	}
	return false, validationError("awstest: ConditionExpression %q is not supported (attribute_not_exists(name) or name = :value)", expr)
}

// check evaluates a write's ConditionExpression cond against the stored
// item old (nil when none) as DynamoDB does: an expression error or an
// unused name or value is a ValidationException, a condition that does
// not hold a ConditionalCheckFailedException.
func (e *expression) check(cond string, old item) error {
	holds, err := e.condition(cond, old)
	if err != nil {
		return err
	}
	if err := e.checkUnused(); err != nil {
		return err
	}
	if !holds {
		return clientError("ConditionalCheckFailedException", "The conditional request failed")
	}
	return nil
}

// checkUnused fails if an ExpressionAttributeNames or
// ExpressionAttributeValues entry was not used.
func (e *expression) checkUnused() error {
	for _, k := range slices.Sorted(maps.Keys(e.names)) {
		if !e.usedNames[k] {
			return validationError("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(e.values)) {
		if !e.usedValues[k] {
			return validationError("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", k)
		}
	}
	return nil
}

// itemResponse is the response of GetItem (Item) and of PutItem and
// DeleteItem (Attributes, with ReturnValues ALL_OLD).
type itemResponse struct {
	Item       wireItem `json:",omitempty"`
	Attributes wireItem `json:",omitempty"`
}

// oldValues returns the response of a write that replaced or deleted old
// (nil if none) under ReturnValues rv.
func oldValues(rv string, old item) (any, error) {
	switch rv {
	case "", "NONE":
		return itemResponse{}, nil
	case "ALL_OLD":
		return itemResponse{Attributes: old}, nil
	}
	return nil, validationError("awstest: ReturnValues %q is not supported (NONE, ALL_OLD)", rv)
}

type getItemRequest struct {
	TableName      string
	Key            wireItem
	ConsistentRead bool
}

// lookup returns the table named name and the canonical form of key.
func (d *FakeDynamoDB) lookup(name string, key wireItem) (*table, string, error) {
	t, err := d.table(name)
	if err != nil {
		return nil, "", err
	}
	k, err := t.keyOf(key)
	return t, k, err
}

func (d *FakeDynamoDB) getItem(req *getItemRequest) (any, error) {
	t, k, err := d.lookup(req.TableName, req.Key)
	if err != nil {
		return nil, err
	}
	return itemResponse{Item: t.items[k]}, nil
}

type putItemRequest struct {
	TableName                 string
	Item                      wireItem
	ConditionExpression       string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues wireItem
	ReturnValues              string
}

func (d *FakeDynamoDB) putItem(req *putItemRequest) (any, error) {
	t, err := d.table(req.TableName)
	if err != nil {
		return nil, err
	}
	k, err := t.itemKey(req.Item)
	if err != nil {
		return nil, err
	}
	e := newExpression(req.ExpressionAttributeNames, req.ExpressionAttributeValues)
	old := t.items[k]
	if err := e.check(req.ConditionExpression, old); err != nil {
		return nil, err
	}
	resp, err := oldValues(req.ReturnValues, old)
	if err == nil {
		t.items[k] = item(req.Item)
	}
	return resp, err
}

type deleteItemRequest struct {
	TableName                 string
	Key                       wireItem
	ConditionExpression       string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues wireItem
	ReturnValues              string
}

// deleteItem deletes an item, with a ConditionExpression as PutItem's.
func (d *FakeDynamoDB) deleteItem(req *deleteItemRequest) (any, error) {
	t, k, err := d.lookup(req.TableName, req.Key)
	if err != nil {
		return nil, err
	}
	e := newExpression(req.ExpressionAttributeNames, req.ExpressionAttributeValues)
	if err := e.check(req.ConditionExpression, t.items[k]); err != nil {
		return nil, err
	}
	resp, err := oldValues(req.ReturnValues, t.items[k])
	if err == nil {
		delete(t.items, k)
	}
	return resp, err
}

type updateItemRequest struct {
	TableName                 string
	Key                       wireItem
	UpdateExpression          string
	ConditionExpression       string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues wireItem
	ReturnValues              string
}

// updateItem supports one UpdateExpression form, SET a = :v (one attribute
// that is not the partition key), with a ConditionExpression as PutItem's.
// Like DynamoDB, it creates the item (its key and a) when none is stored
// and the condition holds.
func (d *FakeDynamoDB) updateItem(req *updateItemRequest) (any, error) {
	t, k, err := d.lookup(req.TableName, req.Key)
	if err != nil {
		return nil, err
	}
	m := setPattern.FindStringSubmatch(req.UpdateExpression)
	if m == nil {
		return nil, validationError("awstest: UpdateExpression %q is not supported (only SET name = :value)", req.UpdateExpression)
	}
	e := newExpression(req.ExpressionAttributeNames, req.ExpressionAttributeValues)
	name, err := e.name(m[1])
	if err != nil {
		return nil, err
	}
	v, err := e.value(m[2])
	if err != nil {
		return nil, err
	}
	if name == t.pk {
		return nil, validationError("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", name)
	}
	old := t.items[k]
	if err := e.check(req.ConditionExpression, old); err != nil {
		return nil, err
	}
	resp, err := oldValues(req.ReturnValues, old)
	if err != nil {
		return nil, err
	}
	next := maps.Clone(old)
	if next == nil {
		next = maps.Clone(item(req.Key))
	}
	next[name] = v
	t.items[k] = next
	return resp, nil
}

type queryRequest struct {
	TableName                 string
	IndexName                 string
	KeyConditionExpression    string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues wireItem
	Limit                     *int
	ExclusiveStartKey         wireItem
	ConsistentRead            bool
}

func (d *FakeDynamoDB) query(req *queryRequest) (any, error) {
	t, err := d.table(req.TableName)
	if err != nil {
		return nil, err
	}
	keyAttr, keyAttrs := t.pk, []string{t.pk}
	if req.IndexName != "" {
		attr, ok := t.gsis[req.IndexName]
		if !ok {
			return nil, validationError("The table does not have the specified index: %s", req.IndexName)
		}
		if req.ConsistentRead {
			return nil, validationError("Consistent reads are not supported on global secondary indexes")
		}
		keyAttr, keyAttrs = attr, append(keyAttrs, attr)
	}
	m := keyConditionPattern.FindStringSubmatch(req.KeyConditionExpression)
	if m == nil {
		return nil, validationError("awstest: KeyConditionExpression %q is not supported (only name = :value)", req.KeyConditionExpression)
	}
	e := newExpression(req.ExpressionAttributeNames, req.ExpressionAttributeValues)
	attr, err := e.name(m[1])
	if err != nil {
		return nil, err
	}
	v, err := e.value(m[2])
	if err != nil {
		return nil, err
	}
	if err := e.checkUnused(); err != nil {
		return nil, err
	}
	if attr != keyAttr {
		return nil, validationError("Query condition missed key schema element: %s", keyAttr)
	}
	want, err := keyString(v)
	if err != nil {
		return nil, err
	}
	matches := t.sorted(func(it item) bool {
		got, ok := it[keyAttr]
		if !ok {
			return false
		}
		k, _ := keyString(got)
		return k == want
	})
	return t.page(matches, req.ExclusiveStartKey, req.Limit, keyAttrs)
}

type scanRequest struct {
	TableName         string
	Limit             *int
	ExclusiveStartKey wireItem
	ConsistentRead    bool
}

func (d *FakeDynamoDB) scan(req *scanRequest) (any, error) {
	t, err := d.table(req.TableName)
	if err != nil {
		return nil, err
	}
	return t.page(t.sorted(nil), req.ExclusiveStartKey, req.Limit, []string{t.pk})
}

type keysAndAttributes struct {
	Keys           []wireItem
	ConsistentRead *bool `json:",omitempty"`
}

type batchGetItemRequest struct {
	RequestItems map[string]keysAndAttributes
}

func (d *FakeDynamoDB) batchGetItem(req *batchGetItemRequest) (any, error) {
	total := 0
	for _, ka := range req.RequestItems {
		total += len(ka.Keys)
	}
	if total > maxBatchGetKeys {
		return nil, validationError("Too many items requested for the BatchGetItem call")
	}
	if len(req.RequestItems) == 0 {
		return nil, validationError("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	keys := map[string][]string{} // table → keyStrings, in request order
	for name, ka := range req.RequestItems {
		t, err := d.table(name)
		if err != nil {
			return nil, err
		}
		if len(ka.Keys) == 0 {
			return nil, validationError("1 validation error detected: Value at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1", name)
		}
		for _, key := range ka.Keys {
			k, err := t.keyOf(key)
			if err != nil {
				return nil, err
			}
			if slices.Contains(keys[name], k) {
				return nil, validationError("Provided list of item keys contains duplicates")
			}
			keys[name] = append(keys[name], k)
		}
	}
	resp := struct {
		Responses       map[string][]wireItem
		UnprocessedKeys map[string]keysAndAttributes
	}{Responses: map[string][]wireItem{}, UnprocessedKeys: map[string]keysAndAttributes{}}
	unprocessed := d.takeUnprocessed("BatchGetItem")
	for name, ks := range keys {
		resp.Responses[name] = []wireItem{}
		if unprocessed {
			resp.UnprocessedKeys[name] = req.RequestItems[name]
			continue
		}
		for _, k := range ks {
			if it, ok := d.tables[name].items[k]; ok {
				resp.Responses[name] = append(resp.Responses[name], it)
			}
		}
	}
	return resp, nil
}

type writeRequest struct {
	PutRequest *struct {
		Item wireItem
	} `json:",omitempty"`
	DeleteRequest *struct {
		Key wireItem
	} `json:",omitempty"`
}

type batchWriteItemRequest struct {
	RequestItems map[string][]writeRequest
}

func (d *FakeDynamoDB) batchWriteItem(req *batchWriteItemRequest) (any, error) {
	total := 0
	for _, ws := range req.RequestItems {
		total += len(ws)
	}
	if total > maxBatchWriteEntries {
		return nil, validationError("Too many items requested for the BatchWriteItem call")
	}
	if len(req.RequestItems) == 0 {
		return nil, validationError("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	type write struct {
		t   *table
		key string
		put item // nil for a delete
	}
	var writes []write
	for name, ws := range req.RequestItems {
		t, err := d.table(name)
		if err != nil {
			return nil, err
		}
		if len(ws) == 0 {
			return nil, validationError("1 validation error detected: Value at 'requestItems.%s' failed to satisfy constraint: Member must have length greater than or equal to 1", name)
		}
		seen := map[string]bool{}
		for _, w := range ws {
			var (
				k   string
				err error
				put item
			)
			switch {
			case (w.PutRequest == nil) == (w.DeleteRequest == nil):
				return nil, validationError("A WriteRequest must have exactly one of PutRequest and DeleteRequest")
			case w.PutRequest != nil:
				put = item(w.PutRequest.Item)
				k, err = t.itemKey(put)
			default:
				k, err = t.keyOf(w.DeleteRequest.Key)
			}
			if err != nil {
				return nil, err
			}
			if seen[k] {
				return nil, validationError("Provided list of item keys contains duplicates")
			}
			seen[k] = true
			writes = append(writes, write{t: t, key: k, put: put})
		}
	}
	if d.takeUnprocessed("BatchWriteItem") {
		return struct{ UnprocessedItems map[string][]writeRequest }{req.RequestItems}, nil
	}
	for _, w := range writes {
		if w.put == nil {
			delete(w.t.items, w.key)
		} else {
			w.t.items[w.key] = w.put
		}
	}
	return struct{ UnprocessedItems map[string][]writeRequest }{map[string][]writeRequest{}}, nil
}
