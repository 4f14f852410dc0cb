//go:build unix

package score

import (
	"syscall"
	"testing"
	"time"
)

// reportCPUPerOp adds a "cpu-ns/op" metric: the process's CPU time (user
// and system) per operation since start. On a shared, overloaded machine
// ns/op measures the wait for a core as well; CPU time does not.
func reportCPUPerOp(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

// processCPU returns the CPU time the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
