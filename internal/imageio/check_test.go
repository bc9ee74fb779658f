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
	"math/rand/v2"
	"testing"

	"github.com/facerec/facerec-cdk/examples/photos"
)

// checkSamples are whole images of every kind Check must accept: the
// sample photos and PNGs of each colour type Go's encoder writes.
func checkSamples(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{"obama_1.jpg", "obama_2.jpg", "biden_2.jpg", "group_obama_biden.jpg", "noface_rocket.jpg", "collins_1.png"} {
		out[name] = photos.MustRead(name)
	}
	r := image.Rect(0, 0, 97, 83) // odd sizes: partial bytes at the row ends
	gray, gray16, rgba64 := image.NewGray(r), image.NewGray16(r), image.NewNRGBA64(r)
	pal := image.NewPaletted(r, color.Palette{color.Black, color.White, color.Gray{Y: 128}})
	for y := range 83 {
		for x := range 97 {
			gray.SetGray(x, y, color.Gray{Y: uint8(x * y)})
			gray16.SetGray16(x, y, color.Gray16{Y: uint16(x * y * 97)})
			rgba64.SetNRGBA64(x, y, color.NRGBA64{R: uint16(x * 600), G: uint16(y * 700), B: 9, A: uint16(x * y * 8)})
			pal.SetColorIndex(x, y, uint8((x+y)%3))
		}
	}
	for name, img := range map[string]image.Image{"gray.png": gray, "gray16.png": gray16, "nrgba64.png": rgba64, "paletted.png": pal} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		out[name] = buf.Bytes()
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, gray, nil); err != nil {
		t.Fatal(err)
	}
	out["gray.jpg"] = buf.Bytes()
	return out
}

// TestCheck_acceptsWholeImages: every whole sample passes, with the size
// DecodeConfig reads.
func TestCheck_acceptsWholeImages(t *testing.T) {
	for name, data := range checkSamples(t) {
		info, err := Check(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		cfg, format, _ := image.DecodeConfig(bytes.NewReader(data))
		if info.Width != cfg.Width || info.Height != cfg.Height || info.Format != format {
			t.Errorf("%s: Info %+v, DecodeConfig %dx%d %s", name, info, cfg.Width, cfg.Height, format)
		}
	}
}

// TestCheck_agreesWithDecodeOnTruncation: a file cut short anywhere is
// refused as truncated (or, cut inside a structure, corrupt), as the
// full decode refuses it.
func TestCheck_agreesWithDecodeOnTruncation(t *testing.T) {
	for name, data := range checkSamples(t) {
		step := max(1, len(data)/100)
		for n := 0; n < len(data); n += step {
			cut := data[:n]
			if _, err := Check(cut); !errors.Is(err, ErrInvalidImage) {
				t.Errorf("%s cut to %d bytes: Check %v, want ErrInvalidImage", name, n, err)
			}
			if n%(10*step) == 0 { // the full decode, on fewer cuts: it is slow
				if _, err := DecodeImage(cut); err == nil {
					t.Errorf("%s cut to %d bytes: Check refuses it, DecodeImage decodes it", name, n)
				}
			}
		}
		var se *StructureError
		if _, err := Check(data[:len(data)-1]); !errors.As(err, &se) || !se.Truncated {
			t.Errorf("%s without its last byte: %v, want a truncated StructureError", name, err)
		}
	}
}

// TestCheck_pngCorruptionAgreesWithDecode: any byte of a PNG after its
// signature changed is refused (CRC, zlib), as the full decode refuses it.
func TestCheck_pngCorruptionAgreesWithDecode(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for name, data := range checkSamples(t) {
		if !bytes.HasPrefix(data, pngSignature) {
			continue
		}
		for range 50 {
			bad := bytes.Clone(data)
			i := len(pngSignature) + rng.IntN(len(bad)-len(pngSignature))
			bad[i] ^= byte(1 + rng.IntN(255))
			_, cerr := Check(bad)
			_, derr := DecodeImage(bad)
			if !errors.Is(cerr, ErrInvalidImage) {
				t.Errorf("%s with byte %d changed: Check %v, want ErrInvalidImage", name, i, cerr)
			}
			if derr == nil {
				t.Errorf("%s with byte %d changed: Check refuses it, DecodeImage decodes it", name, i)
			}
		}
	}
}

// pngChunk returns a PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// withPNGChunks rebuilds a PNG from its chunks, letting edit replace each
// (nil drops it).
func withPNGChunks(t *testing.T, data []byte, edit func(typ string, body []byte) []byte) []byte {
	t.Helper()
	out := append([]byte{}, pngSignature...)
	for i := len(pngSignature); i < len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		typ, body := string(data[i+4:i+8]), data[i+8:i+8+n]
		if c := edit(typ, body); c != nil {
			out = append(out, c...)
		}
		i += 12 + n
	}
	return out
}

// TestCheck_refusesBrokenStructure: structures that are whole but wrong.
func TestCheck_refusesBrokenStructure(t *testing.T) {
	samples := checkSamples(t)
	jpg, pngData := samples["obama_1.jpg"], samples["gray.png"]
	sos := bytes.Index(jpg, []byte{0xff, 0xda})
	keep := func(typ string, body []byte) []byte { return pngChunk(typ, body) }
	cases := map[string][]byte{
		"JPEG without a scan":        append(append([]byte{}, jpg[:sos]...), 0xff, 0xd9),
		"JPEG scan before its frame": append([]byte{0xff, 0xd8}, jpg[sos:]...),
		"JPEG with a bad length":     append([]byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01}, jpg[2:]...),
		"PNG without IEND": withPNGChunks(t, pngData, func(typ string, body []byte) []byte {
			if typ == "IEND" {
				return nil
			}
			return keep(typ, body)
		}),
		"PNG with an invalid bit depth": withPNGChunks(t, pngData, func(typ string, body []byte) []byte {
			if typ == "IHDR" {
				body = bytes.Clone(body)
				body[8] = 3
			}
			return keep(typ, body)
		}),
	}
	for name, data := range cases {
		_, cerr := Check(data)
		var se *StructureError
		if !errors.As(cerr, &se) || !errors.Is(cerr, ErrInvalidImage) {
			t.Errorf("%s: Check %v, want a StructureError", name, cerr)
		}
		if _, derr := DecodeImage(data); derr == nil {
			t.Errorf("%s: Check refuses it, DecodeImage decodes it", name)
		}
	}
	if _, err := Check([]byte("GIF89a")); !errors.Is(err, ErrInvalidImage) || errors.As(err, new(*StructureError)) {
		t.Errorf("GIF: %v, want ErrInvalidImage that is no StructureError", err)
	}
}

// TestCheck_refusesTooManyPixels: a header declaring more than
// MaxImagePixels is ErrImageTooLarge, with the declared size, whatever
// follows it.
func TestCheck_refusesTooManyPixels(t *testing.T) {
	samples := checkSamples(t)
	bigPNG := withPNGChunks(t, samples["gray.png"], func(typ string, body []byte) []byte {
		if typ == "IHDR" {
			body = bytes.Clone(body)
			binary.BigEndian.PutUint32(body, 10000)
			binary.BigEndian.PutUint32(body[4:], 5001)
		}
		return pngChunk(typ, body)
	})
	jpg := bytes.Clone(samples["obama_1.jpg"])
	sof := bytes.Index(jpg, []byte{0xff, 0xc0})
	binary.BigEndian.PutUint16(jpg[sof+5:], 65535)
	binary.BigEndian.PutUint16(jpg[sof+7:], 65535)
	for name, c := range map[string]struct {
		data []byte
		w, h int
	}{"png": {bigPNG, 10000, 5001}, "jpeg": {jpg, 65535, 65535}} {
		info, err := Check(c.data)
		if !errors.Is(err, ErrImageTooLarge) || info.Width != c.w || info.Height != c.h {
			t.Errorf("%s: %+v %v, want ErrImageTooLarge with %dx%d", name, info, err, c.w, c.h)
		}
	}
}

// largePhotos returns a photo of about 5 MB (Rekognition's inline limit)
// as JPEG and as PNG: the sample photo scaled up, with noise so that it
// does not compress away.
func largePhotos(b *testing.B) (jpg, pngData []byte) {
	b.Helper()
	src, err := DecodeImage(photos.MustRead("obama_1.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	encode := func(w, h int, enc func(*bytes.Buffer, image.Image) error) []byte {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		sw, sh := src.Rect.Dx(), src.Rect.Dy()
		for y := range h {
			for x := range w {
				c := src.RGBAAt(x*sw/w, y*sh/h)
				n := uint8(rng.IntN(16))
				img.SetRGBA(x, y, color.RGBA{c.R ^ n, c.G ^ n, c.B ^ n, 255})
			}
		}
		var buf bytes.Buffer
		if err := enc(&buf, img); err != nil {
			b.Fatal(err)
		}
		return buf.Bytes()
	}
	jpg = encode(4000, 3000, func(w *bytes.Buffer, m image.Image) error { return jpeg.Encode(w, m, &jpeg.Options{Quality: 92}) })
	pngData = encode(1600, 1200, func(w *bytes.Buffer, m image.Image) error { return png.Encode(w, m) })
	return jpg, pngData
}

// BenchmarkCheck measures Check on 5 MB-class photos, against
// BenchmarkDecodeImage, the full decode it saves.
func BenchmarkCheck(b *testing.B) {
	jpg, pngData := largePhotos(b)
	for name, data := range map[string][]byte{"jpeg": jpg, "png": pngData} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Check(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeImage measures the full decode of the photos of
// BenchmarkCheck.
func BenchmarkDecodeImage(b *testing.B) {
	jpg, pngData := largePhotos(b)
	for name, data := range map[string][]byte{"jpeg": jpg, "png": pngData} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeImage(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
