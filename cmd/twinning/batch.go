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
	b, err := parseBatch(args, stderr)
	if err != nil {
		return err
	}
	return b.run(ctx, stdout, stderr)
}

// batchJob is a checked "twinning batch": whom to rank for, with which
// options, and where to write.
type batchJob struct {
	sc                        storeConfig
	model                     score.Model
	src                       string // the country ranked for
	war                       graph.WarFilter
	sourceCode, candidateCode string
	opts                      score.Options
	format, out               string
	workers                   int
}

// parseBatch reads and checks the flags of "twinning batch".
func parseBatch(args []string, stderr io.Writer) (*batchJob, error) {
	fs := newFlagSet("batch", "[flags]", stderr)
	b := &batchJob{}
	var countries listFlag
	from := fs.String("from", "UA", "rank suggestions for every municipality of this ISO 3166-1 alpha-2 country")
	war := fs.String("war", "", warUsage+" (of the municipalities ranked for, e.g. free: the hromadas that can sign today)")
	fs.BoolVar(&b.opts.IncludeDistricts, "include-districts", false, "keep city districts among the candidates (Kyiv's Obolon, Warsaw's Mokotów), left out by default")
	fs.StringVar(&b.sourceCode, "source-code", "", "only sources that carry this code: "+strings.Join(graph.CodeNames, ", ")+" (e.g. katottg: the hromadas)")
	fs.StringVar(&b.candidateCode, "candidate-code", "", "only candidates that carry this code: "+strings.Join(graph.CodeNames, ", ")+" (e.g. lau: the Eurostat LAU municipalities)")
	fs.Var(&countries, "country", "suggest only in these ISO 3166-1 alpha-2 countries (repeatable, or comma-separated)")
	fs.Int64Var(&b.opts.MinPopulation, "min-population", 0, "smallest population of a suggestion (0: no bound)")
	fs.Int64Var(&b.opts.MaxPopulation, "max-population", 0, "largest population of a suggestion (0: no bound)")
	fs.IntVar(&b.opts.Limit, "limit", 20, fmt.Sprintf("suggestions per municipality (1-%d)", score.MaxLimit))
	fs.BoolVar(&b.opts.IncludeSuspended, "include-suspended", false, fmt.Sprintf("keep municipalities in %v, left out by default", graph.SuspendedCountries))
	fs.Float64Var(&b.opts.Diversity, "diversity", 0, diversityUsage)
	fs.StringVar(&b.opts.Lang, "lang", score.LangEnglish, langUsage)
	fs.StringVar(&b.format, "format", "", "csv or json (default: from the -o file's extension, else csv)")
	fs.StringVar(&b.out, "o", "", "write to this file (written whole or not at all) instead of standard output")
	fs.IntVar(&b.workers, "workers", runtime.GOMAXPROCS(0), "goroutines that rank at once")
	modelName := registerModel(fs)
	b.sc.register(fs)
	rest, err := parseFlags(fs, args, b.sc.envs(map[string]string{"model": "TWINNING_MODEL"}))
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, usageError{fmt.Sprintf("batch takes no arguments, got %q", rest)}
	}
	if err := b.sc.validate(); err != nil {
		return nil, err
	}
	b.src, b.war = strings.ToUpper(*from), graph.WarFilter(*war)
	if !graph.ValidCountry(b.src) {
		return nil, usageError{fmt.Sprintf("-from: %q is not an ISO 3166-1 alpha-2 code such as UA", *from)}
	}
	if !b.war.Valid() {
		return nil, usageError{fmt.Sprintf("-war: must be one of %v, got %q", graph.WarFilters, *war)}
	}
	for _, c := range []struct{ flag, value string }{{"-source-code", b.sourceCode}, {"-candidate-code", b.candidateCode}} {
		if c.value != "" && !slices.Contains(graph.CodeNames, c.value) {
			return nil, usageError{fmt.Sprintf("%s: unknown code %q (known: %s)", c.flag, c.value, strings.Join(graph.CodeNames, ", "))}
		}
	}
	if b.workers < 1 || b.workers > 256 {
		return nil, usageError{fmt.Sprintf("-workers: must be between 1 and 256, got %d", b.workers)}
	}
	if b.format == "" {
		b.format = "csv"
		if strings.EqualFold(filepath.Ext(b.out), ".json") {
			b.format = "json"
		}
	}
	if b.format != "csv" && b.format != "json" {
		return nil, usageError{fmt.Sprintf("-format: must be csv or json, got %q", b.format)}
	}
	for _, c := range countries {
		b.opts.Countries = append(b.opts.Countries, strings.ToUpper(c))
	}
	if err := checkSuggestOptions(b.opts); err != nil {
		return nil, err
	}
	if b.model, err = loadModel(*modelName); err != nil {
		return nil, err
	}
	return b, nil
}

// run loads the engine, ranks for every municipality of the country that
// the job keeps, writes them, and says on stderr what it did and how fast.
func (b *batchJob) run(ctx context.Context, stdout, stderr io.Writer) error {
	start := time.Now()
	store, err := b.sc.openSaying(ctx, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	engine := score.NewEngine(b.model)
	if err := engine.Load(ctx, store); err != nil {
		return fmt.Errorf("load the scoring engine from %s: %w", b.sc.describe(), err)
	}
	loadedIn := time.Since(start)
	ix := engine.Index()
	var ids []string
	for i := range ix.Len() {
		m, _ := ix.Municipality(ix.ID(i))
		if m.Country == b.src && (b.sourceCode == "" || m.Codes.Get(b.sourceCode) != "") && b.war.Matches(m.War) {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return fmt.Errorf("no municipality of %s%s in %s", b.src, codeClause(b.sourceCode), b.sc.describe())
	}
	var keep func(*graph.Municipality) bool
	if b.candidateCode != "" {
		kind := b.candidateCode
		keep = func(m *graph.Municipality) bool { return m.Codes.Get(kind) != "" }
	}

	ranked := time.Now()
	var stats batchStats
	write := func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		var err error
		if b.format == "json" {
			err = writeBatchJSON(ctx, bw, engine, ids, b.opts, keep, b.workers, &stats)
		} else {
			err = writeBatchCSV(ctx, bw, engine, ids, b.opts, keep, b.workers, &stats)
		}
		if err != nil {
			return err
		}
		return bw.Flush()
	}
	dest := "standard output"
	if b.out == "" {
		err = write(stdout)
	} else {
		dest = b.out
		err = writeFileAtomically(b.out, write)
	}
	if err != nil {
		return fmt.Errorf("batch for %d municipalities of %s: %w", len(ids), b.src, err)
	}
	elapsed := time.Since(ranked)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(stderr, "twinning: %d municipalities of %s%s, %d suggestions (%d candidates scored for each on average), model %s, written to %s\n",
		len(ids), b.src, codeClause(b.sourceCode), stats.suggestions, stats.candidates/int64(len(ids)), engine.ModelVersion(), dest)
	fmt.Fprintf(stderr, "twinning: loading took %v; ranking and writing %v on %d workers (%.2f ms per municipality); memory obtained from the OS by the Go runtime %d MiB, peak resident memory %s\n",
		loadedIn.Round(time.Millisecond), elapsed.Round(time.Millisecond), b.workers,
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
