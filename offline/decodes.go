package offline

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/jpeg" // image.DecodeConfig of the two formats
	_ "image/png"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"sync/atomic"

	"golang.org/x/sync/semaphore"

	"github.com/facerec/facerec-cdk/contract"
)

// Limits that keep the server's memory bounded whatever images it is sent.
const (
	// MaxImagePixels is the most pixels (width×height) of an image the
	// offline server decodes: 16 megapixels (4912×3264, a 16 MP camera's
	// photo; more than a 12 MP phone's 4032×3024). A larger image is refused before any pixel is decoded, with
	// Rekognition's ImageTooLargeException (413 IMAGE_TOO_LARGE on the
	// API). GET /info shows it as maxImagePixels.
	MaxImagePixels = 16_000_000
	// workPixels is the size of the copy the face engine works on: an
	// image of more pixels is scaled down to at most 1920×1080's pixel
	// count as it is decoded. Rekognition finds faces of at least 40×40
	// pixels in a 1920×1080 image and needs proportionally larger faces
	// in larger images (Amazon Rekognition Developer Guide, "Guidelines
	// and quotas"), which the copy keeps.
	workPixels = 1920 * 1080
	// decodeBudget is the memory, in bytes, of the images being decoded
	// at once: a request holds contract.DecodedPixelBytes (12) bytes for
	// every pixel of its image while it runs (the stand-in's decode and,
	// for a search of all faces, the service's full-size decode). It is
	// one largest image's worth, so the largest images are decoded one
	// at a time and small ones many at a time.
	decodeBudget = MaxImagePixels * contract.DecodedPixelBytes
	// maxDecodeWaiting is the number of API requests that may wait for
	// the budget; the next ones are answered 503 SERVICE_UNAVAILABLE with
	// Retry-After (decodeRetryAfter seconds).
	maxDecodeWaiting = 32
	decodeRetryAfter = 1
	// MemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit)
	// Serve and Start set unless the GOMEMLIMIT environment variable sets
	// one: 352 MiB, the decode budget and the rest of the server with room
	// to spare. Measured with TestPeakRSS (16 concurrent searches of all
	// faces of a 16 MP 16-bit PNG, then 16 of its largest face): peak RSS
	// 430–432 MB at 352 MiB, 505–514 MB at 384 MiB, the same CPU time
	// (before the multi-pass detector); with today's engine, whose
	// SsdMobilenetv1 weights take 22 MB more, 459–478 MB at 352 MiB.
	// Near it the garbage collector runs more often and returns freed
	// memory to the system, so that the decoded images, freed one after
	// another, do not pile up as garbage.
	MemoryLimit = 352 << 20
)

// limitMemory sets the process's soft memory limit to MemoryLimit unless
// GOMEMLIMIT sets one.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}

// decodeLimit shares decodeBudget among the requests that decode images.
// A request reserves its image's share once, for its whole run; calls
// made under a context that holds a reservation take none again.
type decodeLimit struct {
	sem     *semaphore.Weighted
	waiting atomic.Int64
}

func newDecodeLimit() *decodeLimit {
	return &decodeLimit{sem: semaphore.NewWeighted(decodeBudget)}
}

// decodeReserved marks a context whose request holds a reservation.
type decodeReserved struct{}

// errDecodeBusy is returned by reserve when maxDecodeWaiting requests
// already wait.
var errDecodeBusy = errors.New("offline: too many images waiting to be decoded")

// decodeCost is the share of the budget decoding data needs: its pixels
// (from the header) at contract.DecodedPixelBytes each; 0 for bytes that
// are no JPEG or PNG or an image over MaxImagePixels, which are refused
// without being decoded.
func decodeCost(data []byte) int64 {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	if px > MaxImagePixels {
		return 0
	}
	return px * contract.DecodedPixelBytes
}

// reserve waits until data's share of the budget is free and returns ctx
// marked as holding it, with the function that frees it. With queue, it
// fails with errDecodeBusy rather than wait when maxDecodeWaiting others
// wait; without, it waits until ctx ends. A nil limit, a context that holds
// a reservation already and data needing no share reserve nothing.
func (d *decodeLimit) reserve(ctx context.Context, data []byte, queue bool) (context.Context, func(), error) {
	cost := int64(0)
	if d != nil && ctx.Value(decodeReserved{}) == nil {
		cost = decodeCost(data)
	}
	if cost == 0 {
		return ctx, func() {}, nil
	}
	if !d.sem.TryAcquire(cost) {
		if n := d.waiting.Add(1); queue && n > maxDecodeWaiting {
			d.waiting.Add(-1)
			return ctx, nil, errDecodeBusy
		}
		err := d.sem.Acquire(ctx, cost)
		d.waiting.Add(-1)
		if err != nil {
			return ctx, nil, err
		}
	}
	return context.WithValue(ctx, decodeReserved{}, true), func() { d.sem.Release(cost) }, nil
}

// reserveDecode reserves the decode budget for an API request with body,
// answering 503 with Retry-After itself (and returning ok false) when too
// many requests wait or the client went away while waiting.
func (l *Local) reserveDecode(w http.ResponseWriter, r *http.Request, body []byte) (ctx context.Context, release func(), ok bool) {
	var d *decodeLimit
	if l.Rekognition != nil {
		d = l.Rekognition.decodes
	}
	ctx, release, err := d.reserve(r.Context(), body, true)
	if err != nil {
		w.Header().Set("Retry-After", strconv.Itoa(decodeRetryAfter))
		l.gatewayError(w, r, http.StatusServiceUnavailable, contract.CodeUnavailable, "too many images are being decoded; retry later")
		return nil, nil, false
	}
	return ctx, release, true
}
