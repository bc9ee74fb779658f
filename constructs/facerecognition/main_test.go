package facerecognition

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// testOutdir receives the cloud assembly of the shared synth.
var testOutdir string

// TestMain runs the tests, then stops the jsii kernel (node) and removes the
// cloud assembly.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "facerecognition-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testOutdir = dir
	code := m.Run()
	jsii.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixture is one synthesized stack holding one FaceRecognitionService.
type fixture struct {
	stack     awscdk.Stack
	svc       *FaceRecognitionService
	template  assertions.Template
	resources map[string]map[string]any // the template's Resources
}

// fixtures are the stacks of the one synth the template tests share.
type fixtures struct {
	// base has the default props.
	base *fixture
	// variant turns API Gateway logging and authorization off and changes the
	// prefix, origin, removal policy, collection, timeouts, retention and
	// noncurrent version expiration.
	variant *fixture
	// existing uses the account's API Gateway CloudWatch role, logging at INFO.
	existing *fixture
	// shapes are the stacks registered with registerShape, by name.
	shapes map[string]*fixture
}

// all returns every stack of the synth by name.
func (fx *fixtures) all() map[string]*fixture {
	out := map[string]*fixture{"base": fx.base, "variant": fx.variant, "existing": fx.existing}
	for name, f := range fx.shapes {
		out[name] = f
	}
	return out
}

// shapeProps are the deployment shapes registered with registerShape.
var shapeProps = map[string]func(stack awscdk.Stack) *FaceRecognitionServiceProps{}

// registerShape adds a stack named name to the shared synth, from an init
// function of a test file. props makes the construct's props in the stack;
// it may create the resources they refer to (a hosted zone, a user pool, a
// key) in it and record the stack's own cdk-nag suppressions.
func registerShape(name string, props func(stack awscdk.Stack) *FaceRecognitionServiceProps) {
	if _, dup := shapeProps[name]; dup {
		panic("registerShape: duplicate shape " + name)
	}
	shapeProps[name] = props
}

// variantProps are the props of fixtures.variant.
var variantProps = &FaceRecognitionServiceProps{
	CollectionId:                jsii.String("my-faces"),
	ImagePrefix:                 jsii.String("photos/in/"),
	RemovalPolicy:               awscdk.RemovalPolicy_DESTROY,
	NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(7)),
	LogRetention:                awslogs.RetentionDays_ONE_WEEK,
	IndexTimeout:                awscdk.Duration_Seconds(jsii.Number(120)),
	IndexMaxConcurrency:         jsii.Number(5),
	Authorization:               AuthorizationNone,
	AllowedOrigin:               jsii.String("https://app.example.com"),
	ApiGatewayCloudWatchRole:    ApiGatewayCloudWatchRoleNoLogging,
	LogLevel:                    awslambda.ApplicationLogLevel_DEBUG,
}

// synth builds one app with the three stacks and the registered shapes, the
// feature flags of the repository's cdk.json (those `cdk synth` uses) and
// cdk-nag's AWS Solutions checks, once per test binary. It turns
// @aws-cdk/core:annotationsInValidationReport off: that flag makes the synth
// fail on any error annotation, which would hide the list of unsuppressed
// cdk-nag errors TestNoUnsuppressedNagErrors gives.
var synth = sync.OnceValue(func() *fixtures {
	dir, err := moduleDir()
	if err != nil {
		panic(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "cdk.json"))
	if err != nil {
		panic(err)
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cdkJSON); err != nil {
		panic(fmt.Sprintf("cdk.json: %v", err))
	}
	cdkJSON.Context["@aws-cdk/core:annotationsInValidationReport"] = false
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(testOutdir), Context: &cdkJSON.Context})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	newFixture := func(id string, props func(stack awscdk.Stack) *FaceRecognitionServiceProps) *fixture {
		stack := awscdk.NewStack(app, jsii.String(id), nil)
		return &fixture{stack: stack, svc: NewFaceRecognitionService(stack, jsii.String("Service"), props(stack))}
	}
	constant := func(p *FaceRecognitionServiceProps) func(awscdk.Stack) *FaceRecognitionServiceProps {
		return func(awscdk.Stack) *FaceRecognitionServiceProps { return p }
	}
	f := &fixtures{
		base:    newFixture("BaseStack", constant(nil)),
		variant: newFixture("VariantStack", constant(variantProps)),
		existing: newFixture("ExistingRoleStack", constant(&FaceRecognitionServiceProps{
			ApiGatewayCloudWatchRole: ApiGatewayCloudWatchRoleUseExisting,
			ExecutionLogLevel:        awsapigateway.MethodLoggingLevel_INFO,
		})),
		shapes: map[string]*fixture{},
	}
	for name, props := range shapeProps {
		f.shapes[name] = newFixture(name+"Stack", props)
	}
	// Like an app that chose a public API, the variant's stack suppresses
	// the authorization findings the construct leaves to the app.
	for _, rule := range []string{"AwsSolutions-APIG4", "AwsSolutions-COG4"} {
		cdknag.NagSuppressions_AddStackSuppressions(f.variant.stack, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String(rule), Reason: jsii.String("The test app makes the API public with Authorization NONE"),
		}}, nil)
	}
	for _, fx := range f.all() {
		fx.template = assertions.Template_FromStack(fx.stack, nil)
		fx.resources = map[string]map[string]any{}
		for id, r := range (*fx.template.ToJSON())["Resources"].(map[string]any) {
			fx.resources[id] = r.(map[string]any)
		}
	}
	return f
})

// logicalID returns the logical ID of c's CloudFormation resource (c itself,
// or its default child).
func logicalID(c constructs.IConstruct) string {
	el, ok := c.(awscdk.CfnElement)
	if !ok {
		el = c.Node().DefaultChild().(awscdk.CfnElement)
	}
	stack := awscdk.Stack_Of(c)
	return fmt.Sprint(stack.Resolve(stack.GetLogicalId(el)))
}

// ref and getAtt are the template forms of references to a logical ID.
func ref(id string) map[string]any    { return map[string]any{"Ref": id} }
func getAtt(id string) map[string]any { return map[string]any{"Fn::GetAtt": []any{id, "Arn"}} }

// ofType returns the template's resources of type typ by logical ID.
func (f *fixture) ofType(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range f.resources {
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

// props returns the Properties of the resource id.
func (f *fixture) props(id string) map[string]any {
	p, _ := f.resources[id]["Properties"].(map[string]any)
	return p
}

// assertion runs an assertions call, turning its panic (a failed match) into
// a test error.
func assertion(t *testing.T, what string, call func()) {
	t.Helper()
	if msg, failed := recovered(call); failed {
		t.Errorf("%s: %s", what, msg)
	}
}
