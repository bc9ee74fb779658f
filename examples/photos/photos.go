// Package photos embeds the public-domain sample photos of this directory
// (their origin and licence status are in PROVENANCE.md) for the demo and
// the tests: obama_1.jpg, obama_2.jpg, biden_2.jpg, collins_1.png,
// group_obama_biden.jpg and noface_rocket.jpg.
package photos

import "embed"

//go:embed *.jpg *.png
var files embed.FS

// Read returns the bytes of the sample photo name, or an error if there is
// no such photo.
func Read(name string) ([]byte, error) {
	return files.ReadFile(name)
}

// MustRead is Read for tests and fixed names: it panics if there is no
// such photo.
func MustRead(name string) []byte {
	b, err := Read(name)
	if err != nil {
		panic(err)
	}
	return b
}
