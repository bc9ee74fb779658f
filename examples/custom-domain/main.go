// Command custom-domain is a CDK app that deploys FaceRecognitionService
// behind a custom domain, https://faces.example.com/, in one stack,
// FaceRecognitionDomainStack: a new DNS-validated ACM certificate, the
// regional domain name mapped to the API stage, A and AAAA alias records in
// the hosted zone, and a new WAF web ACL on the stage; checked by cdk-nag's
// AWS Solutions rules (an unsuppressed error fails the synth).
//
// The hosted zone is passed in from its attributes, so the synth looks
// nothing up and needs no AWS credentials. Replace hostedZoneId, zoneName
// and domainName with a public hosted zone of your account before
// deploying. Run it with `npx --prefix tools cdk synth --app "go run ./examples/custom-domain"`.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/facerec/facerec-cdk/constructs/facerecognition"
)

// The public hosted zone and the API's domain in it.
const (
	hostedZoneId = "Z0123456789EXAMPLEZONE"
	zoneName     = "example.com"
	domainName   = "faces.example.com"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	newStack(app)
	app.Synth(nil)
}

// newStack adds FaceRecognitionDomainStack to app, and cdk-nag's AWS
// Solutions checks to the app.
func newStack(app awscdk.App) awscdk.Stack {
	stack := awscdk.NewStack(app, jsii.String("FaceRecognitionDomainStack"), &awscdk.StackProps{
		Description: jsii.String("Face recognition service on Amazon Rekognition, on a custom domain"),
	})
	zone := awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String(hostedZoneId),
		ZoneName:     jsii.String(zoneName),
	})
	svc := facerecognition.NewFaceRecognitionService(stack, jsii.String("FaceRecognition"), &facerecognition.FaceRecognitionServiceProps{
		DomainName:   jsii.String(domainName),
		HostedZone:   zone,
		CreateWebAcl: jsii.Bool(true),
	})

	output := func(id, description string, value *string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{
			Description: jsii.String(description),
			Value:       value,
		})
	}
	output("ApiUrl", "Base URL of the API on the custom domain", jsii.String("https://"+domainName+"/"))
	output("ApiKeyId", "ID of the API key; the key itself is not in the template", svc.ApiKey.KeyId())
	output("GetApiKeyCommand", "Prints the API key to send as x-api-key",
		jsii.String("aws apigateway get-api-key --api-key "+*svc.ApiKey.KeyId()+" --include-value --query value --output text"))

	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return stack
}
