package facerecognition

// Bring your own resources: ExistingBucket, ExistingCollectionId and
// ExistingTable replace the bucket, the collection and the table the
// construct would otherwise create.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
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

// collectionArn returns the ARN of the collection id in the construct's
// account and region:
// arn:<partition>:rekognition:<region>:<account>:collection/<id>.
func (s *FaceRecognitionService) collectionArn(id string) *string {
	return awscdk.Stack_Of(s.Construct).FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("rekognition"),
		Resource:     jsii.String("collection"),
		ResourceName: jsii.String(id),
		ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
}

// imageEventTypes are the awss3.EventType values of imageEvents.
var imageEventTypes = map[string]awss3.EventType{
	"s3:ObjectCreated:*": awss3.EventType_OBJECT_CREATED,
	"s3:ObjectRemoved:*": awss3.EventType_OBJECT_REMOVED,
}

// notifyImageEvents has an existing bucket send imageEvents for keys under
// the image prefix to the queue, through CDK's bucket notifications: a
// Custom::S3BucketNotifications resource whose handler function
// (BucketNotificationsHandler, one per stack) calls
// PutBucketNotificationConfiguration. For a bucket imported into the app
// (awss3.Bucket_FromBucketName and the like) the handler first reads the
// bucket's configuration and keeps the notifications this stack did not
// add; for an awss3.Bucket defined in the app, the configuration is the
// one the app declares on that bucket. The queue's resource policy lets
// s3.amazonaws.com send messages from the bucket's ARN in this account
// (allowImageBucketEvents), as for a bucket the construct creates; with
// EncryptionKey, addKeyPolicy lets S3 use the key on the same conditions.
func (s *FaceRecognitionService) notifyImageEvents(cfg *settings) {
	dest := &queueDestination{queueArn: s.Queue.QueueArn(), queuePolicy: s.allowImageBucketEvents(s.Bucket.BucketArn())}
	for _, event := range imageEvents {
		s.Bucket.AddEventNotification(imageEventTypes[event], dest, &awss3.NotificationKeyFilter{Prefix: jsii.String(cfg.imagePrefix)})
	}
}

// queueDestination is the event queue as the destination of an existing
// bucket's notifications. It replaces CDK's
// awss3notifications.SqsDestination, which grants S3 more than it needs:
// sqs:SendMessage, sqs:GetQueueAttributes and sqs:GetQueueUrl with
// ArnLike aws:SourceArn alone, and, for a queue under a customer managed
// key, two key policy statements for s3.amazonaws.com, one of them
// (kms:GenerateDataKey*, kms:Decrypt) with no condition at all. The
// construct grants S3 its one queue action (allowImageBucketEvents) and its
// key use (addKeyPolicy) itself, on the bucket's ARN and account.
type queueDestination struct {
	queueArn    *string
	queuePolicy constructs.IConstruct // the queue's resource policy
}

// Bind returns the queue's ARN and makes the bucket's notifications
// resource depend on the queue policy: S3 checks that it may send to the
// queue (with a test event) when the notification is configured. It grants
// nothing, so that CDK may call it once per event type.
func (d *queueDestination) Bind(constructs.Construct, interfacesawss3.IBucketRef) *awss3.BucketNotificationDestinationConfig {
	return &awss3.BucketNotificationDestinationConfig{
		Arn:          d.queueArn,
		Type:         awss3.BucketNotificationDestinationType_QUEUE,
		Dependencies: &[]constructs.IDependable{d.queuePolicy},
	}
}

// imageBucketEventConditions are the conditions on which S3 may send the
// events of the image bucket bucketArn to the queue, in the queue policy
// and in the key policy alike: aws:SourceArn is the bucket, and
// aws:SourceAccount the stack's account, since a bucket ARN names no
// account and a bucket of the same name may later exist in another one.
func imageBucketEventConditions(bucketArn *string) *map[string]interface{} {
	return &map[string]interface{}{
		"ArnEquals":    map[string]interface{}{"aws:SourceArn": bucketArn},
		"StringEquals": map[string]interface{}{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
	}
}

// allowImageBucketEvents lets s3.amazonaws.com take sqs:SendMessage, the one
// action S3 takes to deliver an event, on the queue for the image bucket
// bucketArn (imageBucketEventConditions). It returns the queue's resource
// policy, which holds the statement: whatever configures the bucket's
// notifications must depend on it.
func (s *FaceRecognitionService) allowImageBucketEvents(bucketArn *string) constructs.IConstruct {
	s.Queue.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowImageBucketEvents"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("s3.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sqs:SendMessage"),
		Resources:  &[]*string{s.Queue.QueueArn()},
		Conditions: imageBucketEventConditions(bucketArn),
	}))
	return s.Queue.Node().FindChild(jsii.String("Policy"))
}

// bucketNotificationsHandlerId is the construct id CDK gives the
// BucketNotificationsHandler singleton in the bucket's stack.
const bucketNotificationsHandlerId = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"

// suppressBucketNotificationsFindings records why the cdk-nag finding on
// CDK's bucket notifications handler (see notifyImageEvents) does not apply:
// its role's AWS managed policy (IAM4). Its other permissions are
// s3:PutBucketNotification (and, for an imported bucket,
// s3:GetBucketNotification) on the bucket's ARN only, and its runtime is the
// latest Python CDK knows, so cdk-nag finds nothing else (CDK 2.276). The
// handler lives in the bucket's stack and serves every bucket notification
// of that stack.
func (s *FaceRecognitionService) suppressBucketNotificationsFindings() {
	handler := awscdk.Stack_Of(s.Bucket).Node().FindChild(jsii.String(bucketNotificationsHandlerId))
	suppress(handler, "AwsSolutions-IAM4",
		"AWSLambdaBasicExecutionRole is the managed policy CDK gives its bucket notifications handler (aws-s3 BucketNotificationsHandler) to write its logs; the handler only configures notifications of the buckets of this stack",
		"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
}

// grantKeyUse grants, on the exact key ARNs, the KMS actions each principal
// needs for the customer managed keys of the stores it calls: the image
// bucket's (EncryptionKey, or ExistingBucket's), the table's (EncryptionKey,
// or ExistingTable's) and the event queue's (EncryptionKey). With no such
// key it grants nothing. See keyReadActions and keyUploadActions for why
// these actions: the index function reads images (also through
// Rekognition's S3Object, with its rights) and receives from the queue; the
// upload role puts images; every function that calls DynamoDB uses the
// table's key. HeadObject and DeleteObject need no key. A key shared by
// several stores is granted once per principal.
func (s *FaceRecognitionService) grantKeyUse() {
	granted := map[string]bool{} // principal's node path + key ARN token
	grant := func(key awskms.IKey, actions []string, principals ...awsiam.IGrantable) {
		if key == nil {
			return
		}
		for _, p := range principals {
			id := *p.(constructs.IConstruct).Node().Path() + " " + *key.KeyArn()
			if !granted[id] {
				granted[id] = true
				p.GrantPrincipal().AddToPrincipalPolicy(allow(actions, key.KeyArn()))
			}
		}
	}
	grant(s.Bucket.EncryptionKey(), keyUploadActions, s.Node().FindChild(jsii.String("UploadRole")).(awsiam.IRole))
	grant(s.Bucket.EncryptionKey(), keyReadActions, s.IndexFunction)
	grant(s.Queue.EncryptionMasterKey(), keyReadActions, s.IndexFunction)
	grant(s.Table.EncryptionKey(), keyReadActions, s.IndexFunction, s.SearchFunction, s.StatusFunction,
		s.FacesFunction, s.DeleteFaceFunction, s.PersonsFunction, s.DeletePersonFunction)
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

// nagResource returns the form in which cdk-nag names the resource ARN arn
// in its IAM findings ("Resource::<form>"): the resolved value with Ref and
// Fn::GetAtt written <Id> and <Id.Attribute>, Fn::Join joined and
// Fn::ImportValue replaced by the export's name (cdk-nag's
// flattenCfnReference).
func nagResource(scope constructs.IConstruct, arn *string) string {
	var flatten func(v any) string
	flatten = func(v any) string {
		switch v := v.(type) {
		case string:
			return strings.NewReplacer("${", "<", "}", ">").Replace(v)
		case map[string]any:
			if join, ok := v["Fn::Join"].([]any); ok {
				var parts []string
				for _, p := range join[1].([]any) {
					parts = append(parts, flatten(p))
				}
				return strings.Join(parts, join[0].(string))
			}
			if sub, ok := v["Fn::Sub"]; ok {
				return flatten(sub)
			}
			if att, ok := v["Fn::GetAtt"].([]any); ok {
				return "<" + flatten(att[0]) + "." + flatten(att[1]) + ">"
			}
			if imp, ok := v["Fn::ImportValue"]; ok {
				return flatten(imp)
			}
			if ref, ok := v["Ref"]; ok {
				return "<" + flatten(ref) + ">"
			}
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	return flatten(awscdk.Stack_Of(scope).Resolve(arn))
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
