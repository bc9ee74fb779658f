package contract

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxPersonBytes is the longest person name, in bytes of UTF-8 (256: for
// example 256 ASCII letters, or 85 CJK characters). It fits every place a
// name is stored, with room to spare: S3 user metadata, at most 2 KB of
// keys and values (S3 User Guide, object metadata), where a name that is
// not ASCII is stored RFC 2047-encoded (about 440 bytes at most); the
// person index's partition key, at most 2,048 bytes (DynamoDB quotas);
// the Rekognition UserId is derived from the name (service.UserID) and
// always fits its 128 characters.
const MaxPersonBytes = 256

// PersonRule states the rule of ValidatePerson, for messages and
// documentation.
const PersonRule = "a person name must be valid UTF-8, not empty or only spaces, without control characters or line breaks, and at most 256 bytes"

// ValidatePerson checks a person name given at upload or in a request: it
// must be valid UTF-8, must not be empty once leading and trailing white
// space is trimmed, must hold no control character (Unicode category Cc:
// NUL, tab, line feed, DEL, …) and no line or paragraph separator
// (U+2028, U+2029), and must be at most MaxPersonBytes bytes. The name is
// taken as it is (it is not trimmed). The error names the rule
// (PersonRule) and what broke it; it never quotes the name. The same rule
// applies deployed, offline and in the client.
func ValidatePerson(name string) error {
	bad := func(why string) error { return fmt.Errorf("invalid person: %s (%s)", why, PersonRule) }
	switch {
	case !utf8.ValidString(name):
		return bad("it is not valid UTF-8")
	case strings.TrimSpace(name) == "":
		return bad("it is empty or only spaces")
	case len(name) > MaxPersonBytes:
		return bad(fmt.Sprintf("it is %d bytes long", len(name)))
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }):
		return bad("it contains a control character or line break")
	}
	return nil
}
