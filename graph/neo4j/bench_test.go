package neo4j

import (
	"testing"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/storetest"
)

// BenchmarkStore runs the operations that graph/embedded's BenchmarkStore
// runs, on the bundled sample, against the server of TWINNING_NEO4J_URI.
func BenchmarkStore(b *testing.B) {
	serverURI(b)
	storetest.Bench(b, func(b *testing.B) graph.Store { return openEmpty(b) })
}
