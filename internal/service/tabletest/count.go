package tabletest

import (
	"maps"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/service"
)

// testCountImages: CountImages counts the image items by Status, and
// neither face nor person items; an empty table counts nothing.
func testCountImages(t *testing.T, tb service.FaceTable) {
	ctx := t.Context()
	if got, err := tb.CountImages(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty table: %v, %v; want no counts", got, err)
	}
	rejected := image(bucket, "index/c.png", 1)
	rejected.Status, rejected.Reason = contract.StatusRejected, "no face"
	removed := image(bucket, "index/d.jpg", 1)
	removed.Status = service.StatusRemoved
	for _, img := range []service.ImageItem{image(bucket, "index/a.jpg", 1, "f1"), image(bucket, "index/b.jpg", 1, "f2"), rejected, removed} {
		if err := tb.PutImage(ctx, img, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := tb.PutFaces(ctx, []service.FaceItem{face("f1", bucket, "index/a.jpg", "Ann"), face("f2", bucket, "index/b.jpg", "")}); err != nil {
		t.Fatal(err)
	}
	if err := tb.PutPerson(ctx, service.PersonItem{Person: "Ann", UserID: "u1"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{contract.StatusIndexed: 2, contract.StatusRejected: 1, service.StatusRemoved: 1}
	if got, err := tb.CountImages(ctx); err != nil || !maps.Equal(got, want) {
		t.Errorf("CountImages = %v, %v; want %v", got, err, want)
	}
}
