package facerecognition

// Bring your own resources: the checks of ExistingBucket,
// ExistingCollectionId and ExistingTable, which replace the bucket, the
// collection and the table the construct would otherwise create (see
// addBucket, addCollection and addTable).

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
)

// resolveExisting validates the Existing* props into s and refuses the
// props that configure a resource the construct then does not create.
func resolveExisting(p *FaceRecognitionServiceProps, s *settings) {
	if p.ExistingCollectionId != nil {
		if p.CollectionId != nil {
			invalid("ExistingCollectionId", "conflicts with CollectionId: name the collection the construct creates with CollectionId, or an existing one with ExistingCollectionId, not both")
		}
		s.existingCollectionId = *p.ExistingCollectionId
		if !collectionIdPattern.MatchString(s.existingCollectionId) {
			invalid("ExistingCollectionId", "must be 1 to 255 characters of [a-zA-Z0-9_.-], got %q", s.existingCollectionId)
		}
	}
	if p.ExistingBucket != nil {
		if p.NoncurrentVersionExpiration != nil {
			invalid("NoncurrentVersionExpiration", "conflicts with ExistingBucket: the construct sets no lifecycle rule on a bucket it does not own; configure the existing bucket's versioning and lifecycle where it is defined")
		}
		if p.AccessLogExpiration != nil {
			invalid("AccessLogExpiration", "conflicts with ExistingBucket: the construct creates no access log bucket for a bucket it does not own; configure the existing bucket's server access logs where it is defined")
		}
		if keyPolicyCycle(p.ExistingBucket, p.EncryptionKey) {
			invalid("EncryptionKey", "conflicts with ExistingBucket encrypted with the same key in the same stack: the key policy's statement for S3 names the bucket, which names the key, a cycle CloudFormation refuses; encrypt the bucket with another key, or pass its key's owner the statements (see the README)")
		}
		s.existingBucket = p.ExistingBucket
	}
	if p.ExistingTable != nil {
		if problems := tableSchemaProblems(p.ExistingTable); len(problems) > 0 {
			invalid("ExistingTable", "%s", strings.Join(problems, "; "))
		}
		s.existingTable = p.ExistingTable
	}
}

// cfnAttributeType maps the CDK attribute types to CloudFormation's.
var cfnAttributeType = map[awsdynamodb.AttributeType]string{
	awsdynamodb.AttributeType_STRING: "S",
	awsdynamodb.AttributeType_NUMBER: "N",
	awsdynamodb.AttributeType_BINARY: "B",
}

// cfnKeySchema, cfnIndex and cfnTableSchema hold the key schema of a
// CfnTable or CfnGlobalTable, decoded case-insensitively from the resolved
// properties (camelCase in the L1 construct, PascalCase in the template).
type cfnKeySchema []struct{ AttributeName, KeyType string }

type cfnIndex struct {
	IndexName  string
	KeySchema  cfnKeySchema
	Projection struct{ ProjectionType string }
}

type cfnTableSchema struct {
	KeySchema              cfnKeySchema
	AttributeDefinitions   []struct{ AttributeName, AttributeType string }
	GlobalSecondaryIndexes []cfnIndex
}

// keys returns the attributes of keyType (HASH or RANGE), in order.
func (k cfnKeySchema) keys(keyType string) []string {
	var out []string
	for _, e := range k {
		if e.KeyType == keyType {
			out = append(out, e.AttributeName)
		}
	}
	return out
}

// tableSchemaProblems describes how the key schema of table differs from the
// one the functions need (tableProps, objectKeyIndexProps, personIndexProps):
// the partition key, no sort key, and the two global secondary indexes with
// their string partition keys, no sort keys and every attribute projected.
// Other indexes and attributes are allowed. A table without a CfnTable or
// CfnGlobalTable in the app (an imported one) has no schema to check and is
// refused.
func tableSchemaProblems(table awsdynamodb.ITable) []string {
	var cfn constructs.IConstruct
	switch c := table.Node().DefaultChild().(type) {
	case awsdynamodb.CfnTable, awsdynamodb.CfnGlobalTable:
		cfn = c
	default:
		return []string{"must be an awsdynamodb.Table or TableV2 defined in the app, whose key schema the construct can check at synth; " +
			"an imported table (FromTableName, FromTableArn, FromTableAttributes) has none. To use a table created outside this app, " +
			"define it in the app with the schema the construct needs and adopt it with `cdk import`"}
	}
	raw := map[string]any{}
	stack := awscdk.Stack_Of(table)
	switch c := cfn.(type) {
	case awsdynamodb.CfnTable:
		raw["KeySchema"], raw["AttributeDefinitions"], raw["GlobalSecondaryIndexes"] = stack.Resolve(c.KeySchema()), stack.Resolve(c.AttributeDefinitions()), stack.Resolve(c.GlobalSecondaryIndexes())
	case awsdynamodb.CfnGlobalTable:
		raw["KeySchema"], raw["AttributeDefinitions"], raw["GlobalSecondaryIndexes"] = stack.Resolve(c.KeySchema()), stack.Resolve(c.AttributeDefinitions()), stack.Resolve(c.GlobalSecondaryIndexes())
	}
	var schema cfnTableSchema
	if b, err := json.Marshal(raw); err != nil || json.Unmarshal(b, &schema) != nil {
		return []string{fmt.Sprintf("its key schema cannot be read: %s", b)}
	}
	attrType := func(name string) string {
		for _, a := range schema.AttributeDefinitions {
			if a.AttributeName == name {
				return a.AttributeType
			}
		}
		return ""
	}
	var problems []string
	checkKeys := func(what string, keys cfnKeySchema, want *awsdynamodb.Attribute) {
		wantName, wantType := *want.Name, cfnAttributeType[want.Type]
		if got := keys.keys("HASH"); !slices.Equal(got, []string{wantName}) {
			problems = append(problems, fmt.Sprintf("%s: partition key is %q, want %q", what, strings.Join(got, ","), wantName))
		} else if got := attrType(wantName); got != wantType {
			problems = append(problems, fmt.Sprintf("%s: partition key %q has type %q, want %q", what, wantName, got, wantType))
		}
		if got := keys.keys("RANGE"); len(got) > 0 {
			problems = append(problems, fmt.Sprintf("%s: sort key %q, want none", what, strings.Join(got, ",")))
		}
	}
	checkKeys("table", schema.KeySchema, tableProps(defaultRemovalPolicy).PartitionKey)
	for _, want := range []*awsdynamodb.GlobalSecondaryIndexProps{objectKeyIndexProps(), personIndexProps()} {
		name := *want.IndexName
		i := slices.IndexFunc(schema.GlobalSecondaryIndexes, func(g cfnIndex) bool { return g.IndexName == name })
		if i < 0 {
			problems = append(problems, fmt.Sprintf("global secondary index %q: missing", name))
			continue
		}
		index := schema.GlobalSecondaryIndexes[i]
		checkKeys(fmt.Sprintf("global secondary index %q", name), index.KeySchema, want.PartitionKey)
		if got := index.Projection.ProjectionType; got != string(want.ProjectionType) {
			problems = append(problems, fmt.Sprintf("global secondary index %q: projection %q, want %q", name, got, want.ProjectionType))
		}
	}
	if len(problems) > 0 {
		problems[0] = "its key schema is not the one the functions need: " + problems[0]
	}
	return problems
}

// keyPolicyCycle reports whether bucket is defined in the app (not imported)
// and encrypted with key, a key created in the bucket's stack: the
// construct would add to that key's policy a statement naming the bucket's
// ARN (addKeyPolicy), while the bucket names the key, a circular dependency.
func keyPolicyCycle(bucket awss3.IBucket, key awskms.IKey) bool {
	bucketKey := bucket.EncryptionKey()
	if key == nil || bucketKey == nil || bucket.Node().DefaultChild() == nil {
		return false
	}
	created, ok := key.(awskms.Key)
	return ok && *bucketKey.Node().Path() == *key.Node().Path() &&
		*awscdk.Stack_Of(created).Node().Path() == *awscdk.Stack_Of(bucket).Node().Path()
}
