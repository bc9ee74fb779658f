package facerecognition

// The roles: each function's, with its contract.Grants, and those API
// Gateway assumes for the S3 routes. The KMS grants are in kms.go, the SQS
// poller's in queues.go.

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
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
// attribute ends in ":*", which covers its streams). grantFunction adds the
// function's Grants to it, in its default policy.
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

// grantFunction allows fn exactly g, one statement per resource, in the
// order of g's fields: the Collection actions on the collection
// collectionArn; ReadImages (grantReadImages); with ReadImageVersions,
// s3:GetObjectVersion on the objects under the image prefix; the
// AnyResource actions on
// "*"; dynamodb:Query on every index of QueryIndexes, in one statement; the
// Table actions on the table; with EraseImages, s3:DeleteObjectVersion
// on the objects under the image prefix with a name (namedImages) and
// s3:ListBucketVersions on the bucket; and, with RewriteImages,
// s3:PutObject on those objects (a copy onto itself). Backfill is granted by
// grantBackfill, once the state machine exists.
func (s *FaceRecognitionService) grantFunction(cfg *settings, fn awslambda.Function, g contract.Grants, collectionArn *string) {
	if len(g.Collection) > 0 {
		fn.AddToRolePolicy(allow(g.Collection, collectionArn))
	}
	if g.ReadImages {
		s.grantReadImages(cfg, fn)
	}
	if g.ReadImageVersions {
		fn.AddToRolePolicy(allow([]string{"s3:GetObjectVersion"}, s.imageObjects(cfg, "*")))
	}
	if len(g.AnyResource) > 0 {
		fn.AddToRolePolicy(allow(g.AnyResource, jsii.String("*")))
	}
	tableArn := s.Table.TableArn()
	if len(g.QueryIndexes) > 0 {
		indexes := make([]*string, len(g.QueryIndexes))
		for i, name := range g.QueryIndexes {
			indexes[i] = jsii.String(*tableArn + "/index/" + name)
		}
		fn.AddToRolePolicy(allow([]string{"dynamodb:Query"}, indexes...))
	}
	if len(g.Table) > 0 {
		fn.AddToRolePolicy(allow(g.Table, tableArn))
	}
	if g.EraseImages {
		fn.AddToRolePolicy(allow([]string{"s3:DeleteObjectVersion"}, s.imageObjects(cfg, namedImages)))
		fn.AddToRolePolicy(allow([]string{"s3:ListBucketVersions"}, s.Bucket.BucketArn()))
	}
	if g.RewriteImages {
		fn.AddToRolePolicy(allow([]string{"s3:PutObject"}, s.imageObjects(cfg, namedImages)))
	}
}

// namedImages is the IAM wildcard pattern, after the image prefix, of the
// objects a role may put or delete: keys with at least one character
// after the prefix, so that no role may write or delete the bare prefix
// (see addUploadRoute for why that matters to the API's routes).
const namedImages = "?*"

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
	fn.AddToRolePolicy(allow([]string{"s3:GetObject"}, s.imageObjects(cfg, "*")))
	fn.AddToRolePolicy(allow([]string{"s3:ListBucket"}, s.Bucket.BucketArn()))
}

// addS3Role creates the role id, which API Gateway assumes to take the one
// action on the objects under the image prefix whose key has at least one
// character after it (<prefix>?*, namedImages; see addUploadRoute for why).
func (s *FaceRecognitionService) addS3Role(cfg *settings, id, description, action string) awsiam.Role {
	role := awsiam.NewRole(s.Construct, jsii.String(id), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		Description: jsii.String(description),
	})
	role.AddToPrincipalPolicy(allow([]string{action}, s.imageObjects(cfg, namedImages)))
	return role
}

// imageObjects is the ARN of the image bucket's objects whose keys are the
// image prefix followed by pattern (an IAM wildcard pattern, such as "*").
func (s *FaceRecognitionService) imageObjects(cfg *settings, pattern string) *string {
	return s.Bucket.ArnForObjects(jsii.String(cfg.imagePrefix + pattern))
}
