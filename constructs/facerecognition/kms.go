package facerecognition

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
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

// newLogGroup creates the log group name+"LogGroup" with logGroupProps.
// With an encryption key, the key encrypts it and it is named
// logGroupPrefix followed by name, so that the key policy can let CloudWatch
// Logs use the key for exactly this construct's log groups (their ARNs cannot
// be referenced there: each log group refers to the key).
func (s *FaceRecognitionService) newLogGroup(cfg *settings, name string) awslogs.LogGroup {
	props := logGroupProps(cfg.logRetention, cfg.logRemovalPolicy)
	if cfg.encryptionKey != nil {
		props.EncryptionKey = cfg.encryptionKey
		props.LogGroupName = awscdk.Fn_Join(jsii.String(""), &[]*string{s.logGroupPrefix(), jsii.String(name)})
	}
	return awslogs.NewLogGroup(s.Construct, jsii.String(name+"LogGroup"), props)
}

// logGroupPrefix is the prefix of the log group names with an encryption
// key: "/facerec/", the 16 hex characters of the construct's node address
// that imageBucketName uses, "-", the UUID of the stack's ID, "/". The UUID
// makes names unique per stack creation, so that log groups a deleted stack
// retained never block a new one.
func (s *FaceRecognitionService) logGroupPrefix() *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("/facerec/" + (*s.Node().Addr())[2:18] + "-"), stackCreationID(), jsii.String("/"),
	})
}

// logsEncryptionContext is the value of kms:EncryptionContext:aws:logs:arn
// that CloudWatch Logs sends for the log groups under logGroupPrefix (the
// log group ARN without ":*").
func (s *FaceRecognitionService) logsEncryptionContext() *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":logs:"), awscdk.Aws_REGION(), jsii.String(":"),
		awscdk.Aws_ACCOUNT_ID(), jsii.String(":log-group:"), s.logGroupPrefix(), jsii.String("*"),
	})
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

// imageBucketArn is the ARN of the image bucket named bucketName, built
// from the name so that policies the bucket depends on can use it.
func imageBucketArn(bucketName *string) *string {
	return jsii.String("arn:" + *awscdk.Aws_PARTITION() + ":s3:::" + *bucketName)
}

// stackCreationID is the UUID in the stack's ID: unique per creation of the
// stack, unlike its name.
func stackCreationID() *string {
	return awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), awscdk.Aws_STACK_ID(), nil))
}
