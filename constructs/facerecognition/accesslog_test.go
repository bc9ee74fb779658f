package facerecognition

import (
	"encoding/json"
	"testing"
)

// TestAccessLogFormatKeepsSecretsOut: the access log line names the API
// key by its ID, never its value, and the route by its resource path,
// never the request path, which holds person names and filenames.
func TestAccessLogFormatKeepsSecretsOut(t *testing.T) {
	var fields map[string]string
	if err := json.Unmarshal([]byte(accessLogFormat()), &fields); err != nil {
		t.Fatalf("access log format is not a JSON object of strings: %v", err)
	}
	for name, v := range fields {
		switch v {
		case "$context.identity.apiKey", "$context.path":
			t.Errorf("access log field %s is %s", name, v)
		}
	}
	if fields["apiKeyId"] != "$context.identity.apiKeyId" {
		t.Errorf("apiKeyId = %q", fields["apiKeyId"])
	}
}
