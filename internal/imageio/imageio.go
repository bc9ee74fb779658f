package imageio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"math"

	xdraw "golang.org/x/image/draw"
)

// MaxImagePixels is the largest width·height DecodeImage accepts (50
// megapixels, 200 MB as RGBA), a guard against decompression bombs.
const MaxImagePixels = 50_000_000

// Errors of DecodeImage, to test for with errors.Is. ErrInvalidImage is
// for bytes that are not a decodable JPEG or PNG (the two formats Amazon
// Rekognition accepts; its InvalidImageFormatException), ErrImageTooLarge
// for an image over MaxImagePixels (its ImageTooLargeException).
var (
	ErrInvalidImage  = errors.New("imageio: not a valid JPEG or PNG image")
	ErrImageTooLarge = errors.New("imageio: image too large")
)

// DecodeImage decodes a JPEG or PNG image into an *image.RGBA with bounds
// starting at (0, 0). A JPEG's EXIF Orientation tag (1–8, in the APP1
// segment) is applied, so the result is upright as a viewer shows it, and
// as Rekognition analyses it: for such a JPEG, Rekognition's bounding boxes
// are relative to the image after the EXIF orientation is applied
// (Rekognition API reference, DetectFaces, OrientationCorrection). PNG
// files are taken as stored, as Rekognition does. Its errors wrap
// ErrInvalidImage (another format, corrupt data) or ErrImageTooLarge.
func DecodeImage(data []byte) (*image.RGBA, error) {
	img, orientation, err := decode(data, MaxImagePixels)
	if err != nil {
		return nil, err
	}
	return orient(ToRGBA(img), orientation), nil
}

// DecodeScaled decodes a JPEG or PNG image as DecodeImage does, but refuses
// one of more than maxPixels pixels (ErrImageTooLarge, checked on the
// header before any pixel is allocated; maxPixels above MaxImagePixels
// counts as MaxImagePixels), and returns one of more than fitPixels scaled
// down, aspect ratio kept, to at most fitPixels (x/image/draw's bilinear
// kernel, widened to average every source pixel), converted straight from
// the decoder's own image, so that no full-size RGBA copy is ever made.
// size is the upright image's full size in pixels (Rekognition's limits on
// image and face sizes are in those pixels); bounding boxes as ratios are
// the same in both. The peak memory is the decoder's image (at most
// BytesPerPixel(header) bytes a pixel) plus the scaled copy.
func DecodeScaled(data []byte, maxPixels, fitPixels int) (img *image.RGBA, size image.Point, err error) {
	src, orientation, err := decode(data, min(maxPixels, MaxImagePixels))
	if err != nil {
		return nil, image.Point{}, err
	}
	b := src.Bounds()
	size = b.Size()
	if orientation >= 5 {
		size = image.Pt(size.Y, size.X)
	}
	if size.X*size.Y <= fitPixels {
		return orient(ToRGBA(src), orientation), size, nil
	}
	f := math.Sqrt(float64(fitPixels) / float64(size.X*size.Y))
	w, h := max(1, int(f*float64(b.Dx()))), max(1, int(f*float64(b.Dy())))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.BiLinear.Scale(m, m.Rect, src, b, xdraw.Src, nil)
	return orient(m, orientation), size, nil
}

// BytesPerPixel is the memory, in bytes a pixel, of the image Go's decoder
// allocates for an image with this header (image.DecodeConfig's answer):
// 8 for 16-bit colour with or without alpha, 4 for 8-bit colour (a JPEG in
// CMYK too), 3 for a JPEG in YCbCr (4:4:4 sampling; less when subsampled),
// 2 for 16-bit grey, 1 for 8-bit grey and paletted images.
func BytesPerPixel(cfg image.Config) int {
	switch cfg.ColorModel {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.YCbCrModel:
		return 3
	case color.Gray16Model:
		return 2
	case color.GrayModel:
		return 1
	}
	if _, ok := cfg.ColorModel.(color.Palette); ok {
		return 1
	}
	return 4
}

// decode decodes a JPEG or PNG image as its decoder returns it, after
// checking on the header that it has at most maxPixels pixels, and
// returns it with its EXIF orientation (1 for a PNG).
func decode(data []byte, maxPixels int) (image.Image, int, error) {
	var (
		config      func(io.Reader) (image.Config, error)
		pixels      func(io.Reader) (image.Image, error)
		orientation = 1
	)
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		config, pixels = jpeg.DecodeConfig, jpeg.Decode
		orientation = jpegOrientation(data)
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		config, pixels = png.DecodeConfig, png.Decode
	default:
		return nil, 0, fmt.Errorf("%w: unknown format", ErrInvalidImage)
	}
	cfg, err := config(bytes.NewReader(data))
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrInvalidImage, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, 0, fmt.Errorf("%w: %d×%d is more than %d pixels", ErrImageTooLarge, cfg.Width, cfg.Height, maxPixels)
	}
	img, err := pixels(bytes.NewReader(data))
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrInvalidImage, err)
	}
	return img, orientation, nil
}

// ToRGBA returns img as an *image.RGBA whose bounds start at (0, 0),
// converting (and copying) only when needed.
func ToRGBA(img image.Image) *image.RGBA {
	if m, ok := img.(*image.RGBA); ok && m.Rect.Min == (image.Point{}) {
		return m
	}
	b := img.Bounds()
	m := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(m, m.Rect, img, b.Min, draw.Src)
	return m
}

// jpegOrientation returns the EXIF Orientation of a JPEG file, or 1 when the
// file has none or it cannot be read. It walks the marker segments before
// the image data looking for an APP1 segment holding "Exif\0\0" and a TIFF
// structure (EXIF 2.32, CIPA DC-008, §4.5 and §4.6.4: tag 0x0112, type
// SHORT, in IFD0).
func jpegOrientation(b []byte) int {
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			return 1
		}
		marker := b[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8): // no length
			i += 2
			continue
		case marker == 0xda || marker == 0xd9: // start of scan, end of image
			return 1
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			if o := tiffOrientation(seg[6:]); o != 0 {
				return o
			}
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads the Orientation tag of IFD0 in a TIFF structure and
// returns it, or 0 when it is absent, malformed or outside 1–8.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd+2 > int64(len(t)) {
		return 0
	}
	count := int64(bo.Uint16(t[ifd:]))
	for e := ifd + 2; e+12 <= int64(len(t)) && e < ifd+2+12*count; e += 12 {
		const tagOrientation, typeShort = 0x0112, 3
		if bo.Uint16(t[e:]) != tagOrientation {
			continue
		}
		if bo.Uint16(t[e+2:]) != typeShort || bo.Uint32(t[e+4:]) != 1 {
			return 0
		}
		if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
			return o
		}
		return 0
	}
	return 0
}

// orient returns img turned upright for an EXIF orientation: 2 mirrors it
// left–right, 3 turns it 180°, 4 mirrors it top–bottom, 5 transposes it, 6
// turns it 90° clockwise, 7 transverses it (mirror about the other
// diagonal), 8 turns it 90° counter-clockwise; 1 (or anything else) returns
// img itself.
func orient(img *image.RGBA, orientation int) *image.RGBA {
	if orientation < 2 || orientation > 8 {
		return img
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	ow, oh := w, h
	if orientation >= 5 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := range oh {
		for x := range ow {
			var sx, sy int // the stored pixel shown at (x, y)
			switch orientation {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			copy(out.Pix[y*out.Stride+4*x:][:4], img.Pix[sy*img.Stride+4*sx:])
		}
	}
	return out
}
