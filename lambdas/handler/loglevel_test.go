package handler

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
)

// TestNewLevelLogger_dropsRecordsBelowItsLevel logs one record of each
// level at WARN: only WARN and ERROR are written, each with its "level"
// member, which Lambda's JSON log format reads.
func TestNewLevelLogger_dropsRecordsBelowItsLevel(t *testing.T) {
	var buf bytes.Buffer
	log := NewLevelLogger(&buf, slog.LevelWarn)
	ctx := WithRequestID(context.Background(), "req-1")
	log.DebugContext(ctx, "d")
	log.InfoContext(ctx, "i")
	log.WarnContext(ctx, "w")
	log.ErrorContext(ctx, "e")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"level":"WARN"`) || !strings.Contains(lines[1], `"level":"ERROR"`) || !strings.Contains(lines[0], `"requestId":"req-1"`) {
		t.Errorf("logged:\n%s\nwant the WARN and ERROR records only, with the request id", buf.String())
	}
}

// TestServiceFromEnv_refusesAnUnknownLogLevel checks that LOG_LEVEL is
// read and a value that is not a level is a configuration error.
func TestServiceFromEnv_refusesAnUnknownLogLevel(t *testing.T) {
	t.Setenv(contract.EnvCollectionID, "c")
	t.Setenv(contract.EnvTableName, "t")
	t.Setenv(contract.EnvLogLevel, "VERBOSE")
	if _, _, err := ServiceFromEnv(context.Background()); err == nil || !strings.Contains(err.Error(), contract.EnvLogLevel) {
		t.Errorf("ServiceFromEnv with LOG_LEVEL=VERBOSE: %v, want an error naming %s", err, contract.EnvLogLevel)
	}
}
