package handler

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// testStateMachine is the ARN of the Backfill state machine of the tests.
const testStateMachine = "arn:aws:states:eu-west-1:123456789012:stateMachine:Backfill-abc"

// fakeSFN stands in for Step Functions: it records executions by ARN,
// each with the map run counts the test sets, and checks the ARNs it is
// called with the way IAM would check the function's grants (the state
// machine, its executions, its map runs).
type fakeSFN struct {
	mu         sync.Mutex
	executions map[string]*fakeExecution // by execution ARN
	throttle   bool                      // the next call fails with ThrottlingException
}

type fakeExecution struct {
	input  string
	status types.ExecutionStatus
	counts *types.MapRunItemCounts // nil: the map run has not started
}

func (f *fakeSFN) fail() error {
	if f.throttle {
		f.throttle = false
		return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	return nil
}

func (f *fakeSFN) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return nil, err
	}
	if aws.ToString(in.StateMachineArn) != testStateMachine {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException"}
	}
	arn := strings.Replace(testStateMachine, ":stateMachine:", ":execution:", 1) + ":" + aws.ToString(in.Name)
	if f.executions == nil {
		f.executions = map[string]*fakeExecution{}
	}
	f.executions[arn] = &fakeExecution{input: aws.ToString(in.Input), status: types.ExecutionStatusRunning}
	return &sfn.StartExecutionOutput{ExecutionArn: aws.String(arn)}, nil
}

func (f *fakeSFN) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return nil, err
	}
	e, ok := f.executions[aws.ToString(in.ExecutionArn)]
	if !ok {
		return nil, &types.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist")}
	}
	return &sfn.DescribeExecutionOutput{ExecutionArn: in.ExecutionArn, Status: e.status}, nil
}

func (f *fakeSFN) ListMapRuns(_ context.Context, in *sfn.ListMapRunsInput, _ ...func(*sfn.Options)) (*sfn.ListMapRunsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(in.ExecutionArn)
	e, ok := f.executions[arn]
	if !ok {
		return nil, &types.ExecutionDoesNotExist{}
	}
	out := &sfn.ListMapRunsOutput{}
	if e.counts != nil {
		// arn:…:execution:<machine>:<name> → arn:…:mapRun:<machine>/Images:<uuid>
		run := strings.Replace(testStateMachine, ":stateMachine:", ":mapRun:", 1) + "/Images:" + arn[strings.LastIndex(arn, ":")+1:]
		out.MapRuns = []types.MapRunListItem{{ExecutionArn: in.ExecutionArn, MapRunArn: aws.String(run)}}
	}
	return out, nil
}

func (f *fakeSFN) DescribeMapRun(_ context.Context, in *sfn.DescribeMapRunInput, _ ...func(*sfn.Options)) (*sfn.DescribeMapRunOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	run := aws.ToString(in.MapRunArn)
	prefix := strings.Replace(testStateMachine, ":stateMachine:", ":mapRun:", 1) + "/Images:"
	if !strings.HasPrefix(run, prefix) {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException"}
	}
	e := f.executions[strings.Replace(testStateMachine, ":stateMachine:", ":execution:", 1)+":"+strings.TrimPrefix(run, prefix)]
	return &sfn.DescribeMapRunOutput{MapRunArn: in.MapRunArn, ItemCounts: e.counts}, nil
}

// withFakeSFN gives h's service the Step Functions reindexer over a new
// fakeSFN, and returns it.
func withFakeSFN(h *harness) *fakeSFN {
	f := &fakeSFN{}
	h.core.Service.SetReindexer(service.NewStepFunctionsReindexer(f, testStateMachine, h.cfg.CollectionID))
	return f
}

// reindexRequest is the proxy event of POST /reindex (id "") or
// GET /reindex/{reindexId}.
func reindexRequest(id string) events.APIGatewayProxyRequest {
	req := events.APIGatewayProxyRequest{Resource: "/reindex", HTTPMethod: "POST"}
	if id != "" {
		req = events.APIGatewayProxyRequest{Resource: "/reindex/{reindexId}", HTTPMethod: "GET", PathParameters: map[string]string{contract.ReindexIDParam: id}}
	}
	req.RequestContext.RequestID = "req-reindex"
	return req
}

// TestReindex_startsAndFollowsTheStateMachine: POST /reindex starts one
// execution of the state machine with the collection as input and answers
// 202 RUNNING; GET /reindex/{id} answers 0 counts before the map run, then
// the map run's counts (failed with timed out and aborted, pending with
// running), then the execution's final status.
func TestReindex_startsAndFollowsTheStateMachine(t *testing.T) {
	h := newHarness(t)
	f := withFakeSFN(h)
	var started contract.Reindex
	resp := call(t, h.api.Reindex, reindexRequest(""), nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /reindex: %d %s", resp.StatusCode, resp.Body)
	}
	if err := json.Unmarshal([]byte(resp.Body), &started); err != nil {
		t.Fatal(err)
	}
	if started.Status != contract.ReindexRunning || !strings.HasPrefix(started.ReindexID, "reindex-") {
		t.Fatalf("POST /reindex: %+v", started)
	}
	arn := strings.Replace(testStateMachine, ":stateMachine:", ":execution:", 1) + ":" + started.ReindexID
	if e := f.executions[arn]; e == nil || e.input != `{"CollectionId":"`+h.cfg.CollectionID+`"}` {
		t.Fatalf("executions %v, want %s with the collection as input", f.executions, arn)
	}
	get := func() contract.Reindex {
		t.Helper()
		var r contract.Reindex
		if resp := call(t, h.api.Reindex, reindexRequest(started.ReindexID), &r); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /reindex/%s: %d %s", started.ReindexID, resp.StatusCode, resp.Body)
		}
		return r
	}
	if r := get(); r != (contract.Reindex{ReindexID: started.ReindexID, Status: contract.ReindexRunning}) {
		t.Errorf("before the map run: %+v", r)
	}
	f.executions[arn].counts = &types.MapRunItemCounts{Total: 100, Succeeded: 60, Failed: 1, TimedOut: 2, Aborted: 3, Pending: 30, Running: 4}
	if r := get(); r != (contract.Reindex{ReindexID: started.ReindexID, Status: contract.ReindexRunning, Total: 100, Succeeded: 60, Failed: 6, Pending: 34}) {
		t.Errorf("during the map run: %+v", r)
	}
	f.executions[arn].status = types.ExecutionStatusSucceeded
	f.executions[arn].counts = &types.MapRunItemCounts{Total: 100, Succeeded: 100}
	if r := get(); r != (contract.Reindex{ReindexID: started.ReindexID, Status: contract.ReindexSucceeded, Total: 100, Succeeded: 100}) || !r.Done() {
		t.Errorf("after: %+v", r)
	}
}

// TestReindex_errors: an unknown execution is 404, an id that is no
// execution name 400 (never put into an ARN), throttling 429.
func TestReindex_errors(t *testing.T) {
	h := newHarness(t)
	f := withFakeSFN(h)
	for id, want := range map[string]int{
		"reindex-unknown":           http.StatusNotFound,
		"x:stateMachine:other":      http.StatusBadRequest,
		strings.Repeat("a", 81):     http.StatusBadRequest,
		"../reindex-20260101T00000": http.StatusBadRequest,
	} {
		if resp := call(t, h.api.Reindex, reindexRequest(id), nil); resp.StatusCode != want {
			t.Errorf("GET /reindex/%s: %d, want %d", id, resp.StatusCode, want)
		}
	}
	f.throttle = true
	if resp := call(t, h.api.Reindex, reindexRequest(""), nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("POST /reindex throttled: %d, want 429", resp.StatusCode)
	}
	if len(f.executions) != 0 {
		t.Errorf("executions %v after a throttled start, want none", f.executions)
	}
}
