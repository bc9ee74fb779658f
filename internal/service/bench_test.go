package service_test

import (
	"testing"

	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// The benchmarks exclude AWS time: the service runs on in-process parts
// that answer at once (servicetest.Instant), so they measure its own work
// (decoding, validation, hashing, cropping). The adapters' benchmarks are
// in lambdas/handler.

// BenchmarkSearchAll_4MBJPEG: a search of every face of a 4 MB JPEG with
// two faces: the photo is decoded, and each face cropped and encoded.
func BenchmarkSearchAll_4MBJPEG(b *testing.B) {
	img := servicetest.NoiseJPEG(b, 4<<20)
	svc := servicetest.Instant(b, nil)
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := svc.SearchAll(b.Context(), img)
		if err != nil || len(res.Faces) != 2 || len(res.Faces[0].Matches)+len(res.Faces[1].Matches) != 2 {
			b.Fatalf("result %+v, error %v; want two faces with a match each", res, err)
		}
	}
}

// BenchmarkReconcile_perRecord: reconciling a new object holding a sample
// photo (75 kB JPEG), end to end: read, hash, validate, index, commit.
func BenchmarkReconcile_perRecord(b *testing.B) {
	svc := servicetest.Instant(b, photos.MustRead("obama_1.jpg"))
	b.ReportAllocs()
	for b.Loop() {
		res, err := svc.Reconcile(b.Context(), "bucket", "index/obama_1.jpg")
		if err != nil || res.Outcome != service.OutcomeIndexed {
			b.Fatalf("result %+v, error %v; want indexed", res, err)
		}
	}
}
