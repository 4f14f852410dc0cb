package score

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1, &ru) // RUSAGE_THREAD
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZProbe(t *testing.T) {
	ms, ps := benchGraph()
	ix, _ := NewIndex(ms, ps)
	e := NewEngine(DefaultModel())
	e.SetIndex(ix)
	runtime.GC()
	runtime.LockOSThread()
	ctx := context.Background()
	for _, phase := range []string{"warm", "measure"} {
		c0, w0 := threadCPU(), time.Now()
		n := 0
		for i := range int32(benchUkrainian) {
			if ix.degree[i] == 0 {
				continue
			}
			e.Suggest(ctx, ix.ms[i].ID, Options{})
			n++
			if n == 200 {
				break
			}
		}
		t.Logf("%s: thread cpu %v/op wall %v/op, n=%d", phase, (threadCPU()-c0)/time.Duration(n), time.Since(w0)/time.Duration(n), n)
		r := ix.newRequest(0, 0)
		c0 = threadCPU()
		var v [numFactors]float64
		for k := 0; k < 20; k++ {
			for i := range int32(len(ix.ms)) {
				r.values(i, &v)
			}
		}
		r.release()
		t.Logf("values only: %v per pass", (threadCPU()-c0)/20)
	}
}
