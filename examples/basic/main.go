// Command basic is a CDK app that deploys FaceRecognitionService with its
// defaults in one environment-agnostic stack, FaceRecognitionStack, checked
// by cdk-nag's AWS Solutions rules (an unsuppressed error fails the synth).
// cdk.json at the repository root runs it: `npx --prefix tools cdk synth`, `npx --prefix tools cdk deploy`.
// main_test.go compares the stack's template with a committed snapshot.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
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
	svc := facerecognition.NewFaceRecognitionService(stack, jsii.String("FaceRecognition"), nil)

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

	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return stack
}
