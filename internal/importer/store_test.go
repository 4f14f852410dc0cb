package importer

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
)

// openStore returns a fresh embedded store in a temporary directory.
func openStore(t testing.TB) graph.Store {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "twinning.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}
