package facerecognition

// The log groups: each function's own and the API's access log.

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

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

// logGroupProps returns the settings of every log group the construct creates.
func logGroupProps(retention awslogs.RetentionDays, removal awscdk.RemovalPolicy) *awslogs.LogGroupProps {
	return &awslogs.LogGroupProps{Retention: retention, RemovalPolicy: removal}
}
