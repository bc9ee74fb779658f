package facerecognition

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
)

// evalJSONata evaluates the JSONata expression expr ("{% ... %}", as in a
// state's field) with $states.input bound to input, as Step Functions
// binds it, with the JSONata reference implementation in
// tools/node_modules (make setup), and decodes the result into out.
func evalJSONata(t *testing.T, expr string, input, out any) {
	t.Helper()
	dir, err := moduleDir()
	if err != nil {
		t.Fatal(err)
	}
	body := strings.TrimSuffix(strings.TrimPrefix(expr, "{%"), "%}")
	in, err := json.Marshal(map[string]any{"expr": body, "input": input})
	if err != nil {
		t.Fatal(err)
	}
	const script = `const jsonata = require(process.argv[1]);
let src = ''; process.stdin.on('data', d => src += d).on('end', async () => {
  const {expr, input} = JSON.parse(src);
  const result = await jsonata(expr).evaluate({}, {states: {input}});
  process.stdout.write(JSON.stringify(result));
});`
	cmd := exec.Command("node", "-e", script, filepath.Join(dir, "tools", "node_modules", "jsonata"))
	cmd.Stdin = strings.NewReader(string(in))
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("node jsonata: %v", err)
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("result %s: %v", res, err)
	}
}

// TestBackfillEntries_jsonata evaluates the SendMessageBatch Entries of
// the Backfill state machine on batches as the Distributed Map's item
// reader and batcher make them: one entry per object with distinct Ids,
// a list even for a batch of one, and each body the notification
// contract.BackfillMessage writes, whose key the index function decodes
// back to the object's key, spaces, pluses, percents and non-ASCII
// characters included.
func TestBackfillEntries_jsonata(t *testing.T) {
	keys := []string{"index/a.jpg", "index/Jane Doe+1 日本.jpg", "index/100%.png", "index/x?y#z&=;(1).jpg", "index/dir/b.png"}
	for _, batch := range [][]string{keys, keys[1:2]} {
		var items []map[string]any
		for _, k := range batch {
			items = append(items, map[string]any{"Key": k, "Etag": `"abc"`, "Size": 123, "StorageClass": "STANDARD", "LastModified": "2026-01-02T03:04:05.000Z"})
		}
		var entries []struct{ Id, MessageBody string }
		evalJSONata(t, backfillEntries, map[string]any{"Items": items, "BatchInput": map[string]any{"bucket": "my-bucket"}}, &entries)
		if len(entries) != len(batch) {
			t.Fatalf("%d entries for %d objects: %+v", len(entries), len(batch), entries)
		}
		var ids []string
		for i, e := range entries {
			ids = append(ids, e.Id)
			got, want := decodeNotification(t, e.MessageBody), decodeNotification(t, contract.BackfillMessage("my-bucket", batch[i]))
			if got != want || !strings.HasSuffix(got, " "+batch[i]) {
				t.Errorf("entry %d decodes to %q, want %q", i, got, want)
			}
		}
		if slices.Sort(ids); len(slices.Compact(ids)) != len(batch) {
			t.Errorf("entry Ids %v are not distinct", ids)
		}
	}
}

// decodeNotification decodes an S3 notification body as the index
// function does and returns its one record as "eventName bucket key".
func decodeNotification(t *testing.T, body string) string {
	t.Helper()
	var ev events.S3Event
	if err := json.Unmarshal([]byte(body), &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("body %s: %v", body, err)
	}
	r := ev.Records[0]
	if r.EventSource != "aws:s3" {
		t.Errorf("eventSource %q", r.EventSource)
	}
	return r.EventName + " " + r.S3.Bucket.Name + " " + r.S3.Object.URLDecodedKey
}
