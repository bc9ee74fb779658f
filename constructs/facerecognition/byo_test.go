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

	"github.com/facerec/facerec-cdk/contract"
)

// The bring-your-own shapes: ByoInApp passes a bucket and a table defined in
// the test stack, each under its own customer managed key, and an existing
// collection id; ByoImported passes a bucket imported by name, under another
// prefix, and a TableV2, and lets the construct create its collection.
// ByoKms and ByoImportedKms add EncryptionKey to an existing bucket: ByoKms
// a key of the stack (whose policy the construct extends) other than the
// key of the app's bucket; ByoImportedKms an imported key that also
// encrypts the imported bucket, so that one key serves every store.
func init() {
	registerShape("ByoInApp", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		bucket := appBucket(stack)
		table := awsdynamodb.NewTable(stack, jsii.String("AppTable"), &awsdynamodb.TableProps{
			PartitionKey:  &awsdynamodb.Attribute{Name: jsii.String(contract.AttrFaceID), Type: awsdynamodb.AttributeType_STRING},
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
	registerShape("ByoKms", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		return &FaceRecognitionServiceProps{
			ExistingBucket: appBucket(stack),
			EncryptionKey:  awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)}),
		}
	})
	registerShape("ByoImportedKms", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		key := awskms.Key_FromKeyArn(stack, jsii.String("Key"), jsii.String(importedKeyArn))
		return &FaceRecognitionServiceProps{
			ExistingBucket: awss3.Bucket_FromBucketAttributes(stack, jsii.String("Photos"), &awss3.BucketAttributes{
				BucketName: jsii.String("my-photos"), EncryptionKey: key,
			}),
			EncryptionKey: key,
		}
	})
	registerShape("ByoImported", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		indexes := appIndexes()
		table := awsdynamodb.NewTableV2(stack, jsii.String("AppTable"), &awsdynamodb.TablePropsV2{
			PartitionKey:           &awsdynamodb.Attribute{Name: jsii.String(contract.AttrFaceID), Type: awsdynamodb.AttributeType_STRING},
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

// appBucket defines in stack the app's image bucket AppImages, encrypted
// with its own customer managed key ImagesKey.
func appBucket(stack awscdk.Stack) awss3.Bucket {
	bucket := awss3.NewBucket(stack, jsii.String("AppImages"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_KMS,
		EncryptionKey:     awskms.NewKey(stack, jsii.String("ImagesKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)}),
		EnforceSSL:        jsii.Bool(true),
	})
	suppress(bucket, "AwsSolutions-S1", "The test app's own bucket: whether it logs server access is the app's choice, not the construct's")
	return bucket
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
			contract.EnvCollectionID: c.collectionId,
			contract.EnvTableName:    ref(logicalID(c.f.svc.Table)),
			contract.EnvBucketName:   c.bucketName,
			contract.EnvImagePrefix:  c.prefix,
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
// (Managed false), once S3 may send them: the notifications resource
// depends on the event queue's policy, whose one statement for S3 lets it
// take sqs:SendMessage only, from that bucket of the stack's account.
func TestExistingBucketNotifications(t *testing.T) {
	fx := synth().shapes
	inApp := func(name string) any { return getAtt(logicalID(fx[name].svc.Bucket)) }
	for _, c := range []struct {
		name    string
		bucket  any
		arn     any
		managed bool
		prefix  string
	}{
		{"ByoInApp", ref(logicalID(fx["ByoInApp"].svc.Bucket)), inApp("ByoInApp"), true, "index/"},
		{"ByoKms", ref(logicalID(fx["ByoKms"].svc.Bucket)), inApp("ByoKms"), true, "index/"},
		{"ByoImported", "my-photos", partitionJoin(":s3:::my-photos"), false, "photos/in/"},
		{"ByoImportedKms", "my-photos", partitionJoin(":s3:::my-photos"), false, "index/"},
	} {
		f := fx[c.name]
		_, n := only(t, f.ofType("Custom::S3BucketNotifications"))
		queue := getAtt(logicalID(f.svc.Queue))
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

		var policyID string
		var s3 []any
		for id := range f.ofType("AWS::SQS::QueuePolicy") {
			p := f.props(id)
			if jsonString(p["Queues"]) != jsonString([]any{ref(logicalID(f.svc.Queue))}) {
				continue
			}
			policyID = id
			for _, st := range asList(p["PolicyDocument"].(map[string]any)["Statement"]) {
				if strings.Contains(jsonString(st.(map[string]any)["Principal"]), "s3.amazonaws.com") {
					s3 = append(s3, st)
				}
			}
		}
		if !slices.Contains(asList(n["DependsOn"]), any(policyID)) {
			t.Errorf("%s: the notifications resource depends on %v, not on the event queue's policy %q", c.name, n["DependsOn"], policyID)
		}
		wantStatement := map[string]any{
			"Sid": "AllowImageBucketEvents", "Effect": "Allow",
			"Principal": map[string]any{"Service": "s3.amazonaws.com"},
			"Action":    "sqs:SendMessage", "Resource": queue,
			"Condition": map[string]any{
				"ArnEquals":    map[string]any{"aws:SourceArn": c.arn},
				"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId")},
			},
		}
		if !reflect.DeepEqual(jsonValue(s3), jsonValue([]any{wantStatement})) {
			t.Errorf("%s: the event queue's policy statements for S3\n got %s\nwant %s", c.name, jsonString(s3), jsonString([]any{wantStatement}))
		}
	}
}

// TestExistingResourcesGrants checks every role's grants in the shapes:
// the existing bucket's, table's and collection's ARNs exactly, the KMS
// actions on the customer managed keys of the bucket, the table and the
// queue, and the bucket notifications handler's own permissions on the
// bucket. A key is granted once per role however many of the role's stores
// it encrypts (ByoKms: the queue's and the table's; ByoImportedKms: all
// three), and each key of a role's stores is granted when they differ.
func TestExistingResourcesGrants(t *testing.T) {
	fx := synth().shapes
	keyArn := func(name, id string) any {
		return getAtt(logicalID(fx[name].stack.Node().FindChild(jsii.String(id))))
	}
	for _, c := range []struct {
		name       string
		bucket     map[string]any
		objects    func(pattern string) any
		collection map[string]any
		prefix     string
		handler    []string
		// index: the keys the index function decrypts with (bucket, queue,
		// table); tables: the key of the table, which the other functions
		// calling DynamoDB decrypt with; upload: the bucket's key, with
		// which the upload role generates data keys and the thumbnail
		// function decrypts.
		index          []any
		tables, upload any
	}{
		{
			"ByoInApp", getAtt(logicalID(fx["ByoInApp"].svc.Bucket)),
			func(p string) any { return join(getAtt(logicalID(fx["ByoInApp"].svc.Bucket)), "/"+p) },
			partitionJoin(":rekognition:", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":collection/app-faces"),
			"index/", []string{"s3:PutBucketNotification"},
			[]any{keyArn("ByoInApp", "ImagesKey"), keyArn("ByoInApp", "TableKey")}, keyArn("ByoInApp", "TableKey"), keyArn("ByoInApp", "ImagesKey"),
		},
		{
			"ByoImported", partitionJoin(":s3:::my-photos"),
			func(p string) any { return partitionJoin(":s3:::my-photos/" + p) },
			getAtt(logicalID(fx["ByoImported"].svc.Collection)),
			"photos/in/", []string{"s3:GetBucketNotification", "s3:PutBucketNotification"},
			nil, nil, nil,
		},
		{
			"ByoKms", getAtt(logicalID(fx["ByoKms"].svc.Bucket)),
			func(p string) any { return join(getAtt(logicalID(fx["ByoKms"].svc.Bucket)), "/"+p) },
			getAtt(logicalID(fx["ByoKms"].svc.Collection)),
			"index/", []string{"s3:PutBucketNotification"},
			[]any{keyArn("ByoKms", "ImagesKey"), keyArn("ByoKms", "Key")}, keyArn("ByoKms", "Key"), keyArn("ByoKms", "ImagesKey"),
		},
		{
			"ByoImportedKms", partitionJoin(":s3:::my-photos"),
			func(p string) any { return partitionJoin(":s3:::my-photos/" + p) },
			getAtt(logicalID(fx["ByoImportedKms"].svc.Collection)),
			"index/", []string{"s3:GetBucketNotification", "s3:PutBucketNotification"},
			[]any{importedKeyArn}, importedKeyArn, importedKeyArn,
		},
	} {
		f := fx[c.name]
		svc := f.svc
		want := wantGrants(svc, c.bucket, c.objects, getAtt(logicalID(svc.Table)), c.collection, c.prefix)
		if c.index != nil {
			index := want[logicalID(svc.IndexFunction.Role())]
			for _, k := range c.index {
				index["kms:Decrypt"] = append(index["kms:Decrypt"], jsonString(k))
			}
			slices.Sort(index["kms:Decrypt"])
			for _, fn := range dynamoDBCallers(svc) {
				if fn != svc.IndexFunction {
					want[logicalID(fn.Role())]["kms:Decrypt"] = []string{jsonString(c.tables)}
				}
			}
			// The thumbnail and download functions read the images too
			// (the download function through its presigned URLs): the
			// bucket's key.
			for _, fn := range []awslambda.Function{svc.ThumbnailFunction, svc.DownloadFunction} {
				want[logicalID(fn.Role())]["kms:Decrypt"] = slices.Compact(slices.Sorted(slices.Values([]string{jsonString(c.tables), jsonString(c.upload)})))
			}
			// The rename function copies the images: the bucket's key, to
			// decrypt and encrypt.
			want[logicalID(svc.RenameFunction.Role())]["kms:Decrypt"] = slices.Compact(slices.Sorted(slices.Values([]string{jsonString(c.tables), jsonString(c.upload)})))
			want[logicalID(svc.RenameFunction.Role())]["kms:GenerateDataKey"] = []string{jsonString(c.upload)}
			want[logicalID(svc.Node().FindChild(jsii.String("UploadRole")))]["kms:GenerateDataKey"] = []string{jsonString(c.upload)}
			if c.name == "ByoKms" || c.name == "ByoImportedKms" {
				// The queue's key (their EncryptionKey): the index
				// function and Backfill send to the queue (backfill.go).
				index["kms:GenerateDataKey"] = []string{jsonString(c.tables)}
				want[logicalID(svc.Backfill.Role())]["kms:Decrypt"] = []string{jsonString(c.tables)}
				want[logicalID(svc.Backfill.Role())]["kms:GenerateDataKey"] = []string{jsonString(c.tables)}
			}
		}
		handlerRole := logicalID(awscdk.Stack_Of(svc.Bucket).Node().FindChild(jsii.String(bucketNotificationsHandlerId)).Node().FindChild(jsii.String("Role")))
		want[handlerRole] = grants{}
		for _, a := range c.handler {
			want[handlerRole][a] = []string{jsonString(c.bucket)}
		}
		t.Run(c.name, func(t *testing.T) { f.checkGrants(t, want) })
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
		bucket, prefix := "arn:<AWS::Partition>:s3:::my-photos", "index/"
		switch name {
		case "ByoInApp", "ByoKms":
			bucket = "<" + logicalID(f.svc.Bucket) + ".Arn>"
		case "ByoImported":
			prefix = "photos/in/"
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
	faceID := attr(contract.AttrFaceID, awsdynamodb.AttributeType_STRING)
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
		{"bucket and key cycle", "EncryptionKey", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			key := awskms.NewKey(stack, jsii.String("SharedKey"), nil)
			bucket := awss3.NewBucket(stack, jsii.String("KeyedPhotos"), &awss3.BucketProps{Encryption: awss3.BucketEncryption_KMS, EncryptionKey: key})
			return &FaceRecognitionServiceProps{ExistingBucket: bucket, EncryptionKey: key}
		}, []string{"same key", "cycle"}},
		{"imported table", "ExistingTable", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{ExistingTable: awsdynamodb.Table_FromTableName(stack, jsii.String("Faces"), jsii.String("faces"))}
		}, []string{"imported table", "cdk import"}},
		{"partition key name", "ExistingTable", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{ExistingTable: table(stack, attr("id", awsdynamodb.AttributeType_STRING), nil, same)}
		}, []string{`table: partition key is "id", want "FaceId"`}},
		{"partition key type", "ExistingTable", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
			return &FaceRecognitionServiceProps{ExistingTable: table(stack, attr(contract.AttrFaceID, awsdynamodb.AttributeType_NUMBER), nil, same)}
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
			assertRefused(t, stack, tt.props(stack), tt.prop, tt.says...)
		})
	}
}
