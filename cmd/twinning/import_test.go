package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
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

	prom := filepath.Join(dir, "twinning-import-twins.prom")
	code, out, errOut = cli(t, "import", "twins", "-data", data, abs("twins.csv"), "-timing", "-metrics-file", prom)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "partnerships:   9 created")
	assert.Contains(t, out, "timing: ")
	assert.FileExists(t, filepath.Join(dir, "twins-unresolved.csv"))

	// The metrics file says the same as the summary, in the Prometheus
	// text format.
	families := readProm(t, prom)
	gauge := func(name string, labels ...string) float64 {
		t.Helper()
		fam, ok := families[name]
		require.True(t, ok, "no %s in %s", name, prom)
	series:
		for _, m := range fam.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for i := 0; i < len(labels); i += 2 {
				if got[labels[i]] != labels[i+1] {
					continue series
				}
			}
			require.Equal(t, "twins", got["kind"], name)
			return m.GetGauge().GetValue()
		}
		t.Fatalf("no series %s%v", name, labels)
		return 0
	}
	assert.Equal(t, 1.0, gauge("twinning_import_last_run_success"))
	assert.Equal(t, 9.0, gauge("twinning_import_last_partnerships", "result", "created"))
	assert.Positive(t, gauge("twinning_import_last_rows", "outcome", "read"))
	assert.Positive(t, gauge("twinning_import_last_places", "method", "unresolved"), "the fixture has unresolved places")
	assert.Positive(t, gauge("twinning_import_last_duration_seconds"))
	assert.InDelta(t, float64(time.Now().Unix()), gauge("twinning_import_last_run_timestamp_seconds"), 3600)

	// A failed import says so in its metrics file.
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("not,a,twins,file\n"), 0o600))
	code, _, _ = cli(t, "import", "twins", "-data", data, bad, "-metrics-file", prom)
	assert.Equal(t, 1, code)
	families = readProm(t, prom)
	assert.Equal(t, 0.0, gauge("twinning_import_last_run_success"))

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

// readProm parses a file in the Prometheus text format.
func readProm(t *testing.T, path string) map[string]*dto.MetricFamily {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(f)
	require.NoError(t, err, path)
	return families
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
		{[]string{"import", "twins", "-metrics-file", filepath.Join(t.TempDir(), "no", "such", "x.prom"), "a.csv"}, "-metrics-file: directory"},
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

// TestImportCompanionsAndKinds finds GeoNames' tables beside the dump and
// refuses a file of another kind before writing anything.
func TestImportCompanionsAndKinds(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	for _, f := range []string{"geonames.txt", "countryInfo.txt", "admin1.tsv", "hromadas.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "import", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	data := filepath.Join(dir, "t.db")
	code, out, errOut := cli(t, "import", "geonames", "-data", data, filepath.Join(dir, "geonames.txt"))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "using "+filepath.Join(dir, "countryInfo.txt"))
	assert.Contains(t, errOut, "using "+filepath.Join(dir, "admin1.tsv"))
	assert.Contains(t, out, "import geonames")

	code, _, errOut = cli(t, "import", "geonames", "-data", data, filepath.Join(dir, "hromadas.csv"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "looks like a hromadas file, not a geonames one")
}
