package service

import (
	"bytes"
	"image"
	_ "image/jpeg" // register the JPEG decoder for DecodeConfig
	_ "image/png"  // register the PNG decoder for DecodeConfig

	"github.com/facerec/facerec-cdk/contract"
)

// ImageFormat is a format Rekognition accepts: "jpeg" or "png".
type ImageFormat string

// The image formats Rekognition accepts (Rekognition limits: JPEG and PNG).
const (
	FormatJPEG ImageFormat = "jpeg"
	FormatPNG  ImageFormat = "png"
)

var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

// SniffFormat returns the format of data from its magic bytes, or "" when
// data is neither a JPEG nor a PNG.
func SniffFormat(data []byte) ImageFormat {
	switch {
	case bytes.HasPrefix(data, jpegMagic):
		return FormatJPEG
	case bytes.HasPrefix(data, pngMagic):
		return FormatPNG
	}
	return ""
}

// ValidateImage checks data against Rekognition's input limits before any
// call is made, so that clients get a precise error instead of Rekognition's
// generic InvalidParameterException:
//   - empty → KindBadRequest (IMAGE_REQUIRED)
//   - more than maxBytes bytes → KindTooLarge
//   - not JPEG or PNG by magic bytes → KindUnsupportedMedia
//   - a header that does not decode → KindUnprocessable (INVALID_IMAGE)
//   - width or height under 80 pixels → KindUnprocessable (IMAGE_TOO_SMALL);
//     80×80 is Rekognition's minimum.
//
// It reads only the image header, not the pixels.
func ValidateImage(data []byte, maxBytes int) *Error {
	if len(data) == 0 {
		return newError(KindBadRequest, contract.CodeImageRequired, "an image is required: send JPEG or PNG bytes, base64 text, or JSON {\"image\": \"<base64>\"}")
	}
	if len(data) > maxBytes {
		return newError(KindTooLarge, contract.CodeImageTooLarge, "the image is %d bytes; the maximum is %d bytes", len(data), maxBytes)
	}
	format := SniffFormat(data)
	if format == "" {
		msg, _ := contract.UnacceptedImage(data)
		return newError(KindUnsupportedMedia, contract.CodeUnsupportedMedia, "%s", msg)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return newError(KindUnprocessable, contract.CodeInvalidImage, "the %s image could not be decoded", format)
	}
	if cfg.Width < contract.MinImageDimension || cfg.Height < contract.MinImageDimension {
		return newError(KindUnprocessable, contract.CodeImageTooSmall, "the image is too small: %dx%d pixels; the minimum is %dx%d pixels",
			cfg.Width, cfg.Height, contract.MinImageDimension, contract.MinImageDimension)
	}
	return nil
}
