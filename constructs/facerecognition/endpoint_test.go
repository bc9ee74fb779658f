package facerecognition

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// testWebAclArn is the existing web ACL of the Edge shape.
const testWebAclArn = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/facerec-test/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"

// privateEndpoint is the interface endpoint the Private shape's stack
// creates, for the assertions.
var privateEndpoint awsec2.InterfaceVpcEndpoint

func init() {
	// An edge-optimized API behind an existing regional web ACL.
	registerShape("Edge", func(awscdk.Stack) *FaceRecognitionServiceProps {
		return &FaceRecognitionServiceProps{EndpointType: awsapigateway.EndpointType_EDGE, WebAclArn: jsii.String(testWebAclArn)}
	})
	// A private API reached through an execute-api endpoint of a VPC of the
	// stack, behind a web ACL the construct creates.
	registerShape("Private", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
			MaxAzs:      jsii.Number(2),
			NatGateways: jsii.Number(0),
			SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
				Name: jsii.String("endpoints"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED, CidrMask: jsii.Number(24),
			}},
		})
		cdknag.NagSuppressions_AddResourceSuppressions(vpc, &[]*cdknag.NagPackSuppression{{
			Id:     jsii.String("AwsSolutions-VPC7"),
			Reason: jsii.String("The test's VPC holds only the execute-api endpoint; an application's VPC has its own flow logs"),
		}}, jsii.Bool(true))
		privateEndpoint = vpc.AddInterfaceEndpoint(jsii.String("ExecuteApi"), &awsec2.InterfaceVpcEndpointOptions{
			Service: awsec2.InterfaceVpcEndpointAwsService_APIGATEWAY(),
		})
		return &FaceRecognitionServiceProps{
			EndpointType: awsapigateway.EndpointType_PRIVATE,
			VpcEndpoint:  privateEndpoint,
			CreateWebAcl: jsii.Bool(true),
			WafRateLimit: jsii.Number(500),
		}
	})
}

// restApi returns the properties of f's one REST API.
func (f *fixture) restApi(t *testing.T) map[string]any {
	t.Helper()
	_, api := only(t, f.ofType("AWS::ApiGateway::RestApi"))
	p, _ := api["Properties"].(map[string]any)
	return p
}

// TestEndpointTypes checks each endpoint type's configuration: REGIONAL by
// default, EDGE, and PRIVATE associated with its VPC endpoint; only the
// private API has a resource policy.
func TestEndpointTypes(t *testing.T) {
	fx := synth()
	for _, tt := range []struct {
		name string
		f    *fixture
		want map[string]any
	}{
		{"base", fx.base, map[string]any{"Types": []any{"REGIONAL"}}},
		{"Edge", fx.shapes["Edge"], map[string]any{"Types": []any{"EDGE"}}},
		{"Private", fx.shapes["Private"], map[string]any{
			"Types": []any{"PRIVATE"}, "VpcEndpointIds": []any{ref(logicalID(privateEndpoint))},
		}},
	} {
		api := tt.f.restApi(t)
		if got := api["EndpointConfiguration"]; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: EndpointConfiguration %s, want %s", tt.name, jsonString(got), jsonString(tt.want))
		}
		if _, has := api["Policy"]; has != (tt.name == "Private") {
			t.Errorf("%s: resource policy present: %v", tt.name, has)
		}
	}
}

// TestPrivateApiPolicy wants the private API's resource policy to allow
// execute-api:Invoke only through the VPC endpoint, and to deny it
// explicitly otherwise.
func TestPrivateApiPolicy(t *testing.T) {
	api := synth().shapes["Private"].restApi(t)
	vpce := map[string]any{"aws:SourceVpce": ref(logicalID(privateEndpoint))}
	want := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{"Sid": "AllowInvokeThroughVpcEndpoint", "Effect": "Allow", "Principal": map[string]any{"AWS": "*"},
				"Action": "execute-api:Invoke", "Resource": "execute-api:/*", "Condition": map[string]any{"StringEquals": vpce}},
			map[string]any{"Sid": "DenyInvokeFromElsewhere", "Effect": "Deny", "Principal": map[string]any{"AWS": "*"},
				"Action": "execute-api:Invoke", "Resource": "execute-api:/*", "Condition": map[string]any{"StringNotEquals": vpce}},
		},
	}
	if got := api["Policy"]; !reflect.DeepEqual(jsonValue(got), jsonValue(want)) {
		t.Errorf("Policy\n got %s\nwant %s", jsonString(got), jsonString(want))
	}
}

// TestFrontDoorPropsRefused feeds invalid and conflicting endpoint, web ACL
// and custom domain props to the constructor and wants a panic naming the
// prop, and the conflicting prop too.
func TestFrontDoorPropsRefused(t *testing.T) {
	refs := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("FrontDoorRefs"), nil)
	endpoint := awsec2.InterfaceVpcEndpoint_FromInterfaceVpcEndpointAttributes(refs, jsii.String("Endpoint"), &awsec2.InterfaceVpcEndpointAttributes{
		VpcEndpointId: jsii.String("vpce-0123456789abcdef0"), Port: jsii.Number(443),
	})
	zone := testHostedZone(refs)
	cert := testCertificate(refs)
	private, edge := awsapigateway.EndpointType_PRIVATE, awsapigateway.EndpointType_EDGE
	domain := jsii.String("faces.example.com")
	tests := []struct {
		prop, also string
		props      FaceRecognitionServiceProps
	}{
		{"EndpointType", "", FaceRecognitionServiceProps{EndpointType: "HYBRID"}},
		{"VpcEndpoint", "PRIVATE", FaceRecognitionServiceProps{EndpointType: private}},
		{"VpcEndpoint", "REGIONAL", FaceRecognitionServiceProps{VpcEndpoint: endpoint}},
		{"VpcEndpoint", "EDGE", FaceRecognitionServiceProps{EndpointType: edge, VpcEndpoint: endpoint}},
		{"WebAclArn", "CreateWebAcl", FaceRecognitionServiceProps{WebAclArn: jsii.String(testWebAclArn), CreateWebAcl: jsii.Bool(true)}},
		{"WebAclArn", "regional", FaceRecognitionServiceProps{WebAclArn: jsii.String(strings.Replace(testWebAclArn, "regional/", "global/", 1))}},
		{"WafRateLimit", "CreateWebAcl", FaceRecognitionServiceProps{WafRateLimit: jsii.Number(1000)}},
		{"WafRateLimit", "CreateWebAcl", FaceRecognitionServiceProps{WebAclArn: jsii.String(testWebAclArn), WafRateLimit: jsii.Number(1000)}},
		{"WafRateLimit", "", FaceRecognitionServiceProps{CreateWebAcl: jsii.Bool(true), WafRateLimit: jsii.Number(9)}},
		{"WafRateLimit", "", FaceRecognitionServiceProps{CreateWebAcl: jsii.Bool(true), WafRateLimit: jsii.Number(100.5)}},
		{"HostedZone", "DomainName", FaceRecognitionServiceProps{HostedZone: zone}},
		{"Certificate", "DomainName", FaceRecognitionServiceProps{Certificate: cert}},
		{"BasePath", "DomainName", FaceRecognitionServiceProps{BasePath: jsii.String("faces")}},
		{"DisableExecuteApiEndpoint", "DomainName", FaceRecognitionServiceProps{DisableExecuteApiEndpoint: jsii.Bool(true)}},
		{"HostedZone", "DomainName", FaceRecognitionServiceProps{DomainName: domain}},
		{"DomainName", "EndpointType EDGE", FaceRecognitionServiceProps{DomainName: domain, HostedZone: zone, EndpointType: edge}},
		{"DomainName", "EndpointType PRIVATE", FaceRecognitionServiceProps{DomainName: domain, HostedZone: zone, EndpointType: private, VpcEndpoint: endpoint}},
		{"DomainName", "", FaceRecognitionServiceProps{DomainName: jsii.String("Faces.Example.com"), HostedZone: zone}},
		{"DomainName", "", FaceRecognitionServiceProps{DomainName: jsii.String("faces.example.com."), HostedZone: zone}},
		{"DomainName", "HostedZone", FaceRecognitionServiceProps{DomainName: jsii.String("faces.example.org"), HostedZone: zone}},
		{"DomainName", "HostedZone", FaceRecognitionServiceProps{DomainName: jsii.String("faces-example.com"), HostedZone: zone}},
		{"BasePath", "", FaceRecognitionServiceProps{DomainName: domain, HostedZone: zone, BasePath: jsii.String("v1/faces")}},
		{"BasePath", "", FaceRecognitionServiceProps{DomainName: domain, HostedZone: zone, BasePath: jsii.String("")}},
	}
	for _, tt := range tests {
		t.Run(tt.prop, func(t *testing.T) { assertRefused(t, validationStack(), &tt.props, tt.prop, tt.also) })
	}
}

// TestWafWarningOnlyWithoutWebAcl checks what cdk-nag says of the web ACL:
// APIG3 (stage without a WAFv2 web ACL) warns for the base stack and not
// for the shapes whose stage has one, created or existing.
func TestWafWarningOnlyWithoutWebAcl(t *testing.T) {
	fx := synth()
	for name, f := range map[string]*fixture{"base": fx.base, "Edge": fx.shapes["Edge"], "Private": fx.shapes["Private"]} {
		warnings := assertions.Annotations_FromStack(f.stack).FindWarning(jsii.String("*"),
			assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-APIG3")))
		if got, want := len(*warnings) > 0, name == "base"; got != want {
			t.Errorf("%s: APIG3 warning: %v, want %v", name, got, want)
		}
	}
}
