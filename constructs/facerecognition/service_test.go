package facerecognition

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// TestResourceCounts pins what each configuration creates: in particular no
// custom resources (no bucket-notification or log-retention functions) and
// no functions beyond those of contract.Functions.
func TestResourceCounts(t *testing.T) {
	f := synth()
	functions, lambdaRoutes := len(contract.Functions), 0
	for _, fn := range contract.Functions {
		lambdaRoutes += len(fn.Routes)
	}
	// Each route is a method, and each resource (the root, and every prefix
	// of a route's path) has a CORS preflight method.
	methods := lambdaRoutes + len(contract.StorageRoutes)
	resources := map[string]bool{"": true}
	for _, r := range contractRoutes() {
		for i, c := range r.Path {
			if c == '/' && i > 0 {
				resources[r.Path[:i]] = true
			}
		}
		resources[r.Path] = true
	}
	methods += len(resources)
	tests := []struct {
		typ                     string
		base, variant, existing int
	}{
		{"AWS::S3::Bucket", 2, 2, 2},
		{"AWS::S3::BucketPolicy", 2, 2, 2},
		{"AWS::SQS::Queue", 2, 2, 2},
		{"AWS::SQS::QueuePolicy", 2, 2, 2},
		{"AWS::DynamoDB::Table", 1, 1, 1},
		{"AWS::Rekognition::Collection", 1, 1, 1},
		{"AWS::Lambda::Function", functions, functions, functions},
		{"AWS::Lambda::EventSourceMapping", 1, 1, 1},
		// One per Lambda route, and the sweep schedule's.
		{"AWS::Lambda::Permission", lambdaRoutes + 1, lambdaRoutes + 1, lambdaRoutes + 1},
		{"AWS::Events::Rule", 1, 1, 1},
		// The functions' and the access log's; the variant has no access log.
		{"AWS::Logs::LogGroup", functions + 2, functions + 1, functions + 2}, // and Backfill's
		// The functions', the upload's, Backfill's, and API Gateway's
		// CloudWatch role unless the props use the account's.
		{"AWS::IAM::Role", functions + 3, functions + 2, functions + 2},
		{"AWS::ApiGateway::RestApi", 1, 1, 1},
		{"AWS::ApiGateway::Account", 1, 0, 0},
		{"AWS::ApiGateway::Stage", 1, 1, 1},
		{"AWS::ApiGateway::GatewayResponse", 2, 2, 2},
		{"AWS::ApiGateway::Method", methods, methods, methods},
		{"AWS::ApiGateway::RequestValidator", 1, 1, 1},
		{"AWS::ApiGateway::ApiKey", 1, 0, 1},
		{"AWS::ApiGateway::UsagePlan", 1, 0, 1},
		{"AWS::ApiGateway::UsagePlanKey", 1, 0, 1},
		// Errors and throttles of each function, and the four others.
		{"AWS::CloudWatch::Alarm", 2*functions + 4, 2*functions + 4, 2*functions + 4},
		{"AWS::CloudWatch::Dashboard", 1, 1, 1},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			name string
			fx   *fixture
			want int
		}{{"base", f.base, tt.base}, {"variant", f.variant, tt.variant}, {"existing", f.existing, tt.existing}} {
			if got := len(c.fx.ofType(tt.typ)); got != c.want {
				t.Errorf("%s: %d %s, want %d", c.name, got, tt.typ, c.want)
			}
		}
	}
	for _, fx := range []*fixture{f.base, f.variant, f.existing} {
		for id, r := range fx.resources {
			if typ := r["Type"].(string); strings.HasPrefix(typ, "Custom::") || typ == "AWS::CloudFormation::CustomResource" {
				t.Errorf("%s: custom resource %s (%s)", *fx.stack.StackName(), id, typ)
			}
		}
	}
}

// TestDefaultTemplate checks the key properties of the default configuration.
func TestDefaultTemplate(t *testing.T) {
	f := synth().base
	svc := f.svc
	bucket, queue, dlq, table := logicalID(svc.Bucket), logicalID(svc.Queue), logicalID(svc.DeadLetterQueue), logicalID(svc.Table)
	prefixFilter := map[string]any{"S3Key": map[string]any{"Rules": []any{map[string]any{"Name": "prefix", "Value": "index/"}}}}
	sslDeny := map[string]any{
		"Effect":    "Deny",
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	}
	tests := []struct {
		name, typ string
		props     map[string]any
	}{
		{"bucket", "AWS::S3::Bucket", map[string]any{
			"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
				map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}},
			}},
			"PublicAccessBlockConfiguration": map[string]any{
				"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
			},
			"VersioningConfiguration": map[string]any{"Status": "Enabled"},
			"LifecycleConfiguration": map[string]any{"Rules": []any{map[string]any{
				"Id": "ExpireNoncurrentVersions", "Status": "Enabled",
				"NoncurrentVersionExpiration": map[string]any{"NoncurrentDays": 30},
				"ExpiredObjectDeleteMarker":   true,
			}}},
			"NotificationConfiguration": map[string]any{"QueueConfigurations": []any{
				map[string]any{"Event": "s3:ObjectCreated:*", "Queue": getAtt(queue), "Filter": prefixFilter},
				map[string]any{"Event": "s3:ObjectRemoved:*", "Queue": getAtt(queue), "Filter": prefixFilter},
			}},
		}},
		{"bucket TLS only", "AWS::S3::BucketPolicy", map[string]any{
			"Bucket":         ref(bucket),
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&sslDeny)})},
		}},
		{"queue", "AWS::SQS::Queue", map[string]any{
			"RedrivePolicy":        map[string]any{"deadLetterTargetArn": getAtt(dlq), "maxReceiveCount": 5},
			"SqsManagedSseEnabled": true,
			"VisibilityTimeout":    6 * 60,
		}},
		{"dead-letter queue", "AWS::SQS::Queue", map[string]any{
			"MessageRetentionPeriod": 14 * 24 * 3600,
			"SqsManagedSseEnabled":   true,
		}},
		{"queue TLS only and S3 events from the bucket", "AWS::SQS::QueuePolicy", map[string]any{
			"Queues": []any{ref(queue)},
			"PolicyDocument": map[string]any{"Statement": []any{sslDeny, map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": "s3.amazonaws.com"},
				"Action":    "sqs:SendMessage",
				"Resource":  getAtt(queue),
				"Condition": map[string]any{
					"ArnEquals":    map[string]any{"aws:SourceArn": assertions.Match_AnyValue()},
					"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId")},
				},
			}}},
		}},
		{"dead-letter queue TLS only", "AWS::SQS::QueuePolicy", map[string]any{
			"Queues":         []any{ref(dlq)},
			"PolicyDocument": map[string]any{"Statement": []any{sslDeny}},
		}},
		{"table", "AWS::DynamoDB::Table", map[string]any{
			"KeySchema":                        []any{map[string]any{"AttributeName": contract.AttrFaceID, "KeyType": "HASH"}},
			"BillingMode":                      "PAY_PER_REQUEST",
			"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
			"SSESpecification":                 map[string]any{"SSEEnabled": true},
			"GlobalSecondaryIndexes": []any{map[string]any{
				"IndexName":  contract.ObjectKeyIndex,
				"KeySchema":  []any{map[string]any{"AttributeName": contract.AttrObjectKey, "KeyType": "HASH"}},
				"Projection": map[string]any{"ProjectionType": "ALL"},
			}, map[string]any{
				"IndexName":  contract.PersonIndex,
				"KeySchema":  []any{map[string]any{"AttributeName": contract.AttrPerson, "KeyType": "HASH"}},
				"Projection": map[string]any{"ProjectionType": "ALL"},
			}},
		}},
		{"collection", "AWS::Rekognition::Collection", map[string]any{"CollectionId": *svc.CollectionId}},
		{"rest api", "AWS::ApiGateway::RestApi", map[string]any{
			"BinaryMediaTypes":      assertions.Match_ArrayEquals(&[]any{"image/*", "application/octet-stream"}),
			"EndpointConfiguration": map[string]any{"Types": []any{"REGIONAL"}},
		}},
		{"stage", "AWS::ApiGateway::Stage", map[string]any{
			"StageName": "v1",
			"MethodSettings": []any{map[string]any{
				"HttpMethod": "*", "ResourcePath": "/*",
				"DataTraceEnabled": false, "LoggingLevel": "ERROR", "MetricsEnabled": true,
				"ThrottlingRateLimit": 10, "ThrottlingBurstLimit": 20,
			}},
			"AccessLogSetting": map[string]any{
				// The request, and who sent it: the API key's ID, the IAM or
				// Cognito identity, the source IP.
				"Format": assertions.Match_SerializedJson(assertions.Match_ObjectLike(&map[string]any{
					"requestId": "$context.requestId", "extendedRequestId": "$context.extendedRequestId",
					"resourcePath": "$context.resourcePath", "status": "$context.status",
					"ip": "$context.identity.sourceIp", "apiKeyId": "$context.identity.apiKeyId",
					"userArn": "$context.identity.userArn", "caller": "$context.identity.caller",
					"cognitoSub": "$context.authorizer.claims.sub", "principalId": "$context.authorizer.principalId",
				})),
			},
		}},
		{"usage plan", "AWS::ApiGateway::UsagePlan", map[string]any{
			"Throttle": map[string]any{"RateLimit": 10, "BurstLimit": 20},
			"Quota":    map[string]any{"Limit": 10000, "Period": "DAY"},
			"ApiStages": []any{map[string]any{
				"ApiId": ref(logicalID(svc.Api)), "Stage": ref(logicalID(svc.Api.DeploymentStage())),
			}},
		}},
		{"usage plan key", "AWS::ApiGateway::UsagePlanKey", map[string]any{
			"KeyId": ref(logicalID(svc.ApiKey)), "KeyType": "API_KEY",
		}},
		{"request validator", "AWS::ApiGateway::RequestValidator", map[string]any{
			"ValidateRequestParameters": true, "ValidateRequestBody": true,
		}},
	}
	for _, tt := range tests {
		assertion(t, tt.name, func() { f.template.HasResourceProperties(jsii.String(tt.typ), tt.props) })
	}
	_, stage := only(t, f.ofType("AWS::ApiGateway::Stage"))
	dest := jsonString(stage["Properties"].(map[string]any)["AccessLogSetting"].(map[string]any)["DestinationArn"])
	if !strings.Contains(dest, `"`+logicalID(svc.AccessLogGroup)+`"`) {
		t.Errorf("access log destination %s does not name the access log group %s", dest, logicalID(svc.AccessLogGroup))
	}
	assertion(t, "log groups keep 30 days", func() {
		f.template.ResourcePropertiesCountIs(jsii.String("AWS::Logs::LogGroup"),
			map[string]any{"RetentionInDays": 30}, jsii.Number(float64(len(contract.Functions)+2))) // and the API's access log and Backfill's
	})
	for _, c := range []struct{ typ, id string }{
		{"AWS::S3::Bucket", bucket}, {"AWS::DynamoDB::Table", table},
		{"AWS::Rekognition::Collection", logicalID(svc.Collection)},
		{"AWS::Logs::LogGroup", logicalID(svc.IndexLogGroup)},
		{"AWS::ApiGateway::Account", logicalID(svc.Api.Node().FindChild(jsii.String("Account")))},
		{"AWS::IAM::Role", logicalID(svc.Api.Node().FindChild(jsii.String("CloudWatchRole")))},
	} {
		if got := f.resources[c.id]["DeletionPolicy"]; got != "Retain" {
			t.Errorf("%s %s: DeletionPolicy %v, want Retain", c.typ, c.id, got)
		}
	}
}

// TestEventSourceMapping checks how Lambda polls the queue for the index
// function: exactly the mapping's settings, the logical ID CDK's
// SqsEventSource gave it (a new one would make CloudFormation create a second
// mapping of the queue and function, which Lambda refuses), and a dependency
// on the index role's default policy, which holds the poller's permissions.
func TestEventSourceMapping(t *testing.T) {
	f := synth().base
	svc := f.svc
	id, mapping := only(t, f.ofType("AWS::Lambda::EventSourceMapping"))
	if want := "ServiceIndexFunctionSqsEventSourceBaseStackServiceQueue400D916D2F4CF517"; id != want {
		t.Errorf("event source mapping %s, want %s", id, want)
	}
	want := map[string]any{
		"EventSourceArn":        getAtt(logicalID(svc.Queue)),
		"FunctionName":          ref(logicalID(svc.IndexFunction)),
		"BatchSize":             10,
		"FunctionResponseTypes": []any{"ReportBatchItemFailures"},
		"ScalingConfig":         map[string]any{"MaximumConcurrency": 2},
	}
	if got := mapping["Properties"]; !reflect.DeepEqual(jsonValue(got), jsonValue(want)) {
		t.Errorf("event source mapping properties\n got %v\nwant %v", got, want)
	}
	policy := logicalID(svc.IndexFunction.Role().Node().FindChild(jsii.String("DefaultPolicy")))
	if deps := asList(mapping["DependsOn"]); !slices.Contains(deps, any(policy)) {
		t.Errorf("event source mapping depends on %v, not on the index role's policy %s", deps, policy)
	}
}

// TestFunctions checks the runtime, architecture, handler, memory, timeout
// (the index function's IndexTimeout, the others' ApiTimeout), log group and
// environment of each function of contract.Functions, found through its
// exported fields.
func TestFunctions(t *testing.T) {
	f := synth().base
	svc := f.svc
	env := map[string]any{
		contract.EnvCollectionID:        *svc.CollectionId,
		contract.EnvTableName:           ref(logicalID(svc.Table)),
		contract.EnvBucketName:          ref(logicalID(svc.Bucket)),
		contract.EnvImagePrefix:         "index/",
		contract.EnvFaceMatchThreshold:  "80",
		contract.EnvMaxFaces:            "10",
		contract.EnvQualityFilter:       "AUTO",
		contract.EnvSearchMaxImageBytes: "5242880",
		contract.EnvAllowedOrigin:       "*",
		contract.EnvLogLevel:            "INFO",
	}
	// The index function also paces itself (see TestBackfill_indexPacing).
	indexEnv := maps.Clone(env)
	indexEnv[contract.EnvIndexFacesPerSecond] = "2.5"
	indexEnv[contract.EnvQueueURL] = ref(logicalID(svc.Queue))
	reindexEnv := maps.Clone(env)
	reindexEnv[contract.EnvBackfillStateMachineARN] = ref(logicalID(svc.Backfill))
	fields := svc.functionFields()
	if len(fields) != len(contract.Functions) {
		t.Errorf("%d functions have fields, want the %d of contract.Functions", len(fields), len(contract.Functions))
	}
	for _, fn := range contract.Functions {
		field, ok := fields[fn.Name]
		if !ok || *field.fn == nil || *field.logs == nil {
			t.Errorf("%s: no function or log group in its fields", fn.Name)
			continue
		}
		timeout, vars := 20, env
		switch fn.Name {
		case contract.FunctionIndex:
			timeout, vars = 60, indexEnv
		case contract.FunctionSweep:
			timeout = sweepTimeoutSeconds
		case contract.FunctionReindex:
			vars = reindexEnv
		}
		want := map[string]any{
			"Runtime":       "provided.al2023",
			"Architectures": []any{"arm64"},
			"Handler":       "bootstrap",
			"MemorySize":    float64(256),
			"Timeout":       float64(timeout),
			"LoggingConfig": map[string]any{"LogGroup": ref(logicalID(*field.logs)), "LogFormat": "JSON", "ApplicationLogLevel": "INFO"},
			"Environment":   map[string]any{"Variables": vars},
		}
		got := f.props(logicalID(*field.fn))
		for k, v := range want {
			if !reflect.DeepEqual(jsonValue(got[k]), jsonValue(v)) {
				t.Errorf("%s function %s = %v, want %v", fn.Name, k, got[k], v)
			}
		}
	}
}

// integrationURI returns the integration URI of the S3 route (the one
// method with HTTP method httpMethod that is not a Lambda proxy) as JSON.
func (f *fixture) integrationURI(t *testing.T, httpMethod string) string {
	t.Helper()
	for id, m := range f.ofType("AWS::ApiGateway::Method") {
		integration := f.props(id)["Integration"].(map[string]any)
		if m["Properties"].(map[string]any)["HttpMethod"] == httpMethod && integration["Type"] != "AWS_PROXY" {
			return jsonString(integration["Uri"])
		}
	}
	t.Fatalf("no %s method to S3", httpMethod)
	return ""
}

// s3MethodResponses returns the integration responses and the method
// responses an S3 route must have, its 2xx answered with success and a
// body of status state, each with the CORS origin "*" (and Retry-After on
// 503).
func s3MethodResponses(success, state string) (integration, method []any) {
	cors := map[string]any{corsOriginHeader: "'*'"}
	declared := map[string]any{corsOriginHeader: true}
	integration = []any{
		map[string]any{"StatusCode": success, "SelectionPattern": `2\d{2}`, "ResponseParameters": cors, "ResponseTemplates": map[string]any{
			"application/json": assertions.Match_StringLikeRegexp(jsii.String(`^\{"key":"index/\$util.*","status":"` + state + `"\}$`)),
		}},
		map[string]any{"StatusCode": "400", "SelectionPattern": `4(0[0-24-9]|[1-9]\d)`, "ResponseParameters": cors},
		map[string]any{"StatusCode": "403", "SelectionPattern": "403", "ResponseParameters": cors},
		map[string]any{"StatusCode": "503", "SelectionPattern": "503", "ResponseParameters": map[string]any{
			corsOriginHeader: "'*'", "method.response.header.Retry-After": "'1'",
		}},
		map[string]any{"StatusCode": "502", "SelectionPattern": `5(0[0-24-9]|[1-9]\d)`, "ResponseParameters": cors},
		map[string]any{"StatusCode": "500", "SelectionPattern": assertions.Match_Absent(), "ResponseParameters": cors},
	}
	method = []any{
		map[string]any{"StatusCode": success, "ResponseParameters": declared},
		map[string]any{"StatusCode": "400", "ResponseParameters": declared},
		map[string]any{"StatusCode": "403", "ResponseParameters": declared},
		map[string]any{"StatusCode": "503", "ResponseParameters": map[string]any{
			corsOriginHeader: true, "method.response.header.Retry-After": true,
		}},
		map[string]any{"StatusCode": "502", "ResponseParameters": declared},
		map[string]any{"StatusCode": "500", "ResponseParameters": declared},
	}
	return integration, method
}

// jsonString returns v as compact JSON.
func jsonString(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(data)
}

// only returns the one entry of resources, failing the test if there are
// more or none.
func only(t *testing.T, resources map[string]map[string]any) (string, map[string]any) {
	t.Helper()
	if len(resources) != 1 {
		t.Fatalf("%d resources, want 1", len(resources))
	}
	for id, r := range resources {
		return id, r
	}
	return "", nil
}

// jsonValue normalizes v through JSON, so that numbers and maps compare
// equal however they were built.
func jsonValue(v any) any {
	var out any
	if err := json.Unmarshal([]byte(jsonString(v)), &out); err != nil {
		panic(err)
	}
	return out
}

// TestUploadMethod checks PUT /index/{filename}: an AWS integration that
// puts the body into S3 under the prefix with the upload role, converting
// base64 text to binary, passing Content-Type and the person metadata, with
// CORS on every response.
func TestUploadMethod(t *testing.T) {
	f := synth().base
	integrationResponses, methodResponses := s3MethodResponses("200", "pending")
	assertion(t, "PUT /index/{filename}", func() {
		f.template.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod":     "PUT",
			"ApiKeyRequired": true,
			"RequestParameters": map[string]any{
				"method.request.path.filename":       true,
				"method.request.header.Content-Type": true,
				"method.request.querystring.person":  false,
			},
			"Integration": map[string]any{
				"Type":                  "AWS",
				"IntegrationHttpMethod": "PUT",
				"ContentHandling":       "CONVERT_TO_BINARY",
				"Credentials":           getAtt(logicalID(f.svc.Node().FindChild(jsii.String("UploadRole")))),
				"RequestParameters": map[string]any{
					"integration.request.path.filename":            "method.request.path.filename",
					"integration.request.header.Content-Type":      "method.request.header.Content-Type",
					"integration.request.header.x-amz-meta-person": "method.request.querystring.person",
				},
				"IntegrationResponses": integrationResponses,
			},
			"MethodResponses": methodResponses,
		})
	})
	if uri, want := f.integrationURI(t, "PUT"), `:s3:path/",{"Ref":"`+logicalID(f.svc.Bucket)+`"},"/index/{filename}"`; !strings.Contains(uri, want) {
		t.Errorf("PUT integration URI %s lacks %s", uri, want)
	}
	for _, m := range []string{"POST", "GET", "DELETE"} {
		assertion(t, m+" Lambda proxy", func() {
			f.template.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
				"HttpMethod": m, "ApiKeyRequired": true, "Integration": map[string]any{"Type": "AWS_PROXY"},
			})
		})
	}
	assertion(t, "CORS preflights answer without a key, with the functions' headers and methods", func() {
		f.template.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), map[string]any{
			"HttpMethod": "OPTIONS", "ApiKeyRequired": false,
			"Integration": map[string]any{"IntegrationResponses": []any{map[string]any{
				"ResponseParameters": map[string]any{
					corsOriginHeader: "'*'",
					"method.response.header.Access-Control-Allow-Headers": "'" + contract.CORSAllowHeaders + "'",
					"method.response.header.Access-Control-Allow-Methods": "'" + contract.CORSAllowMethods + "'",
				},
			}}},
		}, jsii.Number(float64(preflights())))
	})
	for _, typ := range []string{"DEFAULT_4XX", "DEFAULT_5XX"} {
		assertion(t, typ, func() {
			f.template.HasResourceProperties(jsii.String("AWS::ApiGateway::GatewayResponse"), map[string]any{
				"ResponseType":       typ,
				"ResponseParameters": map[string]any{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
				"ResponseTemplates": map[string]any{"application/json": errorTemplate(
					`"$context.error.responseType"`, `$context.error.messageString`)},
			})
		})
	}
}

// TestErasureAndSweep checks what erasure and the sweeper add: DELETE
// /index/{filename} is a Lambda proxy of DeleteImageFunction (no S3
// integration), the table's time to live is on contract.AttrExpiresAt,
// and an EventBridge rule invokes SweepFunction every
// contract.SweepIntervalMinutes.
func TestErasureAndSweep(t *testing.T) {
	f := synth().base
	proxies := 0
	for id, m := range f.ofType("AWS::ApiGateway::Method") {
		integration := f.props(id)["Integration"].(map[string]any)
		if m["Properties"].(map[string]any)["HttpMethod"] != "DELETE" {
			continue
		}
		if integration["Type"] != "AWS_PROXY" {
			t.Errorf("DELETE method %s has a %v integration, want only Lambda proxies", id, integration["Type"])
		}
		if strings.Contains(jsonString(integration["Uri"]), logicalID(f.svc.DeleteImageFunction)) {
			proxies++
		}
	}
	if proxies != 1 {
		t.Errorf("%d DELETE methods invoke DeleteImageFunction, want 1", proxies)
	}
	assertion(t, "table TTL", func() {
		f.template.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
			"TimeToLiveSpecification": map[string]any{"AttributeName": contract.AttrExpiresAt, "Enabled": true},
		})
	})
	assertion(t, "sweep schedule", func() {
		f.template.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
			"ScheduleExpression": fmt.Sprintf("rate(%d hour)", contract.SweepIntervalMinutes/60),
			"State":              "ENABLED",
			"Targets":            []any{map[string]any{"Arn": getAtt(logicalID(f.svc.SweepFunction)), "Id": assertions.Match_AnyValue()}},
		})
	})
	assertion(t, "EventBridge may invoke the sweeper", func() {
		f.template.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]any{
			"Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
			"FunctionName": getAtt(logicalID(f.svc.SweepFunction)),
		})
	})
	if contract.SweepGraceSeconds != sqsVisibilityTimeoutFactor*maxLambdaTimeoutSeconds*sqsMaxReceiveCount {
		t.Errorf("the sweep grace %d s is not the longest span of one message's runs", contract.SweepGraceSeconds)
	}
	if contract.TombstoneTTLDays <= 2*sqsMaxRetentionDays {
		t.Errorf("tombstones live %d days, not longer than the queue and the dead-letter queue (%d days each)", contract.TombstoneTTLDays, sqsMaxRetentionDays)
	}
}

// TestVariantTemplate checks the props the variant changes: no API
// Gateway logging, no keys, another prefix, origin, removal policy,
// collection, queue timing and retention.
func TestVariantTemplate(t *testing.T) {
	f := synth().variant
	svc := f.svc
	origin := "'https://app.example.com'"
	if svc.AccessLogGroup != nil || svc.ApiKey != nil || svc.UsagePlan != nil {
		t.Errorf("AccessLogGroup, ApiKey, UsagePlan = %v, %v, %v; want nil", svc.AccessLogGroup, svc.ApiKey, svc.UsagePlan)
	}
	tests := []struct {
		name, typ string
		props     map[string]any
	}{
		{"stage without logging", "AWS::ApiGateway::Stage", map[string]any{
			"AccessLogSetting": assertions.Match_Absent(),
			"MethodSettings": []any{map[string]any{
				"LoggingLevel": "OFF", "DataTraceEnabled": false, "MetricsEnabled": true,
			}},
		}},
		{"collection", "AWS::Rekognition::Collection", map[string]any{"CollectionId": "my-faces"}},
		{"functions logging DEBUG", "AWS::Lambda::Function", map[string]any{
			"LoggingConfig": map[string]any{"LogGroup": assertions.Match_AnyValue(), "LogFormat": "JSON", "ApplicationLogLevel": "DEBUG"},
			"Environment":   map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{contract.EnvLogLevel: "DEBUG"})},
		}},
		{"noncurrent versions", "AWS::S3::Bucket", map[string]any{"LifecycleConfiguration": map[string]any{"Rules": []any{
			map[string]any{"NoncurrentVersionExpiration": map[string]any{"NoncurrentDays": 7}, "ExpiredObjectDeleteMarker": true},
		}}}},
		{"queue", "AWS::SQS::Queue", map[string]any{"VisibilityTimeout": 6 * 120}},
		{"event source", "AWS::Lambda::EventSourceMapping", map[string]any{"ScalingConfig": map[string]any{"MaximumConcurrency": 5}}},
		{"notification prefix", "AWS::S3::Bucket", map[string]any{"NotificationConfiguration": map[string]any{
			"QueueConfigurations": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Filter": map[string]any{"S3Key": map[string]any{"Rules": []any{map[string]any{"Name": "prefix", "Value": "photos/in/"}}}},
			})}),
		}}},
		{"upload path", "AWS::ApiGateway::Method", map[string]any{
			"HttpMethod": "PUT", "ApiKeyRequired": false,
			"Integration": map[string]any{
				"IntegrationResponses": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
					"StatusCode": "200", "ResponseParameters": map[string]any{corsOriginHeader: origin},
				})}),
			},
		}},
		{"gateway response origin", "AWS::ApiGateway::GatewayResponse", map[string]any{
			"ResponseType":       "DEFAULT_4XX",
			"ResponseParameters": map[string]any{"gatewayresponse.header.Access-Control-Allow-Origin": origin},
		}},
		{"function environment", "AWS::Lambda::Function", map[string]any{"Environment": map[string]any{"Variables": map[string]any{
			contract.EnvImagePrefix: "photos/in/", contract.EnvAllowedOrigin: "https://app.example.com", contract.EnvCollectionID: "my-faces",
		}}}},
	}
	for _, tt := range tests {
		assertion(t, tt.name, func() { f.template.HasResourceProperties(jsii.String(tt.typ), tt.props) })
	}
	for _, m := range []string{"PUT"} {
		if uri := f.integrationURI(t, m); !strings.Contains(uri, `"/photos/in/{filename}"`) {
			t.Errorf("%s integration URI %s does not work under photos/in/", m, uri)
		}
	}
	for _, m := range []string{"POST", "GET", "DELETE"} {
		assertion(t, m+" without key", func() {
			f.template.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{"HttpMethod": m, "ApiKeyRequired": false})
		})
	}
	assertion(t, "log groups keep 7 days", func() {
		f.template.ResourcePropertiesCountIs(jsii.String("AWS::Logs::LogGroup"), map[string]any{"RetentionInDays": 7}, jsii.Number(float64(len(contract.Functions)+1))) // the functions' and Backfill's
	})
	for _, typ := range []string{"AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::Rekognition::Collection", "AWS::Logs::LogGroup"} {
		for id, r := range f.ofType(typ) {
			if r["DeletionPolicy"] != "Delete" {
				t.Errorf("%s %s: DeletionPolicy %v, want Delete", typ, id, r["DeletionPolicy"])
			}
		}
	}
}

// TestExistingCloudWatchRole checks that ApiGatewayCloudWatchRoleUseExisting
// keeps logging on (at the INFO level asked for) without touching the
// account's setting.
func TestExistingCloudWatchRole(t *testing.T) {
	f := synth().existing
	assertion(t, "stage logs", func() {
		f.template.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), map[string]any{
			"AccessLogSetting": assertions.Match_ObjectLike(&map[string]any{"DestinationArn": assertions.Match_AnyValue()}),
			"MethodSettings":   []any{map[string]any{"LoggingLevel": "INFO", "DataTraceEnabled": false}},
		})
	})
	if f.svc.Api.Node().TryFindChild(jsii.String("CloudWatchRole")) != nil {
		t.Error("the API has a CloudWatchRole child")
	}
}

// TestDocCommentsNameTheRoutes keeps the doc comments in step with the
// contract's tables: the package doc (doc.go) names every route of
// contract.StorageRoutes and every function's Main and Routes, and the doc
// comment of each function's field (Name+"Function", in service.go) its
// Main and Routes.
func TestDocCommentsNameTheRoutes(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "service.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	docFile, err := parser.ParseFile(fset, "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	text := func(g *ast.CommentGroup) string { return strings.Join(strings.Fields(g.Text()), " ") }
	fieldDocs := map[string]string{}
	ast.Inspect(file, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == "FaceRecognitionService" {
			for _, f := range ts.Type.(*ast.StructType).Fields.List {
				for _, name := range f.Names {
					fieldDocs[name.Name] = text(f.Doc)
				}
			}
		}
		return true
	})
	if file.Doc != nil {
		t.Error("service.go has a package doc; it belongs in doc.go")
	}
	packageDoc := text(docFile.Doc)
	for _, r := range contract.StorageRoutes {
		if route := r.Method + " " + r.Path; !strings.Contains(packageDoc, route) {
			t.Errorf("the package doc does not name %s", route)
		}
	}
	for _, f := range contract.Functions {
		field := f.Name + "Function"
		names := []string{f.Main}
		for _, r := range f.Routes {
			names = append(names, r.Method+" "+r.Path)
		}
		for _, name := range names {
			if !strings.Contains(packageDoc, name) {
				t.Errorf("the package doc does not name %s", name)
			}
			if !strings.Contains(fieldDocs[field], name) {
				t.Errorf("the doc comment of %s does not name %s", field, name)
			}
		}
	}
}
