package contract

import (
	"strings"
	"testing"
)

func TestMatchesMediaType(t *testing.T) {
	for ct, want := range map[string]bool{
		"image/gif":                      true,
		"image/jpeg":                     true,
		"IMAGE/PNG; charset=binary":      true,
		"application/octet-stream":       true,
		"text/plain":                     false,
		"application/json":               false,
		"":                               false,
		"imagex/gif":                     false,
		"application/octet-stream-extra": false,
	} {
		if got := MatchesMediaType(ct, BinaryMediaTypes); got != want {
			t.Errorf("MatchesMediaType(%q, %q) = %v, want %v", ct, BinaryMediaTypes, got, want)
		}
	}
}

func TestUnacceptedImage(t *testing.T) {
	tests := []struct {
		name, data, want string
		other            bool
	}{
		{"gif", "GIF89a\x01\x00\x01\x00", "GIF images (image/gif) are not accepted; send JPEG or PNG (image/jpeg, image/png)", true},
		{"webp", "RIFF\x00\x00\x00\x00WEBPVP8 ", "WEBP images (image/webp) are not accepted", true},
		{"bmp", "BM\x00\x00", "BMP images (image/bmp) are not accepted", true},
		{"text", "hello", "the body is not a JPEG or PNG image; send JPEG or PNG (image/jpeg, image/png)", false},
		{"jpeg", "\xFF\xD8\xFF\xE0", "send JPEG or PNG", false},
	}
	for _, tt := range tests {
		msg, other := UnacceptedImage([]byte(tt.data))
		if other != tt.other || !strings.Contains(msg, tt.want) {
			t.Errorf("%s: UnacceptedImage = %q, %v; want %q, %v", tt.name, msg, other, tt.want, tt.other)
		}
	}
}
