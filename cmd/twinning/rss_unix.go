//go:build unix

package main

import (
	"fmt"
	"runtime"
	"syscall"
)

// peakRSS returns the process's peak resident memory as "N MiB", from
// getrusage; on Linux ru_maxrss is in KiB, on Darwin in bytes.
func peakRSS() string {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return "unknown"
	}
	kib := int64(ru.Maxrss)
	if runtime.GOOS == "darwin" {
		kib /= 1024
	}
	return fmt.Sprintf("%d MiB", kib>>10)
}
