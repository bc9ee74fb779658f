package facerecognition

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// imageEvents are the S3 events the index function consumes: every way an
// object is created (put, copy, multipart upload) or removed (delete,
// delete marker).
var imageEvents = []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}

// addBucket sets Bucket and has it send imageEvents under the image prefix
// to the queue: the props' ExistingBucket, through CDK's bucket
// notifications (notifyImageEvents), or a new bucket (bucketProps, named
// imageBucketName, encrypted with EncryptionKey if there is one) with its
// server access logs bucket (accessLogBucketProps), through the bucket's own
// notification configuration (sendImageEvents). It returns the bucket's
// ARN; that of a new bucket is built from its name (imageBucketArn), so that
// the policies the bucket depends on can name it.
func (s *FaceRecognitionService) addBucket(cfg *settings) *string {
	if cfg.existingBucket != nil {
		s.Bucket = cfg.existingBucket
		s.notifyImageEvents(cfg)
		return s.Bucket.BucketArn()
	}
	bucketName := imageBucketName(*s.Node().Addr())
	s.ServerAccessLogsBucket = awss3.NewBucket(s.Construct, jsii.String("AccessLogs"),
		accessLogBucketProps(cfg.removalPolicy, cfg.accessLogDays, cfg.noncurrentDays))
	s.Bucket = awss3.NewBucket(s.Construct, jsii.String("Images"),
		withAccessLogs(encryptBucket(bucketProps(bucketName, cfg.removalPolicy, cfg.noncurrentDays), cfg.encryptionKey), s.ServerAccessLogsBucket))
	s.sendImageEvents(cfg, bucketName)
	return imageBucketArn(bucketName)
}

// imageBucketArn is the ARN of the image bucket named bucketName, built
// from the name so that policies the bucket depends on can use it.
func imageBucketArn(bucketName *string) *string {
	return jsii.String("arn:" + *awscdk.Aws_PARTITION() + ":s3:::" + *bucketName)
}

// sendImageEvents has the bucket send imageEvents for keys under the image
// prefix to the queue. The notification is the bucket's own CloudFormation
// property rather than CDK's addEventNotification, which deploys a
// custom-resource function whose role has a managed policy
// (notifyImageEvents uses it for a bucket the construct does not own). S3
// checks that it may send to the queue when the bucket is configured, so
// the bucket depends on the queue policy, which therefore names the bucket
// by bucketName, not by reference.
func (s *FaceRecognitionService) sendImageEvents(cfg *settings, bucketName *string) {
	queuePolicy := s.allowImageBucketEvents(imageBucketArn(bucketName))
	var queueConfigs []interface{}
	for _, event := range imageEvents {
		queueConfigs = append(queueConfigs, &awss3.CfnBucket_QueueConfigurationProperty{
			Event: jsii.String(event),
			Queue: s.Queue.QueueArn(),
			Filter: &awss3.CfnBucket_NotificationFilterProperty{
				S3Key: &awss3.CfnBucket_S3KeyFilterProperty{
					Rules: []interface{}{&awss3.CfnBucket_FilterRuleProperty{Name: jsii.String("prefix"), Value: jsii.String(cfg.imagePrefix)}},
				},
			},
		})
	}
	s.Bucket.Node().DefaultChild().(awss3.CfnBucket).SetNotificationConfiguration(
		&awss3.CfnBucket_NotificationConfigurationProperty{QueueConfigurations: queueConfigs})
	s.Bucket.Node().AddDependency(queuePolicy)
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

// imageBucketName returns the image bucket's name: "facerec-", 16 hex
// characters of the construct's node address addr (unique within the app),
// "-", and the UUID in the stack's ID (unique per stack creation, so a
// bucket retained by a deleted stack never blocks a new one): 61 characters
// of the 63 S3 allows. The queue policy can compute it without referring to
// the bucket, a reference that would be circular (see sendImageEvents).
func imageBucketName(addr string) *string {
	return awscdk.Fn_Join(jsii.String("-"), &[]*string{
		jsii.String("facerec"),
		jsii.String(addr[2:18]),
		stackCreationID(),
	})
}

// stackCreationID is the UUID in the stack's ID: unique per creation of the
// stack, unlike its name.
func stackCreationID() *string {
	return awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), awscdk.Aws_STACK_ID(), nil))
}

// bucketProps returns the image bucket's settings: no public access, S3
// managed encryption, TLS only, versioned (an overwritten or deleted image
// can be recovered for noncurrentDays days), ACLs disabled, and the given
// name. Its lifecycle rule permanently deletes noncurrent versions
// noncurrentDays days after they became noncurrent, and then the delete
// markers they leave without any version, so that a deleted image is
// really gone afterwards.
func bucketProps(name *string, removal awscdk.RemovalPolicy, noncurrentDays int) *awss3.BucketProps {
	return &awss3.BucketProps{
		BucketName:        name,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		Versioned:         jsii.Bool(true),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                          jsii.String("ExpireNoncurrentVersions"),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(noncurrentDays)),
			ExpiredObjectDeleteMarker:   jsii.Bool(true),
		}},
		ObjectOwnership: awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:   removal,
	}
}
