package handler

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"testing"

	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// The benchmarks exclude AWS time: the service runs on in-process parts
// that answer at once (servicetest.Instant), so they measure the handlers'
// own work (body decoding, JSON) with the service's, including their EMF
// metrics (written to io.Discard). The service's own benchmarks are in
// internal/service.

// BenchmarkSearchHandler_4MBJPEG: POST /search with a 4 MB JPEG delivered
// as API Gateway does for binary media types (base64, isBase64Encoded).
func BenchmarkSearchHandler_4MBJPEG(b *testing.B) {
	img := servicetest.NoiseJPEG(b, 4<<20)
	api := NewAPI(servicetest.Instant(b, nil), slog.New(slog.DiscardHandler), WithMetrics(io.Discard))
	req := searchRequest([]byte(base64.StdEncoding.EncodeToString(img)), true, "image/jpeg")
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	for b.Loop() {
		resp, _ := api.Search(context.Background(), req)
		if resp.StatusCode != 200 {
			b.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
	}
}
