package score

import (
	"slices"

	"github.com/twinning/twinning/graph"
)

// Options narrow and shape a request for suggestions. Zero values mean "no
// filter" except Limit, where 0 means DefaultLimit.
type Options struct {
	// Countries keeps candidates in any of these ISO codes.
	Countries []string
	// MinPopulation and MaxPopulation bound the candidate's population,
	// inclusive; 0 leaves that side open.
	MinPopulation int64
	MaxPopulation int64
	// Themes keeps candidates that carry at least one of these themes and
	// makes them count in the shared-themes factor even when the source
	// municipality does not carry them (a city hall's stated interests).
	Themes []string
	// Limit caps the number of suggestions (0 means DefaultLimit, at most
	// MaxLimit).
	Limit int
	// IncludePartners keeps municipalities that are already partners.
	IncludePartners bool
	// IncludeSuspended keeps candidates in graph.SuspendedCountries.
	IncludeSuspended bool
	// IncludeDistricts keeps city districts (Kyiv's Obolon, Warsaw's
	// Mokotów: graph.WithinUnits, graph.IsDistrict), left out by default:
	// a district is not a municipality that signs partnerships.
	IncludeDistricts bool
	// War keeps candidates by what the war means for them (a European
	// city that looks for a front-line or de-occupied hromada).
	War graph.WarFilter
	// Extra, when set, adds a factor of the caller's to every candidate's
	// score, after the model's own (a partner request's complementarity).
	Extra *ExtraFactor
	// Diversity, between 0 (off) and 1, re-ranks the best candidates so
	// that the suggestions are not all of one country (maximal marginal
	// relevance): each candidate is picked by its score minus Diversity ×
	// the best score × the number of suggestions already picked from its
	// country, among the DiversityPool × Limit best by score. Scores and
	// their factors stay the model's; only the order and the choice change.
	Diversity float64
	// Lang is the language of the reasons: "" or LangEnglish, or
	// LangUkrainian. Factor names and values do not change; the extra
	// factor explains itself.
	Lang string
}

// ValidDiversity reports whether d is a valid Options.Diversity: between
// 0 (off) and 1.
func ValidDiversity(d float64) bool { return d >= 0 && d <= 1 }

// ValidLang reports whether lang is a valid Options.Lang: "" or one of
// Langs.
func ValidLang(lang string) bool { return lang == "" || slices.Contains(Langs, lang) }

// DiversityPool is how many times Limit candidates, the best by score, a
// diversified ranking picks from.
const DiversityPool = 5

// ExtraFactor is a factor that the caller of Suggest computes: its
// contribution, Weight × Value, is added to the model's score, and
// explanations list it after the model's factors.
type ExtraFactor struct {
	// Name identifies the factor in explanations; it must not be one of
	// FactorNames.
	Name string
	// Weight multiplies the value.
	Weight float64
	// Value returns the factor's value for a candidate, in [0, 1]. Suggest
	// calls it for every candidate that passes the filters, from the
	// calling goroutine, so it must be cheap.
	Value func(candidate *graph.Municipality) float64
	// Explain returns the sentence that explains the value for one of the
	// suggestions, and a short phrase for the summary ("" for none).
	Explain func(candidate *graph.Municipality, value float64) (reason, phrase string)
}

// Limits of Options.
const (
	DefaultLimit = 10
	MaxLimit     = 100
)

// Factor is one term of a score: Contribution = Weight × Value, and the
// contributions of a suggestion's factors add up to its Score.
type Factor struct {
	// Name identifies the factor ("size", "distance", "themes", ...).
	Name string `json:"name"`
	// Value is the factor's feature for this pair, in [0, 1].
	Value float64 `json:"value"`
	// Weight is the model's weight of the factor.
	Weight float64 `json:"weight"`
	// Contribution is Weight × Value.
	Contribution float64 `json:"contribution"`
	// Reason says in a sentence what the factor saw ("similar size: 721,000
	// and 800,000 inhabitants").
	Reason string `json:"reason"`
}

// Suggestion is one ranked candidate partner with its explanation.
type Suggestion struct {
	Rank         int                `json:"rank"`
	Municipality graph.Municipality `json:"municipality"`
	// Label names the municipality so that no two suggestions of the list
	// read alike (graph.Labels): "Hrubieszów (town)" beside "Hrubieszów
	// (rural gmina)".
	Label string `json:"label,omitempty"`
	// Score is the sum of the factors' contributions.
	Score float64 `json:"score"`
	// DistanceKm is the great-circle distance to the source, when both
	// locations are known.
	DistanceKm float64  `json:"distance_km,omitempty"`
	Factors    []Factor `json:"factors"`
	// Reason sums the strongest factors up in one sentence.
	Reason string `json:"reason"`
}

// Result is the answer to a request for suggestions.
type Result struct {
	For          graph.Municipality `json:"for"`
	ModelVersion string             `json:"model_version"`
	// Candidates is the number of municipalities that passed the filters
	// and were scored.
	Candidates int `json:"candidates"`
	// Diversity is Options.Diversity: above 0, the suggestions are in
	// diversified order, not by score alone.
	Diversity   float64      `json:"diversity,omitempty"`
	Suggestions []Suggestion `json:"suggestions"`
}
