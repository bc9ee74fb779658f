package service_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/imageio"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// searchAll searches every face of photo, failing the test on an error.
func (h *harness) searchAll(t *testing.T, photo []byte) *contract.SearchResult {
	t.Helper()
	res, err := h.Service.SearchAll(t.Context(), photo)
	if err != nil {
		t.Fatalf("SearchAll: %v", err)
	}
	return res
}

// boxNear reports whether got is want to within a thousandth.
func boxNear(got contract.BoundingBox, want awstest.Face) bool {
	w := want.BoundingBox
	return math.Abs(got.Left-float64(*w.Left)) < 1e-3 && math.Abs(got.Top-float64(*w.Top)) < 1e-3 &&
		math.Abs(got.Width-float64(*w.Width)) < 1e-3 && math.Abs(got.Height-float64(*w.Height)) < 1e-3
}

// exifOrientation3 is a JPEG APP1 segment holding EXIF IFD0 with one
// entry, Orientation = 3 (shown turned 180°), big-endian.
const exifOrientation3 = "\xff\xe1\x00\x22Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01" +
	"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x03\x00\x00\x00\x00\x00\x00"

// turnedGroupPhoto returns the group photo stored turned 180° and tagged
// with EXIF orientation 3, so that it shows upright.
func turnedGroupPhoto(t *testing.T) []byte {
	t.Helper()
	upright, err := imageio.DecodeImage(photos.MustRead("group_obama_biden.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	b := upright.Rect
	stored := image.NewRGBA(b)
	for y := range b.Dy() {
		for x := range b.Dx() {
			stored.SetRGBA(b.Dx()-1-x, b.Dy()-1-y, upright.RGBAAt(x, y))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, stored, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	return append(append(append([]byte{}, data[:2]...), exifOrientation3...), data[2:]...)
}

// TestSearchAll_searchesEveryFace searches every face of the group photo,
// as sent and stored turned with an EXIF orientation: one result per
// face, left to right, with the photo's boxes and each person's match,
// from one DetectFaces, one SearchFacesByImage per face and one table read.
func TestSearchAll_searchesEveryFace(t *testing.T) {
	group := photos.MustRead("group_obama_biden.jpg")
	for name, photo := range map[string][]byte{"upright": group, "EXIF orientation 3": turnedGroupPhoto(t)} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.Rek.SetFaces(photo, servicetest.PhotoFaces["group_obama_biden.jpg"]...)
			h.Rek.RecognizeCrops(t, photo)
			h.indexPhoto(t, "index/obama_1.jpg", "obama_1.jpg", "obama")
			h.indexPhoto(t, "index/biden_2.jpg", "biden_2.jpg", "biden")
			before := h.DB.Calls("BatchGetItem")

			res, err := h.Service.SearchAll(t.Context(), photo)
			if err != nil || len(res.Faces) != 2 {
				t.Fatalf("result %+v, error %v; want two faces", res, err)
			}
			for i, want := range []struct{ person, key string }{{"obama", "index/obama_1.jpg"}, {"biden", "index/biden_2.jpg"}} {
				f := res.Faces[i]
				if fixture := servicetest.PhotoFaces["group_obama_biden.jpg"][i]; !boxNear(f.BoundingBox, fixture) || f.Confidence == 0 {
					t.Errorf("face %d: box %+v confidence %v, want the photo's box of %s", i, f.BoundingBox, f.Confidence, fixture.Identity)
				}
				if f.Reason != "" || len(f.Matches) != 1 || f.Matches[0].Person != want.person || f.Matches[0].Key != want.key {
					t.Errorf("face %d: %+v, want one match, %s", i, f, want.person)
				}
			}
			calls := map[string]int{"DetectFaces": h.Rek.Calls("DetectFaces"), "SearchFacesByImage": h.Rek.Calls("SearchFacesByImage"),
				"BatchGetItem": h.DB.Calls("BatchGetItem") - before}
			if calls["DetectFaces"] != 1 || calls["SearchFacesByImage"] != 2 || calls["BatchGetItem"] != 1 {
				t.Errorf("calls %v, want 1 DetectFaces, 2 SearchFacesByImage, 1 BatchGetItem", calls)
			}
		})
	}
}

// TestSearchAll_samePersonTwice: two faces that match the same indexed
// face share one read of its record.
func TestSearchAll_samePersonTwice(t *testing.T) {
	h := newHarness(t)
	group := photos.MustRead("group_obama_biden.jpg")
	boxes := servicetest.PhotoFaces["group_obama_biden.jpg"]
	h.Rek.SetFaces(group, servicetest.Face("obama", 0.1, 0.2, 0.2, 0.3), awstest.Face{Identity: "obama", BoundingBox: boxes[1].BoundingBox})
	h.Rek.RecognizeCrops(t, group)
	h.indexPhoto(t, "index/obama_1.jpg", "obama_1.jpg", "obama")

	res, err := h.Service.SearchAll(t.Context(), group)
	if err != nil || len(res.Faces) != 2 {
		t.Fatalf("result %+v, error %v; want two faces", res, err)
	}
	for i, f := range res.Faces {
		if len(f.Matches) != 1 || f.Matches[0].Person != "obama" || f.Matches[0].FaceID != res.Faces[0].Matches[0].FaceID {
			t.Errorf("face %d: %+v, want the one obama face", i, f)
		}
	}
}

// TestSearchAll_unsearchedFacesHaveAReason: a face under 40×40 pixels is
// not searched, and a face in whose crop Rekognition finds no face is
// returned unsearched; both say why.
func TestSearchAll_unsearchedFacesHaveAReason(t *testing.T) {
	h := newHarness(t)
	collins := photos.MustRead("collins_1.png") // 320×320
	// Declared right to left: the answer lists them left to right.
	h.Rek.SetFaces(collins, servicetest.PhotoFaces["collins_1.png"][0], servicetest.Face("tiny", 0.05, 0.05, 0.1, 0.12))
	h.Rek.RecognizeCrops(t, collins)
	h.indexPhoto(t, "index/collins_1.png", "collins_1.png", "collins")

	res := h.searchAll(t, collins)
	if len(res.Faces) != 2 {
		t.Fatalf("faces %+v, want 2", res.Faces)
	}
	if tiny := res.Faces[0]; tiny.Reason != "face too small to search: 32x38 pixels; Rekognition needs at least 40x40 pixels" || len(tiny.Matches) != 0 {
		t.Errorf("tiny face: %+v", tiny)
	}
	if f := res.Faces[1]; f.Reason != "" || len(f.Matches) != 1 || f.Matches[0].Person != "collins" {
		t.Errorf("collins: %+v", f)
	}
	if n := h.Rek.Calls("SearchFacesByImage"); n != 1 {
		t.Errorf("SearchFacesByImage called %d times, want once (the tiny face is not searched)", n)
	}

	// obama_2's crops are not recognized: the stand-in finds no face in
	// them, as Rekognition may not in a blurred face.
	res = h.searchAll(t, photos.MustRead("obama_2.jpg"))
	if len(res.Faces) != 1 || !strings.Contains(res.Faces[0].Reason, "no face") || len(res.Faces[0].Matches) != 0 {
		t.Errorf("faces %+v, want one with a reason", res.Faces)
	}

	res = h.searchAll(t, photos.MustRead("noface_rocket.jpg"))
	if res.Faces == nil || len(res.Faces) != 0 {
		t.Errorf("faces %+v, want []", res.Faces)
	}
}

// TestSearchAll_errors covers the failures of a search of every face: AWS
// errors on each call, and photos whose pixels cannot be decoded. (A bad
// faces value is the adapter's: TestHandlers_pathAndQueryParameters.)
func TestSearchAll_errors(t *testing.T) {
	group := photos.MustRead("group_obama_biden.jpg")
	aws := []struct {
		op, code   string
		httpStatus int
		want       service.Kind
	}{
		{"DetectFaces", "ThrottlingException", 400, service.KindThrottled},
		{"SearchFacesByImage", "ThrottlingException", 400, service.KindThrottled},
		{"SearchFacesByImage", "ProvisionedThroughputExceededException", 400, service.KindThrottled},
		{"SearchFacesByImage", "InternalServerError", 500, service.KindUpstream},
		{"BatchGetItem", "ProvisionedThroughputExceededException", 400, service.KindThrottled},
	}
	for _, tc := range aws {
		t.Run(tc.op+" "+tc.code, func(t *testing.T) {
			h := newHarness(t)
			h.Rek.RecognizeCrops(t, group)
			h.indexPhoto(t, "index/obama_1.jpg", "obama_1.jpg", "obama")
			if tc.op == "BatchGetItem" {
				h.DB.FailNext(tc.op, 1, tc.code, tc.httpStatus)
			} else {
				// One failure: of the two parallel searches, one fails.
				h.Rek.FailNext(tc.op, 1, tc.code, tc.httpStatus)
			}
			_, err := h.Service.SearchAll(t.Context(), group)
			if kindOf(err) != tc.want || (tc.want == service.KindThrottled) != (service.AsError(err).RetryAfter > 0) {
				t.Errorf("error %v (kind %d), want kind %d, with a RetryAfter if throttled", err, kindOf(err), tc.want)
			}
		})
	}

	// A PNG whose header claims 10⁴×10⁴ pixels.
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 100, 100))); err != nil {
		t.Fatal(err)
	}
	huge := buf.Bytes()
	binary.BigEndian.PutUint32(huge[16:], 10000)
	binary.BigEndian.PutUint32(huge[20:], 10000)
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))
	undecodable := []struct {
		name  string
		photo []byte
		kind  service.Kind
		code  string
	}{
		{"truncated JPEG", group[:len(group)/2], service.KindUnprocessable, contract.CodeInvalidImage},
		{"over 50 megapixels", huge, service.KindTooLarge, contract.CodeImageTooLarge},
	}
	for _, tc := range undecodable {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.Rek.SetFaces(tc.photo, servicetest.Face("someone", 0.1, 0.1, 0.5, 0.5))
			_, err := h.Service.SearchAll(t.Context(), tc.photo)
			if kindOf(err) != tc.kind || service.AsError(err).Code != tc.code || h.Rek.Calls("SearchFacesByImage") != 0 {
				t.Errorf("error %v (kind %d), want kind %d %s without a search", err, kindOf(err), tc.kind, tc.code)
			}
		})
	}
}

// TestSearchAll_photoTooLargeForMemoryIsRefusedFirst: a photo with more
// pixels than the function's memory can decode is refused as too large
// before any Rekognition call.
func TestSearchAll_photoTooLargeForMemoryIsRefusedFirst(t *testing.T) {
	h := newHarness(t)
	cfg := h.Config
	cfg.MaxDecodedPixels = 100 * 100
	svc := service.New(cfg, h.Rekognition, h.S3, nil, h.Log)
	_, err := svc.SearchAll(t.Context(), photos.MustRead("group_obama_biden.jpg"))
	if kindOf(err) != service.KindTooLarge || !strings.Contains(service.AsError(err).Message, "faces=all") {
		t.Errorf("error %v, want too large, naming faces=all", err)
	}
	if n := h.Rek.Calls("DetectFaces"); n != 0 {
		t.Errorf("DetectFaces called %d times", n)
	}
}
