package facerecognition

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// resolveFrontDoor resolves and checks the props of the API's front door,
// in s: its endpoint type and VPC endpoint here, its web ACL
// (resolveWebAcl) and its custom domain (resolveDomain).
func resolveFrontDoor(p *FaceRecognitionServiceProps, s *settings) {
	switch s.endpointType {
	case "":
		s.endpointType = awsapigateway.EndpointType_REGIONAL
	case awsapigateway.EndpointType_REGIONAL, awsapigateway.EndpointType_EDGE, awsapigateway.EndpointType_PRIVATE:
	default:
		invalid("EndpointType", "must be REGIONAL, EDGE or PRIVATE, got %q", s.endpointType)
	}
	if s.endpointType == awsapigateway.EndpointType_PRIVATE && s.vpcEndpoint == nil {
		invalid("VpcEndpoint", "is required with EndpointType PRIVATE: a private API is reached only through an interface VPC endpoint of execute-api")
	}
	if s.endpointType != awsapigateway.EndpointType_PRIVATE && s.vpcEndpoint != nil {
		invalid("VpcEndpoint", "conflicts with EndpointType %s: only a PRIVATE API is reached through a VPC endpoint", s.endpointType)
	}
	resolveWebAcl(p, s)
	resolveDomain(p, s)
}

// endpointConfiguration is the API's endpoint configuration: its endpoint
// type and, for a PRIVATE API, the VPC endpoint it is associated with
// (API Gateway then adds the Route 53 alias
// https://{rest-api-id}-{vpce-id}.execute-api.{region}.amazonaws.com, usable
// without a Host header).
func endpointConfiguration(cfg *settings) *awsapigateway.EndpointConfiguration {
	ec := &awsapigateway.EndpointConfiguration{Types: &[]awsapigateway.EndpointType{cfg.endpointType}}
	if cfg.vpcEndpoint != nil {
		ec.VpcEndpoints = &[]awsec2.IVpcEndpoint{cfg.vpcEndpoint}
	}
	return ec
}

// apiPolicy is the API's resource policy: nil except for a PRIVATE API,
// which API Gateway refuses to answer without one. It allows
// execute-api:Invoke on every method when the request came through the VPC
// endpoint (aws:SourceVpce), and denies it otherwise: the explicit deny also
// binds callers whose own IAM policies allow the call, such as same-account
// principals under IAM authorization. API Gateway's authorization (the API
// key, or the method's authorizer) still applies on top.
func apiPolicy(cfg *settings) awsiam.PolicyDocument {
	if cfg.endpointType != awsapigateway.EndpointType_PRIVATE {
		return nil
	}
	vpce := map[string]interface{}{"aws:SourceVpce": cfg.vpcEndpoint.VpcEndpointId()}
	statement := func(sid string, effect awsiam.Effect, test string) awsiam.PolicyStatement {
		return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String(sid),
			Effect:     effect,
			Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
			Actions:    jsii.Strings("execute-api:Invoke"),
			Resources:  jsii.Strings("execute-api:/*"),
			Conditions: &map[string]interface{}{test: vpce},
		})
	}
	return awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &[]awsiam.PolicyStatement{
		statement("AllowInvokeThroughVpcEndpoint", awsiam.Effect_ALLOW, "StringEquals"),
		statement("DenyInvokeFromElsewhere", awsiam.Effect_DENY, "StringNotEquals"),
	}})
}
