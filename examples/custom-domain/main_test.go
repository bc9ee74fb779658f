package main

import (
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// TestMain stops the jsii kernel (node) after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// TestSynth synthesizes the app once, offline, and wants the custom domain
// in the template (the certificate validated in the zone, the domain name,
// its mapping and both alias records in the zone from attributes) and no
// cdk-nag AWS Solutions error or warning.
func TestSynth(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := newStack(app)
	template := assertions.Template_FromStack(stack, nil)

	check := func(what string, call func()) {
		t.Helper()
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s: %v", what, r)
			}
		}()
		call()
	}
	check("certificate", func() {
		template.HasResourceProperties(jsii.String("AWS::CertificateManager::Certificate"), map[string]any{
			"DomainName": domainName, "ValidationMethod": "DNS",
			"DomainValidationOptions": []any{map[string]any{"DomainName": domainName, "HostedZoneId": hostedZoneId}},
		})
	})
	check("domain name", func() {
		template.HasResourceProperties(jsii.String("AWS::ApiGateway::DomainName"), map[string]any{
			"DomainName": domainName, "SecurityPolicy": "TLS_1_2",
			"EndpointConfiguration": map[string]any{"Types": []any{"REGIONAL"}},
		})
	})
	check("base path mapping", func() {
		template.ResourceCountIs(jsii.String("AWS::ApiGateway::BasePathMapping"), jsii.Number(1))
	})
	for _, typ := range []string{"A", "AAAA"} {
		check(typ+" record", func() {
			template.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]any{
				"Name": domainName + ".", "Type": typ, "HostedZoneId": hostedZoneId,
			})
		})
	}
	check("web ACL association", func() {
		template.ResourceCountIs(jsii.String("AWS::WAFv2::WebACLAssociation"), jsii.Number(1))
	})
	annotations := assertions.Annotations_FromStack(stack)
	nag := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	findings := append(*annotations.FindError(jsii.String("*"), nag), *annotations.FindWarning(jsii.String("*"), nag)...)
	for _, m := range findings {
		t.Errorf("cdk-nag: %s: %v", *m.Id, m.Entry.Data)
	}
}
