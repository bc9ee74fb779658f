//go:build rss

package offline

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/facerec/facerec-cdk/examples/photos"
	"github.com/facerec/facerec-cdk/internal/imageio"
)

// Run with: go test -tags rss -run TestPeakRSS -v -count=1 -timeout 30m ./offline
//
// TestPeakRSS measures the server's peak resident memory (VmHWM) while it
// answers concurrent searches of the costliest image it accepts: a PNG of
// MaxImagePixels pixels in 16-bit RGBA (8 bytes a pixel as Go decodes it)
// that shows the sample group photo, enlarged so that its faces are
// found, and fits in the 5 MB a search accepts. Searches of all faces run
// first (the stand-in's decode, then the service's full-size decode),
// then searches of the largest face. The memory limit is Serve's. It is a measurement, not a test run
// by make test: it takes a minute of CPU.
func TestPeakRSS(t *testing.T) {
	const concurrent = 16
	worst := worstPNG(t)
	l := testLocal(t)
	limitMemory() // as Serve does
	ts := httptest.NewServer(l.Handler())
	defer ts.Close()
	base := vmHWM(t)
	for _, path := range []string{"/search?faces=all", "/search"} {
		var wg sync.WaitGroup
		codes := make([]int, concurrent)
		for i := range concurrent {
			wg.Go(func() {
				resp, err := http.Post(ts.URL+path, "image/png", bytes.NewReader(worst))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				codes[i] = resp.StatusCode
			})
		}
		wg.Wait()
		t.Logf("%d × POST %s of a %d-byte %d-pixel 16-bit PNG: statuses %v; peak RSS so far %d MB (%d MB before the searches)",
			concurrent, path, len(worst), MaxImagePixels, codes, vmHWM(t)>>20, base>>20)
	}
}

// worstPNG encodes, row by row, a 16-bit RGBA PNG of MaxImagePixels showing
// group_obama_biden.jpg enlarged 4 times (nearest neighbour) on grey.
func worstPNG(t *testing.T) []byte {
	src, err := imageio.DecodeImage(photos.MustRead("group_obama_biden.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, enlarged{src, 4}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 5<<20 {
		t.Fatalf("the PNG has %d bytes, more than a search accepts", buf.Len())
	}
	return buf.Bytes()
}

// enlarged is a lazily computed 5000-pixel-wide NRGBA64 image of
// MaxImagePixels pixels
// showing src scaled k times, translucent by one step so that the encoder
// keeps the alpha channel.
type enlarged struct {
	src *image.RGBA
	k   int
}

func (e enlarged) ColorModel() color.Model { return color.NRGBA64Model }
func (e enlarged) Bounds() image.Rectangle { return image.Rect(0, 0, 5000, MaxImagePixels/5000) }
func (e enlarged) At(x, y int) color.Color {
	p := image.Pt(x/e.k, y/e.k)
	if !p.In(e.src.Rect) {
		return color.NRGBA64{0x8000, 0x8000, 0x8000, 0xfffe}
	}
	c := e.src.RGBAAt(p.X, p.Y)
	return color.NRGBA64{uint16(c.R) * 0x101, uint16(c.G) * 0x101, uint16(c.B) * 0x101, 0xfffe}
}

// vmHWM returns this process's peak resident set size, in bytes.
func vmHWM(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}
