package service

import (
	"bytes"
	"errors"

	"github.com/facerec/facerec-cdk/contract"
	"github.com/facerec/facerec-cdk/internal/imageio"
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

// ValidateImage checks data against Rekognition's input limits and the
// service's own before any call is made, so that clients get a precise
// error instead of Rekognition's generic answer (or a search of broken
// data):
//   - empty → KindBadRequest (IMAGE_REQUIRED)
//   - more than maxBytes bytes → KindTooLarge (IMAGE_TOO_LARGE)
//   - not JPEG or PNG by magic bytes → KindUnsupportedMedia
//   - a JPEG or PNG that is truncated or corrupt → KindUnprocessable
//     (INVALID_IMAGE), saying which and what is wrong
//   - more than imageio.MaxImagePixels pixels (50 megapixels) →
//     KindTooLarge (IMAGE_TOO_LARGE). The limit is this service's, which
//     bounds the memory a decode takes (200 MB as RGBA); Rekognition
//     documents no pixel limit for its face operations, only the bytes
//     (5 MB inline, 15 MB from S3) and the 80×80 minimum (Rekognition
//     Developer Guide, Guidelines and quotas).
//   - width or height under 80 pixels → KindUnprocessable (IMAGE_TOO_SMALL);
//     80×80 is Rekognition's minimum.
//
// It checks the file's structure with imageio.Check and does not decode
// the pixels (well under a millisecond for a 5 MB photo; see
// imageio.BenchmarkCheck).
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
	info, err := imageio.Check(data)
	var se *imageio.StructureError
	switch {
	case errors.As(err, &se) && se.Truncated:
		return &Error{Kind: KindUnprocessable, Code: contract.CodeInvalidImage, Err: err,
			Message: "the " + string(format) + " image is truncated: " + se.Reason + "; send the whole file"}
	case errors.As(err, &se):
		return &Error{Kind: KindUnprocessable, Code: contract.CodeInvalidImage, Err: err,
			Message: "the " + string(format) + " image is corrupt: " + se.Reason}
	case errors.Is(err, imageio.ErrImageTooLarge):
		return newError(KindTooLarge, contract.CodeImageTooLarge, "the image has %dx%d pixels; the most this service accepts is %d pixels (50 megapixels)",
			info.Width, info.Height, imageio.MaxImagePixels)
	case err != nil:
		return &Error{Kind: KindUnprocessable, Code: contract.CodeInvalidImage, Err: err, Message: "the " + string(format) + " image could not be read"}
	}
	if info.Width < contract.MinImageDimension || info.Height < contract.MinImageDimension {
		return newError(KindUnprocessable, contract.CodeImageTooSmall, "the image is too small: %dx%d pixels; the minimum is %dx%d pixels",
			info.Width, info.Height, contract.MinImageDimension, contract.MinImageDimension)
	}
	return nil
}
