package facerecognition

// The roles: each function's and those API Gateway assumes for the S3
// routes. The KMS grants are in kms.go, the SQS
// poller's in queues.go.

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

// allow returns a statement allowing actions on resources.
func allow(actions []string, resources ...*string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &resources,
	})
}

// functionRole creates the role name+"Role" of the function name, which
// Lambda assumes. It has no managed policy; its one permission is an inline
// policy to create streams in and write to logGroup (the log group's Arn
// attribute ends in ":*", which covers its streams). addFunctions grants
// the rest, in its default policy.
func (s *FaceRecognitionService) functionRole(name string, logGroup awslogs.ILogGroup) awsiam.Role {
	return awsiam.NewRole(s.Construct, jsii.String(name+"Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"Logs": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{
					allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, logGroup.LogGroupArn()),
				},
			}),
		},
	})
}

// grantReadImages lets fn read the images: s3:GetObject (which also
// authorizes HeadObject) on the objects under the image prefix, and
// s3:ListBucket on the bucket. Without s3:ListBucket, S3 answers a GetObject
// or HeadObject of a missing key with 403 AccessDenied instead of 404
// NoSuchKey or NotFound (S3 API reference, GetObject and HeadObject,
// "Permissions"), and both readers depend on the 404: the index function
// takes NoSuchKey to mean that the image was deleted, and the status function
// answers NotFound with 404. s3:ListBucket is unconditioned: S3 checks it for
// the GetObject or HeadObject request, which has no s3:prefix, so a condition
// on s3:prefix would never hold.
func (s *FaceRecognitionService) grantReadImages(cfg *settings, fn awslambda.Function) {
	fn.AddToRolePolicy(allow([]string{"s3:GetObject"}, s.Bucket.ArnForObjects(jsii.String(cfg.imagePrefix+"*"))))
	fn.AddToRolePolicy(allow([]string{"s3:ListBucket"}, s.Bucket.BucketArn()))
}

// addS3Role creates the role id, which API Gateway assumes to take the one
// action on the objects under the image prefix whose key has at least one
// character after it (<prefix>?*; see addUploadRoute for why).
func (s *FaceRecognitionService) addS3Role(cfg *settings, id, description, action string) awsiam.Role {
	role := awsiam.NewRole(s.Construct, jsii.String(id), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		Description: jsii.String(description),
	})
	role.AddToPrincipalPolicy(allow([]string{action}, s.Bucket.ArnForObjects(jsii.String(cfg.imagePrefix+"?*"))))
	return role
}
