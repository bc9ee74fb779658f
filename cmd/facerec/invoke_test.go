package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/offline"
)

// TestInvoke_everyFunctionOfTheTable runs `facerec invoke` on every
// function of contract.Functions by its lower-case name: the index
// function on an SQS message holding an s3:TestEvent, which it
// acknowledges, and each API function on a proxy request for each of its
// routes, which it answers with the status the local API answers the same
// request with. A name that is not in the table is refused with the
// table's names.
func TestInvoke_everyFunctionOfTheTable(t *testing.T) {
	l, err := offline.Open(offline.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httpTestServer(t, l)
	data := t.TempDir()
	invoke := func(t *testing.T, function string, event any, out any) {
		t.Helper()
		raw, err := json.Marshal(event)
		if err != nil {
			t.Fatal(err)
		}
		eventFile := filepath.Join(t.TempDir(), "event.json")
		if err := os.WriteFile(eventFile, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"invoke", function, "--event", eventFile, "--data", data}, &stdout, &stderr); err != nil {
			t.Fatalf("invoke %s: %v\n%s", function, err, stderr.String())
		}
		if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
			t.Fatalf("invoke %s printed %q: %v", function, stdout.String(), err)
		}
	}
	for _, f := range contract.Functions {
		name := strings.ToLower(f.Name)
		t.Run(name, func(t *testing.T) {
			if f.Name == contract.FunctionSweep {
				var resp any
				invoke(t, name, events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events"}, &resp)
				if resp != nil {
					t.Errorf("invoke %s printed %v, want null", name, resp)
				}
				return
			}
			if len(f.Routes) == 0 {
				test, _ := json.Marshal(events.S3TestEvent{Service: "Amazon S3", Event: "s3:TestEvent", Bucket: offline.BucketName})
				var resp *events.SQSEventResponse
				invoke(t, name, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m0", EventSource: "aws:sqs", Body: string(test)}}}, &resp)
				if resp == nil || len(resp.BatchItemFailures) != 0 {
					t.Errorf("invoke %s on an s3:TestEvent: %+v, want no batch item failures", name, resp)
				}
				return
			}
			for _, r := range f.Routes {
				req := events.APIGatewayProxyRequest{Resource: r.Path, Path: r.Path, HTTPMethod: r.Method}
				if prefix, param, ok := r.PathParam(); ok {
					req.Path, req.PathParameters = prefix+"probe", map[string]string{param: "probe"}
				}
				var resp events.APIGatewayProxyResponse
				invoke(t, name, req, &resp)
				httpReq, err := http.NewRequest(r.Method, srv+req.Path, nil)
				if err != nil {
					t.Fatal(err)
				}
				httpResp, err := http.DefaultClient.Do(httpReq)
				if err != nil {
					t.Fatal(err)
				}
				httpResp.Body.Close()
				if resp.StatusCode != httpResp.StatusCode {
					t.Errorf("%s %s: invoke %s answers %d, the local API %d (%s)", r.Method, req.Path, name, resp.StatusCode, httpResp.StatusCode, resp.Body)
				}
			}
		})
	}
	err = run(context.Background(), []string{"invoke", "nosuchfunction"}, new(bytes.Buffer), new(bytes.Buffer))
	for _, f := range contract.Functions {
		if err == nil || !strings.Contains(err.Error(), strings.ToLower(f.Name)) {
			t.Errorf("invoke nosuchfunction: %v, want an error naming %s", err, strings.ToLower(f.Name))
		}
	}
}
