package facerecognition

import (
	"reflect"
	"testing"
)

// TestWebAclAssociation wants the stage of the Edge shape associated with
// the existing web ACL, and that of the Private shape with the web ACL the
// construct created; the base stack has neither.
func TestWebAclAssociation(t *testing.T) {
	fx := synth()
	if n := len(fx.base.ofType("AWS::WAFv2::WebACLAssociation")) + len(fx.base.ofType("AWS::WAFv2::WebACL")); n != 0 || fx.base.svc.WebAclAssociation != nil {
		t.Errorf("base: %d web ACL resources, association field %v", n, fx.base.svc.WebAclAssociation)
	}
	for _, tt := range []struct {
		name   string
		webAcl any
	}{
		{"Edge", testWebAclArn},
		{"Private", getAtt(logicalID(fx.shapes["Private"].svc.WebAcl))},
	} {
		f := fx.shapes[tt.name]
		id, assoc := only(t, f.ofType("AWS::WAFv2::WebACLAssociation"))
		if id != logicalID(f.svc.WebAclAssociation) {
			t.Errorf("%s: WebAclAssociation field is not %s", tt.name, id)
		}
		stage := logicalID(f.svc.Api.DeploymentStage())
		api := logicalID(f.svc.Api)
		want := map[string]any{
			"WebACLArn": tt.webAcl,
			"ResourceArn": map[string]any{"Fn::Join": []any{"", []any{
				"arn:", map[string]any{"Ref": "AWS::Partition"}, ":apigateway:", map[string]any{"Ref": "AWS::Region"},
				"::/restapis/", ref(api), "/stages/", ref(stage),
			}}},
		}
		if got := assoc["Properties"]; !reflect.DeepEqual(jsonValue(got), jsonValue(want)) {
			t.Errorf("%s: association\n got %s\nwant %s", tt.name, jsonString(got), jsonString(want))
		}
	}
	if fx.shapes["Edge"].svc.WebAcl != nil || len(fx.shapes["Edge"].ofType("AWS::WAFv2::WebACL")) != 0 {
		t.Error("Edge: a web ACL was created for an existing WebAclArn")
	}
}

// TestCreatedWebAcl checks the web ACL of the Private shape: regional,
// allowing by default, the three managed rule groups in order with the
// request-body rules of the core rule set and known bad inputs counting
// only, then the rate-based rule blocking a client IP over WafRateLimit
// requests in 5 minutes.
func TestCreatedWebAcl(t *testing.T) {
	f := synth().shapes["Private"]
	_, acl := only(t, f.ofType("AWS::WAFv2::WebACL"))
	p := acl["Properties"].(map[string]any)
	if p["Scope"] != "REGIONAL" || !reflect.DeepEqual(p["DefaultAction"], map[string]any{"Allow": map[string]any{}}) {
		t.Errorf("Scope %v, DefaultAction %v; want REGIONAL, Allow", p["Scope"], p["DefaultAction"])
	}
	count := func(names ...string) []any {
		var out []any
		for _, n := range names {
			out = append(out, map[string]any{"Name": n, "ActionToUse": map[string]any{"Count": map[string]any{}}})
		}
		return out
	}
	managed := func(priority int, group string, overrides []any) map[string]any {
		statement := map[string]any{"VendorName": "AWS", "Name": group}
		if overrides != nil {
			statement["RuleActionOverrides"] = overrides
		}
		return map[string]any{"Name": group, "Priority": priority, "OverrideAction": map[string]any{"None": map[string]any{}},
			"Statement": map[string]any{"ManagedRuleGroupStatement": statement}}
	}
	want := []any{
		managed(0, "AWSManagedRulesAmazonIpReputationList", nil),
		managed(1, "AWSManagedRulesCommonRuleSet", count("SizeRestrictions_BODY", "CrossSiteScripting_BODY", "GenericLFI_BODY", "GenericRFI_BODY", "EC2MetaDataSSRF_BODY")),
		managed(2, "AWSManagedRulesKnownBadInputsRuleSet", count("JavaDeserializationRCE_BODY", "Log4JRCE_BODY")),
		map[string]any{"Name": "RateLimitPerIp", "Priority": 3, "Action": map[string]any{"Block": map[string]any{}},
			"Statement": map[string]any{"RateBasedStatement": map[string]any{"AggregateKeyType": "IP", "Limit": 500, "EvaluationWindowSec": 300}}},
	}
	rules, _ := p["Rules"].([]any)
	var got []any
	for _, r := range rules {
		r := r.(map[string]any)
		vc, _ := r["VisibilityConfig"].(map[string]any)
		if vc["CloudWatchMetricsEnabled"] != true || vc["SampledRequestsEnabled"] != true || vc["MetricName"] == "" {
			t.Errorf("rule %v: VisibilityConfig %v", r["Name"], vc)
		}
		trimmed := map[string]any{}
		for k, v := range r {
			if k != "VisibilityConfig" {
				trimmed[k] = v
			}
		}
		got = append(got, trimmed)
	}
	if !reflect.DeepEqual(jsonValue(got), jsonValue(want)) {
		t.Errorf("rules\n got %s\nwant %s", jsonString(got), jsonString(want))
	}
}
