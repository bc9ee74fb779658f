package imageio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"

	"github.com/facerec/facerec-cdk/examples/photos"
)

// exifSegment builds an APP1 segment with an EXIF IFD0 holding one
// Orientation entry, in the given byte order.
func exifSegment(bo binary.ByteOrder, orientation uint16) []byte {
	tiff := make([]byte, 26)
	if bo == binary.LittleEndian {
		copy(tiff, "II")
	} else {
		copy(tiff, "MM")
	}
	bo.PutUint16(tiff[2:], 42)
	bo.PutUint32(tiff[4:], 8)       // IFD0 offset
	bo.PutUint16(tiff[8:], 1)       // one entry
	bo.PutUint16(tiff[10:], 0x0112) // Orientation
	bo.PutUint16(tiff[12:], 3)      // SHORT
	bo.PutUint32(tiff[14:], 1)      // count
	bo.PutUint16(tiff[18:], orientation)
	// tiff[22:26]: no next IFD
	body := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xff, 0xe1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(body)+2))
	return append(seg, body...)
}

// withSegment inserts seg right after a JPEG's SOI marker.
func withSegment(jpg, seg []byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// inverseOrientation returns the orientation that undoes o: 6 and 8 undo
// each other, the others are their own inverse.
func inverseOrientation(o int) int {
	switch o {
	case 6:
		return 8
	case 8:
		return 6
	}
	return o
}

func TestJPEGOrientation(t *testing.T) {
	jpg := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 8, 8)))
	for o := uint16(1); o <= 8; o++ {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			if got := jpegOrientation(withSegment(jpg, exifSegment(bo, o))); got != int(o) {
				t.Errorf("%v orientation %d: read %d", bo, o, got)
			}
		}
	}
	bad := exifSegment(binary.BigEndian, 9)
	for name, data := range map[string][]byte{
		"no EXIF":            jpg,
		"orientation 9":      withSegment(jpg, bad),
		"truncated segment":  withSegment(jpg, bad[:20]),
		"not a TIFF":         withSegment(jpg, []byte("\xff\xe1\x00\x10Exif\x00\x00XX\x00\x2a\x00\x00")),
		"SOI only":           {0xff, 0xd8},
		"garbage after SOI":  {0xff, 0xd8, 0x12, 0x34, 0x56, 0x78},
		"segment past end":   {0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x00},
		"APP0 then nothing":  {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02},
		"fill bytes and EOI": {0xff, 0xd8, 0xff, 0xff, 0xff, 0xd9},
	} {
		if got := jpegOrientation(data); got != 1 {
			t.Errorf("%s: orientation %d, want 1", name, got)
		}
	}
}

func TestOrient(t *testing.T) {
	// A 3×2 image whose pixels are all different.
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range src.Pix {
		src.Pix[i] = uint8(i)
	}
	px := func(m *image.RGBA, x, y int) color.RGBA { return m.RGBAAt(x, y) }
	// Orientation 6: the stored image is shown turned 90° clockwise, so its
	// bottom-left pixel is shown top-left and it becomes 2 wide, 3 high.
	r := orient(src, 6)
	if r.Rect.Dx() != 2 || r.Rect.Dy() != 3 || px(r, 0, 0) != px(src, 0, 1) || px(r, 1, 0) != px(src, 0, 0) || px(r, 0, 2) != px(src, 2, 1) {
		t.Errorf("orientation 6 wrong: %v", r.Pix)
	}
	if r := orient(src, 3); px(r, 0, 0) != px(src, 2, 1) {
		t.Error("orientation 3 wrong")
	}
	if r := orient(src, 2); px(r, 0, 1) != px(src, 2, 1) {
		t.Error("orientation 2 wrong")
	}
	for o := 1; o <= 8; o++ {
		back := orient(orient(src, inverseOrientation(o)), o)
		if !bytes.Equal(back.Pix, src.Pix) || back.Rect != src.Rect {
			t.Errorf("orientation %d does not undo %d", o, inverseOrientation(o))
		}
	}
}

// TestDecodeImageAppliesOrientation stores a sample photo turned for each
// EXIF orientation, tags it, and wants DecodeImage to give back the upright
// photo, pixel for pixel up to JPEG's loss.
func TestDecodeImageAppliesOrientation(t *testing.T) {
	upright, err := DecodeImage(photos.MustRead("obama_1.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	for o := 2; o <= 8; o++ {
		stored := orient(upright, inverseOrientation(o))
		data := withSegment(encodeJPEG(t, stored), exifSegment(binary.LittleEndian, uint16(o)))
		img, err := DecodeImage(data)
		if err != nil {
			t.Fatal(err)
		}
		if img.Rect != upright.Rect {
			t.Fatalf("orientation %d: decoded %v, want %v", o, img.Rect, upright.Rect)
		}
		if d := meanAbsDiff(img, upright); d > 3 {
			t.Errorf("orientation %d: decoded image differs from the upright photo by %.1f levels on average", o, d)
		}
	}
}

// meanAbsDiff is the mean absolute difference of the color channels of two
// images of the same bounds, in levels (0–255).
func meanAbsDiff(a, b *image.RGBA) float64 {
	sum := 0
	for i := range a.Pix {
		if i%4 != 3 {
			sum += int(math.Abs(float64(a.Pix[i]) - float64(b.Pix[i])))
		}
	}
	return float64(sum) / float64(len(a.Pix)/4*3)
}

func TestDecodeImageErrors(t *testing.T) {
	if _, err := DecodeImage([]byte("GIF89a...")); !errors.Is(err, ErrInvalidImage) {
		t.Errorf("GIF: err = %v, want ErrInvalidImage", err)
	}
	jpg := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 16, 16)))
	if _, err := DecodeImage(jpg[:len(jpg)/2]); !errors.Is(err, ErrInvalidImage) {
		t.Errorf("truncated JPEG: err = %v, want ErrInvalidImage", err)
	}
	// A PNG whose header claims 10⁴×10⁴ pixels.
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	big := buf.Bytes()
	ihdr := big[8+8 : 8+8+13]
	binary.BigEndian.PutUint32(ihdr[0:], 10000)
	binary.BigEndian.PutUint32(ihdr[4:], 10000)
	binary.BigEndian.PutUint32(big[8+8+13:], crc32.ChecksumIEEE(big[8+4:8+8+13]))
	if _, err := DecodeImage(big); !errors.Is(err, ErrImageTooLarge) {
		t.Errorf("10⁸-pixel PNG: err = %v, want ErrImageTooLarge", err)
	}
}

// TestDecodeScaled: a photo over fitPixels comes back scaled to at most
// that many pixels, aspect ratio kept and EXIF orientation applied, with
// its full upright size; one under it comes back as DecodeImage gives it;
// one over maxPixels is refused before decoding.
func TestDecodeScaled(t *testing.T) {
	data := photos.MustRead("group_obama_biden.jpg")
	full, err := DecodeImage(data)
	if err != nil {
		t.Fatal(err)
	}
	fw, fh := full.Rect.Dx(), full.Rect.Dy()

	small, size, err := DecodeScaled(data, MaxImagePixels, fw*fh/4)
	if err != nil {
		t.Fatal(err)
	}
	if size != image.Pt(fw, fh) {
		t.Errorf("size = %v, want %dx%d", size, fw, fh)
	}
	w, h := small.Rect.Dx(), small.Rect.Dy()
	if w*h > fw*fh/4 || w < fw/2-1 || h < fh/2-1 {
		t.Errorf("scaled to %dx%d from %dx%d, want about half each side", w, h, fw, fh)
	}
	// The scaled copy shows the same picture: mean absolute difference
	// from the full image sampled at the same places, per channel.
	var diff float64
	for y := range h {
		for x := range w {
			a := small.RGBAAt(x, y)
			b := full.RGBAAt(x*fw/w, y*fh/h)
			diff += math.Abs(float64(a.G) - float64(b.G))
		}
	}
	if diff /= float64(w * h); diff > 20 {
		t.Errorf("scaled copy differs from the photo by %.1f a pixel on average", diff)
	}

	same, size, err := DecodeScaled(data, MaxImagePixels, fw*fh)
	if err != nil || size != image.Pt(fw, fh) || !bytes.Equal(same.Pix, full.Pix) {
		t.Errorf("under fitPixels: size %v, err %v, same pixels %v", size, err, err == nil && bytes.Equal(same.Pix, full.Pix))
	}

	if _, _, err := DecodeScaled(data, fw*fh-1, fw*fh); !errors.Is(err, ErrImageTooLarge) {
		t.Errorf("over maxPixels: err = %v, want ErrImageTooLarge", err)
	}

	// A turned JPEG (Orientation 6) gives the upright size, scaled.
	turned := append([]byte{0xff, 0xd8}, append(exifSegment(binary.BigEndian, 6), data[2:]...)...)
	img, size, err := DecodeScaled(turned, MaxImagePixels, fw*fh/4)
	if err != nil {
		t.Fatal(err)
	}
	if size != image.Pt(fh, fw) || img.Rect.Dx() != h || img.Rect.Dy() != w {
		t.Errorf("turned: size %v, scaled %v; want %dx%d and %dx%d", size, img.Rect.Size(), fh, fw, h, w)
	}
}

// TestBytesPerPixel: the decoders' image types for each header.
func TestBytesPerPixel(t *testing.T) {
	enc := func(m image.Image) image.Config {
		var buf bytes.Buffer
		if err := png.Encode(&buf, m); err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(&buf)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	r := image.Rect(0, 0, 2, 2)
	nrgba64 := image.NewNRGBA64(r)
	nrgba64.SetNRGBA64(0, 0, color.NRGBA64{A: 0x8000})
	jcfg, err := jpeg.DecodeConfig(bytes.NewReader(photos.MustRead("group_obama_biden.jpg")))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		cfg  image.Config
		want int
	}{
		{"16-bit RGBA PNG", enc(nrgba64), 8},
		{"8-bit RGB PNG", enc(image.NewRGBA(r)), 4},
		{"grey PNG", enc(image.NewGray(r)), 1},
		{"16-bit grey PNG", enc(image.NewGray16(r)), 2},
		{"paletted PNG", enc(image.NewPaletted(r, color.Palette{color.Black, color.White})), 1},
		{"YCbCr JPEG", jcfg, 3},
	} {
		if got := BytesPerPixel(c.cfg); got != c.want {
			t.Errorf("%s: %d bytes a pixel, want %d", c.name, got, c.want)
		}
	}
}
