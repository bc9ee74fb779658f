package facerecognition

import (
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/jsii-runtime-go"
)

// Bounds of WafRateLimit: the rate limit of a WAF rate-based rule is at
// least 10 (AWS WAF Developer Guide, "Rate-based rule high-level settings")
// and at most 2,000,000,000 (AWS::WAFv2::WebACL RateBasedStatement, Limit).
// The default lets one client IP send the default ThrottleRateLimit (10
// requests per second) for the whole window.
const (
	minWafRateLimit     = 10
	maxWafRateLimit     = 2_000_000_000
	defaultWafRateLimit = 3000
	// wafRateWindowSeconds is the rate-based rule's evaluation window: WAF
	// takes 60, 120, 300 or 600 seconds, and 300 is its default.
	wafRateWindowSeconds = 300
)

// regionalWebAclArnPattern matches the ARN of a regional WAFv2 web ACL; a
// CloudFront (global) web ACL's ARN has "global" in place of "regional".
var regionalWebAclArnPattern = regexp.MustCompile(`^arn:[a-z-]+:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/[^/]+/[^/]+$`)

// resolveWebAcl checks the web ACL props in s. API Gateway associates a
// stage with a regional web ACL only ("API Gateway requires a Regional web
// ACL", API Gateway Developer Guide, "Using AWS WAF to protect your APIs"),
// and neither that guide nor the WAF Developer Guide, which lists REST APIs
// among the regional resources, excludes an endpoint type: an
// edge-optimized API's stage takes a regional web ACL of the API's region,
// not a CloudFront one, and so does a private API's. So no endpoint type is
// refused with a web ACL; a CloudFront (global) web ACL is.
func resolveWebAcl(p *FaceRecognitionServiceProps, s *settings) {
	if s.webAclArn != "" && s.createWebAcl {
		invalid("WebAclArn", "conflicts with CreateWebAcl true: associate an existing web ACL or create one, not both")
	}
	if p.WafRateLimit != nil && !s.createWebAcl {
		invalid("WafRateLimit", "requires CreateWebAcl true: it is the rate-based rule of the web ACL the construct creates (an existing WebAclArn keeps its own rules)")
	}
	if s.webAclArn != "" && !*awscdk.Token_IsUnresolved(jsii.String(s.webAclArn)) && !regionalWebAclArnPattern.MatchString(s.webAclArn) {
		invalid("WebAclArn", "must be the ARN of a regional WAFv2 web ACL (arn:<partition>:wafv2:<region>:<account>:regional/webacl/<name>/<id>; API Gateway takes no CloudFront web ACL), got %q", s.webAclArn)
	}
}

// Managed rule groups of the web ACL the construct creates, in order of
// evaluation (AWS WAF Developer Guide, "AWS Managed Rules rule groups list").
const (
	ipReputationRuleGroup   = "AWSManagedRulesAmazonIpReputationList"
	commonRuleGroup         = "AWSManagedRulesCommonRuleSet"
	knownBadInputsRuleGroup = "AWSManagedRulesKnownBadInputsRuleSet"
)

// countedBodyRules are the rules of the managed rule groups that inspect the
// request body, by rule group; the web ACL overrides their action to COUNT.
//
// The API's bodies are images: PUT /index/{filename} stores up to API
// Gateway's 10 MB (raw JPEG or PNG bytes, or their base64 text) and POST
// /search takes up to about 7 MB of base64. SizeRestrictions_BODY blocks any
// body over 8 KB, which is every image. The pattern rules (cross-site
// scripting, local and remote file inclusion, EC2 metadata SSRF, Java
// deserialization and Log4j payloads) look for byte sequences that random
// compressed image bytes, or their base64, contain by chance often enough
// to refuse real uploads now and then, with a 403 the client cannot
// explain; and no part of this API interprets the body as HTML, a path, a
// URL or a Java object. COUNT keeps the rules' metrics and labels, so a
// team can still see what they would have blocked. The rules on the URI,
// query string, headers and cookies keep blocking.
var countedBodyRules = map[string][]string{
	commonRuleGroup:         {"SizeRestrictions_BODY", "CrossSiteScripting_BODY", "GenericLFI_BODY", "GenericRFI_BODY", "EC2MetaDataSSRF_BODY"},
	knownBadInputsRuleGroup: {"JavaDeserializationRCE_BODY", "Log4JRCE_BODY"},
}

// addWebAcl associates the API stage with the existing web ACL, or with the
// one it creates, if the props ask for either.
func (s *FaceRecognitionService) addWebAcl(cfg *settings) {
	arn := cfg.webAclArn
	if cfg.createWebAcl {
		s.WebAcl = awswafv2.NewCfnWebACL(s.Construct, jsii.String("WebAcl"), webAclProps(s.metricName(), cfg.wafRateLimit))
		arn = *s.WebAcl.AttrArn()
	}
	if arn == "" {
		return
	}
	s.WebAclAssociation = awswafv2.NewCfnWebACLAssociation(s.Construct, jsii.String("WebAclAssociation"), &awswafv2.CfnWebACLAssociationProps{
		ResourceArn: s.Api.DeploymentStage().StageArn(),
		WebAclArn:   jsii.String(arn),
	})
}

// metricName is the CloudWatch metric name of the web ACL, unique per
// construct path ([A-Za-z0-9-], as WAF metric names allow).
func (s *FaceRecognitionService) metricName() string {
	return *awscdk.Names_UniqueResourceName(s.Construct, &awscdk.UniqueResourceNameOptions{
		Separator: jsii.String("-"), MaxLength: jsii.Number(128),
	})
}

// webAclProps are the props of a REGIONAL web ACL that allows by default and
// evaluates, in order: the Amazon IP reputation list, the core rule set and
// the known bad inputs (each with its own actions, except countedBodyRules),
// then a rate-based rule blocking a client IP over rateLimit requests in
// wafRateWindowSeconds. Every rule has CloudWatch metrics and sampled
// requests under metric, its name and the rule's.
func webAclProps(metric string, rateLimit int) *awswafv2.CfnWebACLProps {
	visibility := func(name string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{
			CloudWatchMetricsEnabled: jsii.Bool(true),
			MetricName:               jsii.String(name),
			SampledRequestsEnabled:   jsii.Bool(true),
		}
	}
	empty := map[string]interface{}{}
	var rules []interface{}
	for i, group := range []string{ipReputationRuleGroup, commonRuleGroup, knownBadInputsRuleGroup} {
		var overrides []interface{}
		for _, rule := range countedBodyRules[group] {
			overrides = append(overrides, &awswafv2.CfnWebACL_RuleActionOverrideProperty{
				Name:        jsii.String(rule),
				ActionToUse: &awswafv2.CfnWebACL_RuleActionProperty{Count: empty},
			})
		}
		statement := &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{VendorName: jsii.String("AWS"), Name: jsii.String(group)}
		if overrides != nil {
			statement.RuleActionOverrides = overrides
		}
		rules = append(rules, &awswafv2.CfnWebACL_RuleProperty{
			Name:             jsii.String(group),
			Priority:         jsii.Number(i),
			OverrideAction:   &awswafv2.CfnWebACL_OverrideActionProperty{None: empty},
			Statement:        &awswafv2.CfnWebACL_StatementProperty{ManagedRuleGroupStatement: statement},
			VisibilityConfig: visibility(metric + "-" + group),
		})
	}
	rules = append(rules, &awswafv2.CfnWebACL_RuleProperty{
		Name:     jsii.String("RateLimitPerIp"),
		Priority: jsii.Number(len(rules)),
		Action:   &awswafv2.CfnWebACL_RuleActionProperty{Block: empty},
		Statement: &awswafv2.CfnWebACL_StatementProperty{RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
			AggregateKeyType:    jsii.String("IP"),
			Limit:               jsii.Number(rateLimit),
			EvaluationWindowSec: jsii.Number(wafRateWindowSeconds),
		}},
		VisibilityConfig: visibility(metric + "-RateLimitPerIp"),
	})
	return &awswafv2.CfnWebACLProps{
		Scope:            jsii.String("REGIONAL"),
		Description:      jsii.String("Face recognition API: AWS managed rules, request-body rules counting only, and a rate limit per client IP"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: empty},
		Rules:            rules,
		VisibilityConfig: visibility(metric),
	}
}
