package facerecognition

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// addQueues creates the dead-letter queue (deadLetterQueueProps) and the
// event queue (eventQueueProps), which receives the image bucket's events
// (see addBucket) for the index function (see consumeImageEvents), both
// encrypted with EncryptionKey if there is one.
func (s *FaceRecognitionService) addQueues(cfg *settings) {
	s.DeadLetterQueue = awssqs.NewQueue(s.Construct, jsii.String("DeadLetterQueue"), encryptQueue(deadLetterQueueProps(), cfg.encryptionKey))
	s.Queue = awssqs.NewQueue(s.Construct, jsii.String("Queue"), encryptQueue(eventQueueProps(s.DeadLetterQueue, cfg.indexTimeoutSeconds), cfg.encryptionKey))
}

// sqsPollerActions are the actions Lambda's poller takes on an SQS event
// source with the function's role (Lambda developer guide, "Amazon SQS
// execution role permissions"). The function itself makes no SQS call: it
// reports failed records in its response (ReportBatchItemFailures).
var sqsPollerActions = []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}

// consumeImageEvents has Lambda poll the queue for the index function:
// batches of eventBatchSize records, partial batch failures, at most
// cfg.indexMaxConcurrency concurrent invocations. It grants exactly
// sqsPollerActions on the queue, not CDK's grantConsumeMessages (which adds
// sqs:ChangeMessageVisibility and sqs:GetQueueUrl), and makes the mapping
// depend on the role and its default policy, so that CloudFormation creates
// the mapping only once the poller may read the queue.
//
// The mapping keeps the scope and id CDK's SqsEventSource gave it, and so its
// logical ID: under a new one CloudFormation would create a second mapping of
// the same queue and function before deleting the first, which Lambda refuses
// (ResourceConflictException).
func (s *FaceRecognitionService) consumeImageEvents(cfg *settings) {
	s.IndexFunction.AddToRolePolicy(allow(sqsPollerActions, s.Queue.QueueArn()))
	mapping := awslambda.NewEventSourceMapping(s.IndexFunction,
		jsii.String("SqsEventSource:"+*awscdk.Names_NodeUniqueId(s.Queue.Node())), &awslambda.EventSourceMappingProps{
			Target:                  s.IndexFunction,
			EventSourceArn:          s.Queue.QueueArn(),
			BatchSize:               jsii.Number(eventBatchSize),
			ReportBatchItemFailures: jsii.Bool(true),
			MaxConcurrency:          jsii.Number(cfg.indexMaxConcurrency),
		})
	mapping.Node().AddDependency(s.IndexFunction.Role())
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
