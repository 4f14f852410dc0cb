package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/score"
)

// runSuggest ranks partner suggestions for one municipality, named by id
// or by name, and prints them with the factors and reasons behind each
// score or, with -json, the score.Result.
func runSuggest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("suggest", "[flags] NAME_OR_ID", stderr)
	var (
		countries, themes listFlag
		sc                storeConfig
	)
	fs.Var(&countries, "country", "suggest only in these ISO 3166-1 alpha-2 countries (repeatable, or comma-separated)")
	fs.Var(&themes, "theme", "suggest only municipalities with any of these themes, and weigh them as shared (repeatable, or comma-separated)")
	minPop := fs.Int64("min-population", 0, "smallest population of a suggestion (0: no bound)")
	maxPop := fs.Int64("max-population", 0, "largest population of a suggestion (0: no bound)")
	limit := fs.Int("limit", score.DefaultLimit, fmt.Sprintf("number of suggestions (1-%d)", score.MaxLimit))
	includePartners := fs.Bool("include-partners", false, "keep municipalities that are already partners")
	includeSuspended := fs.Bool("include-suspended", false, fmt.Sprintf("keep municipalities in %v, left out by default", graph.SuspendedCountries))
	diversity := fs.Float64("diversity", 0, diversityUsage)
	war := fs.String("war", "", warUsage+" (of the candidates)")
	includeDistricts := fs.Bool("include-districts", false, "keep city districts (Kyiv's Obolon, Warsaw's Mokotów), left out by default")
	lang := fs.String("lang", score.LangEnglish, langUsage)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	modelName := registerModel(fs)
	sc.register(fs)
	rest, err := parseFlags(fs, args, sc.envs(map[string]string{"model": "TWINNING_MODEL"}))
	if err != nil {
		return err
	}
	if err := sc.validate(); err != nil {
		return err
	}
	model, err := loadModel(*modelName)
	if err != nil {
		return err
	}
	nameOrID := strings.TrimSpace(strings.Join(rest, " "))
	if nameOrID == "" {
		return usageError{"give the NAME_OR_ID of a municipality, e.g. Lviv, Львів or ua-lviv"}
	}
	opts := score.Options{
		MinPopulation:    *minPop,
		MaxPopulation:    *maxPop,
		Themes:           themes,
		Limit:            *limit,
		IncludePartners:  *includePartners,
		IncludeSuspended: *includeSuspended,
		Diversity:        *diversity,
		Lang:             *lang,
		War:              graph.WarFilter(*war),
		IncludeDistricts: *includeDistricts,
	}
	for _, c := range countries {
		opts.Countries = append(opts.Countries, strings.ToUpper(c))
	}
	if err := checkSuggestOptions(opts); err != nil {
		return err
	}

	store, err := sc.openSaying(ctx, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	m, err := resolveMunicipality(ctx, store, nameOrID)
	if err != nil {
		return err
	}
	engine := score.NewEngine(model)
	if err := engine.Load(ctx, store); err != nil {
		return fmt.Errorf("load the scoring engine from %s: %w", sc.describe(), err)
	}
	res, err := engine.Suggest(ctx, m.ID, opts)
	if err != nil {
		return flagError(fmt.Errorf("suggest for %s: %w", m.ID, err), "NAME_OR_ID")
	}
	if *asJSON {
		if res.Suggestions == nil {
			res.Suggestions = []score.Suggestion{}
		}
		return writeJSON(stdout, res)
	}
	return printSuggestions(stdout, res)
}

// langUsage documents the -lang flag of suggest and batch.
var langUsage = "language of the reasons: " + strings.Join(score.Langs, " or ")

// diversityUsage documents the -diversity flag of suggest and batch.
const diversityUsage = "0 (off) to 1: re-rank so that the suggestions are not all of one country; each already picked from a country costs the next of that country this share of the best score"

// checkSuggestOptions checks opts before any store is opened, naming the
// flag at fault.
func checkSuggestOptions(opts score.Options) error {
	switch {
	case opts.Limit < 1 || opts.Limit > score.MaxLimit:
		return usageError{fmt.Sprintf("-limit: must be between 1 and %d, got %d", score.MaxLimit, opts.Limit)}
	case opts.MinPopulation < 0:
		return usageError{fmt.Sprintf("-min-population: must be 0 or more, got %d", opts.MinPopulation)}
	case opts.MaxPopulation < 0:
		return usageError{fmt.Sprintf("-max-population: must be 0 or more, got %d", opts.MaxPopulation)}
	case opts.MaxPopulation != 0 && opts.MinPopulation > opts.MaxPopulation:
		return usageError{fmt.Sprintf("-max-population: must not be below -min-population (%d > %d)", opts.MinPopulation, opts.MaxPopulation)}
	case !score.ValidDiversity(opts.Diversity):
		return usageError{fmt.Sprintf("-diversity: must be between 0 (off) and 1, got %v", opts.Diversity)}
	case !score.ValidLang(opts.Lang):
		return usageError{fmt.Sprintf("-lang: must be %s, got %q", strings.Join(score.Langs, " or "), opts.Lang)}
	}
	for _, c := range opts.Countries {
		if !graph.ValidCountry(c) {
			return usageError{fmt.Sprintf("-country: %q is not an ISO 3166-1 alpha-2 code such as PL or DE", c)}
		}
	}
	for _, t := range opts.Themes {
		if !graph.ValidTheme(t) {
			return usageError{fmt.Sprintf("-theme: unknown theme %q (known: %s)", t, strings.Join(graph.Themes, ", "))}
		}
	}
	return nil
}

// resolveMunicipality finds the municipality that nameOrID names. An
// existing id wins. Otherwise the municipalities with a name whose NameKey
// equals the argument's are the matches: one is the answer; several, or
// none but some partial matches, give an error listing them so that the
// user can pick an id.
func resolveMunicipality(ctx context.Context, store graph.Store, nameOrID string) (graph.Municipality, error) {
	if graph.ValidID(nameOrID) {
		m, err := store.Municipality(ctx, nameOrID)
		if err == nil {
			return m, nil
		}
		if graph.ErrorCode(err) != graph.ENOTFOUND {
			return graph.Municipality{}, fmt.Errorf("look up id %s: %w", nameOrID, err)
		}
	}
	key := graph.NameKey(nameOrID)
	if key == "" {
		return graph.Municipality{}, usageError{fmt.Sprintf("NAME_OR_ID: %q has no letters or digits to search for", nameOrID)}
	}
	page, err := store.Search(ctx, graph.Query{Text: nameOrID, Limit: graph.MaxLimit})
	if err != nil {
		return graph.Municipality{}, fmt.Errorf("search for %q: %w", nameOrID, err)
	}
	var exact []graph.Municipality
	for _, m := range page.Items {
		for _, n := range m.Names() {
			if graph.NameKey(n) == key {
				exact = append(exact, m)
				break
			}
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], nil
	case len(exact) > 1:
		return graph.Municipality{}, fmt.Errorf("%q names %d municipalities; run again with one of these ids:\n%s",
			nameOrID, len(exact), candidateList(exact, len(exact)))
	case len(page.Items) > 0:
		return graph.Municipality{}, fmt.Errorf("no municipality is named exactly %q; %d have a name that contains it, run again with one of these ids:\n%s",
			nameOrID, page.Total, candidateList(page.Items, page.Total))
	default:
		return graph.Municipality{}, fmt.Errorf("no municipality has an id or a name like %q; try 'twinning search'", nameOrID)
	}
}

// candidateList formats municipalities for the user to pick an id from,
// showing at most 20; total is how many there are in all.
func candidateList(ms []graph.Municipality, total int) string {
	const shown = 20
	var b strings.Builder
	idWidth := 0
	for _, m := range ms[:min(len(ms), shown)] {
		idWidth = max(idWidth, len(m.ID))
	}
	for _, m := range ms[:min(len(ms), shown)] {
		fmt.Fprintf(&b, "  %-*s  %s (%s), %s, %s, population %s\n", idWidth, m.ID, m.DisplayName(), m.Name,
			m.Country, regionName(m), formatPopulation(m.Population))
	}
	if total > shown {
		fmt.Fprintf(&b, "  ... and %d more; narrow the name or use 'twinning search'\n", total-shown)
	}
	return strings.TrimRight(b.String(), "\n")
}

// printSuggestions prints a ranked table, each row followed by its factor
// contributions and reasons, then the model version.
func printSuggestions(w io.Writer, res score.Result) error {
	src := res.For
	fmt.Fprintf(w, "Partner suggestions for %s (%s), %s, %s, population %s [%s]\n",
		src.DisplayName(), src.Name, src.Country, regionName(src), formatPopulation(src.Population), src.ID)
	fmt.Fprintf(w, "%d candidates scored, %d shown; model %s", res.Candidates, len(res.Suggestions), res.ModelVersion)
	if res.Diversity > 0 {
		fmt.Fprintf(w, "; diversified by country (%g), so not in score order", res.Diversity)
	}
	fmt.Fprint(w, "\n\n")
	if len(res.Suggestions) == 0 {
		_, err := fmt.Fprintln(w, "no candidate passes the filters")
		return err
	}
	nameWidth, idWidth, factorWidth := len("MUNICIPALITY"), len("ID"), 0
	for _, s := range res.Suggestions {
		nameWidth = max(nameWidth, len([]rune(suggestionLabel(s))))
		idWidth = max(idWidth, len(s.Municipality.ID))
		for _, f := range s.Factors {
			factorWidth = max(factorWidth, len(f.Name))
		}
	}
	// fmt pads strings by runes, so Cyrillic and accented names align.
	fmt.Fprintf(w, "%4s  %-*s  %-*s  %-7s  %12s  %8s  %6s\n", "RANK", nameWidth, "MUNICIPALITY", idWidth, "ID",
		"COUNTRY", "POPULATION", "DISTANCE", "SCORE")
	for _, s := range res.Suggestions {
		m := s.Municipality
		distance := "-"
		if s.DistanceKm > 0 {
			distance = fmt.Sprintf("%.0f km", s.DistanceKm)
		}
		fmt.Fprintf(w, "%4d  %-*s  %-*s  %-7s  %12s  %8s  %6.3f\n", s.Rank, nameWidth, suggestionLabel(s), idWidth, m.ID,
			m.Country, formatPopulation(m.Population), distance, s.Score)
		for _, f := range s.Factors {
			// Adding +0 turns a -0 (a negative weight times 0) into 0.
			fmt.Fprintf(w, "        %+.3f = %5.2f × %.3f  %-*s  %s\n", f.Contribution+0, f.Weight, f.Value, factorWidth, f.Name, f.Reason)
		}
	}
	_, err := fmt.Fprintf(w, "\nScore = sum of weight × value over the factors; model %s.\n", res.ModelVersion)
	return err
}

// regionName returns the region's name, or its code when it has none.
func regionName(m graph.Municipality) string {
	if m.Region.Name != "" {
		return m.Region.Name
	}
	return m.Region.Code
}

// suggestionLabel is the suggestion's label, which tells namesakes of the
// list apart, or the municipality's display name.
func suggestionLabel(s score.Suggestion) string {
	if s.Label != "" {
		return s.Label
	}
	return s.Municipality.DisplayName()
}
