package facerecognition

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// TestNoUnsuppressedNagErrors wants no cdk-nag AWS Solutions error left in
// any configuration (the variant's stack suppresses the authorization rules
// itself, as an app that makes the API public would).
func TestNoUnsuppressedNagErrors(t *testing.T) {
	fx := synth()
	for name, f := range fx.all() {
		errs := assertions.Annotations_FromStack(f.stack).FindError(jsii.String("*"),
			assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))
		for _, e := range *errs {
			t.Errorf("%s: %s: %v", name, *e.Id, e.Entry.Data)
		}
	}
}

// TestNagSuppressionsAreJustified checks every suppression the construct
// records: it gives a reason, and the wildcard and managed-policy rules
// (IAM4, IAM5) name the exact findings they cover. With Authorization NONE
// the construct suppresses no authorization rule: that is the app's call.
func TestNagSuppressionsAreJustified(t *testing.T) {
	fx := synth()
	for name, f := range fx.all() {
		rules := map[string]int{}
		for id, r := range f.resources {
			md, _ := r["Metadata"].(map[string]any)
			nag, _ := md["cdk_nag"].(map[string]any)
			for _, s := range asList(nag["rules_to_suppress"]) {
				s := s.(map[string]any)
				rule, _ := s["id"].(string)
				rules[rule]++
				if reason, _ := s["reason"].(string); len(reason) < 40 {
					t.Errorf("%s: %s suppresses %s with reason %q", name, id, rule, reason)
				}
				if (rule == "AwsSolutions-IAM4" || rule == "AwsSolutions-IAM5") && len(asList(s["applies_to"])) == 0 {
					t.Errorf("%s: %s suppresses every %s finding, not named ones", name, id, rule)
				}
			}
		}
		if fx.shapes[name] != nil {
			continue // each shape's test checks its own suppressions
		}
		apiKeys := name != "variant"
		if got := rules["AwsSolutions-APIG4"] > 0; got != apiKeys {
			t.Errorf("%s: APIG4 suppressed: %v, want %v", name, got, apiKeys)
		}
		noLogging := name == "variant"
		if got := rules["AwsSolutions-APIG1"] > 0 && rules["AwsSolutions-APIG6"] > 0; got != noLogging {
			t.Errorf("%s: APIG1 and APIG6 suppressed: %v, want %v", name, got, noLogging)
		}
		for rule := range rules {
			if !strings.HasPrefix(rule, "AwsSolutions-") {
				t.Errorf("%s: suppression of %q", name, rule)
			}
		}
	}
}

// TestWildcardReasonsAreUsed wants every reason of wildcardReasons to be
// for a grant its function's row of contract.Functions has, so that no
// reason outlives its wildcard (a row's wildcard without a reason panics
// at synth).
func TestWildcardReasonsAreUsed(t *testing.T) {
	for name, reasons := range wildcardReasons {
		f, ok := contract.FunctionNamed(name)
		if !ok {
			t.Errorf("wildcardReasons has %s, which is not a function of contract.Functions", name)
			continue
		}
		for field := range reasons {
			has := map[string]bool{"AnyResource": len(f.Grants.AnyResource) > 0, "EraseImages": f.Grants.EraseImages, "ReadImageVersions": f.Grants.ReadImageVersions, "RewriteImages": f.Grants.RewriteImages}
			if used, known := has[field]; !known || !used {
				t.Errorf("wildcardReasons has a reason for %s %s, which its row does not grant", name, field)
			}
		}
	}
}
