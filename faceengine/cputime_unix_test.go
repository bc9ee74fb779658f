//go:build unix

package faceengine

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time (user and system, all threads) the process has
// used so far.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// reportCPU runs the benchmark loop body and reports, beside ns/op, the
// process's CPU time per operation as cpu-ns/op: on a machine shared with
// other work, wall time per operation swings with the load while CPU
// time barely does.
func reportCPU(b *testing.B, body func()) {
	start := cpuTime()
	for b.Loop() {
		body()
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}
