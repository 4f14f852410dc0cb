package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/twinning/twinning/graph"
)

// runSearch searches municipalities by name and filters and prints a table
// or, with -json, the graph.Page.
func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("search", "[flags] TEXT", stderr)
	var (
		countries, kinds, themes, regions listFlag
		sc                                storeConfig
	)
	fs.Var(&countries, "country", "keep these ISO 3166-1 alpha-2 countries (repeatable, or comma-separated)")
	fs.Var(&regions, "region", "keep these region codes, e.g. UA-46 or PL21 (repeatable, or comma-separated)")
	fs.Var(&kinds, "kind", fmt.Sprintf("keep these kinds, of %v (repeatable, or comma-separated)", graph.Kinds))
	fs.Var(&themes, "theme", "keep municipalities with any of these themes (repeatable, or comma-separated)")
	minPop := fs.Int64("min-population", 0, "smallest population (0: no bound)")
	maxPop := fs.Int64("max-population", 0, "largest population (0: no bound)")
	war := fs.String("war", "", warUsage)
	offset := fs.Int("offset", 0, "skip this many results")
	limit := fs.Int("limit", graph.DefaultLimit, fmt.Sprintf("show at most this many results (1-%d)", graph.MaxLimit))
	asJSON := fs.Bool("json", false, "print the result page as JSON")
	sc.register(fs)
	rest, err := parseFlags(fs, args, sc.envs(nil))
	if err != nil {
		return err
	}
	if err := sc.validate(); err != nil {
		return err
	}
	q := graph.Query{
		Text:          strings.Join(rest, " "),
		Regions:       regions,
		Themes:        themes,
		MinPopulation: *minPop,
		MaxPopulation: *maxPop,
		War:           graph.WarFilter(*war),
		Offset:        *offset,
		Limit:         *limit,
	}
	for _, c := range countries {
		q.Countries = append(q.Countries, strings.ToUpper(c))
	}
	for _, k := range kinds {
		q.Kinds = append(q.Kinds, graph.Kind(strings.ToLower(k)))
	}
	if *limit < 1 {
		return usageError{fmt.Sprintf("-limit: must be between 1 and %d, got %d", graph.MaxLimit, *limit)}
	}
	if err := q.Validate(); err != nil {
		return flagError(err, "TEXT")
	}
	if strings.TrimSpace(q.Text) == "" && len(q.Countries)+len(q.Regions)+len(q.Kinds)+len(q.Themes) == 0 &&
		q.MinPopulation == 0 && q.MaxPopulation == 0 && q.War == "" {
		return usageError{"give a TEXT to search for, or at least one filter (-country, -region, -kind, -theme, -min-population, -max-population, -war)"}
	}

	store, err := sc.openSaying(ctx, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	page, err := store.Search(ctx, q)
	if err != nil {
		return fmt.Errorf("search %s: %w", sc.describe(), err)
	}
	var matches []graph.SearchResult
	if strings.TrimSpace(q.Text) != "" {
		matches = graph.DescribeResults(q.Text, page.Items)
	}
	if *asJSON {
		if page.Items == nil {
			page.Items = []graph.Municipality{}
		}
		return writeJSON(stdout, struct {
			graph.Page
			Matches []graph.SearchResult `json:"matches,omitempty"`
		}{page, matches})
	}
	return printPage(stdout, q.Text, page, matches)
}

// printPage prints a page of municipalities as a table, with how each
// matched the text when there is one (matches), and "did you mean" when
// the best is a typo or the text's first words.
func printPage(w io.Writer, text string, page graph.Page, matches []graph.SearchResult) error {
	if len(page.Items) == 0 {
		_, err := fmt.Fprintf(w, "no municipality matches (%d in all)\n", page.Total)
		return err
	}
	if len(matches) > 0 && page.Offset == 0 && (matches[0].Match == graph.MatchTypo.String() || matches[0].Match == graph.MatchWords.String()) {
		fmt.Fprintf(w, "no name is %q; did you mean %s (%s)?\n", text, matches[0].Name, page.Items[0].Country)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	header := "ID\tNAME\tLATIN NAME\tCOUNTRY\tREGION\tKIND\tPOPULATION"
	if len(matches) > 0 {
		header += "\tMATCHED"
	}
	fmt.Fprintln(tw, header)
	for i, m := range page.Items {
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s", m.ID, m.Name, m.NameLatin, m.Country, regionName(m), kindName(m), formatPopulation(m.Population))
		if len(matches) > 0 {
			line += "\t" + matchNote(matches[i])
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d-%d of %d\n", page.Offset+1, page.Offset+len(page.Items), page.Total)
	return err
}

// matchNote says how a result matched, for the table: nothing for its
// name, else the kind of match and the name ("former or other name:
// Lemberg", "spelling: Львів", "typo: Kharkiv").
func matchNote(r graph.SearchResult) string {
	switch r.Match {
	case "", graph.MatchName.String():
		return ""
	case graph.MatchAltName.String():
		return "former or other name: " + r.Name
	}
	return r.Match + ": " + r.Name
}

// formatPopulation writes a population with thousands separators, "-" when
// unknown.
func formatPopulation(n int64) string {
	if n <= 0 {
		return "-"
	}
	return message.NewPrinter(language.English).Sprint(n)
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// flagError turns an EINVALID error that names a field (as Query.Validate
// and score options do: "min_population") into a usage error naming the
// flag ("-min-population"); the field "q" is the positional argument,
// named by positional.
func flagError(err error, positional string) error {
	field := graph.ErrorField(err)
	if graph.ErrorCode(err) != graph.EINVALID || field == "" {
		return err
	}
	name := "-" + strings.ReplaceAll(field, "_", "-")
	if field == "q" {
		name = positional
	}
	return usageError{name + ": " + graph.ErrorMessage(err)}
}

// warUsage documents the -war flag of search, suggest and batch.
var warUsage = "keep municipalities by what the war means for them: free (can sign today: not occupied before 2022, not in the war zone at the KSE table's last date, 2022-10-10), war_zone (in the war zone then), occupied (occupied before 2022) or affected (any of them); default: all"

// kindName says what a municipality is: its kind of unit in English
// ("rural gmina", "city hromada"), else its kind.
func kindName(m graph.Municipality) string {
	if m.Unit != nil {
		return m.Unit.English
	}
	return string(m.Kind)
}
