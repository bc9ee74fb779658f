package handler

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/awstest"
	"github.com/facerec/facerec-cdk/internal/imageio"
	"github.com/facerec/facerec-cdk/internal/service"
	"github.com/facerec/facerec-cdk/internal/service/servicetest"
)

// searchAllRequest is an API Gateway proxy event for POST
// /search?faces=all with a JPEG body.
func searchAllRequest(body []byte) events.APIGatewayProxyRequest {
	req := searchRequest(body, false, "image/jpeg")
	req.QueryStringParameters = map[string]string{contract.FacesParam: contract.FacesAll}
	return req
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

// TestSearchAll_searchesEveryFace searches the group photo, as sent and
// stored turned with an EXIF orientation, with faces=all: one result per
// face, left to right, with the photo's boxes and each person's match,
// from one DetectFaces, one SearchFacesByImage per face and one table read.
func TestSearchAll_searchesEveryFace(t *testing.T) {
	group := photos.MustRead("group_obama_biden.jpg")
	for name, photo := range map[string][]byte{"upright": group, "EXIF orientation 3": turnedGroupPhoto(t)} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.env.Rek.SetFaces(photo, servicetest.PhotoFaces["group_obama_biden.jpg"]...)
			h.env.Rek.RecognizeCrops(t, photo)
			indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
			indexPhoto(t, h, "index/biden_2.jpg", "biden_2.jpg", "biden")
			before := h.env.DB.Calls("BatchGetItem")

			var res contract.SearchResult
			resp := h.search(t, searchAllRequest(photo), &res)
			if resp.StatusCode != http.StatusOK || len(res.Faces) != 2 {
				t.Fatalf("status %d, body %s; want 200 with two faces", resp.StatusCode, resp.Body)
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
			calls := map[string]int{"DetectFaces": h.env.Rek.Calls("DetectFaces"), "SearchFacesByImage": h.env.Rek.Calls("SearchFacesByImage"),
				"BatchGetItem": h.env.DB.Calls("BatchGetItem") - before}
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
	h.env.Rek.SetFaces(group, servicetest.Face("obama", 0.1, 0.2, 0.2, 0.3), awstest.Face{Identity: "obama", BoundingBox: boxes[1].BoundingBox})
	h.env.Rek.RecognizeCrops(t, group)
	indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")

	var res contract.SearchResult
	resp := h.search(t, searchAllRequest(group), &res)
	if resp.StatusCode != http.StatusOK || len(res.Faces) != 2 {
		t.Fatalf("status %d, body %s; want 200 with two faces", resp.StatusCode, resp.Body)
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
	h.env.Rek.SetFaces(collins, servicetest.PhotoFaces["collins_1.png"][0], servicetest.Face("tiny", 0.05, 0.05, 0.1, 0.12))
	h.env.Rek.RecognizeCrops(t, collins)
	indexPhoto(t, h, "index/collins_1.png", "collins_1.png", "collins")

	var res contract.SearchResult
	h.search(t, searchAllRequest(collins), &res)
	if len(res.Faces) != 2 {
		t.Fatalf("faces %+v, want 2", res.Faces)
	}
	if tiny := res.Faces[0]; tiny.Reason != "face too small to search: 32x38 pixels; Rekognition needs at least 40x40 pixels" || len(tiny.Matches) != 0 {
		t.Errorf("tiny face: %+v", tiny)
	}
	if f := res.Faces[1]; f.Reason != "" || len(f.Matches) != 1 || f.Matches[0].Person != "collins" {
		t.Errorf("collins: %+v", f)
	}
	if n := h.env.Rek.Calls("SearchFacesByImage"); n != 1 {
		t.Errorf("SearchFacesByImage called %d times, want once (the tiny face is not searched)", n)
	}

	// obama_2's crops are not recognized: the stand-in finds no face in
	// them, as Rekognition may not in a blurred face.
	res = contract.SearchResult{}
	h.search(t, searchAllRequest(photos.MustRead("obama_2.jpg")), &res)
	if len(res.Faces) != 1 || !strings.Contains(res.Faces[0].Reason, "no face") || len(res.Faces[0].Matches) != 0 {
		t.Errorf("faces %+v, want one with a reason", res.Faces)
	}

	res = contract.SearchResult{}
	h.search(t, searchAllRequest(photos.MustRead("noface_rocket.jpg")), &res)
	if res.Faces == nil || len(res.Faces) != 0 {
		t.Errorf("faces %+v, want []", res.Faces)
	}
}

// TestSearchAll_errors covers the failures of a search of every face: a
// bad faces value (before any call), AWS errors on each call, and photos
// whose pixels cannot be decoded.
func TestSearchAll_errors(t *testing.T) {
	group := photos.MustRead("group_obama_biden.jpg")
	t.Run("bad faces value", func(t *testing.T) {
		h := newHarness(t)
		for _, v := range []string{"", "ALL", "largest", "2"} {
			req := searchAllRequest(group)
			req.QueryStringParameters[contract.FacesParam] = v
			wantError(t, h, req, http.StatusBadRequest, contract.CodeInvalidParameter, fmt.Sprintf("not %q", v))
		}
		if n := h.env.Rek.Calls("DetectFaces"); n != 0 {
			t.Errorf("DetectFaces called %d times", n)
		}
	})

	aws := []struct {
		op, code   string
		httpStatus int
		want       int
	}{
		{"DetectFaces", "ThrottlingException", 400, http.StatusTooManyRequests},
		{"SearchFacesByImage", "ThrottlingException", 400, http.StatusTooManyRequests},
		{"SearchFacesByImage", "ProvisionedThroughputExceededException", 400, http.StatusTooManyRequests},
		{"SearchFacesByImage", "InternalServerError", 500, http.StatusBadGateway},
		{"BatchGetItem", "ProvisionedThroughputExceededException", 400, http.StatusTooManyRequests},
	}
	for _, tc := range aws {
		t.Run(tc.op+" "+tc.code, func(t *testing.T) {
			h := newHarness(t)
			h.env.Rek.RecognizeCrops(t, group)
			indexPhoto(t, h, "index/obama_1.jpg", "obama_1.jpg", "obama")
			if tc.op == "BatchGetItem" {
				h.env.DB.FailNext(tc.op, 1, tc.code, tc.httpStatus)
			} else {
				// One failure: of the two parallel searches, one fails.
				h.env.Rek.FailNext(tc.op, 1, tc.code, tc.httpStatus)
			}
			var eb contract.ErrorBody
			resp := h.search(t, searchAllRequest(group), &eb)
			if resp.StatusCode != tc.want || (tc.want == http.StatusTooManyRequests) != (resp.Headers["Retry-After"] != "") {
				t.Errorf("status %d, Retry-After %q (%s), want %d", resp.StatusCode, resp.Headers["Retry-After"], resp.Body, tc.want)
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
		name   string
		photo  []byte
		status int
		code   string
	}{
		{"truncated JPEG", group[:len(group)/2], http.StatusUnprocessableEntity, contract.CodeInvalidImage},
		{"over 50 megapixels", huge, http.StatusRequestEntityTooLarge, contract.CodeImageTooLarge},
	}
	for _, tc := range undecodable {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.env.Rek.SetFaces(tc.photo, servicetest.Face("someone", 0.1, 0.1, 0.5, 0.5))
			var eb contract.ErrorBody
			resp := h.search(t, searchAllRequest(tc.photo), &eb)
			if resp.StatusCode != tc.status || eb.Error.Code != tc.code || h.env.Rek.Calls("SearchFacesByImage") != 0 {
				t.Errorf("got %d %s, want %d %s without a search", resp.StatusCode, resp.Body, tc.status, tc.code)
			}
		})
	}
}

// TestSearchAll_photoTooLargeForMemoryIsRefusedFirst: a photo with more
// pixels than the function's memory can decode gets 413 before any
// Rekognition call.
func TestSearchAll_photoTooLargeForMemoryIsRefusedFirst(t *testing.T) {
	h := newHarness(t)
	cfg := h.cfg
	cfg.MaxDecodedPixels = 100 * 100
	api := NewAPI(service.New(cfg, h.env.Rekognition, h.env.S3, nil, NewLogger(h.logs)), NewLogger(h.logs))
	resp, err := api.Search(context.Background(), searchAllRequest(photos.MustRead("group_obama_biden.jpg")))
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, resp)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(resp.Body, "faces=all") {
		t.Errorf("%d %s, want 413 naming faces=all", resp.StatusCode, resp.Body)
	}
	if n := h.env.Rek.Calls("DetectFaces"); n != 0 {
		t.Errorf("DetectFaces called %d times", n)
	}
}
