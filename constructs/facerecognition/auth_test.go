package facerecognition

import (
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/facerec/facerec-cdk/contract"
)

// appUserPoolID is the construct id of the user pool the
// AuthCognitoExistingPool shape's app creates and passes as UserPool.
const appUserPoolID = "AppUserPool"

func init() {
	registerShape("AuthIam", func(awscdk.Stack) *FaceRecognitionServiceProps {
		return &FaceRecognitionServiceProps{Authorization: AuthorizationIam}
	})
	registerShape("AuthCognito", func(awscdk.Stack) *FaceRecognitionServiceProps {
		return &FaceRecognitionServiceProps{Authorization: AuthorizationCognito}
	})
	registerShape("AuthCognitoExistingPool", func(stack awscdk.Stack) *FaceRecognitionServiceProps {
		// The app's own pool, with CDK's defaults: its policies are the
		// app's, so the app records its own cdk-nag decisions.
		pool := awscognito.NewUserPool(stack, jsii.String(appUserPoolID), &awscognito.UserPoolProps{RemovalPolicy: awscdk.RemovalPolicy_DESTROY})
		for _, rule := range []string{"AwsSolutions-COG1", "AwsSolutions-COG8"} {
			cdknag.NagSuppressions_AddResourceSuppressions(pool, &[]*cdknag.NagPackSuppression{{
				Id: jsii.String(rule), Reason: jsii.String("The test app's pool stands for one an app already has; its policies are the app's"),
			}}, nil)
		}
		return &FaceRecognitionServiceProps{Authorization: AuthorizationCognito, UserPool: pool}
	})
}

// authShapes are the stacks of the shared synth whose authorization mode
// the tests know, with that mode.
var authShapes = map[string]Authorization{
	"base":                    AuthorizationApiKey,
	"existing":                AuthorizationApiKey,
	"variant":                 AuthorizationNone,
	"AuthIam":                 AuthorizationIam,
	"AuthCognito":             AuthorizationCognito,
	"AuthCognitoExistingPool": AuthorizationCognito,
}

// TestAuthorization_methods checks every method of each mode's API: the
// routes are the default API's, each with the mode's AuthorizationType,
// API key requirement and (COGNITO) authorizer, and the CORS preflights
// are unauthenticated.
func TestAuthorization_methods(t *testing.T) {
	fx := synth()
	routes := fx.base.apiRoutes(t)
	wantType := map[Authorization]string{
		AuthorizationApiKey: "NONE", AuthorizationNone: "NONE", AuthorizationIam: "AWS_IAM", AuthorizationCognito: "COGNITO_USER_POOLS",
	}
	for name, mode := range authShapes {
		f := fx.all()[name]
		if got := f.apiRoutes(t); !slices.Equal(got, routes) {
			t.Errorf("%s: routes %v, want %v", name, got, routes)
		}
		var authorizer any // absent
		if mode == AuthorizationCognito {
			authorizer = ref(logicalID(f.svc.Authorizer))
		}
		for id := range f.ofType("AWS::ApiGateway::Method") {
			p := f.props(id)
			method := p["HttpMethod"]
			if method == "OPTIONS" {
				if p["AuthorizationType"] != "NONE" || p["AuthorizerId"] != nil || p["ApiKeyRequired"] == true {
					t.Errorf("%s: preflight %s: AuthorizationType %v, AuthorizerId %v, ApiKeyRequired %v; want it unauthenticated",
						name, id, p["AuthorizationType"], p["AuthorizerId"], p["ApiKeyRequired"])
				}
				continue
			}
			if p["AuthorizationType"] != wantType[mode] || p["ApiKeyRequired"] != (mode == AuthorizationApiKey) ||
				jsonString(p["AuthorizerId"]) != jsonString(authorizer) {
				t.Errorf("%s: %s %s: AuthorizationType %v, ApiKeyRequired %v, AuthorizerId %v; want %s, %v, %v",
					name, method, id, p["AuthorizationType"], p["ApiKeyRequired"], p["AuthorizerId"],
					wantType[mode], mode == AuthorizationApiKey, authorizer)
			}
		}
	}
}

// TestAuthorization_resources checks what each mode creates: the key and
// usage plan only with API_KEY, the authorizer only with COGNITO, and a user
// pool and client only with COGNITO without a UserPool prop; and the
// request headers the CORS preflights allow.
func TestAuthorization_resources(t *testing.T) {
	fx := synth()
	for name, mode := range authShapes {
		f := fx.all()[name]
		svc := f.svc
		keys := 0
		if mode == AuthorizationApiKey {
			keys = 1
		}
		for _, typ := range []string{"AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::UsagePlanKey"} {
			if got := len(f.ofType(typ)); got != keys {
				t.Errorf("%s: %d %s, want %d", name, got, typ, keys)
			}
		}
		if (svc.ApiKey != nil) != (keys == 1) || (svc.UsagePlan != nil) != (keys == 1) {
			t.Errorf("%s: ApiKey %v, UsagePlan %v; want them only with API_KEY", name, svc.ApiKey, svc.UsagePlan)
		}
		authorizers := 0
		if mode == AuthorizationCognito {
			authorizers = 1
		}
		if got := len(f.ofType("AWS::ApiGateway::Authorizer")); got != authorizers || (svc.Authorizer != nil) != (authorizers == 1) {
			t.Errorf("%s: %d authorizers, field %v; want %d", name, got, svc.Authorizer, authorizers)
		}
		newPool := name == "AuthCognito"
		if (svc.UserPool != nil) != newPool || (svc.UserPoolClient != nil) != newPool {
			t.Errorf("%s: UserPool %v, UserPoolClient %v; want them only for a new pool", name, svc.UserPool, svc.UserPoolClient)
		}
		pools, clients := 0, 0
		if newPool || name == "AuthCognitoExistingPool" {
			pools = 1 // the construct's, or the app's
		}
		if newPool {
			clients = 1
		}
		if got := len(f.ofType("AWS::Cognito::UserPool")); got != pools {
			t.Errorf("%s: %d user pools, want %d", name, got, pools)
		}
		if got := len(f.ofType("AWS::Cognito::UserPoolClient")); got != clients {
			t.Errorf("%s: %d user pool clients, want %d", name, got, clients)
		}

		headers := contract.CORSAllowHeaders
		switch mode {
		case AuthorizationCognito:
			headers += ",Authorization"
		case AuthorizationIam:
			headers += ",Authorization,X-Amz-Date,X-Amz-Security-Token"
		}
		assertion(t, name+": preflights allow the mode's headers", func() {
			f.template.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), map[string]any{
				"HttpMethod": "OPTIONS",
				"Integration": map[string]any{"IntegrationResponses": []any{map[string]any{
					"ResponseParameters": map[string]any{"method.response.header.Access-Control-Allow-Headers": "'" + headers + "'"},
				}}},
			}, jsii.Number(float64(preflights())))
		})
	}

	existing := fx.shapes["AuthCognitoExistingPool"]
	assertion(t, "the authorizer of an existing pool", func() {
		existing.template.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), map[string]any{
			"Type":           "COGNITO_USER_POOLS",
			"ProviderARNs":   []any{getAtt(logicalID(existing.stack.Node().FindChild(jsii.String(appUserPoolID))))},
			"IdentitySource": "method.request.header.Authorization",
			"RestApiId":      ref(logicalID(existing.svc.Api)),
		})
	})
}

// TestAuthorization_newUserPool checks the user pool, app client and
// authorizer COGNITO creates without a UserPool prop, and that cdk-nag's
// Cognito rules find nothing to warn about in them.
func TestAuthorization_newUserPool(t *testing.T) {
	f := synth().shapes["AuthCognito"]
	svc := f.svc
	pool := logicalID(svc.UserPool)
	assertion(t, "user pool", func() {
		f.template.HasResource(jsii.String("AWS::Cognito::UserPool"), map[string]any{
			"DeletionPolicy":      "Retain",
			"UpdateReplacePolicy": "Retain",
			"Properties": map[string]any{
				"AdminCreateUserConfig":  map[string]any{"AllowAdminCreateUserOnly": true},
				"UsernameAttributes":     []any{"email"},
				"AutoVerifiedAttributes": []any{"email"},
				"AccountRecoverySetting": map[string]any{"RecoveryMechanisms": []any{map[string]any{"Name": "verified_email", "Priority": 1}}},
				"Policies": map[string]any{"PasswordPolicy": assertions.Match_ObjectEquals(&map[string]any{
					"MinimumLength": 12, "RequireLowercase": true, "RequireUppercase": true, "RequireNumbers": true,
					"RequireSymbols": true, "TemporaryPasswordValidityDays": 3, "PasswordHistorySize": 5,
				})},
				"MfaConfiguration":   "ON",
				"EnabledMfas":        []any{"SOFTWARE_TOKEN_MFA"},
				"UserPoolTier":       "PLUS",
				"UserPoolAddOns":     map[string]any{"AdvancedSecurityMode": "ENFORCED"},
				"DeletionProtection": "ACTIVE",
			},
		})
	})
	assertion(t, "app client", func() {
		f.template.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolClient"), map[string]any{
			"UserPoolId":                 ref(pool),
			"GenerateSecret":             false,
			"ExplicitAuthFlows":          []any{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
			"AllowedOAuthFlows":          assertions.Match_Absent(),
			"CallbackURLs":               assertions.Match_Absent(),
			"PreventUserExistenceErrors": "ENABLED",
		})
	})
	assertion(t, "authorizer", func() {
		f.template.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), map[string]any{
			"Type":           "COGNITO_USER_POOLS",
			"ProviderARNs":   []any{getAtt(pool)},
			"IdentitySource": "method.request.header.Authorization",
			"RestApiId":      ref(logicalID(svc.Api)),
		})
	})
	// COG2 (MFA) is a warning, which TestNoUnsuppressedNagErrors does not
	// see. The app's pool of CDK defaults, without MFA, shows that the
	// search finds it.
	cogWarnings := func(stack awscdk.Stack) []*cxapi.SynthesisMessage {
		return *assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"),
			assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-COG.*")))
	}
	for _, w := range cogWarnings(f.stack) {
		t.Errorf("cdk-nag warning on %s: %v", *w.Id, w.Entry.Data)
	}
	if len(cogWarnings(synth().shapes["AuthCognitoExistingPool"].stack)) == 0 {
		t.Error("no cdk-nag COG2 warning on the app's pool without MFA: the warning search finds nothing")
	}
	for removal, protected := range map[awscdk.RemovalPolicy]bool{
		awscdk.RemovalPolicy_RETAIN: true, awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE: true, awscdk.RemovalPolicy_DESTROY: false,
	} {
		if p := userPoolProps(removal); *p.DeletionProtection != protected || p.RemovalPolicy != removal {
			t.Errorf("RemovalPolicy %s: user pool deletion protection %v, removal policy %s; want %v, %s",
				removal, *p.DeletionProtection, p.RemovalPolicy, protected, removal)
		}
	}
}

// TestAuthorization_nagSuppressions wants, on the construct's resources,
// exactly the authorization suppressions each mode needs: APIG4 and COG4 on
// every method (and so its Lambda permission) with API_KEY, COG4 alone with IAM, none with COGNITO (it
// passes both rules, and the new pool passes the Cognito rules) or NONE
// (the app decides); never on a CORS preflight, and no Cognito rule
// suppressed anywhere.
func TestAuthorization_nagSuppressions(t *testing.T) {
	fx := synth()
	want := map[Authorization][]string{
		AuthorizationApiKey: {"AwsSolutions-APIG4", "AwsSolutions-COG4"},
		AuthorizationIam:    {"AwsSolutions-COG4"},
	}
	authRules := []string{"AwsSolutions-APIG4", "AwsSolutions-COG1", "AwsSolutions-COG2", "AwsSolutions-COG4", "AwsSolutions-COG8"}
	for name, mode := range authShapes {
		f := fx.all()[name]
		// The construct's resources, and what each should suppress: a
		// method's suppressions cover its children (its Lambda permissions).
		expected := map[string][]string{}
		cfnIDs := func(c constructs.IConstruct, rules []string) {
			for _, c := range *c.Node().FindAll(constructs.ConstructOrder_PREORDER) {
				if el, ok := c.(awscdk.CfnElement); ok {
					expected[logicalID(el)] = rules
				}
			}
		}
		cfnIDs(f.svc, nil)
		for _, m := range *f.svc.Api.Methods() {
			if *m.HttpMethod() != "OPTIONS" {
				cfnIDs(m, want[mode])
			}
		}
		for id, r := range f.resources {
			if _, own := expected[id]; !own {
				continue // the app's resources
			}
			md, _ := r["Metadata"].(map[string]any)
			nag, _ := md["cdk_nag"].(map[string]any)
			var got []string
			for _, s := range asList(nag["rules_to_suppress"]) {
				if rule, _ := s.(map[string]any)["id"].(string); slices.Contains(authRules, rule) {
					got = append(got, rule)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, expected[id]) {
				t.Errorf("%s: %s (%s) suppresses %v, want %v", name, id, r["Type"], got, expected[id])
			}
		}
	}
}

// TestAuthorization_refusals feeds invalid and conflicting authorization
// props to the constructor and wants a panic naming the prop (and, for a
// conflict, the Authorization it conflicts with).
func TestAuthorization_refusals(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("AuthValidationStack"), nil)
	pool := awscognito.UserPool_FromUserPoolId(stack, jsii.String("Pool"), jsii.String("us-east-1_EXAMPLE"))
	tests := []struct {
		prop, conflict string
		props          FaceRecognitionServiceProps
	}{
		{"Authorization", "", FaceRecognitionServiceProps{Authorization: "OAUTH"}},
		{"UserPool", "API_KEY", FaceRecognitionServiceProps{UserPool: pool}},
		{"UserPool", "IAM", FaceRecognitionServiceProps{Authorization: AuthorizationIam, UserPool: pool}},
		{"UserPool", "NONE", FaceRecognitionServiceProps{Authorization: AuthorizationNone, UserPool: pool}},
		{"QuotaLimit", "IAM", FaceRecognitionServiceProps{Authorization: AuthorizationIam, QuotaLimit: jsii.Number(100)}},
		{"QuotaLimit", "COGNITO", FaceRecognitionServiceProps{Authorization: AuthorizationCognito, QuotaLimit: jsii.Number(100)}},
		{"QuotaPeriod", "COGNITO", FaceRecognitionServiceProps{Authorization: AuthorizationCognito, QuotaPeriod: awsapigateway.Period_MONTH}},
		{"QuotaPeriod", "NONE", FaceRecognitionServiceProps{Authorization: AuthorizationNone, QuotaPeriod: awsapigateway.Period_WEEK}},
	}
	for _, tt := range tests {
		t.Run(tt.prop+"/"+tt.conflict, func(t *testing.T) {
			var says []string
			if tt.conflict != "" {
				says = append(says, "conflicts with Authorization "+tt.conflict)
			}
			assertRefused(t, stack, &tt.props, tt.prop, says...)
		})
	}
}
