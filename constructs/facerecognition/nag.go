package facerecognition

import (
	"encoding/json"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/facerec/facerec-cdk/contract"
)

// suppressNagFindings records, on the exact resources and findings they
// concern, why the cdk-nag AWS Solutions rules this design breaks do not
// apply. It adds metadata only; apps that do not run cdk-nag ignore it.
func (s *FaceRecognitionService) suppressNagFindings(cfg *settings) {
	bucketArn := nagResource(s.Construct, s.Bucket.BucketArn())

	// The functions' wildcards, as their rows of contract.Functions grant
	// them (see grantFunction).
	for _, f := range s.functions {
		if len(f.Grants.AnyResource) > 0 {
			suppress(f.fn.Role(), "AwsSolutions-IAM5", wildcardReason(f.Name, "AnyResource"), "Resource::*")
		}
		if f.Grants.ReadImages {
			suppress(f.fn.Role(), "AwsSolutions-IAM5", readImagesReason, "Resource::"+bucketArn+"/"+cfg.imagePrefix+"*")
		}
		if f.Grants.ReadImageVersions {
			suppress(f.fn.Role(), "AwsSolutions-IAM5", wildcardReason(f.Name, "ReadImageVersions"), "Resource::"+bucketArn+"/"+cfg.imagePrefix+"*")
		}
		if f.Grants.EraseImages {
			suppress(f.fn.Role(), "AwsSolutions-IAM5", wildcardReason(f.Name, "EraseImages"), "Resource::"+bucketArn+"/"+cfg.imagePrefix+namedImages)
		}
		if f.Grants.RewriteImages {
			suppress(f.fn.Role(), "AwsSolutions-IAM5", wildcardReason(f.Name, "RewriteImages"), "Resource::"+bucketArn+"/"+cfg.imagePrefix+namedImages)
		}
	}
	for role, reason := range map[string]string{
		"UploadRole": "API Gateway stores images under names the clients choose; s3:PutObject covers only keys of at least one character under the image prefix",
	} {
		suppress(s.Node().FindChild(jsii.String(role)), "AwsSolutions-IAM5", reason, "Resource::"+bucketArn+"/"+cfg.imagePrefix+namedImages)
	}
	s.suppressObservabilityFindings(cfg)
	if cfg.existingBucket != nil {
		s.suppressBucketNotificationsFindings()
	}

	if role := s.Api.Node().TryFindChild(jsii.String("CloudWatchRole")); role != nil {
		suppress(role, "AwsSolutions-IAM4",
			"AmazonAPIGatewayPushToCloudWatchLogs is AWS's managed policy for the account-level API Gateway logging role (AWS::ApiGateway::Account), created because ApiGatewayCloudWatchRole is CREATE",
			"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")
	}
	if cfg.cloudWatchRole == ApiGatewayCloudWatchRoleNoLogging {
		for _, rule := range []string{"AwsSolutions-APIG1", "AwsSolutions-APIG6"} {
			suppress(s.Api.DeploymentStage(), rule,
				"API Gateway logging is off because ApiGatewayCloudWatchRole is NO_LOGGING: the account has no API Gateway CloudWatch role and this stack must not set the account-wide one")
		}
	}
	if rules, reason := cfg.authorization.nagSuppressions(); len(rules) > 0 {
		for _, m := range *s.Api.Methods() {
			if *m.HttpMethod() == "OPTIONS" {
				continue // CORS preflights, which cdk-nag does not check
			}
			for _, rule := range rules {
				suppress(m, rule, reason)
			}
		}
	}
}

// readImagesReason is why the wildcard of Grants.ReadImages (s3:GetObject
// on every object under the image prefix) does not apply, for every
// function whose row of contract.Functions has it.
const readImagesReason = "s3:GetObject (and HeadObject, which it authorizes) must reach every image, whose names the uploaders choose; the wildcard covers only the image prefix of this bucket"

// wildcardReasons are why the wildcards of the grants whose use depends on
// the function cannot be narrower, by the function's name and the grant's
// field of contract.Grants: AnyResource (its actions, allowed on "*"),
// ReadImageVersions (s3:GetObjectVersion on every object under the image
// prefix), EraseImages (s3:DeleteObjectVersion on every named object under
// the image prefix) and RewriteImages (s3:PutObject on the same objects).
// suppressNagFindings suppresses the finding on the role of every function
// whose row has the grant, with the reason written here for that function;
// a row given such a grant without one panics (wildcardReason), so that
// every wildcard of the table is justified where it is used.
var wildcardReasons = map[string]map[string]string{
	contract.FunctionSearch: {
		"AnyResource": "rekognition:DetectFaces (POST /search?faces=all) takes no collection and has no resource-level permissions (Service Authorization Reference, Amazon Rekognition), so it can only be allowed on \"*\"",
	},
	contract.FunctionCompare: {
		"AnyResource": "rekognition:CompareFaces (POST /compare of two images) takes no collection and has no resource-level permissions (Service Authorization Reference, Amazon Rekognition: no resource type), so it can only be allowed on \"*\"",
	},
	contract.FunctionDeletePerson: {
		"EraseImages": "s3:DeleteObjectVersion (DELETE /persons/{person}) must reach every version of every image uploaded with the person's name, whose names the uploaders chose; the wildcard covers only the keys with at least one character after the image prefix of this bucket",
	},
	contract.FunctionDownload: {
		"ReadImageVersions": "s3:GetObjectVersion (GET /images/{filename}) must reach the current version of any image, whose names the uploaders choose, through a URL presigned with the function's credentials; the wildcard covers only the image prefix of this bucket",
	},
	contract.FunctionRename: {
		"EraseImages":   "s3:DeleteObjectVersion (PATCH /persons/{person}) must reach the older versions of every image uploaded with the person's old name, which carry that name, whose names the uploaders chose; the wildcard covers only the keys with at least one character after the image prefix of this bucket",
		"RewriteImages": "s3:PutObject (PATCH /persons/{person}) copies every image uploaded with the person's old name onto itself with the new name, whose names the uploaders chose; the wildcard covers only the keys with at least one character after the image prefix of this bucket",
	},
	contract.FunctionDeleteImage: {
		"EraseImages": "s3:DeleteObjectVersion (DELETE /index/{filename}) must reach every version of any image, whose names the uploaders chose; the wildcard covers only the keys with at least one character after the image prefix of this bucket",
	},
}

// wildcardReason returns the reason of wildcardReasons for the grant field
// of the function name, and panics if there is none.
func wildcardReason(name, field string) string {
	reason, ok := wildcardReasons[name][field]
	if !ok {
		panic("facerecognition: contract.Functions grants " + name + " " + field + ", whose wildcard has no reason in wildcardReasons")
	}
	return reason
}

// suppress suppresses rule on construct and its children with reason,
// limited to the findings appliesTo if any are given.
func suppress(construct constructs.IConstruct, rule, reason string, appliesTo ...string) {
	sup := &cdknag.NagPackSuppression{Id: jsii.String(rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		findings := make([]interface{}, len(appliesTo))
		for i, f := range appliesTo {
			findings[i] = f
		}
		sup.AppliesTo = &findings
	}
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &[]*cdknag.NagPackSuppression{sup}, jsii.Bool(true))
}

// nagResource returns the form in which cdk-nag names the resource ARN arn
// in its IAM findings ("Resource::<form>"): the resolved value with Ref and
// Fn::GetAtt written <Id> and <Id.Attribute>, Fn::Join joined and
// Fn::ImportValue replaced by the export's name (cdk-nag's
// flattenCfnReference).
func nagResource(scope constructs.IConstruct, arn *string) string {
	var flatten func(v any) string
	flatten = func(v any) string {
		switch v := v.(type) {
		case string:
			return strings.NewReplacer("${", "<", "}", ">").Replace(v)
		case map[string]any:
			if join, ok := v["Fn::Join"].([]any); ok {
				var parts []string
				for _, p := range join[1].([]any) {
					parts = append(parts, flatten(p))
				}
				return strings.Join(parts, join[0].(string))
			}
			if sub, ok := v["Fn::Sub"]; ok {
				return flatten(sub)
			}
			if att, ok := v["Fn::GetAtt"].([]any); ok {
				return "<" + flatten(att[0]) + "." + flatten(att[1]) + ">"
			}
			if imp, ok := v["Fn::ImportValue"]; ok {
				return flatten(imp)
			}
			if ref, ok := v["Ref"]; ok {
				return "<" + flatten(ref) + ">"
			}
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	return flatten(awscdk.Stack_Of(scope).Resolve(arn))
}
