package facerecognition

import (
	"math"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// Defaults of the props that the contract package does not define.
const (
	defaultRemovalPolicy       = awscdk.RemovalPolicy_RETAIN
	defaultNoncurrentDays      = 30
	defaultLogRetention        = awslogs.RetentionDays_ONE_MONTH
	defaultMemorySizeMB        = 256
	defaultIndexTimeoutSeconds = 60
	defaultApiTimeoutSeconds   = 20
	defaultIndexMaxConcurrency = minSqsMaxConcurrency
	defaultStageName           = "v1"
	defaultThrottleRateLimit   = 10 // requests per second
	defaultThrottleBurstLimit  = 20 // requests
	defaultQuotaLimit          = 10000
	defaultQuotaPeriod         = awsapigateway.Period_DAY
	defaultExecutionLogLevel   = awsapigateway.MethodLoggingLevel_ERROR
	defaultCloudWatchRole      = ApiGatewayCloudWatchRoleCreate
)

// Limits that come from AWS, with their sources.
const (
	// minSqsMaxConcurrency and maxSqsMaxConcurrency bound the maximum
	// concurrency of an SQS event source (Lambda API reference,
	// ScalingConfig.MaximumConcurrency: 2 to 1000).
	minSqsMaxConcurrency = 2
	maxSqsMaxConcurrency = 1000
	// sqsVisibilityTimeoutFactor is how many function timeouts an SQS event
	// source's queue stays invisible: AWS recommends at least six times the
	// function timeout (Lambda developer guide, "Using Lambda with Amazon SQS").
	sqsVisibilityTimeoutFactor = 6
	// sqsMaxReceiveCount moves a message to the dead-letter queue after its
	// fifth failed receive; the Lambda developer guide recommends a
	// maxReceiveCount of at least 5 for SQS event sources.
	sqsMaxReceiveCount = 5
	// sqsMaxRetentionDays is SQS's longest message retention (14 days). The
	// dead-letter queue keeps messages that long: a message keeps its original
	// enqueue time when it moves, so the DLQ must retain longer than the
	// source queue (4 days, SQS's default).
	sqsMaxRetentionDays = 14
	// eventBatchSize is the records per index invocation (SQS event source
	// default, 10; no batching window).
	eventBatchSize = 10
	// maxLifecycleDays is the longest S3 lifecycle expiration: S3 lifecycle
	// rules count whole days, as a 32-bit integer in CloudFormation.
	maxLifecycleDays = math.MaxInt32
	// maxLambdaTimeoutSeconds is Lambda's longest timeout (900 s, Lambda quotas).
	maxLambdaTimeoutSeconds = 900
	// maxApiTimeoutSeconds is API Gateway's default maximum integration
	// timeout for REST APIs (29 s, API Gateway quotas); a longer function
	// timeout would run on after the client got a 504.
	maxApiTimeoutSeconds = 29
	// minMemorySizeMB and maxMemorySizeMB bound Lambda memory (128 to 10,240
	// MB, Lambda quotas).
	minMemorySizeMB = 128
	maxMemorySizeMB = 10240
)

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

// deadLetterQueueProps returns the dead-letter queue's settings: TLS only,
// SQS managed encryption, 14 days' retention.
func deadLetterQueueProps() *awssqs.QueueProps {
	return &awssqs.QueueProps{
		EnforceSSL:      jsii.Bool(true),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(sqsMaxRetentionDays)),
	}
}

// eventQueueProps returns the settings of the queue of image events: TLS
// only, SQS managed encryption (S3 can send to it, which it cannot to a
// queue under the AWS managed KMS key), a visibility timeout of six index
// function timeouts, and dlq after five receives.
func eventQueueProps(dlq awssqs.IQueue, indexTimeoutSeconds int) *awssqs.QueueProps {
	return &awssqs.QueueProps{
		EnforceSSL:        jsii.Bool(true),
		Encryption:        awssqs.QueueEncryption_SQS_MANAGED,
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(sqsVisibilityTimeoutFactor * indexTimeoutSeconds)),
		DeadLetterQueue: &awssqs.DeadLetterQueue{
			Queue:           dlq,
			MaxReceiveCount: jsii.Number(sqsMaxReceiveCount),
		},
	}
}

// tableProps returns the face table's settings: the FaceId partition key,
// on-demand capacity, point-in-time recovery, AWS managed encryption.
func tableProps(removal awscdk.RemovalPolicy) *awsdynamodb.TableProps {
	return &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(contract.AttrFaceID), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		Encryption:    awsdynamodb.TableEncryption_AWS_MANAGED,
		RemovalPolicy: removal,
	}
}

// objectKeyIndexProps returns the index that finds an image's items by
// object key, projecting whole items.
func objectKeyIndexProps() *awsdynamodb.GlobalSecondaryIndexProps {
	return &awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(contract.ObjectKeyIndex),
		PartitionKey:   &awsdynamodb.Attribute{Name: jsii.String(contract.AttrObjectKey), Type: awsdynamodb.AttributeType_STRING},
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	}
}

// personIndexProps returns the index that lists a person's items, for
// GET /faces?person=NAME.
func personIndexProps() *awsdynamodb.GlobalSecondaryIndexProps {
	return &awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(contract.PersonIndex),
		PartitionKey:   &awsdynamodb.Attribute{Name: jsii.String(contract.AttrPerson), Type: awsdynamodb.AttributeType_STRING},
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	}
}

// logGroupProps returns the settings of every log group the construct creates.
func logGroupProps(retention awslogs.RetentionDays, removal awscdk.RemovalPolicy) *awslogs.LogGroupProps {
	return &awslogs.LogGroupProps{Retention: retention, RemovalPolicy: removal}
}

// functionProps returns a function's settings: the Go custom runtime
// (provided.al2023; its handler name is by convention "bootstrap", the
// executable's name), its own role and log group, the configured architecture
// and memory, the environment env, and X-Ray active tracing unless the props
// turned it off.
func functionProps(s *settings, code awslambda.Code, role awsiam.IRole, logGroup awslogs.ILogGroup,
	timeoutSeconds int, env map[string]*string) *awslambda.FunctionProps {
	return &awslambda.FunctionProps{
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Handler:      jsii.String("bootstrap"),
		Code:         code,
		Architecture: s.architecture,
		MemorySize:   jsii.Number(s.memorySizeMB),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(timeoutSeconds)),
		Role:         role,
		LogGroup:     logGroup,
		Environment:  &env,
		Tracing:      functionTracing(s.tracing),
	}
}

// stageOptions returns the API stage's settings: execution logging at
// s.executionLogLevel without request and response bodies (they are face
// images), JSON access logs to accessLogs, CloudWatch metrics (detailed:
// per method, which the search latency alarm uses), X-Ray active tracing
// unless the props turned it off, and the stage-wide throttle. With
// accessLogs nil, there is no API Gateway logging at all.
func stageOptions(s *settings, accessLogs awslogs.ILogGroup) *awsapigateway.StageOptions {
	o := &awsapigateway.StageOptions{
		StageName:            jsii.String(s.stageName),
		MetricsEnabled:       jsii.Bool(true),
		DataTraceEnabled:     jsii.Bool(false),
		LoggingLevel:         awsapigateway.MethodLoggingLevel_OFF,
		ThrottlingRateLimit:  jsii.Number(s.throttleRateLimit),
		ThrottlingBurstLimit: jsii.Number(s.throttleBurstLimit),
		TracingEnabled:       jsii.Bool(s.tracing),
	}
	if accessLogs != nil {
		o.LoggingLevel = s.executionLogLevel
		o.AccessLogDestination = awsapigateway.NewLogGroupLogDestination(accessLogs)
		o.AccessLogFormat = awsapigateway.AccessLogFormat_JsonWithStandardFields(&awsapigateway.JsonWithStandardFieldProps{
			Caller: jsii.Bool(true), HttpMethod: jsii.Bool(true), Ip: jsii.Bool(true), Protocol: jsii.Bool(true),
			RequestTime: jsii.Bool(true), ResourcePath: jsii.Bool(true), ResponseLength: jsii.Bool(true),
			Status: jsii.Bool(true), User: jsii.Bool(true),
		})
	}
	return o
}

// corsOptions returns the CORS preflight answered on every resource: the
// allowed origin, the methods of contract.CORSAllowMethods, which the
// functions and the local server send too, and the request headers
// allowHeaders (Authorization.corsAllowHeaders).
func corsOptions(allowedOrigin string, allowHeaders []string) *awsapigateway.CorsOptions {
	return &awsapigateway.CorsOptions{
		AllowOrigins: jsii.Strings(allowedOrigin),
		AllowMethods: jsii.Strings(strings.Split(contract.CORSAllowMethods, ",")...),
		AllowHeaders: jsii.Strings(allowHeaders...),
	}
}
