package handler

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/facerec/facerec-cdk/contract"
)

// withQueueFromEnv appends to opts, when contract.EnvQueueURL is set,
// WithRequeue sending to that queue with SQS SendMessage (DelaySeconds the
// delay, in whole seconds, at most SQS's 900).
func withQueueFromEnv(ctx context.Context, opts []Option) ([]Option, error) {
	url := os.Getenv(contract.EnvQueueURL)
	if url == "" {
		return opts, nil
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRetryMode(aws.RetryModeAdaptive))
	if err != nil {
		return opts, fmt.Errorf("AWS configuration: %w", err)
	}
	return append(opts, WithRequeue(SQSRequeue(sqs.NewFromConfig(awsCfg), url))), nil
}

// MessageSender is the subset of *sqs.Client a Requeue calls.
type MessageSender interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// maxDelaySeconds is the longest DelaySeconds SQS accepts (SQS API
// reference, SendMessage).
const maxDelaySeconds = 900

// SQSRequeue returns a Requeue sending to the queue queueURL through
// client: SendMessage with DelaySeconds the delay in whole seconds (at
// most 900).
func SQSRequeue(client MessageSender, queueURL string) Requeue {
	return func(ctx context.Context, body string, delay time.Duration) error {
		_, err := client.SendMessage(ctx, &sqs.SendMessageInput{
			QueueUrl:     aws.String(queueURL),
			MessageBody:  aws.String(body),
			DelaySeconds: int32(min(maxDelaySeconds, max(0, delay/time.Second))),
		})
		return err
	}
}
