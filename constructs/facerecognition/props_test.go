package facerecognition

import (
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// validationStack is the scope of the validation tests. Invalid props are
// refused before the construct adds anything, so one stack serves them all.
var validationStack = sync.OnceValue(func() awscdk.Stack {
	return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("ValidationStack"), nil)
})

// TestInvalidPropsPanicNamingTheProp feeds invalid and conflicting props to
// the constructor and wants a panic naming the offending prop.
func TestInvalidPropsPanicNamingTheProp(t *testing.T) {
	long := strings.Repeat("a", 256)
	tests := []struct {
		prop  string
		props FaceRecognitionServiceProps
	}{
		{"FaceMatchThreshold", FaceRecognitionServiceProps{FaceMatchThreshold: jsii.Number(100.5)}},
		{"FaceMatchThreshold", FaceRecognitionServiceProps{FaceMatchThreshold: jsii.Number(-1)}},
		{"FaceMatchThreshold", FaceRecognitionServiceProps{FaceMatchThreshold: jsii.Number(math.NaN())}},
		{"MaxFaces", FaceRecognitionServiceProps{MaxFaces: jsii.Number(0)}},
		{"MaxFaces", FaceRecognitionServiceProps{MaxFaces: jsii.Number(101)}},
		{"MaxFaces", FaceRecognitionServiceProps{MaxFaces: jsii.Number(2.5)}},
		{"QualityFilter", FaceRecognitionServiceProps{QualityFilter: jsii.String("BEST")}},
		{"SearchMaxImageBytes", FaceRecognitionServiceProps{SearchMaxImageBytes: jsii.Number(5242881)}},
		{"IndexMaxConcurrency", FaceRecognitionServiceProps{IndexMaxConcurrency: jsii.Number(1)}},
		{"IndexMaxConcurrency", FaceRecognitionServiceProps{IndexMaxConcurrency: jsii.Number(1001)}},
		{"CollectionId", FaceRecognitionServiceProps{CollectionId: jsii.String("faces/main")}},
		{"CollectionId", FaceRecognitionServiceProps{CollectionId: jsii.String(long)}},
		{"ImagePrefix", FaceRecognitionServiceProps{ImagePrefix: jsii.String("index")}},
		{"ImagePrefix", FaceRecognitionServiceProps{ImagePrefix: jsii.String("/index/")}},
		{"ImagePrefix", FaceRecognitionServiceProps{ImagePrefix: jsii.String("a/../b/")}},
		{"ImagePrefix", FaceRecognitionServiceProps{ImagePrefix: jsii.String("in*/")}},
		{"StageName", FaceRecognitionServiceProps{StageName: jsii.String("v 1")}},
		{"AllowedOrigin", FaceRecognitionServiceProps{AllowedOrigin: jsii.String("https://app.example.com/")}},
		{"AllowedOrigin", FaceRecognitionServiceProps{AllowedOrigin: jsii.String("'*'")}},
		{"LogLevel", FaceRecognitionServiceProps{LogLevel: awslambda.ApplicationLogLevel_TRACE}},
		{"MemorySize", FaceRecognitionServiceProps{MemorySize: jsii.Number(64)}},
		{"IndexTimeout", FaceRecognitionServiceProps{IndexTimeout: awscdk.Duration_Minutes(jsii.Number(16))}},
		{"ApiTimeout", FaceRecognitionServiceProps{ApiTimeout: awscdk.Duration_Seconds(jsii.Number(30))}},
		{"ApiTimeout", FaceRecognitionServiceProps{ApiTimeout: awscdk.Duration_Millis(jsii.Number(1500))}},
		{"RemovalPolicy", FaceRecognitionServiceProps{RemovalPolicy: awscdk.RemovalPolicy_SNAPSHOT}},
		{"LogRemovalPolicy", FaceRecognitionServiceProps{LogRemovalPolicy: awscdk.RemovalPolicy_SNAPSHOT}},
		{"NoncurrentVersionExpiration", FaceRecognitionServiceProps{NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(0))}},
		{"NoncurrentVersionExpiration", FaceRecognitionServiceProps{NoncurrentVersionExpiration: awscdk.Duration_Hours(jsii.Number(36))}},
		{"Architecture", FaceRecognitionServiceProps{Architecture: awslambda.Architecture_Custom(jsii.String("riscv64"), nil)}},
		{"ThrottleRateLimit", FaceRecognitionServiceProps{ThrottleRateLimit: jsii.Number(-1)}},
		{"ThrottleBurstLimit", FaceRecognitionServiceProps{ThrottleBurstLimit: jsii.Number(0)}},
		{"QuotaLimit", FaceRecognitionServiceProps{QuotaLimit: jsii.Number(0)}},
		{"QuotaLimit", FaceRecognitionServiceProps{Authorization: AuthorizationNone, QuotaLimit: jsii.Number(100)}},
		{"QuotaPeriod", FaceRecognitionServiceProps{Authorization: AuthorizationNone, QuotaPeriod: awsapigateway.Period_WEEK}},
		{"ExecutionLogLevel", FaceRecognitionServiceProps{ExecutionLogLevel: awsapigateway.MethodLoggingLevel_OFF}},
		{"ExecutionLogLevel", FaceRecognitionServiceProps{
			ApiGatewayCloudWatchRole: ApiGatewayCloudWatchRoleNoLogging, ExecutionLogLevel: awsapigateway.MethodLoggingLevel_INFO,
		}},
		{"ApiGatewayCloudWatchRole", FaceRecognitionServiceProps{ApiGatewayCloudWatchRole: "SOMETIMES"}},
	}
	for _, tt := range tests {
		t.Run(tt.prop, func(t *testing.T) { assertRefused(t, validationStack(), &tt.props, tt.prop) })
	}
}

// assertRefused creates the construct in scope with props and wants a panic
// naming prop and containing each of says, with nothing left in scope.
func assertRefused(t *testing.T, scope constructs.Construct, props *FaceRecognitionServiceProps, prop string, says ...string) {
	t.Helper()
	msg, panicked := recovered(func() { NewFaceRecognitionService(scope, jsii.String("Refused"), props) })
	if !panicked {
		t.Fatalf("props %+v were accepted", props)
	}
	for _, want := range append([]string{"invalid FaceRecognitionServiceProps." + prop + ":"}, says...) {
		if !strings.Contains(msg, want) {
			t.Errorf("panic %q does not contain %q", msg, want)
		}
	}
	if scope.Node().TryFindChild(jsii.String("Refused")) != nil {
		t.Error("the refused construct was added to its scope")
	}
}

// TestDefaults wants nil props to resolve to the documented defaults,
// written out rather than taken from the constants the code uses, so that a
// wrong constant fails.
func TestDefaults(t *testing.T) {
	s := resolveSettings(nil)
	want := settings{
		imagePrefix:         "index/",
		faceMatchThreshold:  80,
		maxFaces:            10,
		qualityFilter:       "AUTO",
		searchMaxImageBytes: 5242880,
		removalPolicy:       awscdk.RemovalPolicy_RETAIN,
		noncurrentDays:      30,
		logRetention:        awslogs.RetentionDays_ONE_MONTH,
		logRemovalPolicy:    awscdk.RemovalPolicy_RETAIN,
		goarch:              "arm64",
		memorySizeMB:        256,
		indexTimeoutSeconds: 60,
		apiTimeoutSeconds:   20,
		indexMaxConcurrency: 2,
		stageName:           "v1",
		authorization:       AuthorizationApiKey,
		throttleRateLimit:   10,
		throttleBurstLimit:  20,
		quotaLimit:          10000,
		quotaPeriod:         awsapigateway.Period_DAY,
		allowedOrigin:       "*",
		logLevel:            "INFO",
		executionLogLevel:   awsapigateway.MethodLoggingLevel_ERROR,
		cloudWatchRole:      ApiGatewayCloudWatchRoleCreate,
		observability: observability{
			tracing: true, alarms: true, dashboard: true,
			queueAgeAlarmSeconds: 18 * 60, searchLatencyAlarmMillis: 10000, accessLogDays: 90,
		},
		endpointType: awsapigateway.EndpointType_REGIONAL,
		wafRateLimit: 3000,

		indexFacesPerSecond: 5,
	}
	if *s.architecture.Name() != "arm64" {
		t.Errorf("architecture %s, want arm64", *s.architecture.Name())
	}
	s.architecture = nil
	if *s != want {
		t.Errorf("defaults\n got %+v\nwant %+v", *s, want)
	}
	if week := resolveSettings(&FaceRecognitionServiceProps{NoncurrentVersionExpiration: awscdk.Duration_Hours(jsii.Number(168))}); week.noncurrentDays != 7 {
		t.Errorf("168 hours of NoncurrentVersionExpiration resolve to %d days, want 7", week.noncurrentDays)
	}
	if x86 := resolveSettings(&FaceRecognitionServiceProps{Architecture: awslambda.Architecture_X86_64()}); x86.goarch != "amd64" {
		t.Errorf("X86_64 builds GOARCH %s, want amd64", x86.goarch)
	}
}
