package facerecognition

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// corsOriginHeader is the method response header that carries the allowed
// origin on every response of the S3 route (PUT /index/{filename}).
const corsOriginHeader = "method.response.header.Access-Control-Allow-Origin"

// s3Route is a route of the {filename} resource that API Gateway answers
// with one S3 call on the object <image prefix><filename>, without a
// function in the path.
type s3Route struct {
	// method is the route's HTTP method, and that of the S3 REST call
	// (PUT is PutObject).
	method string
	// status is the method response status of any 2xx from S3; its body
	// is a contract.PutResponse, {"key":"<prefix><filename>","status":state}.
	status, state string
	// done is what the route does to the image, as the error messages say
	// it ("the image could not be " + done).
	done string
}

// The S3 route: see addUploadRoute. (DELETE /index/{filename} is a
// function's: erasing every version takes more than one S3 call.)
var uploadRoute = s3Route{method: "PUT", status: "200", state: contract.StatusPending, done: "stored"}

// s3Response maps the S3 status codes that match pattern (a regular
// expression on the whole status; "" marks the default response) to a
// method response status, its JSON body and its static headers besides the
// CORS origin (header name to value).
type s3Response struct {
	status, pattern, body string
	headers               map[string]string
}

// responses are the responses of r; see addUploadRoute for what each
// means. The patterns are disjoint, and any status none matches (a 1xx or
// 3xx from S3) takes the default, 500.
func (r s3Route) responses(imagePrefix string) []s3Response {
	return []s3Response{
		{status: r.status, pattern: `2\d{2}`, body: mappingTemplate(contract.PutResponse{Key: imagePrefix + "@filename@", Status: r.state},
			"@filename@", filenameExpression)},
		{status: "400", pattern: `4(0[0-24-9]|[1-9]\d)`, body: errorTemplate(quoteJSON(contract.CodeBadRequest), quoteJSON("S3 refused the image"))},
		{status: "403", pattern: `403`, body: errorTemplate(quoteJSON(contract.CodeAccessDenied), quoteJSON("the image may not be "+r.done+" under this name"))},
		{status: "503", pattern: `503`, body: errorTemplate(quoteJSON(contract.CodeUnavailable), quoteJSON("S3 is throttling requests; retry later")),
			headers: map[string]string{"Retry-After": "1"}},
		{status: "502", pattern: `5(0[0-24-9]|[1-9]\d)`, body: errorTemplate(quoteJSON(contract.CodeUpstream), quoteJSON("S3 failed; retry later"))},
		{status: "500", body: errorTemplate(quoteJSON(contract.CodeInternal), quoteJSON("the image could not be "+r.done))},
	}
}

// filenameExpression is the template expression of the request's
// filename as the inside of a JSON string: $util.escapeJavaScript escapes
// quotes and backslashes, and also the apostrophe, whose escape JSON does
// not allow and replaceAll undoes.
const filenameExpression = `$util.escapeJavaScript($input.params('` + contract.FilenameParam + `')).replaceAll("\\'","'")`

// errorTemplate is a mapping template of the API's JSON error body, a
// contract.ErrorBody with the request id; code and message are JSON strings
// or template expressions that yield them.
func errorTemplate(code, message string) string {
	return mappingTemplate(contract.ErrorBody{
		Error:     contract.ErrorDetail{Code: "@code@", Message: "@message@"},
		RequestID: "$context.requestId",
	}, `"@code@"`, code, `"@message@"`, message)
}

// mappingTemplate is a mapping template that yields body as JSON: body's
// JSON encoding, so that the member names are those of its contract type,
// with each placeholder of oldnew (old, new pairs, as strings.NewReplacer
// takes them) replaced by its template text. The placeholders are
// "@name@" strings, which JSON encodes as they are.
func mappingTemplate(body any, oldnew ...string) string {
	b, err := json.Marshal(body)
	if err != nil {
		panic(err) // the bodies are contract structs of strings
	}
	return strings.NewReplacer(oldnew...).Replace(string(b))
}

// quoteJSON returns s as a JSON string.
func quoteJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a string always encodes
	}
	return string(b)
}

// addApi creates the REST API, its routes, its CORS answers and, with
// Authorization API_KEY, its API key and usage plan.
func (s *FaceRecognitionService) addApi(cfg *settings) {
	var accessLogs awslogs.ILogGroup
	if cfg.cloudWatchRole != ApiGatewayCloudWatchRoleNoLogging {
		s.AccessLogGroup = s.newLogGroup(cfg, "Access")
		accessLogs = s.AccessLogGroup
	}
	apiProps := &awsapigateway.RestApiProps{
		RestApiName: awscdk.Names_UniqueResourceName(s.Construct, &awscdk.UniqueResourceNameOptions{
			Separator: jsii.String("-"), MaxLength: jsii.Number(128),
		}),
		Description:                 jsii.String("Face recognition: image upload and indexing status, face search, service information"),
		EndpointConfiguration:       endpointConfiguration(cfg),
		Policy:                      apiPolicy(cfg),
		BinaryMediaTypes:            jsii.Strings(contract.BinaryMediaTypes...),
		CloudWatchRole:              jsii.Bool(cfg.cloudWatchRole == ApiGatewayCloudWatchRoleCreate),
		DeployOptions:               stageOptions(cfg, accessLogs),
		DefaultCorsPreflightOptions: corsOptions(cfg.allowedOrigin, cfg.authorization.corsAllowHeaders()),
	}
	if cfg.cloudWatchRole == ApiGatewayCloudWatchRoleCreate {
		apiProps.CloudWatchRoleRemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	if cfg.disableExecuteApiEndpoint {
		apiProps.DisableExecuteApiEndpoint = jsii.Bool(true)
	}
	s.Api = awsapigateway.NewRestApi(s.Construct, jsii.String("Api"), apiProps)
	// Outputs are the app's to choose: drop the URL output RestApi adds.
	s.Api.Node().TryRemoveChild(jsii.String("Endpoint"))

	origin := jsii.String("'" + cfg.allowedOrigin + "'")
	for _, gr := range []struct {
		id  string
		typ awsapigateway.ResponseType
	}{{"Default4xx", awsapigateway.ResponseType_DEFAULT_4XX()}, {"Default5xx", awsapigateway.ResponseType_DEFAULT_5XX()}} {
		s.Api.AddGatewayResponse(jsii.String(gr.id), &awsapigateway.GatewayResponseOptions{
			Type:            gr.typ,
			ResponseHeaders: &map[string]*string{"Access-Control-Allow-Origin": origin},
			Templates: &map[string]*string{
				"application/json": jsii.String(errorTemplate(`"$context.error.responseType"`, `$context.error.messageString`)),
			},
		})
	}

	s.addRoutes(cfg)

	if cfg.authorization == AuthorizationApiKey {
		s.ApiKey = awsapigateway.NewApiKey(s.Construct, jsii.String("ApiKey"), &awsapigateway.ApiKeyProps{
			Description: jsii.String("Key of the face recognition API"),
		})
		s.UsagePlan = awsapigateway.NewUsagePlan(s.Construct, jsii.String("UsagePlan"), &awsapigateway.UsagePlanProps{
			Throttle: &awsapigateway.ThrottleSettings{
				RateLimit:  jsii.Number(cfg.throttleRateLimit),
				BurstLimit: jsii.Number(cfg.throttleBurstLimit),
			},
			Quota:     &awsapigateway.QuotaSettings{Limit: jsii.Number(cfg.quotaLimit), Period: cfg.quotaPeriod},
			ApiStages: &[]*awsapigateway.UsagePlanPerApiStage{{Api: s.Api, Stage: s.Api.DeploymentStage()}},
		})
		s.UsagePlan.AddApiKey(s.ApiKey, nil)
	}
}

// apiRoute is a route of the API and the function that answers it; fn is
// nil for the routes of contract.StorageRoutes, which S3 answers
// (storageRoutes).
type apiRoute struct {
	contract.Route
	fn awslambda.IFunction
}

// addRoutes adds the API's routes: contract.StorageRoutes, answered by S3
// (storageRoutes), and the Routes of each function of contract.Functions
// (addLambdaRoute). It adds them resource by resource, in the order of each
// resource's first route in that list, and on each resource in that order
// too: the API's resources, its methods and its deployment's logical ID
// (which hashes the methods in the order they were added) depend on it.
func (s *FaceRecognitionService) addRoutes(cfg *settings) {
	var routes []apiRoute
	for _, r := range contract.StorageRoutes {
		routes = append(routes, apiRoute{Route: r})
	}
	for _, f := range s.functions {
		for _, r := range f.Routes {
			routes = append(routes, apiRoute{Route: r, fn: f.fn})
		}
	}
	first := map[string]int{} // path to the index of its first route
	for i, r := range routes {
		if _, ok := first[r.Path]; !ok {
			first[r.Path] = i
		}
	}
	slices.SortStableFunc(routes, func(a, b apiRoute) int { return cmp.Compare(first[a.Path], first[b.Path]) })
	storage := s.storageRoutes()
	for _, r := range routes {
		resource := s.Api.Root().ResourceForPath(jsii.String(r.Path))
		if r.fn != nil {
			addLambdaRoute(cfg, resource, r.Method, r.fn)
			continue
		}
		add, ok := storage[r.Method]
		if !ok {
			panic("facerecognition: contract.StorageRoutes has " + r.Method + " " + r.Path + ", which has no S3 integration")
		}
		add(cfg, resource)
	}
}

// storageRoutes returns the functions that add each route of
// contract.StorageRoutes, by HTTP method, to its resource.
func (s *FaceRecognitionService) storageRoutes() map[string]func(*settings, awsapigateway.IResource) {
	return map[string]func(*settings, awsapigateway.IResource){
		uploadRoute.method: s.addUploadRoute,
	}
}

// addLambdaRoute answers httpMethod on resource with fn through a Lambda
// proxy integration, with the authorization of the props' mode (authorize).
// API Gateway may invoke fn only from the deployed stage (no console test
// invocations).
func addLambdaRoute(cfg *settings, resource awsapigateway.IResource, httpMethod string, fn awslambda.IFunction) {
	resource.AddMethod(jsii.String(httpMethod),
		awsapigateway.NewLambdaIntegration(fn, &awsapigateway.LambdaIntegrationOptions{AllowTestInvoke: jsii.Bool(false)}),
		authorize(cfg, &awsapigateway.MethodOptions{}))
}

// addUploadRoute answers PUT on resource, a single-segment {filename}
// resource, by storing the body in the bucket as <image prefix><filename>
// with an AWS service integration to S3 PutObject: no function in the path,
// so the limit is API Gateway's 10 MB payload, not Lambda's 6 MB.
//
// Bodies of a binary media type (contract.BinaryMediaTypes: image/*,
// application/octet-stream) pass through as bytes, so an image in a format
// the service does not accept (GIF...) is stored and then rejected with a
// reason naming it; any other body is text, and CONVERT_TO_BINARY decodes
// it from base64 (send base64 as text/plain; S3 then stores the object
// with that Content-Type).
// Content-Type is required and passed to S3; the optional person query
// parameter becomes the object's x-amz-meta-person metadata.
//
// The route answers by S3's status (uploadRoute.responses), every response
// with Access-Control-Allow-Origin; errors have the API's JSON error body
// {"error":{"code","message"},"requestId"}:
//   - 200 {"key":"<prefix><filename>","status":"pending"}: S3 stored the
//     image (any 2xx); the index function takes it from there;
//   - 400 BAD_REQUEST: S3 refused the request with a 4xx other than 403;
//   - 403 ACCESS_DENIED: S3 answered 403, such as for a key the upload role
//     may not put (see below);
//   - 503 SERVICE_UNAVAILABLE, with Retry-After: 1: S3 answered 503
//     (SlowDown, its throttling);
//   - 502 UPSTREAM_ERROR: S3 answered another 5xx;
//   - 500 INTERNAL_ERROR: S3 answered anything else (a 3xx redirect).
//
// Requests that API Gateway itself refuses (missing or wrong credentials,
// no Content-Type, throttled, over quota) get its gateway responses: the
// same JSON shape, with API Gateway's response type as the code, and
// Access-Control-Allow-Origin.
//
// The file name cannot be pattern-checked: API Gateway validates only the
// presence of parameters, and a mapping template, the only place that could
// inspect it, would also rewrite the binary body. The route is safe anyway:
//   - a {filename} resource matches exactly one non-empty path segment, so
//     an empty name or one with "/" never reaches the integration;
//   - "." and ".." are the only segments with a meaning in a path. Clients
//     (curl, browsers, HTTP libraries) remove them before sending (RFC 3986
//     section 5.2.4); whether API Gateway or S3 would resolve one that is
//     still there is not documented. The integration role may put only
//     objects matching <prefix>?* (at least one character after the
//     prefix): resolved, "<prefix>.." names the prefix's parent or the
//     bucket and "<prefix>." the bare prefix, all refused by IAM (403);
//     unresolved, they are ordinary keys inside the prefix.
func (s *FaceRecognitionService) addUploadRoute(cfg *settings, resource awsapigateway.IResource) {
	role := s.addS3Role(cfg, "UploadRole", "Lets API Gateway put images under the image prefix", "s3:PutObject")
	s.addS3Method(cfg, resource, uploadRoute, role,
		awsapigateway.IntegrationOptions{
			ContentHandling:     awsapigateway.ContentHandling_CONVERT_TO_BINARY,
			PassthroughBehavior: awsapigateway.PassthroughBehavior_WHEN_NO_TEMPLATES,
			RequestParameters: &map[string]*string{
				"integration.request.header.Content-Type":                             jsii.String("method.request.header.Content-Type"),
				"integration.request.header.x-amz-meta-" + contract.PersonMetadataKey: jsii.String("method.request.querystring." + contract.UploadPersonParam),
			},
		},
		awsapigateway.MethodOptions{
			RequestParameters: &map[string]*bool{
				"method.request.header.Content-Type":                       jsii.Bool(true),
				"method.request.querystring." + contract.UploadPersonParam: jsii.Bool(false),
			},
			// Parameter validation refuses a request without Content-Type.
			// Body validation has no model to apply to an image; it is on so
			// that the API's validator validates everything it can.
			RequestValidatorOptions: &awsapigateway.RequestValidatorOptions{
				ValidateRequestParameters: jsii.Bool(true),
				ValidateRequestBody:       jsii.Bool(true),
			},
		})
}

// addS3Method adds r's method to resource, a single-segment {filename}
// resource: an AWS service integration that makes r's S3 call on
// <bucket>/<image prefix>{filename} with role, and answers with
// r.responses, every response with Access-Control-Allow-Origin. integration
// and method hold the route's own settings, and request parameters besides
// the filename; addS3Method adds the filename, the role, the responses and
// the authorization (authorize).
func (s *FaceRecognitionService) addS3Method(cfg *settings, resource awsapigateway.IResource, r s3Route, role awsiam.IRole,
	integration awsapigateway.IntegrationOptions, method awsapigateway.MethodOptions) {
	origin := jsii.String("'" + cfg.allowedOrigin + "'")
	var integrationResponses []*awsapigateway.IntegrationResponse
	var methodResponses []*awsapigateway.MethodResponse
	for _, resp := range r.responses(cfg.imagePrefix) {
		values := map[string]*string{corsOriginHeader: origin}
		declared := map[string]*bool{corsOriginHeader: jsii.Bool(true)}
		for name, value := range resp.headers {
			values["method.response.header."+name] = jsii.String("'" + value + "'")
			declared["method.response.header."+name] = jsii.Bool(true)
		}
		ir := &awsapigateway.IntegrationResponse{
			StatusCode:         jsii.String(resp.status),
			ResponseParameters: &values,
			ResponseTemplates:  &map[string]*string{"application/json": jsii.String(resp.body)},
		}
		if resp.pattern != "" {
			ir.SelectionPattern = jsii.String(resp.pattern)
		}
		integrationResponses = append(integrationResponses, ir)
		methodResponses = append(methodResponses, &awsapigateway.MethodResponse{
			StatusCode:         jsii.String(resp.status),
			ResponseParameters: &declared,
		})
	}

	integrationParams := map[string]*string{"integration.request.path." + contract.FilenameParam: jsii.String("method.request.path." + contract.FilenameParam)}
	if integration.RequestParameters != nil {
		maps.Copy(integrationParams, *integration.RequestParameters)
	}
	integration.RequestParameters = &integrationParams
	integration.CredentialsRole = role
	integration.IntegrationResponses = &integrationResponses
	methodParams := map[string]*bool{"method.request.path." + contract.FilenameParam: jsii.Bool(true)}
	if method.RequestParameters != nil {
		maps.Copy(methodParams, *method.RequestParameters)
	}
	method.RequestParameters = &methodParams
	authorize(cfg, &method)
	method.MethodResponses = &methodResponses

	resource.AddMethod(jsii.String(r.method), awsapigateway.NewAwsIntegration(&awsapigateway.AwsIntegrationProps{
		Service:               jsii.String("s3"),
		IntegrationHttpMethod: jsii.String(r.method),
		Path:                  jsii.String(*s.Bucket.BucketName() + "/" + cfg.imagePrefix + "{" + contract.FilenameParam + "}"),
		Options:               &integration,
	}), &method)
}

// stageOptions returns the API stage's settings: execution logging at
// s.executionLogLevel without request and response bodies (they are face
// images), JSON access logs to accessLogs (accessLogFormat), CloudWatch
// metrics (detailed: per method, which the search latency alarm uses),
// X-Ray active tracing unless the props turned it off, and the stage-wide
// throttle. With accessLogs nil, there is no API Gateway logging at all.
func stageOptions(s *settings, accessLogs awslogs.ILogGroup) *awsapigateway.StageOptions {
	o := &awsapigateway.StageOptions{
		StageName:            jsii.String(s.stageName),
		MetricsEnabled:       jsii.Bool(true),
		DataTraceEnabled:     jsii.Bool(false),
		LoggingLevel:         awsapigateway.MethodLoggingLevel_OFF,
		ThrottlingRateLimit:  jsii.Number(s.throttleRateLimit),
		ThrottlingBurstLimit: jsii.Number(s.throttleBurstLimit),
		TracingEnabled:       jsii.Bool(s.tracing),
	}
	if accessLogs != nil {
		o.LoggingLevel = s.executionLogLevel
		o.AccessLogDestination = awsapigateway.NewLogGroupLogDestination(accessLogs)
		o.AccessLogFormat = awsapigateway.AccessLogFormat_Custom(jsii.String(accessLogFormat()))
	}
	return o
}

// corsOptions returns the CORS preflight answered on every resource: the
// allowed origin, the methods of contract.CORSAllowMethods, which the
// functions and the local server send too, and the request headers
// allowHeaders (Authorization.corsAllowHeaders).
func corsOptions(allowedOrigin string, allowHeaders []string) *awsapigateway.CorsOptions {
	return &awsapigateway.CorsOptions{
		AllowOrigins: jsii.Strings(allowedOrigin),
		AllowMethods: jsii.Strings(strings.Split(contract.CORSAllowMethods, ",")...),
		AllowHeaders: jsii.Strings(allowHeaders...),
	}
}
