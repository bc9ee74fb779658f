package handler

import (
	"context"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id that NewLogger's
// records include as "requestId".
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx: the one set with
// WithRequestID, else the Lambda invocation's request id, else "".
func RequestID(ctx context.Context) string {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok && id != "" {
		return id
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}

// NewLogger returns a JSON slog logger writing to w whose records logged
// with a context (InfoContext and the like) carry that context's RequestID.
// It writes records of level INFO and above (NewLevelLogger).
func NewLogger(w io.Writer) *slog.Logger {
	return NewLevelLogger(w, slog.LevelInfo)
}

// NewLevelLogger is NewLogger writing only the records of level and above
// (the functions' contract.EnvLogLevel). Its records are JSON objects
// with a "level" member ("DEBUG", "INFO", "WARN", "ERROR"), which Lambda's
// JSON log format reads to filter them by the function's application log
// level.
func NewLevelLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(requestIDHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

type requestIDHandler struct{ slog.Handler }

// Handle adds the context's request id to r and passes it on.
func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("requestId", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the request id handling on the derived handler.
func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the request id handling on the derived handler.
func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
