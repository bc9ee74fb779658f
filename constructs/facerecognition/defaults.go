package facerecognition

// The props' default values (those the contract package does not define)
// and the AWS limits the props are checked against, with their sources:
// values only. The settings of each resource, built from them and the
// resolved props (bucketProps, tableProps, eventQueueProps, functionProps,
// stageOptions and the like), are in the file of that resource, beside the
// code that creates it: bucket.go, table.go, queues.go, logs.go,
// functions.go, api.go, and observability.go (the access log bucket),
// auth.go (the user pool), waf.go (the web ACL).

import (
	"math"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

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
	// The sweeper's grace period derives from it (contract.SweepGraceSeconds).
	sqsVisibilityTimeoutFactor = contract.IndexVisibilityFactor
	// sqsMaxReceiveCount moves a message to the dead-letter queue after its
	// fifth failed receive; the Lambda developer guide recommends a
	// maxReceiveCount of at least 5 for SQS event sources.
	sqsMaxReceiveCount = contract.IndexMaxReceives
	// sqsMaxRetentionDays is SQS's longest message retention (14 days). The
	// dead-letter queue keeps messages that long: a message keeps its original
	// enqueue time when it moves, so the DLQ must retain longer than the
	// source queue (4 days, SQS's default).
	// Tombstones outlive both queues (contract.TombstoneTTLDays).
	sqsMaxRetentionDays = contract.QueueMaxRetentionDays
	// eventBatchSize is the records per index invocation (SQS event source
	// default, 10; no batching window).
	eventBatchSize = 10
	// maxLifecycleDays is the longest S3 lifecycle expiration: S3 lifecycle
	// rules count whole days, as a 32-bit integer in CloudFormation.
	maxLifecycleDays = math.MaxInt32
	// maxLambdaTimeoutSeconds is Lambda's longest timeout (900 s, Lambda quotas).
	maxLambdaTimeoutSeconds = contract.MaxIndexRunSeconds
	// maxApiTimeoutSeconds is API Gateway's default maximum integration
	// timeout for REST APIs (29 s, API Gateway quotas); a longer function
	// timeout would run on after the client got a 504.
	maxApiTimeoutSeconds = 29
	// minMemorySizeMB and maxMemorySizeMB bound Lambda memory (128 to 10,240
	// MB, Lambda quotas).
	minMemorySizeMB = 128
	maxMemorySizeMB = 10240
)
