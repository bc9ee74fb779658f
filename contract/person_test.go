package contract

import (
	"strings"
	"testing"
)

// TestValidatePerson covers each part of the rule, at its edges.
func TestValidatePerson(t *testing.T) {
	for name, ok := range map[string]bool{
		"Barack Obama":               true,
		"Zoë Ångström-O'Neil":        true,
		"李小龍":                        true,
		" padded ":                   true,
		strings.Repeat("a", 256):     true,
		strings.Repeat("龍", 85):      true, // 255 bytes
		"":                           false,
		"   ":                        false,
		"\u3000":                     false, // ideographic space only
		"two\nlines":                 false,
		"carriage\rreturn":           false,
		"nul\x00byte":                false,
		"tab\tbed":                   false,
		"del\x7f":                    false,
		"c1\u0085next line":          false,
		"line\u2028separator":        false,
		"\xff\xfe not UTF-8":         false,
		strings.Repeat("a", 257):     false,
		strings.Repeat("龍", 86):      false, // 258 bytes
		strings.Repeat("x", 100_000): false,
	} {
		err := ValidatePerson(name)
		if (err == nil) != ok {
			t.Errorf("ValidatePerson(%.20q) = %v, want ok %v", name, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), PersonRule) {
			t.Errorf("ValidatePerson(%.20q): %q does not state the rule", name, err)
		}
	}
}
