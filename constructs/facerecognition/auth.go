package facerecognition

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// Authorization chooses how API Gateway authenticates the callers of every
// method of the API. The CORS preflights (OPTIONS) are answered without
// authentication in every mode: browsers send them without credentials.
type Authorization string

const (
	// AuthorizationApiKey requires an API key in the x-api-key header, and
	// creates the key and a usage plan that throttles it and enforces its
	// quota (ThrottleRateLimit, ThrottleBurstLimit, QuotaLimit,
	// QuotaPeriod). An API key identifies a client; it is a shared secret,
	// not a user's credential.
	AuthorizationApiKey Authorization = "API_KEY"
	// AuthorizationIam requires requests signed with AWS Signature Version 4
	// (AuthorizationType AWS_IAM): the caller's IAM identity needs
	// execute-api:Invoke on the method, such as on
	// Api.ArnForExecuteApi(method, path, stage).
	AuthorizationIam Authorization = "IAM"
	// AuthorizationCognito requires a Cognito user pool ID token in the
	// Authorization header, checked by a Cognito user pool authorizer:
	// tokens of the UserPool prop's pool, or of a pool the construct creates
	// (see FaceRecognitionService.UserPool) when that prop is nil.
	AuthorizationCognito Authorization = "COGNITO"
	// AuthorizationNone makes the API public: no key, no usage plan, no
	// authorizer. The cdk-nag findings about authorization (AwsSolutions-APIG4
	// and AwsSolutions-COG4) are left for the app to decide.
	AuthorizationNone Authorization = "NONE"
)

// defaultAuthorization is the Authorization of props that set none.
const defaultAuthorization = AuthorizationApiKey

// Request headers the CORS preflights allow besides contract.CORSAllowHeaders:
// the Authorization header carries a Cognito token or a SigV4 signature, and
// SigV4 also signs with X-Amz-Date and, for temporary credentials (such as a
// Cognito identity pool's), X-Amz-Security-Token (AWS General Reference,
// "Signature Version 4 signing process").
var (
	cognitoCORSHeaders = []string{"Authorization"}
	sigV4CORSHeaders   = []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token"}
)

// resolveAuthorization applies the default Authorization of p to s and
// checks the props that depend on the mode: UserPool only with COGNITO,
// QuotaLimit and QuotaPeriod only with API_KEY.
func resolveAuthorization(p *FaceRecognitionServiceProps, s *settings) {
	s.authorization = p.Authorization
	if s.authorization == "" {
		s.authorization = defaultAuthorization
	}
	switch s.authorization {
	case AuthorizationApiKey, AuthorizationIam, AuthorizationCognito, AuthorizationNone:
	default:
		invalid("Authorization", "must be API_KEY, IAM, COGNITO or NONE, got %q", s.authorization)
	}
	s.userPool = p.UserPool
	if s.userPool != nil && s.authorization != AuthorizationCognito {
		invalid("UserPool", "conflicts with Authorization %s: a user pool authorizes only with Authorization COGNITO", s.authorization)
	}
	if s.authorization != AuthorizationApiKey {
		if p.QuotaLimit != nil {
			invalid("QuotaLimit", "conflicts with Authorization %s: quotas apply to API keys (Authorization API_KEY)", s.authorization)
		}
		if p.QuotaPeriod != "" {
			invalid("QuotaPeriod", "conflicts with Authorization %s: quotas apply to API keys (Authorization API_KEY)", s.authorization)
		}
	}
}

// addAuthorizer creates, with Authorization COGNITO, the Cognito user pool
// authorizer of the API's methods, on the props' user pool or on a new one
// (see userPoolProps) with an app client (see userPoolClientOptions). It
// records the authorizer in cfg for the methods. Other modes create nothing.
func (s *FaceRecognitionService) addAuthorizer(cfg *settings) {
	if cfg.authorization != AuthorizationCognito {
		return
	}
	pool := cfg.userPool
	if pool == nil {
		s.UserPool = awscognito.NewUserPool(s.Construct, jsii.String("UserPool"), userPoolProps(cfg.removalPolicy))
		s.UserPoolClient = s.UserPool.AddClient(jsii.String("Client"), userPoolClientOptions())
		pool = s.UserPool
	}
	s.Authorizer = awsapigateway.NewCognitoUserPoolsAuthorizer(s.Construct, jsii.String("Authorizer"), &awsapigateway.CognitoUserPoolsAuthorizerProps{
		CognitoUserPools: &[]awscognito.IUserPool{pool},
	})
	cfg.authorizer = s.Authorizer
}

// authorize sets the authorization of a method of the API (any but a CORS
// preflight) in opts by cfg's mode, and returns opts: the API key
// requirement with API_KEY, AWS_IAM with IAM, the Cognito authorizer with
// COGNITO, and no authorization otherwise.
func authorize(cfg *settings, opts *awsapigateway.MethodOptions) *awsapigateway.MethodOptions {
	opts.ApiKeyRequired = jsii.Bool(cfg.authorization == AuthorizationApiKey)
	switch cfg.authorization {
	case AuthorizationIam:
		opts.AuthorizationType = awsapigateway.AuthorizationType_IAM
	case AuthorizationCognito:
		opts.AuthorizationType = awsapigateway.AuthorizationType_COGNITO
		opts.Authorizer = cfg.authorizer
	default:
		opts.AuthorizationType = awsapigateway.AuthorizationType_NONE
	}
	return opts
}

// corsAllowHeaders returns the request headers the CORS preflights allow
// under mode a: contract.CORSAllowHeaders (which the functions and the local
// server send too), and the headers that carry the mode's credentials.
func (a Authorization) corsAllowHeaders() []string {
	headers := strings.Split(contract.CORSAllowHeaders, ",")
	switch a {
	case AuthorizationCognito:
		headers = append(headers, cognitoCORSHeaders...)
	case AuthorizationIam:
		headers = append(headers, sigV4CORSHeaders...)
	}
	return headers
}

// nagSuppressions returns the cdk-nag rules that the API's methods (the
// CORS preflights aside) break by design under mode a, and why: an API key
// is neither IAM nor Cognito authorization (APIG4, COG4), and SigV4 is not
// a Cognito authorizer (COG4). COGNITO passes both rules, and with NONE the
// findings are the app's to decide.
func (a Authorization) nagSuppressions() (rules []string, reason string) {
	switch a {
	case AuthorizationApiKey:
		return []string{"AwsSolutions-APIG4", "AwsSolutions-COG4"},
			"Callers are authenticated by API key (x-api-key) under a usage plan with throttle and quota, the access model this deployment chose (Authorization API_KEY) instead of IAM or Cognito authorizers"
	case AuthorizationIam:
		return []string{"AwsSolutions-COG4"},
			"Callers are authenticated and authorized by IAM: every method requires SigV4-signed requests (AuthorizationType AWS_IAM, Authorization IAM), so no Cognito user pool authorizer is involved"
	}
	return nil, ""
}

// Settings of the user pool the construct creates: its password policy
// (cdk-nag AwsSolutions-COG1 asks for at least 8 characters with upper
// case, digits and symbols; NIST SP 800-63B favours length), how long an
// administrator's temporary password lasts, and how many previous
// passwords a user may not reuse (Cognito allows 0 to 24, on the Essentials
// and Plus feature plans).
const (
	userPoolMinPasswordLength   = 12
	userPoolTempPasswordDays    = 3
	userPoolPasswordHistorySize = 5
)

// userPoolProps returns the settings of the user pool the construct
// creates: users are created by administrators only (no self sign-up) and
// sign in with their email address, which recovers their account; a strong
// password policy; MFA required, by authenticator app (TOTP; SMS would need
// an SNS role and sending limits); the Plus feature plan with threat
// protection enforced (FULL_FUNCTION: risky sign-ins are blocked or
// challenged, compromised passwords refused); deletion protection unless
// removal is DESTROY, and removal as its removal policy.
func userPoolProps(removal awscdk.RemovalPolicy) *awscognito.UserPoolProps {
	return &awscognito.UserPoolProps{
		SelfSignUpEnabled: jsii.Bool(false),
		SignInAliases:     &awscognito.SignInAliases{Email: jsii.Bool(true)},
		AutoVerify:        &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(true)},
		AccountRecovery:   awscognito.AccountRecovery_EMAIL_ONLY,
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength:            jsii.Number(userPoolMinPasswordLength),
			RequireLowercase:     jsii.Bool(true),
			RequireUppercase:     jsii.Bool(true),
			RequireDigits:        jsii.Bool(true),
			RequireSymbols:       jsii.Bool(true),
			TempPasswordValidity: awscdk.Duration_Days(jsii.Number(userPoolTempPasswordDays)),
			PasswordHistorySize:  jsii.Number(userPoolPasswordHistorySize),
		},
		Mfa:                          awscognito.Mfa_REQUIRED,
		MfaSecondFactor:              &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false), Email: jsii.Bool(false)},
		FeaturePlan:                  awscognito.FeaturePlan_PLUS,
		StandardThreatProtectionMode: awscognito.StandardThreatProtectionMode_FULL_FUNCTION,
		DeletionProtection:           jsii.Bool(removal != awscdk.RemovalPolicy_DESTROY),
		RemovalPolicy:                removal,
	}
}

// userPoolClientOptions returns the settings of the app client of the user
// pool the construct creates: a public client (no secret, for browsers and
// command lines) that signs in with SRP or with the user's password
// (USER_PASSWORD_AUTH, over TLS to Cognito), without OAuth (the pool has no
// domain), and that does not reveal whether a user exists.
func userPoolClientOptions() *awscognito.UserPoolClientOptions {
	return &awscognito.UserPoolClientOptions{
		GenerateSecret:             jsii.Bool(false),
		AuthFlows:                  &awscognito.AuthFlow{UserSrp: jsii.Bool(true), UserPassword: jsii.Bool(true)},
		DisableOAuth:               jsii.Bool(true),
		PreventUserExistenceErrors: jsii.Bool(true),
	}
}
