package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/facerec/facerec-cdk/contract"
)

// StepFunctions is the subset of *sfn.Client a StepFunctionsReindexer
// calls.
type StepFunctions interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	ListMapRuns(ctx context.Context, in *sfn.ListMapRunsInput, optFns ...func(*sfn.Options)) (*sfn.ListMapRunsOutput, error)
	DescribeMapRun(ctx context.Context, in *sfn.DescribeMapRunInput, optFns ...func(*sfn.Options)) (*sfn.DescribeMapRunOutput, error)
}

// StepFunctionsReindexer is the deployed Reindexer: a re-index is an
// execution of the construct's Backfill state machine, its id the
// execution's name, its counts those of the execution's Distributed Map
// run.
type StepFunctionsReindexer struct {
	client          StepFunctions
	stateMachineARN string
	collectionID    string
}

// NewStepFunctionsReindexer returns the Reindexer over the state machine
// stateMachineARN, whose executions it starts with the input
// {"CollectionId": collectionID} (as the construct's BackfillOnDeploy
// does).
func NewStepFunctionsReindexer(client StepFunctions, stateMachineARN, collectionID string) *StepFunctionsReindexer {
	return &StepFunctionsReindexer{client: client, stateMachineARN: stateMachineARN, collectionID: collectionID}
}

// executionName is what Step Functions accepts as an execution's name and
// this reindexer writes: letters, digits, - and _, at most 80 (Step
// Functions API reference, StartExecution name).
var executionName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// StartReindex starts an execution named "reindex-<UTC time>-<random>".
// Errors: the mapped AWS errors (ExecutionLimitExceeded is throttling).
func (r *StepFunctionsReindexer) StartReindex(ctx context.Context) (*contract.Reindex, error) {
	var random [4]byte
	if _, err := rand.Read(random[:]); err != nil {
		return nil, newError(KindInternal, contract.CodeInternal, "internal error")
	}
	name := "reindex-" + time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(random[:])
	input, err := json.Marshal(map[string]string{"CollectionId": r.collectionID})
	if err != nil {
		return nil, newError(KindInternal, contract.CodeInternal, "internal error")
	}
	_, err = r.client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(r.stateMachineARN),
		Name:            aws.String(name),
		Input:           aws.String(string(input)),
	})
	var limit *types.ExecutionLimitExceeded
	if errors.As(err, &limit) {
		e := newError(KindThrottled, contract.CodeThrottled, "too many re-indexes are running; retry later")
		e.RetryAfter = time.Minute
		return nil, e
	}
	if err != nil {
		return nil, fromAWS("Step Functions", err)
	}
	return &contract.Reindex{ReindexID: name, Status: contract.ReindexRunning}, nil
}

// ReindexProgress reads the execution id of the state machine (DescribeExecution)
// and the item counts of its map run (ListMapRuns, DescribeMapRun): failed
// items include timed out and aborted ones, pending ones include running
// ones. Errors: KindBadRequest for an id this reindexer would not have
// named, KindNotFound for an unknown execution, the mapped AWS errors.
func (r *StepFunctionsReindexer) ReindexProgress(ctx context.Context, id string) (*contract.Reindex, error) {
	if !executionName.MatchString(id) {
		return nil, newError(KindBadRequest, contract.CodeInvalidParameter, "the re-index id is not one POST /reindex answers")
	}
	// arn:…:stateMachine:<name> → arn:…:execution:<name>:<id>
	arn := strings.Replace(r.stateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + id
	exec, err := r.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	var missing *types.ExecutionDoesNotExist
	if errors.As(err, &missing) {
		return nil, ErrReindexNotFound(id)
	}
	if err != nil {
		return nil, fromAWS("Step Functions", err)
	}
	res := &contract.Reindex{ReindexID: id, Status: string(exec.Status)}
	if exec.Status == types.ExecutionStatusPendingRedrive {
		res.Status = contract.ReindexRunning
	}
	runs, err := r.client.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return nil, fromAWS("Step Functions", err)
	}
	if len(runs.MapRuns) == 0 { // not started yet
		return res, nil
	}
	run, err := r.client.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: runs.MapRuns[0].MapRunArn})
	if err != nil {
		return nil, fromAWS("Step Functions", err)
	}
	if c := run.ItemCounts; c != nil {
		res.Total = c.Total
		res.Succeeded = c.Succeeded
		res.Failed = c.Failed + c.TimedOut + c.Aborted
		res.Pending = c.Pending + c.Running
	}
	return res, nil
}
