package facerecognition

import (
	"reflect"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"
)

// The hosted zone and existing certificate of the custom domain shapes.
const (
	testZoneId         = "Z0123456789EXAMPLEZONE"
	testZoneName       = "example.com"
	testCertificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE22222"
)

// testHostedZone is the hosted zone example.com, from attributes, in scope.
func testHostedZone(scope awscdk.Stack) awsroute53.IHostedZone {
	return awsroute53.HostedZone_FromHostedZoneAttributes(scope, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String(testZoneId), ZoneName: jsii.String(testZoneName),
	})
}

// testCertificate is the existing certificate testCertificateArn, in scope.
func testCertificate(scope awscdk.Stack) awscertificatemanager.ICertificate {
	return awscertificatemanager.Certificate_FromCertificateArn(scope, jsii.String("Certificate"), jsii.String(testCertificateArn))
}

func init() {
	// faces.example.com at the domain's root, with a new certificate.
	registerShape("DomainNewCertificate", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		return &FaceRecognitionServiceProps{DomainName: jsii.String("faces.example.com"), HostedZone: testHostedZone(stack)}
	})
	// api.example.com/faces, with an existing certificate, keeping the
	// execute-api endpoint.
	registerShape("DomainExistingCertificate", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		return &FaceRecognitionServiceProps{
			DomainName: jsii.String("api.example.com"), HostedZone: testHostedZone(stack),
			Certificate: testCertificate(stack), BasePath: jsii.String("faces"),
			DisableExecuteApiEndpoint: jsii.Bool(false),
		}
	})
}

// TestCustomDomain checks both custom domain shapes: the certificate
// (created and DNS-validated in the zone, or the existing one), the regional
// dual-stack domain name with TLS 1.2, the base path mapping to the stage,
// the A and AAAA alias records in the zone, and the execute-api endpoint
// disabled unless the props keep it; and no domain resources in the base
// stack, whose execute-api endpoint stays.
func TestCustomDomain(t *testing.T) {
	fx := synth()
	for _, typ := range []string{"AWS::ApiGateway::DomainName", "AWS::ApiGateway::BasePathMapping", "AWS::Route53::RecordSet", "AWS::CertificateManager::Certificate"} {
		if n := len(fx.base.ofType(typ)); n != 0 {
			t.Errorf("base: %d %s", n, typ)
		}
	}
	if fx.base.svc.DomainName != nil || fx.base.svc.Certificate != nil {
		t.Error("base: DomainName or Certificate field set")
	}
	executeApiDisabled := func(f *fixture) bool {
		_, api := only(t, f.ofType("AWS::ApiGateway::RestApi"))
		return api["Properties"].(map[string]any)["DisableExecuteApiEndpoint"] == true
	}
	if executeApiDisabled(fx.base) {
		t.Error("base: the execute-api endpoint is disabled")
	}
	for _, tt := range []struct {
		shape, domain, basePath            string
		newCertificate, executeApiDisabled bool
	}{
		{"DomainNewCertificate", "faces.example.com", "", true, true},
		{"DomainExistingCertificate", "api.example.com", "faces", false, false},
	} {
		t.Run(tt.shape, func(t *testing.T) {
			f := fx.shapes[tt.shape]
			if got := executeApiDisabled(f); got != tt.executeApiDisabled {
				t.Errorf("execute-api endpoint disabled: %v, want %v", got, tt.executeApiDisabled)
			}
			var certificate any = testCertificateArn
			certs := f.ofType("AWS::CertificateManager::Certificate")
			if tt.newCertificate {
				id, cert := only(t, certs)
				certificate = ref(id)
				if id != logicalID(f.svc.Certificate) {
					t.Errorf("Certificate field is not %s", id)
				}
				want := map[string]any{
					"DomainName": tt.domain, "ValidationMethod": "DNS",
					"DomainValidationOptions": []any{map[string]any{"DomainName": tt.domain, "HostedZoneId": testZoneId}},
				}
				for k, v := range want {
					if got := cert["Properties"].(map[string]any)[k]; !reflect.DeepEqual(jsonValue(got), jsonValue(v)) {
						t.Errorf("certificate %s %s, want %s", k, jsonString(got), jsonString(v))
					}
				}
			} else if len(certs) != 0 || f.svc.Certificate != nil {
				t.Errorf("%d certificates created, Certificate field %v; want none", len(certs), f.svc.Certificate)
			}

			domainID, domain := only(t, f.ofType("AWS::ApiGateway::DomainName"))
			if domainID != logicalID(f.svc.DomainName) {
				t.Errorf("DomainName field is not %s", domainID)
			}
			wantDomain := map[string]any{
				"DomainName": tt.domain, "RegionalCertificateArn": certificate, "SecurityPolicy": "TLS_1_2",
				"EndpointConfiguration": map[string]any{"Types": []any{"REGIONAL"}, "IpAddressType": "dualstack"},
			}
			if got := domain["Properties"]; !reflect.DeepEqual(jsonValue(got), jsonValue(wantDomain)) {
				t.Errorf("domain name\n got %s\nwant %s", jsonString(got), jsonString(wantDomain))
			}

			_, mapping := only(t, f.ofType("AWS::ApiGateway::BasePathMapping"))
			wantMapping := map[string]any{
				"DomainName": ref(domainID), "RestApiId": ref(logicalID(f.svc.Api)), "Stage": ref(logicalID(f.svc.Api.DeploymentStage())),
			}
			if tt.basePath != "" {
				wantMapping["BasePath"] = tt.basePath
			}
			if got := mapping["Properties"]; !reflect.DeepEqual(jsonValue(got), jsonValue(wantMapping)) {
				t.Errorf("base path mapping\n got %s\nwant %s", jsonString(got), jsonString(wantMapping))
			}

			types := map[string]bool{}
			for id, r := range f.ofType("AWS::Route53::RecordSet") {
				p := r["Properties"].(map[string]any)
				types[p["Type"].(string)] = true
				alias := map[string]any{
					"DNSName":      map[string]any{"Fn::GetAtt": []any{domainID, "RegionalDomainName"}},
					"HostedZoneId": map[string]any{"Fn::GetAtt": []any{domainID, "RegionalHostedZoneId"}},
				}
				if p["Name"] != tt.domain+"." || p["HostedZoneId"] != testZoneId || !reflect.DeepEqual(jsonValue(p["AliasTarget"]), jsonValue(alias)) {
					t.Errorf("record %s: %s", id, jsonString(p))
				}
			}
			if !reflect.DeepEqual(types, map[string]bool{"A": true, "AAAA": true}) {
				t.Errorf("alias record types %v, want A and AAAA", types)
			}
		})
	}
}
