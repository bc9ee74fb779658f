// Command basic is a CDK app that deploys FaceRecognitionService with its
// defaults in one environment-agnostic stack, FaceRecognitionStack, checked
// by cdk-nag's AWS Solutions rules (an unsuppressed error fails the synth).
// Its alarms notify an SNS topic, AlarmTopic, which emails the address of
// the alarmEmail context value when it is given
// (`npx --prefix tools cdk deploy -c alarmEmail=ops@example.com`; SNS
// asks the address to confirm the subscription).
// cdk.json at the repository root runs it: `npx --prefix tools cdk synth`, `npx --prefix tools cdk deploy`.
// main_test.go compares the stack's template with a committed snapshot.
package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/facerec/facerec-cdk/constructs/facerecognition"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	addStack(app)
	app.Synth(nil)
}

// addStack adds FaceRecognitionStack, the service and its outputs, to app and
// applies cdk-nag's AWS Solutions checks to the app.
func addStack(app awscdk.App) awscdk.Stack {
	stack := awscdk.NewStack(app, jsii.String("FaceRecognitionStack"), &awscdk.StackProps{
		Description: jsii.String("Face recognition service on Amazon Rekognition"),
	})
	topic := alarmTopic(stack)
	svc := facerecognition.NewFaceRecognitionService(stack, jsii.String("FaceRecognition"), &facerecognition.FaceRecognitionServiceProps{
		AlarmTopic: topic,
	})

	output := func(id, description string, value *string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{
			Description: jsii.String(description),
			Value:       value,
		})
	}
	output("ApiUrl", "Base URL of the API stage", svc.Api.Url())
	output("ApiKeyId", "ID of the API key; the key itself is not in the template", svc.ApiKey.KeyId())
	output("GetApiKeyCommand", "Prints the API key to send as x-api-key",
		jsii.String("aws apigateway get-api-key --api-key "+*svc.ApiKey.KeyId()+" --include-value --query value --output text"))
	output("BucketName", "Bucket of the indexed images", svc.Bucket.BucketName())
	output("TableName", "DynamoDB table of faces and images", svc.Table.TableName())
	output("CollectionId", "Rekognition collection of the indexed faces", svc.CollectionId)
	output("AlarmTopicArn", "SNS topic the service's alarms notify; subscribe to it, or deploy with -c "+alarmEmailContext+"=ADDRESS", topic.TopicArn())

	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return stack
}

// alarmEmailContext is the context key of the address AlarmTopic emails.
const alarmEmailContext = "alarmEmail"

// alarmTopic adds AlarmTopic, the SNS topic the service's alarms notify,
// with an email subscription to the alarmEmail context value when it is
// set. The topic is encrypted with a customer managed key that rotates,
// which CloudWatch may use to publish (an AWS managed key's policy cannot
// admit it: SNS developer guide, "Encryption at rest"), and its policy
// refuses requests without TLS (cdk-nag AwsSolutions-SNS2, SNS3, KMS5).
func alarmTopic(stack awscdk.Stack) awssns.Topic {
	key := awskms.NewKey(stack, jsii.String("AlarmTopicKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the alarm topic of the face recognition service"),
		EnableKeyRotation: jsii.Bool(true),
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}},
	}), nil)
	topic := awssns.NewTopic(stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Face recognition alarms"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	switch email := stack.Node().TryGetContext(jsii.String(alarmEmailContext)); email := email.(type) {
	case nil:
	case string:
		if email == "" {
			panic(fmt.Sprintf("context %s is empty; give an email address or leave it out", alarmEmailContext))
		}
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	default:
		panic(fmt.Sprintf("context %s must be an email address, got %v", alarmEmailContext, email))
	}
	return topic
}
