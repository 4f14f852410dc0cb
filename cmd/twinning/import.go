package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/importer"
)

// importKinds describes the kinds of file "twinning import" reads.
var importKinds = []struct{ name, args, help string }{
	{"geonames", "FILE", "a GeoNames dump (cities500/1000/5000/15000.txt, allCountries.txt), or the reduced 9-column cities1000.tsv; populated places only, city districts (PPLX) only with -districts"},
	{"hromadas", "FILE", "the KSE table of Ukrainian hromadas (ua-hromadas/full_dataset.csv); one municipality per hromada, named after its centre"},
	{"lau", "FILE_OR_DIR...", "Eurostat LAU centre CSVs (eu-lau/*.csv); a directory stands for its *.csv files"},
	{"twins", "FILE", "the Wikipedia twin-town list (twins/twin_cities.csv); both sides are resolved to stored municipalities"},
	{"wikidata", "FILE", "Wikidata SPARQL JSON results of twinning pairs (P190); see internal/importer.ParseWikidata for the query"},
	{"all", "DIR", "a folder laid out as the open data (ua-hromadas/, geonames/, eu-lau/, twins/, ua-partnerships/; see the README's Open data): every file, in the order and with the options of the README's commands, one report each"},
	{"registry", "FILE", "a register of today's partnerships of Ukrainian hromadas (ua-partnerships/: ulead-map.csv, partnership-map.csv, intl-agreements.csv, recognised by the header): hromadas by KATOTTG code checked against their name, partners by name within their country"},
}

// runImport imports open data files into the store:
// "twinning import KIND [flags] FILE...".
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		importUsage(stderr)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return usageError{"give the KIND of file to import: geonames, hromadas, lau, twins, wikidata, registry, or all (a folder)"}
	}
	kind := args[0]
	var kindArgs string
	for _, k := range importKinds {
		if k.name == kind {
			kindArgs = k.args
		}
	}
	if kindArgs == "" {
		importUsage(stderr)
		return usageError{fmt.Sprintf("unknown KIND %q: expected geonames, hromadas, lau, twins, wikidata, registry or all", kind)}
	}
	f := newImportFlags(kind, kindArgs, stderr)
	files, err := parseFlags(f.fs, args[1:], f.sc.envs(map[string]string{"server": "TWINNING_SERVER", "key": "TWINNING_KEY"}))
	if err != nil {
		return err
	}
	if f.server != "" {
		return importToServer(ctx, kind, files, f, stdout, stderr)
	}
	if err := f.sc.validate(); err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError{fmt.Sprintf("give the %s to import", kindArgs)}
	}
	if kind == "all" {
		return f.importAll(ctx, files, stdout, stderr)
	}
	if kind != "lau" && len(files) > 1 {
		return usageError{fmt.Sprintf("import %s reads one FILE, got %d", kind, len(files))}
	}
	if f.batch < 1 {
		return usageError{fmt.Sprintf("-batch: must be 1 or more, got %d", f.batch)}
	}
	if f.metricsFile != "" {
		if err := checkMetricsFile(f.metricsFile); err != nil {
			return err
		}
	}
	job, err := f.prepare(kind, files, stderr)
	if err != nil {
		return err
	}
	return f.importLocal(ctx, job, stdout, stderr)
}

// importFlags are the flags of "twinning import KIND": those of every kind,
// and those of geonames and of the pair files.
type importFlags struct {
	fs                             *flag.FlagSet
	sc                             storeConfig
	strict, timing                 bool
	batch                          int
	server, key, metricsFile       string
	countryInfo, admin1, countries string // geonames
	districts                      bool   // geonames
	createMissing                  bool   // twins, wikidata, registry, all
	unresolved                     string // twins, wikidata, registry, all
}

// newImportFlags registers the flags of "twinning import kind".
func newImportFlags(kind, kindArgs string, stderr io.Writer) *importFlags {
	f := &importFlags{fs: newFlagSet("import "+kind, "[flags] "+kindArgs, stderr), sc: storeConfig{creates: true}}
	fs := f.fs
	f.sc.register(fs)
	fs.BoolVar(&f.strict, "strict", false, "abort at the first bad row and write nothing (default: leave bad rows out and list them)")
	fs.IntVar(&f.batch, "batch", importer.DefaultBatchSize, "records per store write; each write is all-or-none")
	fs.BoolVar(&f.timing, "timing", false, "print the elapsed time and memory use at the end")
	fs.StringVar(&f.server, "server", "", "send the file to this running server (twinning serve) to import while it serves, in place of opening a store: http://HOST:PORT (env TWINNING_SERVER)")
	fs.StringVar(&f.key, "key", "", "the admin key for -server (twinning keys create -role admin) (env TWINNING_KEY)")
	fs.StringVar(&f.metricsFile, "metrics-file", "", "write the import's counts to this file in the Prometheus text format, replacing it atomically (for node_exporter's textfile collector, e.g. DIR/twinning-import-KIND.prom)")
	switch kind {
	case "geonames":
		fs.StringVar(&f.countryInfo, "country-info", "", "GeoNames countryInfo.txt, for country names and the default country set (default: countryInfo.txt beside FILE, when there is one)")
		fs.StringVar(&f.admin1, "admin1", "", "GeoNames admin1CodesASCII.txt (or the same shape), for region names (default: admin1CodesASCII.txt or admin1.tsv beside FILE)")
		fs.StringVar(&f.countries, "countries", "", "comma-separated ISO codes to keep (default: continent EU from -country-info, plus GE, AM, AZ, CY)")
		fs.BoolVar(&f.districts, "districts", false, "keep city districts (feature code PPLX)")
	case "twins", "wikidata", "registry", "all":
		fs.BoolVar(&f.createMissing, "create-missing", false, "create a municipality for a place that does not resolve (id tw-CC-NAME-LAT-LON or wd-QID), instead of leaving its rows out (with all: the twin list's places only)")
		fs.StringVar(&f.unresolved, "unresolved", "", "write the unresolved places as CSV to this file (default: INPUT-unresolved.csv in the current directory; \"-\" for none)")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: twinning import %s [flags] %s\n\n", kind, kindArgs)
		importRules(stderr)
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	return f
}

// openImporter opens the store the flags name (never with the
// demonstration sample) and an importer on it with the flags' options;
// the caller closes the store.
func (f *importFlags) openImporter(ctx context.Context, stderr io.Writer) (*importer.Importer, graph.Store, error) {
	sc := f.sc
	sc.noSample = true // an import never loads the demonstration sample
	store, _, err := sc.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	return importer.New(store, importer.Options{Strict: f.strict, BatchSize: f.batch, Progress: importer.NewProgress(stderr)}), store, nil
}

// importJob is one checked "twinning import KIND FILE...", ready to run.
type importJob struct {
	kind     string
	files    []string
	filter   importer.GeoNamesFilter
	pairOpts importer.PairOptions
}

// prepare checks everything about the input that can fail before the
// store opens: the GeoNames tables (found beside the dump when no flag
// names them), the LAU folder, the unresolved file, the file's kind.
func (f *importFlags) prepare(kind string, files []string, stderr io.Writer) (importJob, error) {
	job := importJob{kind: kind, files: files}
	var err error
	if kind == "geonames" {
		// The tables GeoNames publishes beside its dumps are used when
		// they lie beside the file and no flag names them.
		if f.countryInfo == "" {
			if f.countryInfo = companion(files[0], "countryInfo.txt"); f.countryInfo != "" {
				fmt.Fprintf(stderr, "twinning: using %s for the country names\n", f.countryInfo)
			}
		}
		if f.admin1 == "" {
			if f.admin1 = companion(files[0], "admin1CodesASCII.txt", "admin1.tsv"); f.admin1 != "" {
				fmt.Fprintf(stderr, "twinning: using %s for the region names\n", f.admin1)
			}
		}
		if job.filter, err = geonamesFilter(f.countryInfo, f.admin1, f.countries, f.districts); err != nil {
			return job, err
		}
	}
	if kind == "lau" {
		if job.files, err = importer.LAUFiles(files); err != nil {
			return job, err
		}
	}
	if kind == "twins" || kind == "wikidata" || kind == "registry" {
		job.pairOpts.CreateMissing = f.createMissing
		switch f.unresolved {
		case "-":
		case "":
			base := strings.TrimSuffix(filepath.Base(files[0]), filepath.Ext(files[0]))
			job.pairOpts.UnresolvedFile = base + "-unresolved.csv"
		default:
			job.pairOpts.UnresolvedFile = f.unresolved
		}
	}
	if kind != "lau" {
		if looks := fileKind(files[0]); looks != "" && looks != kind {
			return job, fmt.Errorf("import %s: %s looks like a %s file, not a %s one (its first line); run: twinning import %s ... %s", kind, files[0], looks, kind, looks, files[0])
		}
	}
	return job, nil
}

// importLocal runs job on the store the flags name and prints its report,
// its metrics file and its timing.
func (f *importFlags) importLocal(ctx context.Context, job importJob, stdout, stderr io.Writer) error {
	im, store, err := f.openImporter(ctx, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	var rep *importer.Report
	if job.kind == "lau" {
		rep, err = im.ImportLAU(ctx, job.files)
	} else {
		rep, err = importOne(ctx, im, job.kind, job.files[0], job.filter, job.pairOpts)
	}
	if rep != nil {
		rep.Elapsed = time.Since(start)
		rep.WriteSummary(stdout)
	}
	if f.metricsFile != "" {
		if merr := writeImportMetrics(f.metricsFile, job.kind, rep, err != nil, time.Now()); merr != nil {
			if err == nil {
				return merr
			}
			fmt.Fprintln(stderr, merr)
		}
	}
	if f.timing {
		printTiming(stdout, start)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("import %s into %s interrupted; whole batches only were written: %w", job.kind, f.sc.describe(), err)
		}
		return fmt.Errorf("import %s into %s: %w", job.kind, f.sc.describe(), err)
	}
	if rep != nil && rep.Read > 0 && rep.BadCount == rep.Read {
		return fmt.Errorf("import %s: every one of the %d rows is bad, so this is not a %s file (see the first bad rows above)", job.kind, rep.Read, job.kind)
	}
	return nil
}

// printTiming prints the time since start and the memory the run used.
func printTiming(w io.Writer, start time.Time) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "timing: %v, heap in use %d MiB, obtained from the OS %d MiB, %d GC cycles\n",
		time.Since(start).Round(time.Millisecond), ms.HeapInuse>>20, ms.Sys>>20, ms.NumGC)
}

// importAll imports a folder laid out as the open data: "twinning import
// all DIR" (importer.ImportSharedData), printing each import's report.
func (f *importFlags) importAll(ctx context.Context, dirs []string, stdout, stderr io.Writer) error {
	if len(dirs) != 1 {
		return usageError{fmt.Sprintf("import all reads one DIR, got %d", len(dirs))}
	}
	if f.metricsFile != "" {
		return usageError{"-metrics-file writes the counts of one kind of import: run the imports one by one (see the README's Open data) to write them"}
	}
	dir := dirs[0]
	for _, sub := range []string{"ua-hromadas", "geonames", "eu-lau", "twins", "ua-partnerships"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err != nil || !st.IsDir() {
			return fmt.Errorf("import all: %s has no folder %s/, so it is not laid out as the open data (ua-hromadas/, geonames/, eu-lau/, twins/, ua-partnerships/)", dir, sub)
		}
	}
	opts := importer.SharedDataOptions{CreateMissing: f.createMissing}
	switch f.unresolved {
	case "-":
	case "":
		opts.UnresolvedFile = "twin_cities-unresolved.csv"
	default:
		opts.UnresolvedFile = f.unresolved
	}
	im, store, err := f.openImporter(ctx, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	reps, err := im.ImportSharedData(ctx, dir, opts)
	for _, rep := range reps {
		rep.WriteSummary(stdout)
	}
	fmt.Fprintf(stdout, "import all: %d imports from %s in %v\n", len(reps), dir, time.Since(start).Round(time.Millisecond))
	if f.timing {
		printTiming(stdout, start)
	}
	if err != nil {
		return fmt.Errorf("import all into %s: %w", f.sc.describe(), err)
	}
	return nil
}

// fileKind returns the import kind a file's first line belongs to, or ""
// when it tells none: a CSV header (hromadas, lau, twins, registry), a
// GeoNames row or the reduced layout's header (geonames), or JSON
// (wikidata).
func fileKind(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "" // the import says why
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	line = strings.TrimPrefix(strings.TrimSpace(line), "\ufeff")
	has := func(cols ...string) bool {
		for _, c := range cols {
			if !strings.Contains(line, c) {
				return false
			}
		}
		return true
	}
	switch {
	case strings.HasPrefix(line, importer.ReducedGeoNamesHeader), strings.Count(line, "\t") == 18:
		return "geonames"
	case strings.HasPrefix(line, "[") || strings.HasPrefix(line, "{"):
		return "wikidata"
	case has("hromada_code", "hromada_name"):
		return "hromadas"
	case has("gisco_id", "lau_id"):
		return "lau"
	case has("city1", "country1", "city2"):
		return "twins"
	case has("katottg", "partner_name"):
		return "registry"
	}
	return ""
}

// importOne imports one file of a kind other than lau.
func importOne(ctx context.Context, im *importer.Importer, kind, path string, filter importer.GeoNamesFilter, pairOpts importer.PairOptions) (*importer.Report, error) {
	rep, err := im.ImportFile(ctx, kind, path, filter, pairOpts)
	if err != nil && rep == nil && !slices.Contains(api.ImportKinds, kind) {
		return nil, usageError{fmt.Sprintf("unknown KIND %q", kind)}
	}
	return rep, err
}

// geonamesFilter reads the country and region tables and builds the
// filter of the geonames command.
func geonamesFilter(countryInfo, admin1, countries string, districts bool) (importer.GeoNamesFilter, error) {
	f := importer.GeoNamesFilter{Districts: districts}
	if countryInfo != "" {
		fh, err := os.Open(countryInfo)
		if err != nil {
			return f, fmt.Errorf("-country-info: %w", err)
		}
		f.CountryNames, err = importer.ParseCountryInfo(fh, countryInfo)
		fh.Close()
		if err != nil {
			return f, fmt.Errorf("-country-info: %w", err)
		}
	}
	if admin1 != "" {
		fh, err := os.Open(admin1)
		if err != nil {
			return f, fmt.Errorf("-admin1: %w", err)
		}
		f.Admin1, err = importer.ParseAdmin1(fh, admin1)
		fh.Close()
		if err != nil {
			return f, fmt.Errorf("-admin1: %w", err)
		}
	}
	switch {
	case countries != "":
		set, err := importer.ParseCountryList(countries)
		if err != nil {
			return f, usageError{"-countries: " + err.Error()}
		}
		f.Countries = set
	case f.CountryNames != nil:
		f.Countries = importer.DefaultCountries(f.CountryNames)
	default:
		return f, usageError{"give -country-info (for the default set of European countries) or -countries"}
	}
	return f, nil
}

// companion returns the first of names that exists as a file beside
// file, or "".
func companion(file string, names ...string) string {
	for _, n := range names {
		p := filepath.Join(filepath.Dir(file), n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

func importUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: twinning import KIND [flags] FILE...\n\nKinds:")
	for _, k := range importKinds {
		fmt.Fprintf(w, "  %-9s %-15s %s\n", k.name, k.args, k.help)
	}
	fmt.Fprintln(w)
	importRules(w)
	fmt.Fprintln(w, "\nRun 'twinning import KIND -h' for the flags of a kind.")
}

// importRules explains how imports match records to stored municipalities.
func importRules(w io.Writer) {
	fmt.Fprintf(w, `How records become municipalities:
  - A record whose code (KATOTTG, LAU, GeoNames or Wikidata id) is already
    stored updates that municipality; re-importing a file changes nothing.
  - Otherwise it is merged into a stored municipality of another source when
    both are in the same country, at most %.0f km apart, and share a name
    after normalisation (case, accents, apostrophes, Cyrillic romanised, or a
    looser transliteration key): a KSE hromada and the GeoNames place at its
    centre become one municipality carrying both codes.
  - Otherwise a new municipality is created, with an id from its code
    (ua-<KATOTTG digits>, gn-<id>, lau-<cc>-<lau id>, wd-q<id>).
  - GeoNames' reduced layout (cities1000.tsv: no ASCII or alternate names;
    import it after lau) only adds: a place whose code is stored is left
    as it is, one that the merge rule pairs with a unit lends the unit its
    name, one within a LAU unit or hromada (its area as a circle around its
    point, widened by a quarter) becomes that unit's alternative name (a
    village is part of its municipality), and only the rest, such as the
    communes of France, which has no LAU file, become municipalities.
Twins and wikidata places are resolved by Wikidata id, then name (exact,
alternative or former, e.g. Dnipropetrovsk -> Dnipro, Kiev -> Kyiv, then
transliteration variants) within 30 km of the given point, then a raion,
oblast or city district by its centre, then by the point alone.
Registry rows name the hromada by its KATOTTG code, taken when the
hromada has the row's name or is a renamed hromada's (else the name
decides), and the partner by name within its country: as written, then a
Ukrainian exonym by sound, read by the rules of the country's language
(Щебрешин is Szczebrzeszyn, Масслейс Maassluis; one or two letters may
differ in a long name, never the first). A county or region (powiat,
Kreis, повіт) is no municipality: its rows are left out and counted apart,
as are rows of a country the store holds nothing of. Without a point, of
several places of one name the one whose own name it is wins over a
locality's, a unit with a LAU or KATOTTG code over a GeoNames place
without one, then the most populous if it has twice the people of every
other, or the town if it is four times as dense as the rural gmina
around it. A pair already stored cites every source that lists it.
Bad rows are listed (the first %d) and left out, or with -strict abort the
import before anything is written. Writes go in all-or-none batches; an
interrupt stops between batches.
`, importer.MergeRadiusKm, importer.MaxListedBadRows)
}

// serverImport runs the imports that serve receives from admin keys
// (POST /v1/admin/imports) into store, as "twinning import KIND" would,
// reporting every written batch.
func serverImport(store graph.Store) api.ImportFunc {
	return func(ctx context.Context, req api.ImportRequest, p api.ImportProgress) (string, error) {
		start := time.Now()
		im := importer.New(store, importer.Options{Strict: req.Strict, BatchSize: req.BatchSize, Progress: p, OnBatch: p.Batch})
		var rep *importer.Report
		var err error
		var filter importer.GeoNamesFilter
		if req.Kind == "geonames" {
			if filter, err = geonamesFilter(req.CountryInfo, req.Admin1, req.Countries, false); err != nil {
				return "", err
			}
		}
		if looks := fileKind(req.Path); req.Kind != "lau" && looks != "" && looks != req.Kind {
			return "", fmt.Errorf("%s looks like a %s file, not a %s one (its first line)", req.Name, looks, req.Kind)
		}
		rep, err = im.ImportFile(ctx, req.Kind, req.Path, filter, importer.PairOptions{CreateMissing: req.CreateMissing})
		var b strings.Builder
		if rep != nil {
			rep.Elapsed = time.Since(start)
			rep.WriteSummary(&b)
			if err == nil && rep.Read > 0 && rep.BadCount == rep.Read {
				err = fmt.Errorf("every one of the %d rows is bad, so this is not a %s file", rep.Read, req.Kind)
			}
		}
		return b.String(), err
	}
}
