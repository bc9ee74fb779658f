package facerecognition

// The log groups: each function's own and the API's access log.

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
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

// accessLogFormat is the API stage's access log line: a JSON object of
// API Gateway $context variables, one line per request. Besides the
// request (requestId, which a client may set through x-amzn-RequestId, and
// extendedRequestId, which it cannot; requestTime, httpMethod,
// resourcePath, status, protocol, responseLength, and the gateway's error
// type for a request it refused), it names the caller, so that a log says
// who deleted what:
//   - ip: the source IP;
//   - apiKeyId: the ID of the API key sent (never the key itself);
//   - caller, user, userArn, accountId: the IAM identity of a SigV4 call;
//   - cognitoSub: the Cognito user (the token's sub claim) with COGNITO;
//   - principalId: the principal an authorizer returned.
//
// A variable that does not apply to the request logs empty or "-". The
// path is the resource path, such as /persons/{person}: the request path
// would log the person names and filenames it holds.
func accessLogFormat() string {
	fields := map[string]*string{
		"requestId":         awsapigateway.AccessLogField_ContextRequestId(),
		"extendedRequestId": awsapigateway.AccessLogField_ContextExtendedRequestId(),
		"requestTime":       awsapigateway.AccessLogField_ContextRequestTime(),
		"httpMethod":        awsapigateway.AccessLogField_ContextHttpMethod(),
		"resourcePath":      awsapigateway.AccessLogField_ContextResourcePath(),
		"status":            awsapigateway.AccessLogField_ContextStatus(),
		"protocol":          awsapigateway.AccessLogField_ContextProtocol(),
		"responseLength":    awsapigateway.AccessLogField_ContextResponseLength(),
		"error":             awsapigateway.AccessLogField_ContextErrorResponseType(),
		"ip":                awsapigateway.AccessLogField_ContextIdentitySourceIp(),
		"apiKeyId":          awsapigateway.AccessLogField_ContextIdentityApiKeyId(),
		"caller":            awsapigateway.AccessLogField_ContextIdentityCaller(),
		"user":              awsapigateway.AccessLogField_ContextIdentityUser(),
		"userArn":           awsapigateway.AccessLogField_ContextIdentityUserArn(),
		"accountId":         awsapigateway.AccessLogField_ContextIdentityAccountId(),
		"cognitoSub":        awsapigateway.AccessLogField_ContextAuthorizerClaims(jsii.String("sub")),
		"principalId":       awsapigateway.AccessLogField_ContextAuthorizerPrincipalId(),
	}
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err) // a map of strings always encodes
	}
	return string(b)
}
