package facerecognition

// Encryption with a customer managed KMS key: the EncryptionKey prop, the
// stores it encrypts, the key grants of the construct's principals and the
// key policy.

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// The KMS actions the construct's roles take on EncryptionKey, each for the
// calls that need it.
var (
	// keyReadActions let a role read what the key protects: S3 GetObject of
	// an SSE-KMS object (S3 user guide, "Using server-side encryption with
	// AWS KMS keys"), which Rekognition also does with the caller's
	// credentials for an Image.S3Object; every DynamoDB data call, reads and
	// writes alike, for which DynamoDB decrypts the table key on behalf of
	// the caller (DynamoDB developer guide, "Encryption at rest: how it
	// works"; a PutItem or DeleteItem without kms:Decrypt is refused, aws-cdk
	// issues #10010 and #19531); and Lambda's SQS poller receiving from an
	// SSE-KMS queue (Lambda developer guide, "Amazon SQS execution role
	// permissions"). DescribeKey, CreateGrant and GenerateDataKey are only
	// needed by whoever creates or re-keys the table: CloudFormation's role.
	keyReadActions = []string{"kms:Decrypt"}
	// keyUploadActions let the upload role put an SSE-KMS object in one
	// PutObject (S3 user guide, same page). kms:Decrypt would only be needed
	// for a multipart upload, which API Gateway's PutObject integration
	// never makes.
	keyUploadActions = []string{"kms:GenerateDataKey"}
	// keyCopyActions let a role copy an SSE-KMS object (CopyObject): it
	// decrypts the source and encrypts the copy (S3 user guide, same
	// page).
	keyCopyActions = []string{"kms:Decrypt", "kms:GenerateDataKey"}
	// s3KeyActions let S3 send event notifications to a queue encrypted
	// with the key (SQS developer guide, "Key management": "Enable
	// compatibility between event sources from AWS services and encrypted
	// queues").
	s3KeyActions = []string{"kms:GenerateDataKey", "kms:Decrypt"}
	// logsKeyActions are those CloudWatch Logs documents for a key that
	// encrypts log groups (CloudWatch Logs user guide, "Encrypt log data in
	// CloudWatch Logs using AWS Key Management Service", step 2).
	logsKeyActions = []string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"}
)

// encryptionKeyWarning is the id of the synth warning about a key whose
// policy this construct cannot extend; apps acknowledge it with
// awscdk.Annotations_Of(scope).AcknowledgeWarning once the key's owner has
// added the statements.
const encryptionKeyWarning = "facerec:EncryptionKeyPolicy"

// resolveEncryptionKey checks the EncryptionKey prop: nil (no key), or a
// symmetric encryption key named by its key ARN. An alias is refused: IAM
// grants on an alias ARN do not authorize the use of the key behind it. A
// key created in the app with another key spec or usage is refused: S3,
// DynamoDB, SQS and CloudWatch Logs encrypt only with symmetric encryption
// keys.
func resolveEncryptionKey(key awskms.IKey) awskms.IKey {
	if key == nil {
		return nil
	}
	if _, alias := key.(awskms.IAlias); alias {
		invalid("EncryptionKey", "is an alias; pass the key itself (awskms.Key_FromKeyArn with its key ARN), since grants must name the key ARN")
	}
	if arn := key.KeyArn(); !*awscdk.Token_IsUnresolved(arn) && !strings.Contains(*arn, ":key/") {
		invalid("EncryptionKey", "must be a key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), got %q", *arn)
	}
	if k, ok := key.(awskms.Key); ok {
		cfn := k.Node().DefaultChild().(awskms.CfnKey)
		if spec := cfn.KeySpec(); spec != nil && *spec != "SYMMETRIC_DEFAULT" {
			invalid("EncryptionKey", "must be a symmetric encryption key (KeySpec SYMMETRIC_DEFAULT), got KeySpec %s", *spec)
		}
		if usage := cfn.KeyUsage(); usage != nil && *usage != "ENCRYPT_DECRYPT" {
			invalid("EncryptionKey", "must be a symmetric encryption key (KeyUsage ENCRYPT_DECRYPT), got KeyUsage %s", *usage)
		}
	}
	return key
}

// encryptBucket has p encrypt with key, SSE-KMS with an S3 Bucket Key (one
// KMS call per bucket-level key instead of one per object), unless key is
// nil.
func encryptBucket(p *awss3.BucketProps, key awskms.IKey) *awss3.BucketProps {
	if key != nil {
		p.Encryption = awss3.BucketEncryption_KMS
		p.EncryptionKey = key
		p.BucketKeyEnabled = jsii.Bool(true)
	}
	return p
}

// encryptTable has p encrypt with key (SSE type KMS) unless key is nil.
func encryptTable(p *awsdynamodb.TableProps, key awskms.IKey) *awsdynamodb.TableProps {
	if key != nil {
		p.Encryption = awsdynamodb.TableEncryption_CUSTOMER_MANAGED
		p.EncryptionKey = key
	}
	return p
}

// encryptQueue has p encrypt with key (SSE-KMS) unless key is nil.
func encryptQueue(p *awssqs.QueueProps, key awskms.IKey) *awssqs.QueueProps {
	if key != nil {
		p.Encryption = awssqs.QueueEncryption_KMS
		p.EncryptionMasterKey = key
	}
	return p
}

// addKeyPermissions lets the construct's principals use the customer
// managed keys of the stores they call (grantKeyUse), and S3 and CloudWatch
// Logs use key, the EncryptionKey prop, for the image bucket bucketArn and
// the log groups (addKeyPolicy). Without such keys it adds nothing.
func (s *FaceRecognitionService) addKeyPermissions(key awskms.IKey, bucketArn *string) {
	s.grantKeyUse()
	s.addKeyPolicy(key, bucketArn)
}

// grantKeyUse grants, on the exact key ARNs, the KMS actions each principal
// needs for the customer managed keys of the stores it calls: the image
// bucket's (EncryptionKey, or ExistingBucket's), the table's (EncryptionKey,
// or ExistingTable's) and the event queue's (EncryptionKey). With no such
// key it grants nothing. See keyReadActions and keyUploadActions for why
// these actions: the index function reads images (also through
// Rekognition's S3Object, with its rights) and receives from the queue;
// the thumbnail function reads images; the
// upload role puts images; the rename function copies them
// (keyCopyActions); every function that calls DynamoDB (callsTable)
// uses the table's key. HeadObject and DeleteObject need no key. A key
// shared by several stores is granted once per principal.
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
	// The bucket's and the queue's keys go to the index function by name,
	// not from contract.Functions: Grants.ReadImages covers GetObject and
	// HeadObject alike, and only GetObject of an SSE-KMS object needs
	// kms:Decrypt, so granting the bucket's key to every ReadImages row
	// would also give it to the status function, which only heads objects;
	// and no field of Grants says which function consumes the queue
	// (consumeImageEvents names the index function too). The thumbnail
	// function gets the bucket's key too: it reads the bytes of images;
	// and so does the download function, whose presigned URLs get the
	// bytes with its role's credentials. The table's key
	// follows the table: every function with a DynamoDB grant.
	grant(s.Bucket.EncryptionKey(), keyReadActions, s.IndexFunction, s.ThumbnailFunction, s.DownloadFunction)
	// A function that copies images onto themselves (RewriteImages: the
	// rename function) reads and writes SSE-KMS objects in one call. It
	// is granted before the table's key, which may be the same key.
	for _, f := range s.functions {
		if f.Grants.RewriteImages {
			grant(s.Bucket.EncryptionKey(), keyCopyActions, f.fn)
		}
	}
	grant(s.Queue.EncryptionMasterKey(), keyReadActions, s.IndexFunction)
	for _, f := range s.functions {
		if callsTable(f.Grants) {
			grant(s.Table.EncryptionKey(), keyReadActions, f.fn)
		}
	}
}

// callsTable reports whether a function with grants g calls DynamoDB.
func callsTable(g contract.Grants) bool {
	return len(g.Table) > 0 || len(g.QueryIndexes) > 0
}

// addKeyPolicy adds to the policy of key (EncryptionKey; nothing when it is
// nil) the statements S3 and CloudWatch Logs need:
//   - S3 (s3.amazonaws.com) may take s3KeyActions for notifications from the
//     image bucket (bucketArn) of this account, on the conditions of the
//     queue policy (imageBucketEventConditions): it encrypts each event it
//     sends to the queue, and checks a test message when the notification
//     is configured. This is the key policy's only statement for S3, also
//     with ExistingBucket (see queueDestination);
//   - CloudWatch Logs of the stack's region (logs.<region>.amazonaws.com)
//     may take logsKeyActions with the encryption context of this
//     construct's log groups (logsEncryptionContext).
//
// It can do so only for a key created in the construct's stack: an
// imported key's policy cannot be changed from here, and a key of another
// stack would get the pseudo parameters of that stack. For any other key it
// records a synth warning (encryptionKeyWarning) naming what the key's owner
// must add (see imageBucketCondition for the bucket it names); without it
// the deployment fails when it creates the log groups or configures the
// bucket's notifications.
func (s *FaceRecognitionService) addKeyPolicy(key awskms.IKey, bucketArn *string) {
	if key == nil {
		return
	}
	statements := []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AllowImageBucketEventsToEncryptedQueue"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("s3.amazonaws.com"), nil)},
			Actions:    jsii.Strings(s3KeyActions...),
			Resources:  jsii.Strings("*"),
			Conditions: imageBucketEventConditions(bucketArn),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("AllowFaceRecognitionLogGroups"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(
				awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("logs."), awscdk.Aws_REGION(), jsii.String(".amazonaws.com")}), nil)},
			Actions:   jsii.Strings(logsKeyActions...),
			Resources: jsii.Strings("*"),
			Conditions: &map[string]interface{}{
				"ArnLike": map[string]interface{}{"kms:EncryptionContext:aws:logs:arn": s.logsEncryptionContext()},
			},
		}),
	}
	if *awscdk.Stack_Of(key).Node().Path() == *awscdk.Stack_Of(s.Construct).Node().Path() {
		added := true
		for _, st := range statements {
			added = *key.AddToResourcePolicy(st, jsii.Bool(true)).StatementAdded && added
		}
		if added {
			return
		}
	}
	hex := (*s.Node().Addr())[2:18]
	awscdk.Annotations_Of(s.Construct).AddWarningV2(jsii.String(encryptionKeyWarning), jsii.String(fmt.Sprintf(
		"EncryptionKey is not a key of this stack, so its policy must already allow, for the deployment to succeed: "+
			"s3.amazonaws.com %s with %s and StringEquals aws:SourceAccount <account>; "+
			"logs.<region>.amazonaws.com %s with ArnLike kms:EncryptionContext:aws:logs:arn arn:<partition>:logs:<region>:<account>:log-group:/facerec/%s-*. "+
			"See the README section \"Encryption with your own KMS key\"",
		strings.Join(s3KeyActions, ", "), s.imageBucketCondition(bucketArn), strings.Join(logsKeyActions, ", "), hex)), nil)
}

// imageBucketCondition writes, for the warning of addKeyPolicy, the
// aws:SourceArn condition a key policy written outside the stack can put on
// S3's statement. The bucket the construct creates is named with the UUID
// of the stack's ID, which exists only once the stack does: the condition
// is ArnLike on its name's prefix, facerec-<16 hex>-*. An ExistingBucket
// has its ARN (bucketArn): ArnEquals on it, written as cdk-nag writes
// references (nagResource: arn:<partition>:s3:::<name> for a bucket
// imported by name, <LogicalId.Arn> for a bucket of the app), with the
// pseudo parameters written <partition>, <region> and <account> as in the
// rest of the warning.
func (s *FaceRecognitionService) imageBucketCondition(bucketArn *string) string {
	if strings.HasPrefix(*s.Bucket.Node().Path(), *s.Node().Path()+"/") {
		return "ArnLike aws:SourceArn arn:<partition>:s3:::facerec-" + (*s.Node().Addr())[2:18] + "-*"
	}
	return "ArnEquals aws:SourceArn " + strings.NewReplacer(
		"<AWS::Partition>", "<partition>", "<AWS::Region>", "<region>", "<AWS::AccountId>", "<account>").Replace(nagResource(s.Construct, bucketArn))
}
