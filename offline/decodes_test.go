package offline

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/examples/photos"
)

// pngHeader returns a PNG file of width×height 8-bit RGB pixels that holds
// only its header (IHDR) and end (IEND): enough for image.DecodeConfig,
// not for decoding.
func pngHeader(width, height int) []byte {
	chunk := func(typ string, data []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		b = append(append(b, typ...), data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(width))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(height))
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB, no interlace
	out := append([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", ihdr)...)
	return append(out, chunk("IEND", nil)...)
}

// grayPNG returns a whole, valid black grayscale PNG of width×height
// pixels (small: its rows compress to almost nothing), which passes the
// service's structure check (imageio.Check), unlike pngHeader's.
func grayPNG(t *testing.T, width, height int) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, image.NewGray(image.Rect(0, 0, width, height))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// within fails the test unless f returns within 5 s.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: still waiting after 5 s", what)
	}
}

// TestDecodeLimit: an image of MaxImagePixels takes the whole budget; a
// context holding a reservation takes none again; maxDecodeWaiting
// requests wait and the next is refused at once; freeing the budget lets
// the waiting ones through; a waiter whose context ends gives up.
func TestDecodeLimit(t *testing.T) {
	d := newDecodeLimit()
	largest, small := pngHeader(4000, 4000), photos.MustRead("obama_1.jpg")
	if got := decodeCost(largest); got != decodeBudget {
		t.Fatalf("cost of the largest image = %d, want the budget %d", got, decodeBudget)
	}
	if got := decodeCost(pngHeader(4000, 4001)); got != 0 {
		t.Errorf("cost of an image over the cap = %d, want 0 (refused undecoded)", got)
	}
	held, release, err := d.reserve(t.Context(), largest, true)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "nested reservation", func() {
		if _, rel, err := d.reserve(held, largest, true); err != nil {
			t.Error(err)
		} else {
			rel()
		}
	})

	var wg sync.WaitGroup
	for range maxDecodeWaiting {
		wg.Go(func() {
			_, rel, err := d.reserve(context.Background(), small, true)
			if err != nil {
				t.Error(err)
				return
			}
			rel()
		})
	}
	within(t, "waiters", func() {
		for d.waiting.Load() < maxDecodeWaiting {
			time.Sleep(time.Millisecond)
		}
	})
	if _, _, err := d.reserve(t.Context(), small, true); !errors.Is(err, errDecodeBusy) {
		t.Errorf("one more request: err = %v, want errDecodeBusy", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if _, _, err := d.reserve(ctx, small, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting past the deadline: err = %v, want DeadlineExceeded", err)
	}
	release()
	within(t, "waiters after release", wg.Wait)
	if d.waiting.Load() != 0 || !d.sem.TryAcquire(decodeBudget) {
		t.Error("the budget is not whole again after every reservation was freed")
	}
}

// TestDecodeLimit_API: with the budget taken and maxDecodeWaiting
// requests waiting, a search is answered 503 SERVICE_UNAVAILABLE with
// Retry-After; an image over MaxImagePixels is answered 413
// IMAGE_TOO_LARGE without being decoded; GET /info shows the cap.
func TestDecodeLimit_API(t *testing.T) {
	l := testLocal(t)
	d := l.Rekognition.decodes
	search := func(body []byte) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		l.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/search", bytes.NewReader(body)))
		return rec
	}
	code := func(rec *httptest.ResponseRecorder) string {
		var e contract.ErrorBody
		json.Unmarshal(rec.Body.Bytes(), &e)
		return e.Error.Code
	}

	if rec := search(grayPNG(t, 4000, 4001)); rec.Code != http.StatusRequestEntityTooLarge || code(rec) != contract.CodeImageTooLarge {
		t.Errorf("over the cap: %d %s", rec.Code, rec.Body)
	}

	_, release, err := d.reserve(t.Context(), pngHeader(4000, 4000), true)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range maxDecodeWaiting {
		// Headers only: they wait like any image, then fail to decode
		// at once.
		wg.Go(func() { search(pngHeader(100, 100)) })
	}
	within(t, "waiting searches", func() {
		for d.waiting.Load() < maxDecodeWaiting {
			time.Sleep(time.Millisecond)
		}
	})
	rec := search(photos.MustRead("obama_1.jpg"))
	if rec.Code != http.StatusServiceUnavailable || code(rec) != contract.CodeUnavailable || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("busy: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	release()
	within(t, "searches after release", wg.Wait)

	rec = httptest.NewRecorder()
	l.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/info", nil))
	var info contract.InfoBody
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil || info.MaxImagePixels != MaxImagePixels {
		t.Errorf("info: maxImagePixels %d, %v; want %d", info.MaxImagePixels, err, MaxImagePixels)
	}
}
