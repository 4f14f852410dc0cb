package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph/embedded"
)

// importFixture returns the path of a fixture in testdata/import.
func importFixture(name string) string {
	return filepath.Join("..", "..", "testdata", "import", name)
}

func TestImportCommand(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "twinning.db")
	t.Chdir(dir) // the default unresolved file goes to the working directory
	abs := func(name string) string {
		p, err := filepath.Abs(filepath.Join(wd0, importFixture(name)))
		require.NoError(t, err)
		return p
	}

	code, out, errOut := cli(t, "import", "hromadas", "-data", data, abs("hromadas.csv"))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "import hromadas: read 15 rows from hromadas.csv")
	assert.Contains(t, out, "9 created, 0 updated, 0 merged, 0 unchanged")
	assert.Contains(t, out, `hromadas.csv line 11, column lat_center: "abc" is not a number`)
	assert.Contains(t, errOut, "writing municipalities", "progress lines go to stderr")

	code, out, errOut = cli(t, "import", "geonames", "-data", data, "-country-info", abs("countryInfo.txt"), "-admin1", abs("admin1.tsv"), abs("geonames.txt"))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "merged")

	code, _, errOut = cli(t, "import", "lau", "-data", data, abs("lau.csv"))
	require.Equal(t, 0, code, errOut)

	code, out, errOut = cli(t, "import", "twins", "-data", data, abs("twins.csv"), "-timing")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "partnerships:   9 created")
	assert.Contains(t, out, "timing: ")
	assert.FileExists(t, filepath.Join(dir, "twins-unresolved.csv"))

	// Re-importing changes nothing.
	code, out, errOut = cli(t, "import", "hromadas", "-data", data, abs("hromadas.csv"))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "0 created, 0 updated, 0 merged, 9 unchanged")

	// -strict aborts before writing.
	fresh := filepath.Join(dir, "strict.db")
	code, _, errOut = cli(t, "import", "lau", "-data", fresh, "-strict", abs("lau.csv"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "strict mode: nothing written")
	s, err := embedded.Open(fresh)
	require.NoError(t, err)
	c, err := s.Counts(context.Background())
	require.NoError(t, err)
	assert.Zero(t, c.Municipalities, "not even the bundled sample")
	require.NoError(t, s.Close())
}

func TestImportUsage(t *testing.T) {
	clearEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "give the KIND"},
		{[]string{"import", "cities"}, `unknown KIND "cities"`},
		{[]string{"import", "hromadas", "-data", filepath.Join(t.TempDir(), "x.db")}, "give the FILE"},
		{[]string{"import", "geonames", "-data", filepath.Join(t.TempDir(), "x.db"), "g.txt"}, "give -country-info"},
		{[]string{"import", "geonames", "-countries", "UA,Poland", "g.txt"}, `"POLAND" is not an ISO`},
		{[]string{"import", "twins", "a.csv", "b.csv"}, "reads one FILE"},
	} {
		code, _, errOut := cli(t, tc.args...)
		assert.Equal(t, 2, code, tc.args)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
	code, _, errOut := cli(t, "import", "hromadas", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "15 km apart")
}

// wd0 is the package directory, where the test started.
var wd0 = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return wd
}()
