package facerecognition

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

func init() {
	registerShape("BackfillOnDeploy", func(awscdk.Stack) *FaceRecognitionServiceProps {
		return &FaceRecognitionServiceProps{BackfillOnDeploy: jsii.Bool(true), IndexFacesPerSecond: jsii.Number(50), IndexMaxConcurrency: jsii.Number(4)}
	})
}

// stateMachineLogsActions are the actions Step Functions needs to deliver
// execution logs to CloudWatch Logs, which have no resource-level
// permissions (Step Functions developer guide, "IAM policies for logging
// to CloudWatch Logs").
var stateMachineLogsActions = []string{
	"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
	"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
}

// stateMachineXrayActions are the actions of a state machine's X-Ray
// tracing, on "*" (X-Ray has no resource-level permissions for them).
var stateMachineXrayActions = []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"}

// withBackfill adds to want the grants of the Backfill state machine's
// role: list the bucket (the Distributed Map's ListObjectsV2 item reader),
// send to the index queue (SendMessageBatch), start itself, describe,
// stop and redrive its own child executions (the Distributed Map's, which
// CDK grants), deliver its logs and traces.
func withBackfill(svc *FaceRecognitionService, bucket map[string]any, want map[string]grants) map[string]grants {
	sm := logicalID(svc.Backfill)
	smArn := ref(sm)
	executions := func(suffix string) map[string]any {
		return map[string]any{"Fn::Join": []any{"", []any{
			"arn:", map[string]any{"Ref": "AWS::Partition"}, ":states:", map[string]any{"Ref": "AWS::Region"}, ":",
			map[string]any{"Ref": "AWS::AccountId"}, ":execution:", map[string]any{"Fn::Select": []any{6, map[string]any{"Fn::Split": []any{":", smArn}}}}, suffix}}}
	}
	want[logicalID(svc.Backfill.Role())] = merge(
		grant(bucket, "s3:ListBucket"),
		grant(getAtt(logicalID(svc.Queue)), "sqs:SendMessage"),
		grant(smArn, "states:StartExecution"),
		grant(executions(":*"), "states:DescribeExecution", "states:StopExecution"),
		grant(executions("/Images:*"), "states:RedriveExecution"),
		grant("*", stateMachineLogsActions...),
		grant("*", stateMachineXrayActions...),
	)
	return want
}

// TestBackfill_stateMachine: the Backfill state machine is a Distributed
// Map over ListObjectsV2 of the image prefix, 10 objects to a child
// execution, each sending one SendMessageBatch to the index queue and
// failing on any refused entry; it logs every event without execution
// data and is traced.
func TestBackfill_stateMachine(t *testing.T) {
	for name, f := range map[string]*fixture{"base": synth().base, "variant": synth().variant} {
		machines := f.ofType("AWS::StepFunctions::StateMachine")
		if len(machines) != 1 {
			t.Fatalf("%s: %d state machines, want 1", name, len(machines))
		}
		p := f.props(logicalID(f.svc.Backfill))
		def := jsonString(p["DefinitionString"])
		prefix := "index/"
		if name == "variant" {
			prefix = "photos/in/"
		}
		for _, want := range []string{
			`\"QueryLanguage\":\"JSONata\"`,
			`\"Mode\":\"DISTRIBUTED\"`, `\"ExecutionType\":\"EXPRESS\"`,
			`\"Resource\":\"arn:`, `:states:::s3:listObjectsV2\"`, `\"Prefix\":\"` + prefix + `\"`,
			`\"MaxItemsPerBatch\":10`, `\"MaxConcurrency\":10`,
			`:states:::aws-sdk:sqs:sendMessageBatch\"`, contract.BackfillEventName, `$encodeUrlComponent($item.Key)`,
			`$count($states.input.Failed)`,
		} {
			if !strings.Contains(def, want) {
				t.Errorf("%s: the definition lacks %s: %s", name, want, def)
			}
		}
		logs := jsonString(p["LoggingConfiguration"])
		if !strings.Contains(logs, `"Level":"ALL"`) || !strings.Contains(logs, `"IncludeExecutionData":false`) ||
			!strings.Contains(logs, logicalID(f.svc.BackfillLogGroup)) {
			t.Errorf("%s: logging %s", name, logs)
		}
		if jsonString(p["TracingConfiguration"]) != `{"Enabled":true}` {
			t.Errorf("%s: tracing %s", name, jsonString(p["TracingConfiguration"]))
		}
	}
	// The dashboard shows the executions and the messages throttled back
	// to the queue.
	f := synth().base
	id, _ := only(t, f.ofType("AWS::CloudWatch::Dashboard"))
	body := jsonString(f.props(id)["DashboardBody"])
	for _, want := range []string{`\"AWS/States\",\"ExecutionsStarted\"`, `\"AWS/States\",\"ExecutionsFailed\"`, `\"` + contract.MetricIndexRequeued + `\"`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
}

// TestBackfill_indexPacing: the index function paces itself to its share
// of IndexFacesPerSecond (5 by default, over IndexMaxConcurrency
// instances) and knows the queue it sends throttled messages back to.
func TestBackfill_indexPacing(t *testing.T) {
	fx := synth()
	for name, want := range map[string]string{"base": "2.5", "variant": "1", "BackfillOnDeploy": "12.5"} {
		f := fx.all()[name]
		env := f.props(logicalID(f.svc.IndexFunction))["Environment"].(map[string]any)["Variables"].(map[string]any)
		if got := env[contract.EnvIndexFacesPerSecond]; got != want {
			t.Errorf("%s: %s = %v, want %s", name, contract.EnvIndexFacesPerSecond, got, want)
		}
		if got := jsonString(env[contract.EnvQueueURL]); got != jsonString(ref(logicalID(f.svc.Queue))) {
			t.Errorf("%s: %s = %s, want the queue's URL", name, contract.EnvQueueURL, got)
		}
	}
}

// TestBackfill_onDeploy: with BackfillOnDeploy a custom resource starts
// the state machine on create and on update (its physical id is the
// CollectionId, so a new collection starts it again), and may do nothing
// else; without it there is no such resource.
func TestBackfill_onDeploy(t *testing.T) {
	fx := synth()
	if n := len(fx.base.ofType("Custom::AWS")); n != 0 {
		t.Errorf("base: %d custom resources, want none", n)
	}
	f := fx.all()["BackfillOnDeploy"]
	crs := f.ofType("Custom::AWS")
	if len(crs) != 1 {
		t.Fatalf("%d custom resources, want 1", len(crs))
	}
	for _, cr := range crs {
		p := jsonString(cr["Properties"])
		for _, want := range []string{`"Create":`, `"Update":`, `\"action\":\"startExecution\"`, `\"service\":\"SFN\"`, logicalID(f.svc.Backfill)} {
			if !strings.Contains(p, want) {
				t.Errorf("custom resource lacks %s: %s", want, p)
			}
		}
		if strings.Contains(p, `"Delete":`) {
			t.Errorf("custom resource acts on delete: %s", p)
		}
	}
	var policies []string
	for id, pol := range f.ofType("AWS::IAM::Policy") {
		if strings.Contains(id, "BackfillOnDeploy") {
			policies = append(policies, jsonString(pol["Properties"].(map[string]any)["PolicyDocument"]))
		}
	}
	want := `{"Statement":[{"Action":"states:StartExecution","Effect":"Allow","Resource":{"Ref":"` + logicalID(f.svc.Backfill) + `"}}],"Version":"2012-10-17"}`
	if len(policies) != 1 || policies[0] != want {
		t.Errorf("custom resource policies %v, want only %s", policies, want)
	}
}
