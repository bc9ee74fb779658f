//go:build !unix

package faceengine

import "testing"

// reportCPU runs the benchmark loop body (CPU time is measured on unix
// systems only).
func reportCPU(b *testing.B, body func()) {
	for b.Loop() {
		body()
	}
}
