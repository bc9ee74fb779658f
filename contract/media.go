package contract

import (
	"net/http"
	"path"
	"slices"
	"strings"
)

// MatchesMediaType reports whether contentType (a Content-Type header
// value; its parameters are ignored, case too) is matched by one of
// patterns, media types in which "*" stands for any run of characters
// but "/", as API Gateway's binaryMediaTypes allow ("image/*").
func MatchesMediaType(contentType string, patterns []string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return slices.ContainsFunc(patterns, func(p string) bool {
		ok, err := path.Match(p, mt)
		return err == nil && ok
	})
}

// UnacceptedImage returns why data, which is not a JPEG or PNG image, is
// refused, and whether its magic bytes show another image format
// (http.DetectContentType's sniffing: GIF, WebP, BMP, ICO...), which the
// message then names: "GIF images (image/gif) are not accepted; send
// JPEG or PNG (image/jpeg, image/png)". Otherwise the message says that
// the body is not a JPEG or PNG image. AcceptedMediaTypes lists the
// accepted formats.
func UnacceptedImage(data []byte) (message string, otherImage bool) {
	accepted := "send JPEG or PNG (" + strings.Join(AcceptedMediaTypes, ", ") + ")"
	mt := http.DetectContentType(data)
	if !strings.HasPrefix(mt, "image/") || slices.Contains(AcceptedMediaTypes, mt) {
		return "the body is not a JPEG or PNG image; " + accepted, false
	}
	name := strings.ToUpper(strings.TrimPrefix(strings.TrimPrefix(mt, "image/"), "x-"))
	return name + " images (" + mt + ") are not accepted; " + accepted, true
}
