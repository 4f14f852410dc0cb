package analytics

import (
	"testing"
	"time"
)

func TestTmpTiming(t *testing.T) {
	t0 := time.Now()
	ms, ps := synthetic(benchNodes, benchEdges, 42)
	t1 := time.Now()
	g, err := New(ms, ps)
	if err != nil {
		t.Fatal(err)
	}
	t2 := time.Now()
	g.Stats()
	t3 := time.Now()
	t.Logf("synthetic %v New %v Stats %v", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2))
}
