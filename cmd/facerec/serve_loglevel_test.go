package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestServe_refusesAnUnknownLogLevel: `facerec serve --log-level` takes
// DEBUG, INFO, WARN or ERROR, and refuses anything else before serving.
func TestServe_refusesAnUnknownLogLevel(t *testing.T) {
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "LOUD"}, new(bytes.Buffer), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "--log-level") {
		t.Errorf("serve --log-level LOUD: %v, want an error naming --log-level", err)
	}
}
