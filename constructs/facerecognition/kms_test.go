package facerecognition

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// importedKeyArn is the key of the ImportedKms shape, as its owner would
// hand it out.
const importedKeyArn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func init() {
	// Kms: a key created in the construct's stack, whose policy the
	// construct extends.
	registerShape("Kms", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
		return &FaceRecognitionServiceProps{EncryptionKey: key}
	})
	// OtherStackKms: a key of another stack of the app, whose policy would
	// get that stack's pseudo parameters.
	registerShape("OtherStackKms", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		keyStack := awscdk.NewStack(awscdk.Stage_Of(stack), jsii.String("OtherStackKmsKeyStack"), nil)
		key := awskms.NewKey(keyStack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
		return &FaceRecognitionServiceProps{EncryptionKey: key}
	})
	// ImportedKms: a key managed elsewhere, known by its ARN.
	registerShape("ImportedKms", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		return &FaceRecognitionServiceProps{EncryptionKey: awskms.Key_FromKeyArn(stack, jsii.String("Key"), jsii.String(importedKeyArn))}
	})
}

// render writes a template value as one string, with references in braces:
// {Id} for a Ref, {Id.Attr} for a Fn::GetAtt, {split("/",{X})[2]} for a
// Fn::Select of a Fn::Split; Fn::Join is joined.
func render(v any) string {
	m, ok := v.(map[string]any)
	switch {
	case !ok:
		if s, ok := v.(string); ok {
			return s
		}
		return jsonString(v)
	case m["Ref"] != nil:
		return "{" + m["Ref"].(string) + "}"
	case m["Fn::GetAtt"] != nil:
		a := m["Fn::GetAtt"].([]any)
		return fmt.Sprintf("{%s.%s}", a[0], a[1])
	case m["Fn::Join"] != nil:
		a := m["Fn::Join"].([]any)
		var parts []string
		for _, p := range a[1].([]any) {
			parts = append(parts, render(p))
		}
		return strings.Join(parts, a[0].(string))
	case m["Fn::Select"] != nil:
		a := m["Fn::Select"].([]any)
		split := a[1].(map[string]any)["Fn::Split"].([]any)
		return fmt.Sprintf("{split(%q,%s)[%v]}", split[0], render(split[1]), a[0])
	}
	return jsonString(v)
}

// stackUUID is how render writes the UUID of the stack's ID.
const stackUUID = `{split("/",{AWS::StackId})[2]}`

// onlyOne returns the one resource of type typ, failing the test if there
// is not exactly one.
func (f *fixture) onlyOne(t *testing.T, typ string) (string, map[string]any) {
	t.Helper()
	rs := f.ofType(typ)
	if len(rs) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(rs), typ)
	}
	for id := range rs {
		return id, f.props(id)
	}
	return "", nil
}

// TestEncryptionKeyEncryptsEveryStore checks that the key encrypts the
// bucket (with a Bucket Key), the table, both queues and every log group,
// for a key of the stack and for an imported one, and that each log group
// is named under the construct's prefix.
func TestEncryptionKeyEncryptsEveryStore(t *testing.T) {
	fx := synth()
	kms := fx.shapes["Kms"]
	keyID, _ := kms.onlyOne(t, "AWS::KMS::Key")
	for name, tc := range map[string]struct {
		f   *fixture
		key any
	}{
		"Kms":         {kms, getAtt(keyID)},
		"ImportedKms": {fx.shapes["ImportedKms"], importedKeyArn},
	} {
		f, svc := tc.f, tc.f.svc
		assertion(t, name+": bucket SSE-KMS with a Bucket Key", func() {
			f.template.HasResourceProperties(jsii.String("AWS::S3::Bucket"), &map[string]any{
				"BucketName": assertions.Match_AnyValue(),
				"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
					"BucketKeyEnabled": true,
					"ServerSideEncryptionByDefault": map[string]any{
						"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": tc.key,
					},
				}}},
			})
		})
		if got, want := jsonString(f.props(logicalID(svc.Table))["SSESpecification"]),
			jsonString(map[string]any{"KMSMasterKeyId": tc.key, "SSEEnabled": true, "SSEType": "KMS"}); got != want {
			t.Errorf("%s: table SSESpecification %s, want %s", name, got, want)
		}
		for _, q := range []string{logicalID(svc.Queue), logicalID(svc.DeadLetterQueue)} {
			p := f.props(q)
			if got := jsonString(p["KmsMasterKeyId"]); got != jsonString(tc.key) || p["SqsManagedSseEnabled"] != nil {
				t.Errorf("%s: queue %s KmsMasterKeyId %s, SqsManagedSseEnabled %v; want the key only", name, q, got, p["SqsManagedSseEnabled"])
			}
		}
		groups := f.ofType("AWS::Logs::LogGroup")
		if len(groups) != len(contract.Functions)+2 {
			t.Errorf("%s: %d log groups, want %d (one per function, the API's access log and Backfill's)", name, len(groups), len(contract.Functions)+2)
		}
		prefix := "/facerec/" + (*svc.Node().Addr())[2:18] + "-" + stackUUID + "/"
		for id := range groups {
			p := f.props(id)
			if got := jsonString(p["KmsKeyId"]); got != jsonString(tc.key) {
				t.Errorf("%s: log group %s KmsKeyId %s, want %s", name, id, got, jsonString(tc.key))
			}
			if got, want := render(p["LogGroupName"]), prefix+strings.TrimSuffix(id[len("Service"):len(id)-8], "LogGroup"); got != want {
				t.Errorf("%s: log group %s is named %s, want %s", name, id, got, want)
			}
		}
	}
}

// TestEncryptionKeyPolicy checks the statements the construct adds to the
// policy of a key of its stack: S3 may encrypt and decrypt events for the
// image bucket of this account only, with the conditions of the queue
// policy, and the region's CloudWatch Logs may use the key for the
// construct's log groups only.
func TestEncryptionKeyPolicy(t *testing.T) {
	f := synth().shapes["Kms"]
	keyID, key := f.onlyOne(t, "AWS::KMS::Key")
	statements := map[string]map[string]any{}
	for _, st := range key["KeyPolicy"].(map[string]any)["Statement"].([]any) {
		st := st.(map[string]any)
		sid, _ := st["Sid"].(string)
		statements[sid] = st
	}
	var queueConditions any
	for id := range f.ofType("AWS::SQS::QueuePolicy") {
		for _, st := range f.props(id)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			if st := st.(map[string]any); st["Sid"] == "AllowImageBucketEvents" {
				queueConditions = st["Condition"]
			}
		}
	}
	if queueConditions == nil {
		t.Fatal("the queue policy has no AllowImageBucketEvents statement")
	}
	s3 := statements["AllowImageBucketEventsToEncryptedQueue"]
	if s3 == nil {
		t.Fatalf("key %s has no statement for S3: %v", keyID, statements)
	}
	if got, want := jsonString(s3), jsonString(map[string]any{
		"Sid": "AllowImageBucketEventsToEncryptedQueue", "Effect": "Allow",
		"Principal": map[string]any{"Service": "s3.amazonaws.com"},
		"Action":    []any{"kms:Decrypt", "kms:GenerateDataKey"}, "Resource": "*", // CDK sorts actions
		"Condition": queueConditions,
	}); got != want {
		t.Errorf("S3 statement\n got %s\nwant %s", got, want)
	}
	if got, want := render(s3["Condition"].(map[string]any)["ArnEquals"].(map[string]any)["aws:SourceArn"]),
		"arn:{AWS::Partition}:s3:::facerec-"+(*f.svc.Node().Addr())[2:18]+"-"+stackUUID; got != want {
		t.Errorf("S3 statement's aws:SourceArn %s, want %s", got, want)
	}
	if got := render(s3["Condition"].(map[string]any)["StringEquals"].(map[string]any)["aws:SourceAccount"]); got != "{AWS::AccountId}" {
		t.Errorf("S3 statement's aws:SourceAccount %s, want the stack's account", got)
	}

	logs := statements["AllowFaceRecognitionLogGroups"]
	if logs == nil {
		t.Fatalf("key %s has no statement for CloudWatch Logs: %v", keyID, statements)
	}
	if got := render(logs["Principal"].(map[string]any)["Service"]); got != "logs.{AWS::Region}.amazonaws.com" {
		t.Errorf("CloudWatch Logs statement's principal %s, want logs.<region>.amazonaws.com", got)
	}
	if got, want := jsonString(logs["Action"]), jsonString(slices.Sorted(slices.Values(logsKeyActions))); got != want || logs["Resource"] != "*" || logs["Effect"] != "Allow" {
		t.Errorf("CloudWatch Logs statement allows %s on %v (%v), want %s on the key", got, logs["Resource"], logs["Effect"], want)
	}
	cond := logs["Condition"].(map[string]any)
	if len(cond) != 1 || len(cond["ArnLike"].(map[string]any)) != 1 {
		t.Errorf("CloudWatch Logs statement's conditions %v, want one ArnLike", cond)
	}
	if got, want := render(cond["ArnLike"].(map[string]any)["kms:EncryptionContext:aws:logs:arn"]),
		"arn:{AWS::Partition}:logs:{AWS::Region}:{AWS::AccountId}:log-group:/facerec/"+(*f.svc.Node().Addr())[2:18]+"-"+stackUUID+"/*"; got != want {
		t.Errorf("CloudWatch Logs statement's kms:EncryptionContext:aws:logs:arn %s, want %s", got, want)
	}
	// The key's other statement is CDK's default: the account administers
	// the key through IAM.
	if len(statements) != 3 {
		t.Errorf("key policy has %d statements, want CDK's account statement and the two above: %v", len(statements), statements)
	}
}

// TestEncryptionKeyGrants checks that the key adds exactly these grants,
// each on the key ARN, to the base fixture's roles: kms:Decrypt to every
// function that calls DynamoDB (dynamoDBCallers; among them the index
// function, which also reads the images and the queue), and
// kms:GenerateDataKey to the upload role and the rename function (which
// copies objects); none to the other functions (the
// info function), the delete role or API Gateway's CloudWatch role.
func TestEncryptionKeyGrants(t *testing.T) {
	fx := synth()
	kmsFx := fx.shapes["Kms"]
	keyID, _ := kmsFx.onlyOne(t, "AWS::KMS::Key")
	base := fx.base.roleGrants(t)
	for name, tc := range map[string]struct {
		f   *fixture
		key any
	}{
		"Kms":         {kmsFx, getAtt(keyID)},
		"ImportedKms": {fx.shapes["ImportedKms"], importedKeyArn},
	} {
		svc := tc.f.svc
		want := map[string]grants{}
		for role := range base {
			want[role] = grants{}
		}
		for _, fn := range dynamoDBCallers(svc) {
			want[logicalID(fn.Role())] = grant(tc.key, "kms:Decrypt")
		}
		want[logicalID(svc.Node().FindChild(jsii.String("UploadRole")))] = grant(tc.key, "kms:GenerateDataKey")
		// The rename function copies SSE-KMS objects: it encrypts too.
		want[logicalID(svc.RenameFunction.Role())]["kms:GenerateDataKey"] = []string{jsonString(tc.key)}
		// The index function and Backfill send to the queue (backfill.go).
		want[logicalID(svc.IndexFunction.Role())]["kms:GenerateDataKey"] = []string{jsonString(tc.key)}
		want[logicalID(svc.Backfill.Role())] = grant(tc.key, "kms:Decrypt", "kms:GenerateDataKey")

		got := tc.f.roleGrants(t)
		for _, role := range slices.Sorted(maps.Keys(got)) {
			w, ok := want[role]
			if !ok {
				t.Errorf("%s: role %s is not a role of the base fixture", name, role)
				continue
			}
			added := grants{}
			for action, resources := range got[role] {
				if !reflect.DeepEqual(resources, base[role][action]) {
					added[action] = resources
				}
			}
			if !reflect.DeepEqual(added, w) {
				t.Errorf("%s: role %s gets %v beyond the base fixture's grants, want %v", name, role, added, w)
			}
			for action := range base[role] {
				if got[role][action] == nil {
					t.Errorf("%s: role %s lost %s", name, role, action)
				}
			}
		}
	}
}

// TestImportedEncryptionKeyWarns wants the synth warning naming the key
// policy statements for a key the construct cannot extend, and no warning
// for a key of the stack. For the bucket the construct creates, whose name
// holds the stack's UUID, S3's statement can only be ArnLike on the name's
// prefix; for an existing bucket it is ArnEquals on that bucket's ARN.
func TestImportedEncryptionKeyWarns(t *testing.T) {
	fx := synth()
	for name, want := range map[string]int{"Kms": 0, "ImportedKms": 1, "OtherStackKms": 1, "base": 0, "ByoKms": 0, "ByoImportedKms": 1} {
		f := fx.all()[name]
		warnings := assertions.Annotations_FromStack(f.stack).FindWarning(jsii.String("*"),
			assertions.Match_StringLikeRegexp(jsii.String("EncryptionKey is not a key of this stack")))
		if len(*warnings) != want {
			t.Errorf("%s: %d encryption key warnings, want %d", name, len(*warnings), want)
			continue
		}
		hex := (*f.svc.Node().Addr())[2:18]
		bucket, other := "ArnLike aws:SourceArn arn:<partition>:s3:::facerec-"+hex+"-* and", "my-photos"
		if name == "ByoImportedKms" {
			bucket, other = "ArnEquals aws:SourceArn arn:<partition>:s3:::my-photos and", "facerec-"
		}
		for _, w := range *warnings {
			msg := fmt.Sprint(w.Entry.Data)
			for _, part := range []string{
				"s3.amazonaws.com kms:GenerateDataKey, kms:Decrypt with " + bucket + " StringEquals aws:SourceAccount <account>;",
				"logs.<region>.amazonaws.com", "log-group:/facerec/" + hex + "-*", "[ack: " + encryptionKeyWarning + "]",
			} {
				if !strings.Contains(msg, part) {
					t.Errorf("%s: warning %q does not name %q", name, msg, part)
				}
			}
			if strings.Contains(msg, other) {
				t.Errorf("%s: warning %q names %q, another bucket", name, msg, other)
			}
		}
	}
	for _, name := range []string{"ImportedKms", "OtherStackKms"} {
		if n := len(fx.shapes[name].ofType("AWS::KMS::Key")); n != 0 {
			t.Errorf("%s: %d keys created in the construct's stack", name, n)
		}
	}
	keyStack := awscdk.Stage_Of(fx.shapes["OtherStackKms"].stack).Node().FindChild(jsii.String("OtherStackKmsKeyStack")).(awscdk.Stack)
	statements := jsonString(assertions.Template_FromStack(keyStack, nil).ToJSON())
	if strings.Contains(statements, "AllowImageBucketEventsToEncryptedQueue") || strings.Contains(statements, "AllowFaceRecognitionLogGroups") {
		t.Errorf("the construct changed the policy of a key of another stack: %s", statements)
	}
}

// TestExistingBucketEncryptionKeyPolicy checks S3's permissions on the key
// with ExistingBucket (ByoKms): the key policy's one statement for S3 is
// AllowImageBucketEventsToEncryptedQueue, for the app's bucket of the
// stack's account, as in the queue policy, and no statement of any key
// policy of the stack lets a service use a key unconditionally. With an
// imported key (ByoImportedKms) CDK is not asked to extend the key policy
// at all: it records no warning of its own about it.
func TestExistingBucketEncryptionKeyPolicy(t *testing.T) {
	fx := synth()
	f := fx.shapes["ByoKms"]
	key := logicalID(f.svc.Queue.EncryptionMasterKey())
	if logicalID(f.svc.Table.EncryptionKey()) != key || logicalID(f.svc.Bucket.EncryptionKey()) == key {
		t.Fatal("ByoKms: the key must encrypt the queue and the table, not the app's bucket")
	}
	var s3 []any
	for id := range f.ofType("AWS::KMS::Key") {
		for _, st := range asList(f.props(id)["KeyPolicy"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			principal := jsonString(st["Principal"])
			if strings.Contains(principal, "s3.amazonaws.com") {
				s3 = append(s3, map[string]any{"key": id, "statement": st})
			}
			if !strings.Contains(principal, `{"AWS":`) && st["Condition"] == nil {
				t.Errorf("key %s: statement without a condition for %s: %s", id, principal, jsonString(st))
			}
		}
	}
	conditions := map[string]any{
		"ArnEquals":    map[string]any{"aws:SourceArn": getAtt(logicalID(f.svc.Bucket))},
		"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId")},
	}
	want := []any{map[string]any{"key": key, "statement": map[string]any{
		"Sid": "AllowImageBucketEventsToEncryptedQueue", "Effect": "Allow",
		"Principal": map[string]any{"Service": "s3.amazonaws.com"},
		"Action":    []any{"kms:Decrypt", "kms:GenerateDataKey"}, "Resource": "*", // CDK sorts actions
		"Condition": conditions,
	}}}
	if !reflect.DeepEqual(jsonValue(s3), jsonValue(want)) {
		t.Errorf("key policy statements for S3\n got %s\nwant %s", jsonString(s3), jsonString(want))
	}

	for _, name := range []string{"ByoKms", "ByoImportedKms"} {
		warnings := assertions.Annotations_FromStack(fx.shapes[name].stack).FindWarning(jsii.String("*"),
			assertions.Match_StringLikeRegexp(jsii.String("sqsKMSPermissionsNotAdded")))
		if len(*warnings) != 0 {
			t.Errorf("%s: CDK warns that it could not extend the key policy: %v", name, (*warnings)[0].Entry.Data)
		}
	}
}

// TestNoEncryptionKeyByDefault wants the base fixture without any KMS key,
// key grant or named log group: AWS managed encryption everywhere.
func TestNoEncryptionKeyByDefault(t *testing.T) {
	f := synth().base
	if n := len(f.ofType("AWS::KMS::Key")); n != 0 {
		t.Errorf("%d KMS keys", n)
	}
	for role, g := range f.roleGrants(t) {
		for action := range g {
			if strings.HasPrefix(action, "kms:") {
				t.Errorf("role %s has %s", role, action)
			}
		}
	}
	for id := range f.ofType("AWS::Logs::LogGroup") {
		if p := f.props(id); p["KmsKeyId"] != nil || p["LogGroupName"] != nil {
			t.Errorf("log group %s: KmsKeyId %v, LogGroupName %v", id, p["KmsKeyId"], p["LogGroupName"])
		}
	}
	for _, q := range []string{logicalID(f.svc.Queue), logicalID(f.svc.DeadLetterQueue)} {
		if p := f.props(q); p["SqsManagedSseEnabled"] != true || p["KmsMasterKeyId"] != nil {
			t.Errorf("queue %s: SqsManagedSseEnabled %v, KmsMasterKeyId %v", q, p["SqsManagedSseEnabled"], p["KmsMasterKeyId"])
		}
	}
	if got := jsonString(f.props(logicalID(f.svc.Bucket))["BucketEncryption"]); got != `{"ServerSideEncryptionConfiguration":[{"ServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}` {
		t.Errorf("bucket encryption %s, want SSE-S3", got)
	}
	if got := jsonString(f.props(logicalID(f.svc.Table))["SSESpecification"]); strings.Contains(got, "KMSMasterKeyId") {
		t.Errorf("table SSESpecification %s names a key", got)
	}
}

// TestInvalidEncryptionKeyPanics refuses aliases, alias ARNs and keys
// S3, DynamoDB, SQS and CloudWatch Logs cannot encrypt with.
func TestInvalidEncryptionKeyPanics(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("InvalidKeyStack"), nil)
	for name, key := range map[string]func() awskms.IKey{
		"alias": func() awskms.IKey {
			return awskms.Alias_FromAliasName(stack, jsii.String("Alias"), jsii.String("alias/faces"))
		},
		"alias ARN": func() awskms.IKey {
			return awskms.Key_FromKeyArn(stack, jsii.String("AliasArn"), jsii.String("arn:aws:kms:eu-west-1:111122223333:alias/faces"))
		},
		"asymmetric key": func() awskms.IKey {
			return awskms.NewKey(stack, jsii.String("Rsa"), &awskms.KeyProps{KeySpec: awskms.KeySpec_RSA_2048, KeyUsage: awskms.KeyUsage_ENCRYPT_DECRYPT})
		},
		"HMAC key": func() awskms.IKey {
			return awskms.NewKey(stack, jsii.String("Hmac"), &awskms.KeyProps{KeySpec: awskms.KeySpec_HMAC_256, KeyUsage: awskms.KeyUsage_GENERATE_VERIFY_MAC})
		},
	} {
		t.Run(name, func(t *testing.T) {
			k := key()
			msg, panicked := recovered(func() {
				NewFaceRecognitionService(stack, jsii.String("Invalid"+strings.ReplaceAll(name, " ", "")), &FaceRecognitionServiceProps{EncryptionKey: k})
			})
			if !panicked || !strings.Contains(msg, "invalid FaceRecognitionServiceProps.EncryptionKey:") {
				t.Errorf("panicked %v with %q, want a panic naming EncryptionKey", panicked, msg)
			}
		})
	}
}
