//go:build !unix

package main

// peakRSS returns "unknown": the peak resident memory is read with
// getrusage, which this system does not have.
func peakRSS() string { return "unknown" }
