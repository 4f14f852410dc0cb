package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/score"
)

// runBatch ranks suggestions for every municipality of a country (by
// default every Ukrainian one) and writes them all as CSV or JSON, for a
// spreadsheet or another program: the work list of a whole association in
// one file.
func runBatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("batch", "[flags]", stderr)
	var (
		countries listFlag
		sc        storeConfig
	)
	from := fs.String("from", "UA", "rank suggestions for every municipality of this ISO 3166-1 alpha-2 country")
	war := fs.String("war", "", warUsage+" (of the municipalities ranked for, e.g. free: the hromadas that can sign today)")
	includeDistricts := fs.Bool("include-districts", false, "keep city districts among the candidates (Kyiv's Obolon, Warsaw's Mokotów), left out by default")
	sourceCode := fs.String("source-code", "", "only sources that carry this code: "+strings.Join(graph.CodeNames, ", ")+" (e.g. katottg: the hromadas)")
	candidateCode := fs.String("candidate-code", "", "only candidates that carry this code: "+strings.Join(graph.CodeNames, ", ")+" (e.g. lau: the Eurostat LAU municipalities)")
	fs.Var(&countries, "country", "suggest only in these ISO 3166-1 alpha-2 countries (repeatable, or comma-separated)")
	minPop := fs.Int64("min-population", 0, "smallest population of a suggestion (0: no bound)")
	maxPop := fs.Int64("max-population", 0, "largest population of a suggestion (0: no bound)")
	limit := fs.Int("limit", 20, fmt.Sprintf("suggestions per municipality (1-%d)", score.MaxLimit))
	includeSuspended := fs.Bool("include-suspended", false, fmt.Sprintf("keep municipalities in %v, left out by default", graph.SuspendedCountries))
	diversity := fs.Float64("diversity", 0, diversityUsage)
	lang := fs.String("lang", score.LangEnglish, langUsage)
	format := fs.String("format", "", "csv or json (default: from the -o file's extension, else csv)")
	out := fs.String("o", "", "write to this file (written whole or not at all) instead of standard output")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines that rank at once")
	modelName := registerModel(fs)
	sc.register(fs)
	rest, err := parseFlags(fs, args, sc.envs(map[string]string{"model": "TWINNING_MODEL"}))
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("batch takes no arguments, got %q", rest)}
	}
	if err := sc.validate(); err != nil {
		return err
	}
	src := strings.ToUpper(*from)
	if !graph.ValidCountry(src) {
		return usageError{fmt.Sprintf("-from: %q is not an ISO 3166-1 alpha-2 code such as UA", *from)}
	}
	warFilter := graph.WarFilter(*war)
	if !warFilter.Valid() {
		return usageError{fmt.Sprintf("-war: must be one of %v, got %q", graph.WarFilters, *war)}
	}
	for _, c := range []struct{ flag, value string }{{"-source-code", *sourceCode}, {"-candidate-code", *candidateCode}} {
		if c.value != "" && !slices.Contains(graph.CodeNames, c.value) {
			return usageError{fmt.Sprintf("%s: unknown code %q (known: %s)", c.flag, c.value, strings.Join(graph.CodeNames, ", "))}
		}
	}
	if *workers < 1 || *workers > 256 {
		return usageError{fmt.Sprintf("-workers: must be between 1 and 256, got %d", *workers)}
	}
	if *format == "" {
		*format = "csv"
		if strings.EqualFold(filepath.Ext(*out), ".json") {
			*format = "json"
		}
	}
	if *format != "csv" && *format != "json" {
		return usageError{fmt.Sprintf("-format: must be csv or json, got %q", *format)}
	}
	opts := score.Options{MinPopulation: *minPop, MaxPopulation: *maxPop, Limit: *limit, IncludeSuspended: *includeSuspended,
		IncludeDistricts: *includeDistricts, Diversity: *diversity, Lang: *lang}
	for _, c := range countries {
		opts.Countries = append(opts.Countries, strings.ToUpper(c))
	}
	if err := checkSuggestOptions(opts); err != nil {
		return err
	}
	model, err := loadModel(*modelName)
	if err != nil {
		return err
	}

	start := time.Now()
	store, err := sc.openSaying(ctx, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	engine := score.NewEngine(model)
	if err := engine.Load(ctx, store); err != nil {
		return fmt.Errorf("load the scoring engine from %s: %w", sc.describe(), err)
	}
	loadedIn := time.Since(start)
	ix := engine.Index()
	var ids []string
	for i := range ix.Len() {
		m, _ := ix.Municipality(ix.ID(i))
		if m.Country == src && (*sourceCode == "" || m.Codes.Get(*sourceCode) != "") && warFilter.Matches(m.War) {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return fmt.Errorf("no municipality of %s%s in %s", src, codeClause(*sourceCode), sc.describe())
	}
	var keep func(*graph.Municipality) bool
	if *candidateCode != "" {
		kind := *candidateCode
		keep = func(m *graph.Municipality) bool { return m.Codes.Get(kind) != "" }
	}

	ranked := time.Now()
	var stats batchStats
	write := func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		var err error
		if *format == "json" {
			err = writeBatchJSON(ctx, bw, engine, ids, opts, keep, *workers, &stats)
		} else {
			err = writeBatchCSV(ctx, bw, engine, ids, opts, keep, *workers, &stats)
		}
		if err != nil {
			return err
		}
		return bw.Flush()
	}
	if *out == "" {
		err = write(stdout)
	} else {
		err = writeFileAtomically(*out, write)
	}
	if err != nil {
		return fmt.Errorf("batch for %d municipalities of %s: %w", len(ids), src, err)
	}
	elapsed := time.Since(ranked)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	dest := "standard output"
	if *out != "" {
		dest = *out
	}
	fmt.Fprintf(stderr, "twinning: %d municipalities of %s%s, %d suggestions (%d candidates scored for each on average), model %s, written to %s\n",
		len(ids), src, codeClause(*sourceCode), stats.suggestions, stats.candidates/int64(len(ids)), engine.ModelVersion(), dest)
	fmt.Fprintf(stderr, "twinning: loading took %v; ranking and writing %v on %d workers (%.2f ms per municipality); memory obtained from the OS by the Go runtime %d MiB, peak resident memory %s\n",
		loadedIn.Round(time.Millisecond), elapsed.Round(time.Millisecond), *workers,
		float64(elapsed.Microseconds())/1000/float64(len(ids)), ms.Sys>>20, peakRSS())
	return nil
}

// codeClause says which code the sources must carry, for messages.
func codeClause(code string) string {
	if code == "" {
		return ""
	}
	return " with a " + code + " code"
}

// batchStats counts what a batch wrote.
type batchStats struct {
	suggestions int64
	candidates  int64
}

// batchCSVFixed are the CSV columns before the factors'.
var batchCSVFixed = []string{"source_id", "source_name", "source_name_latin", "source_region", "rank", "candidate_id", "candidate_name",
	"candidate_name_latin", "candidate_label", "candidate_country", "candidate_region", "candidate_population", "distance_km", "score"}

// batchCSVHeader returns the CSV columns: one row per suggestion, the
// contribution of each factor in a column of its own; a source without
// suggestions has one row with only its own columns and the reason.
func batchCSVHeader() []string {
	return slices.Concat(batchCSVFixed, score.FactorNames, []string{"reason", "model_version"})
}

// writeBatchCSV ranks and writes the batch as CSV.
func writeBatchCSV(ctx context.Context, w io.Writer, engine *score.Engine, ids []string, opts score.Options, keep func(*graph.Municipality) bool, workers int, st *batchStats) error {
	cw := csv.NewWriter(w)
	header := batchCSVHeader()
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	err := engine.Batch(ctx, ids, opts, keep, workers, func(r score.Result) error {
		st.candidates += int64(r.Candidates)
		if len(r.Suggestions) == 0 {
			// One row that says so, so that a reader can tell a source
			// without candidates from one left out.
			clear(row)
			copy(row, []string{r.For.ID, r.For.Name, r.For.NameLatin, r.For.Region.Name})
			row[len(row)-2], row[len(row)-1] = "no candidate passes the filters", r.ModelVersion
			return cw.Write(row)
		}
		for _, s := range r.Suggestions {
			st.suggestions++
			m := s.Municipality
			clear(row)
			copy(row, []string{r.For.ID, r.For.Name, r.For.NameLatin, r.For.Region.Name, strconv.Itoa(s.Rank), m.ID, m.Name,
				m.NameLatin, suggestionLabel(s), m.Country, m.Region.Name, popCell(m.Population), kmCell(s.DistanceKm), formatScore(s.Score)})
			// Factors come in FactorNames order; batch sets no extra one.
			for k, f := range s.Factors[:len(score.FactorNames)] {
				row[len(batchCSVFixed)+k] = formatScore(f.Contribution)
			}
			row[len(row)-2], row[len(row)-1] = s.Reason, r.ModelVersion
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// writeBatchJSON ranks and writes the batch as one JSON document, the
// results in the shape of the suggestions endpoint's, streamed one by one.
func writeBatchJSON(ctx context.Context, w io.Writer, engine *score.Engine, ids []string, opts score.Options, keep func(*graph.Municipality) bool, workers int, st *batchStats) error {
	head, err := json.Marshal(engine.ModelVersion())
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "{\"model_version\":%s,\"generated\":%q,\"results\":[\n", head, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	first := true
	err = engine.Batch(ctx, ids, opts, keep, workers, func(r score.Result) error {
		st.candidates += int64(r.Candidates)
		st.suggestions += int64(len(r.Suggestions))
		if r.Suggestions == nil {
			r.Suggestions = []score.Suggestion{}
		}
		if !first {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		first = false
		return enc.Encode(r)
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "]}\n")
	return err
}

// popCell writes a population, empty when unknown.
func popCell(n int64) string {
	if n <= 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// kmCell writes a distance to the kilometre, empty when unknown.
func kmCell(km float64) string {
	if km <= 0 {
		return ""
	}
	return strconv.FormatFloat(km, 'f', 0, 64)
}

// formatScore writes a score or contribution with 4 decimals, a negative
// that rounds to zero (a penalty of nothing) as 0.0000.
func formatScore(v float64) string {
	s := strconv.FormatFloat(v, 'f', 4, 64)
	if s == "-0.0000" {
		return "0.0000"
	}
	return s
}
