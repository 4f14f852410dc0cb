package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/internal/datafetch"
	"github.com/twinning/twinning/internal/datafetch/fetchtest"
)

// TestDataFetchThenImportAll: "twinning data fetch DIR" against the local
// fixture server fills a folder that "twinning import all DIR" imports
// whole; a second fetch finds everything unchanged.
func TestDataFetchThenImportAll(t *testing.T) {
	clearEnv(t)
	srv := fetchtest.NewServer(t, filepath.Join("..", "..", "testdata"))
	dir := filepath.Join(t.TempDir(), "data")
	code, stdout, stderr := cli(t, "data", "fetch", "-mirror", srv.URL, dir)
	require.Equal(t, 0, code, stderr)
	n := len(datafetch.Sources())
	assert.Contains(t, stdout, "sources into "+dir)
	assert.Contains(t, stdout, "45 new, 0 updated, 0 unchanged, 0 failed")
	assert.Equal(t, 45, n)
	assert.Contains(t, stdout, "import it with: twinning import all "+dir)
	assert.FileExists(t, filepath.Join(dir, datafetch.ManifestFile))

	code, stdout, stderr = cli(t, "import", "all", "-data", filepath.Join(t.TempDir(), "d.db"), "-unresolved", "-", dir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "import all: 8 imports from "+dir)
	assert.Contains(t, stdout, "cities1000.txt", "the full dump that data fetch leaves is imported")

	code, stdout, stderr = cli(t, "data", "fetch", "-mirror", srv.URL, "-only", "geonames-,twins", dir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "5 sources into")
	assert.Contains(t, stdout, "0 new, 0 updated, 5 unchanged, 0 failed")

	code, stdout, _ = cli(t, "data", "fetch", "-list", "-only", "twins")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "https://raw.githubusercontent.com/Hekman/twincities/main/app/public/twin_cities.csv")

	code, _, stderr = cli(t, "data", "fetch", "-only", "nope", dir)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `no source is named "nope"`)
	assert.NoDirExists(t, filepath.Join(dir, ".fetch"), "no download is left to resume")
}
