//go:build !unix

package faceengine

import (
	"testing"
	"time"
)

// reportCPU runs the benchmark loop body (CPU time is measured on unix
// systems only).
func reportCPU(b *testing.B, body func()) {
	for b.Loop() {
		body()
	}
}

// cpuTime is 0: CPU time is measured on unix systems only (BenchmarkDevSet
// then reports 0 CPU ms).
func cpuTime() time.Duration { return 0 }
