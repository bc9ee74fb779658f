package facerecognition

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/lambdas/config"
)

// The bring-your-own shapes: ByoInApp passes a bucket and a table defined in
// the test stack, each under its own customer managed key, and an existing
// collection id; ByoImported passes a bucket imported by name, under another
// prefix, and a TableV2, and lets the construct create its collection.
func init() {
	registerShape("ByoInApp", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		key := awskms.NewKey(stack, jsii.String("ImagesKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
		bucket := awss3.NewBucket(stack, jsii.String("AppImages"), &awss3.BucketProps{
			BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
			Encryption:        awss3.BucketEncryption_KMS,
			EncryptionKey:     key,
			EnforceSSL:        jsii.Bool(true),
		})
		suppress(bucket, "AwsSolutions-S1", "The test app's own bucket: whether it logs server access is the app's choice, not the construct's")
		table := awsdynamodb.NewTable(stack, jsii.String("AppTable"), &awsdynamodb.TableProps{
			PartitionKey:  &awsdynamodb.Attribute{Name: jsii.String(config.AttrFaceID), Type: awsdynamodb.AttributeType_STRING},
			BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
			Encryption:    awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
			EncryptionKey: awskms.NewKey(stack, jsii.String("TableKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)}),
			PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
				PointInTimeRecoveryEnabled: jsii.Bool(true),
			},
		})
		for _, gsi := range appIndexes() {
			table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
				IndexName: gsi.IndexName, PartitionKey: gsi.PartitionKey, ProjectionType: gsi.ProjectionType,
			})
		}
		return &FaceRecognitionServiceProps{
			ExistingBucket:       bucket,
			ExistingTable:        table,
			ExistingCollectionId: jsii.String("app-faces"),
		}
	})
	registerShape("ByoImported", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		indexes := appIndexes()
		table := awsdynamodb.NewTableV2(stack, jsii.String("AppTable"), &awsdynamodb.TablePropsV2{
			PartitionKey:           &awsdynamodb.Attribute{Name: jsii.String(config.AttrFaceID), Type: awsdynamodb.AttributeType_STRING},
			GlobalSecondaryIndexes: &indexes,
			PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
				PointInTimeRecoveryEnabled: jsii.Bool(true),
			},
		})
		return &FaceRecognitionServiceProps{
			ExistingBucket: awss3.Bucket_FromBucketName(stack, jsii.String("Photos"), jsii.String("my-photos")),
			ExistingTable:  table,
			ImagePrefix:    jsii.String("photos/in/"),
		}
	})
}

// appIndexes are the global secondary indexes of an app's table that the
// construct accepts: its two, written out, and one of the app's own.
func appIndexes() []*awsdynamodb.GlobalSecondaryIndexPropsV2 {
	index := func(name, key string) *awsdynamodb.GlobalSecondaryIndexPropsV2 {
		return &awsdynamodb.GlobalSecondaryIndexPropsV2{
			IndexName:      jsii.String(name),
			PartitionKey:   &awsdynamodb.Attribute{Name: jsii.String(key), Type: awsdynamodb.AttributeType_STRING},
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		}
	}
	app := index("ByTag", "Tag")
	app.ProjectionType = awsdynamodb.ProjectionType_KEYS_ONLY
	return []*awsdynamodb.GlobalSecondaryIndexPropsV2{index("ObjectKeyIndex", "ObjectKey"), index("PersonIndex", "Person"), app}
}

// partitionJoin is the template form of an ARN that CDK builds from the
// partition and literal parts.
func partitionJoin(parts ...any) map[string]any {
	return map[string]any{"Fn::Join": []any{"", append([]any{"arn:", ref("AWS::Partition")}, parts...)}}
}

// TestExistingResourcesAreUsed checks that the construct creates no bucket,
// collection or table of its own when given existing ones, and that the
// functions are configured with them.
func TestExistingResourcesAreUsed(t *testing.T) {
	fx := synth().shapes
	inApp, imported := fx["ByoInApp"], fx["ByoImported"]
	for _, c := range []struct {
		name                 string
		f                    *fixture
		buckets, collections int
		tables, globalTables int
		bucketName           any
		collectionId         string
		prefix               string
	}{
		{"ByoInApp", inApp, 1, 0, 1, 0, ref(logicalID(inApp.svc.Bucket)), "app-faces", "index/"},
		{"ByoImported", imported, 0, 1, 0, 1, "my-photos", *imported.svc.CollectionId, "photos/in/"},
	} {
		for typ, want := range map[string]int{
			"AWS::S3::Bucket": c.buckets, "AWS::Rekognition::Collection": c.collections,
			"AWS::DynamoDB::Table": c.tables, "AWS::DynamoDB::GlobalTable": c.globalTables,
		} {
			if got := len(c.f.ofType(typ)); got != want {
				t.Errorf("%s: %d %s, want %d (the app's only)", c.name, got, typ, want)
			}
		}
		if c.collections == 0 && c.f.svc.Collection != nil {
			t.Errorf("%s: Collection is set with ExistingCollectionId", c.name)
		}
		if c.buckets == 1 {
			if _, ok := c.f.ofType("AWS::S3::Bucket")[logicalID(c.f.svc.Bucket)]; !ok {
				t.Errorf("%s: Bucket is not the app's bucket", c.name)
			}
		}
		if _, ok := c.f.resources[logicalID(c.f.svc.Table)]; !ok {
			t.Errorf("%s: Table is not the app's table", c.name)
		}
		env := map[string]any{
			config.EnvCollectionID: c.collectionId,
			config.EnvTableName:    ref(logicalID(c.f.svc.Table)),
			config.EnvBucketName:   c.bucketName,
			config.EnvImagePrefix:  c.prefix,
		}
		vars := c.f.props(logicalID(c.f.svc.IndexFunction))["Environment"].(map[string]any)["Variables"].(map[string]any)
		for name, want := range env {
			if !reflect.DeepEqual(jsonValue(vars[name]), jsonValue(want)) {
				t.Errorf("%s: %s is %v, want %v", c.name, name, vars[name], want)
			}
		}
	}
}

// TestExistingBucketNotifications checks that an existing bucket sends the
// image events under the prefix to the queue through CDK's bucket
// notifications, which keep the other notifications of an imported bucket
// (Managed false), and that the queue lets S3 send them from that bucket.
func TestExistingBucketNotifications(t *testing.T) {
	fx := synth().shapes
	for _, c := range []struct {
		name    string
		f       *fixture
		bucket  any
		arn     any
		managed bool
		prefix  string
	}{
		{"ByoInApp", fx["ByoInApp"], ref(logicalID(fx["ByoInApp"].svc.Bucket)), getAtt(logicalID(fx["ByoInApp"].svc.Bucket)), true, "index/"},
		{"ByoImported", fx["ByoImported"], "my-photos", partitionJoin(":s3:::my-photos"), false, "photos/in/"},
	} {
		_, n := only(t, c.f.ofType("Custom::S3BucketNotifications"))
		queue := getAtt(logicalID(c.f.svc.Queue))
		var configs []any
		for _, event := range []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"} {
			configs = append(configs, map[string]any{
				"Events":   []any{event},
				"Filter":   map[string]any{"Key": map[string]any{"FilterRules": []any{map[string]any{"Name": "prefix", "Value": c.prefix}}}},
				"QueueArn": queue,
			})
		}
		props := n["Properties"].(map[string]any)
		want := map[string]any{"QueueConfigurations": configs}
		if got := props["NotificationConfiguration"]; !reflect.DeepEqual(jsonValue(got), jsonValue(want)) {
			t.Errorf("%s: notification configuration\n got %v\nwant %v", c.name, jsonString(got), jsonString(want))
		}
		if !reflect.DeepEqual(jsonValue(props["BucketName"]), jsonValue(c.bucket)) || props["Managed"] != c.managed {
			t.Errorf("%s: notifications of bucket %v managed %v, want %v managed %v", c.name, props["BucketName"], props["Managed"], c.bucket, c.managed)
		}

		found := false
		for id := range c.f.ofType("AWS::SQS::QueuePolicy") {
			for _, st := range asList(c.f.props(id)["PolicyDocument"].(map[string]any)["Statement"]) {
				st := st.(map[string]any)
				if jsonString(st["Principal"]) != `{"Service":"s3.amazonaws.com"}` {
					continue
				}
				found = true
				cond := map[string]any{"ArnLike": map[string]any{"aws:SourceArn": c.arn}}
				if !slices.Contains(asList(st["Action"]), any("sqs:SendMessage")) || !reflect.DeepEqual(jsonValue(st["Condition"]), jsonValue(cond)) ||
					!reflect.DeepEqual(jsonValue(st["Resource"]), jsonValue(queue)) {
					t.Errorf("%s: S3's queue policy statement %s", c.name, jsonString(st))
				}
			}
		}
		if !found {
			t.Errorf("%s: no queue policy lets S3 send the bucket's events", c.name)
		}
	}
}

// TestExistingResourcesGrants checks every role's grants in the shapes:
// the existing bucket's, table's and collection's ARNs exactly, the KMS
// actions on their customer managed keys, and the bucket notifications
// handler's own permissions on the bucket.
func TestExistingResourcesGrants(t *testing.T) {
	fx := synth().shapes
	for _, c := range []struct {
		name       string
		f          *fixture
		bucket     map[string]any
		objects    func(pattern string) any
		collection map[string]any
		prefix     string
		handler    []string
		keys       bool // the bucket and the table have customer managed keys
	}{
		{
			"ByoInApp", fx["ByoInApp"], getAtt(logicalID(fx["ByoInApp"].svc.Bucket)),
			func(p string) any { return join(getAtt(logicalID(fx["ByoInApp"].svc.Bucket)), "/"+p) },
			partitionJoin(":rekognition:", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":collection/app-faces"),
			"index/", []string{"s3:PutBucketNotification"}, true,
		},
		{
			"ByoImported", fx["ByoImported"], partitionJoin(":s3:::my-photos"),
			func(p string) any { return partitionJoin(":s3:::my-photos/" + p) },
			getAtt(logicalID(fx["ByoImported"].svc.Collection)),
			"photos/in/", []string{"s3:GetBucketNotification", "s3:PutBucketNotification"}, false,
		},
	} {
		svc := c.f.svc
		want := wantGrants(svc, c.bucket, c.objects, getAtt(logicalID(svc.Table)), c.collection, c.prefix)
		if (svc.Bucket.EncryptionKey() != nil) != c.keys || (svc.Table.EncryptionKey() != nil) != c.keys {
			t.Fatalf("%s: the bucket's and table's keys are not those of the shape", c.name)
		}
		if c.keys {
			keyArn := jsonString(getAtt(logicalID(svc.Bucket.EncryptionKey())))
			want[logicalID(svc.IndexFunction.Role())]["kms:Decrypt"] = []string{keyArn}
			want[logicalID(svc.Node().FindChild(jsii.String("UploadRole")))]["kms:GenerateDataKey"] = []string{keyArn}

			// Every function that calls DynamoDB uses the table's key.
			keyArn = jsonString(getAtt(logicalID(svc.Table.EncryptionKey())))
			for _, fn := range []awslambda.Function{svc.IndexFunction, svc.SearchFunction, svc.StatusFunction, svc.FacesFunction,
				svc.DeleteFaceFunction, svc.PersonsFunction, svc.DeletePersonFunction} {
				role := logicalID(fn.Role())
				want[role]["kms:Decrypt"] = append(want[role]["kms:Decrypt"], keyArn)
				slices.Sort(want[role]["kms:Decrypt"])
			}
		}
		handlerRole := logicalID(awscdk.Stack_Of(svc.Bucket).Node().FindChild(jsii.String(bucketNotificationsHandlerId)).Node().FindChild(jsii.String("Role")))
		want[handlerRole] = grants{}
		for _, a := range c.handler {
			want[handlerRole][a] = []string{jsonString(c.bucket)}
		}
		t.Run(c.name, func(t *testing.T) { c.f.checkGrants(t, want) })
	}
}

// TestExistingResourcesNagSuppressions checks that the shapes' suppressions
// name the image-prefix wildcards on the existing bucket's ARN in the form
// cdk-nag gives them, and the managed policy of CDK's bucket notifications
// handler.
func TestExistingResourcesNagSuppressions(t *testing.T) {
	for name, f := range synth().shapes {
		if !strings.HasPrefix(name, "Byo") {
			continue
		}
		var appliesTo []string
		for _, r := range f.resources {
			md, _ := r["Metadata"].(map[string]any)
			nag, _ := md["cdk_nag"].(map[string]any)
			for _, s := range asList(nag["rules_to_suppress"]) {
				for _, a := range asList(s.(map[string]any)["applies_to"]) {
					appliesTo = append(appliesTo, a.(string))
				}
			}
		}
		bucket, prefix := "arn:<AWS::Partition>:s3:::my-photos", "photos/in/"
		if name == "ByoInApp" {
			bucket, prefix = "<"+logicalID(f.svc.Bucket)+".Arn>", "index/"
		}
		for _, want := range []string{
			"Resource::" + bucket + "/" + prefix + "*",
			"Resource::" + bucket + "/" + prefix + "?*",
			"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
		} {
			if !slices.Contains(appliesTo, want) {
				t.Errorf("%s: no suppression applies to %s; suppressions apply to %v", name, want, appliesTo)
			}
		}
	}
}

// TestExistingPropsRefused feeds conflicting Existing* props and tables whose
// key schema the functions cannot use, and wants a panic naming the prop and
// saying what differs.
func TestExistingPropsRefused(t *testing.T) {
	attr := func(name string, typ awsdynamodb.AttributeType) *awsdynamodb.Attribute {
		return &awsdynamodb.Attribute{Name: jsii.String(name), Type: typ}
	}
	faceID := attr(config.AttrFaceID, awsdynamodb.AttributeType_STRING)
	// table defines a table in stack with partition key pk, sort key sk (if
	// any), and the indexes of appIndexes changed by edit.
	table := func(stack awscdk.Stack, pk, sk *awsdynamodb.Attribute, edit func([]*awsdynamodb.GlobalSecondaryIndexPropsV2) []*awsdynamodb.GlobalSecondaryIndexPropsV2) awsdynamodb.ITable {
		tbl := awsdynamodb.NewTable(stack, jsii.String("AppTable"), &awsdynamodb.TableProps{PartitionKey: pk, SortKey: sk})
		for _, gsi := range edit(appIndexes()) {
			tbl.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
				IndexName: gsi.IndexName, PartitionKey: gsi.PartitionKey, SortKey: gsi.SortKey, ProjectionType: gsi.ProjectionType,
			})
		}
		return tbl
	}
	same := func(g []*awsdynamodb.GlobalSecondaryIndexPropsV2) []*awsdynamodb.GlobalSecondaryIndexPropsV2 {
		return g
	}
	tests := []struct {
		name  string
		prop  string
		props func(stack awscdk.Stack) *FaceRecognitionServiceProps
		says  []string
	}{
		{"collection conflict", "ExistingCollectionId", func(awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{ExistingCollectionId: jsii.String("app-faces"), CollectionId: jsii.String("mine")}
		}, []string{"conflicts with CollectionId"}},
		{"collection id", "ExistingCollectionId", func(awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{ExistingCollectionId: jsii.String("app/faces")}
		}, []string{`got "app/faces"`}},
		{"bucket lifecycle", "NoncurrentVersionExpiration", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{
				ExistingBucket:              awss3.Bucket_FromBucketName(stack, jsii.String("Photos"), jsii.String("my-photos")),
				NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(7)),
			}
		}, []string{"conflicts with ExistingBucket"}},
		{"imported table", "ExistingTable", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{ExistingTable: awsdynamodb.Table_FromTableName(stack, jsii.String("Faces"), jsii.String("faces"))}
		}, []string{"imported table", "cdk import"}},
		{"partition key name", "ExistingTable", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{ExistingTable: table(stack, attr("id", awsdynamodb.AttributeType_STRING), nil, same)}
		}, []string{`table: partition key is "id", want "FaceId"`}},
		{"partition key type", "ExistingTable", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{ExistingTable: table(stack, attr(config.AttrFaceID, awsdynamodb.AttributeType_NUMBER), nil, same)}
		}, []string{`table: partition key "FaceId" has type "N", want "S"`}},
		{"sort key", "ExistingTable", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{ExistingTable: table(stack, faceID, attr("Version", awsdynamodb.AttributeType_NUMBER), same)}
		}, []string{`table: sort key "Version", want none`}},
		{"TableV2 sort key and index", "ExistingTable", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			indexes := appIndexes()[1:]
			return &FaceRecognitionServiceProps{ExistingTable: awsdynamodb.NewTableV2(stack, jsii.String("AppTable"), &awsdynamodb.TablePropsV2{
				PartitionKey: faceID, SortKey: attr("Version", awsdynamodb.AttributeType_NUMBER), GlobalSecondaryIndexes: &indexes,
			})}
		}, []string{`table: sort key "Version", want none`, `global secondary index "ObjectKeyIndex": missing`}},
		{"missing index", "ExistingTable", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{ExistingTable: table(stack, faceID, nil, func(g []*awsdynamodb.GlobalSecondaryIndexPropsV2) []*awsdynamodb.GlobalSecondaryIndexPropsV2 {
				return g[:1]
			})}
		}, []string{`global secondary index "PersonIndex": missing`}},
		{"index keys and projection", "ExistingTable", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{ExistingTable: table(stack, faceID, nil, func(g []*awsdynamodb.GlobalSecondaryIndexPropsV2) []*awsdynamodb.GlobalSecondaryIndexPropsV2 {
				g[0].PartitionKey = attr("Key", awsdynamodb.AttributeType_STRING)
				g[1].SortKey = attr("IndexedAt", awsdynamodb.AttributeType_STRING)
				g[1].ProjectionType = awsdynamodb.ProjectionType_KEYS_ONLY
				return g
			})}
		}, []string{
			`global secondary index "ObjectKeyIndex": partition key is "Key", want "ObjectKey"`,
			`global secondary index "PersonIndex": sort key "IndexedAt", want none`,
			`global secondary index "PersonIndex": projection "KEYS_ONLY", want "ALL"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("RefusalStack"), nil)
			props := tt.props(stack)
			msg, panicked := recovered(func() { NewFaceRecognitionService(stack, jsii.String("Service"), props) })
			if !panicked {
				t.Fatal("props were accepted")
			}
			for _, want := range append([]string{"invalid FaceRecognitionServiceProps." + tt.prop + ":"}, tt.says...) {
				if !strings.Contains(msg, want) {
					t.Errorf("panic %q does not contain %q", msg, want)
				}
			}
			if stack.Node().TryFindChild(jsii.String("Service")) != nil {
				t.Error("the refused construct was added to the stack")
			}
		})
	}
}
