package workflow

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/score"
)

// FactorComplementarity names the factor that suggestions for a request
// add to the engine's: how well the candidate's offers meet the request's
// needs, and the request's offers the candidate's wishes.
const FactorComplementarity = "complementarity"

// ComplementarityWeight is the weight of FactorComplementarity. The
// default model's weights add up to about 1.4, so a candidate that meets
// every need gains about as much as one with the strongest ties in the
// graph.
const ComplementarityWeight = 0.6

// Strengths of one match in the complementarity.
const (
	declaredStrength = 1.0 // the candidate's profile lists the theme
	inferredStrength = 0.5 // the candidate carries a municipality theme of it, without saying so in a profile
	needsShare       = 0.7 // share of the needs side when the request has needs and offers
)

// Match is one need met by an offer, or one offer that answers a wish.
type Match struct {
	// Side is "need" when the candidate offers what the request needs,
	// "offer" when the candidate seeks what the request offers.
	Side string `json:"side"`
	// Theme is the code of the theme of graph.CooperationThemes.
	Theme string `json:"theme"`
	// Declared is true when the candidate's profile says so, false when it
	// is inferred from the candidate's themes.
	Declared bool `json:"declared"`
	// Reason says it in words: "Offers: water and sanitation ↔ Needs:
	// water and sanitation".
	Reason string `json:"reason"`
}

// Suggestion is a candidate for a request: the engine's suggestion, whose
// factors include FactorComplementarity, with the matches behind it.
type Suggestion struct {
	score.Suggestion
	// Matches lists the needs met and the offers wanted.
	Matches []Match `json:"matches"`
	// HasProfile says whether the candidate has declared a profile.
	HasProfile bool `json:"has_profile"`
	// Outreach is the candidate's status on the request's shortlist, empty
	// when it is not on it.
	Outreach graph.OutreachStatus `json:"outreach,omitempty"`
}

// Suggestions answers a request for suggestions for a partner request.
type Suggestions struct {
	Request         graph.Request `json:"request"`
	ModelVersion    string        `json:"model_version"`
	TaxonomyVersion string        `json:"taxonomy_version"`
	// Candidates is the number of municipalities scored.
	Candidates  int          `json:"candidates"`
	Suggestions []Suggestion `json:"suggestions"`
}

// matcher computes the complementarity of candidates with one request.
type matcher struct {
	r        graph.Request
	uk       bool // reasons in Ukrainian
	profiles map[string]*graph.Profile
	// inferred maps each need to the municipality themes that show it.
	inferred map[string][]string
}

func newMatcher(r graph.Request, profiles []graph.Profile, lang string) *matcher {
	m := &matcher{r: r, uk: lang == score.LangUkrainian, profiles: make(map[string]*graph.Profile, len(profiles)), inferred: map[string][]string{}}
	for i := range profiles {
		m.profiles[profiles[i].Municipality] = &profiles[i]
	}
	for _, n := range r.Needs {
		t, _ := graph.CooperationThemeByCode(n)
		m.inferred[n] = t.MunicipalityThemes
	}
	return m
}

// matches returns the matches of a candidate and the complementarity they
// add up to, in [0, 1].
func (m *matcher) matches(c *graph.Municipality, explain bool) (float64, []Match) {
	p := m.profiles[c.ID]
	var out []Match
	needs, offers := 0.0, 0.0
	for _, n := range m.r.Needs {
		switch {
		case p != nil && slices.Contains(p.Offers, n):
			needs += declaredStrength
			if explain {
				out = append(out, Match{Side: "need", Theme: n, Declared: true,
					Reason: m.say("Offers: %s ↔ Needs: %s", "Пропозиція громади: %s ↔ потреба запиту: %s", m.label(n), m.label(n))})
			}
		case p == nil && slices.ContainsFunc(c.Themes, func(t string) bool { return slices.Contains(m.inferred[n], t) }):
			needs += inferredStrength
			if explain {
				out = append(out, Match{Side: "need", Theme: n,
					Reason: m.say("Known for %s (not declared in a profile) ↔ Needs: %s", "Теми громади (профілю немає): %s ↔ потреба запиту: %s",
						strings.Join(m.themes(shared(c.Themes, m.inferred[n])), ", "), m.label(n))})
			}
		}
	}
	if p != nil {
		for _, o := range m.r.Offers {
			if slices.Contains(p.Seeks, o) {
				offers += declaredStrength
				if explain {
					out = append(out, Match{Side: "offer", Theme: o, Declared: true,
						Reason: m.say("Seeks: %s ↔ Offers: %s", "Потреба громади: %s ↔ пропозиція запиту: %s", m.label(o), m.label(o))})
				}
			}
		}
	}
	var value float64
	switch nn, no := len(m.r.Needs), len(m.r.Offers); {
	case nn > 0 && no > 0:
		value = needsShare*needs/float64(nn) + (1-needsShare)*offers/float64(no)
	case nn > 0:
		value = needs / float64(nn)
	case no > 0:
		value = offers / float64(no)
	}
	return value, out
}

// say formats the English or the Ukrainian text, as the matcher's
// language asks.
func (m *matcher) say(en, uk string, args ...any) string {
	if m.uk {
		return fmt.Sprintf(uk, args...)
	}
	return fmt.Sprintf(en, args...)
}

// lang is the matcher's language.
func (m *matcher) lang() string {
	if m.uk {
		return graph.LangUkrainian
	}
	return graph.LangEnglish
}

// label names a cooperation theme in the matcher's language.
func (m *matcher) label(code string) string {
	return graph.CooperationThemeLabel(code, m.lang())
}

// themes names municipality themes in the matcher's language.
func (m *matcher) themes(codes []string) []string {
	if !m.uk {
		return codes
	}
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = graph.ThemeLabel(c, graph.LangUkrainian)
	}
	return out
}

// shared returns the themes of a that are in b.
func shared(a, b []string) []string {
	var out []string
	for _, t := range a {
		if slices.Contains(b, t) {
			out = append(out, t)
		}
	}
	return out
}

// factor returns the engine's extra factor for the request.
func (m *matcher) factor() *score.ExtraFactor {
	return &score.ExtraFactor{
		Name:   FactorComplementarity,
		Weight: ComplementarityWeight,
		Value: func(c *graph.Municipality) float64 {
			v, _ := m.matches(c, false)
			return v
		},
		Explain: func(c *graph.Municipality, v float64) (string, string) {
			_, ms := m.matches(c, true)
			if len(ms) == 0 {
				return m.say("Nothing it offers or seeks meets this request's needs and offers",
					"Пропозиції та потреби громади не збігаються з потребами й пропозиціями запиту"), ""
			}
			reasons := make([]string, len(ms))
			for i, x := range ms {
				reasons[i] = x.Reason
			}
			return strings.Join(reasons, "; "), m.say("what it offers and seeks", "взаємодоповнюваність із запитом")
		},
	}
}

// Suggest ranks candidate partners for the request: the engine's factors
// for the request's municipality, within its preferred countries and size
// range, plus the complementarity of each candidate's offers and wishes
// with the request's needs and offers. limit is 0 for score.DefaultLimit;
// lang is the language of the reasons ("" or score.LangEnglish, or
// score.LangUkrainian). Errors: ENOTFOUND, ECONFLICT for a closed request,
// EUNAVAILABLE before the engine has loaded, EINVALID naming "limit" or
// "lang".
func (s *Service) Suggest(ctx context.Context, request string, limit int, lang string) (Suggestions, error) {
	r, err := s.store.Request(ctx, request)
	if err != nil {
		return Suggestions{}, err
	}
	if r.Status == graph.RequestClosed {
		return Suggestions{}, graph.Errorf(graph.ECONFLICT, "request %s is closed", request)
	}
	profiles, err := s.store.Profiles(ctx)
	if err != nil {
		return Suggestions{}, err
	}
	shortlist, err := s.store.Shortlist(ctx, request)
	if err != nil {
		return Suggestions{}, err
	}
	m := newMatcher(r, profiles, lang)
	res, err := s.engine.Suggest(ctx, r.Municipality, score.Options{
		Countries: r.Countries, MinPopulation: r.MinPopulation, MaxPopulation: r.MaxPopulation,
		Limit: limit, Extra: m.factor(), Lang: lang,
	})
	if err != nil {
		return Suggestions{}, err
	}
	out := Suggestions{
		Request: r, ModelVersion: res.ModelVersion, TaxonomyVersion: graph.TaxonomyVersion,
		Candidates: res.Candidates, Suggestions: make([]Suggestion, len(res.Suggestions)),
	}
	for i, sg := range res.Suggestions {
		_, matches := m.matches(&sg.Municipality, true)
		if matches == nil {
			matches = []Match{}
		}
		out.Suggestions[i] = Suggestion{Suggestion: sg, Matches: matches, HasProfile: m.profiles[sg.Municipality.ID] != nil}
		if k := slices.IndexFunc(shortlist, func(e graph.ShortlistEntry) bool { return e.Candidate == sg.Municipality.ID }); k >= 0 {
			out.Suggestions[i].Outreach = shortlist[k].Status
		}
	}
	return out, nil
}

// RequestFilter selects requests for an officer's list. Zero values mean
// "no filter".
type RequestFilter struct {
	// Statuses keeps requests in any of these statuses.
	Statuses []graph.RequestStatus
	// Regions keeps requests of municipalities in any of these regions
	// (oblast codes, "UA-46").
	Regions []string
	// Themes keeps requests that need or offer any of these themes.
	Themes []string
	// Municipality keeps the requests of one municipality.
	Municipality string
}

// Validate returns an EINVALID error naming the filter at fault.
func (f *RequestFilter) Validate() error {
	for _, st := range f.Statuses {
		if !st.Valid() {
			return graph.FieldErrorf("status", "%q is not one of %v", st, graph.RequestStatuses)
		}
	}
	for _, t := range f.Themes {
		if _, ok := graph.CooperationThemeByCode(t); !ok {
			return graph.FieldErrorf("theme", "unknown theme %q (see /v1/themes)", t)
		}
	}
	return nil
}

// RequestSummary is a request in an officer's list, with where it stands.
type RequestSummary struct {
	graph.Request
	// MunicipalityName and Region describe the municipality that asks.
	MunicipalityName string       `json:"municipality_name"`
	Region           graph.Region `json:"region"`
	// Outreach counts the shortlist's entries by status.
	Outreach map[graph.OutreachStatus]int `json:"outreach"`
}

// Requests lists the requests that f selects, newest first.
func (s *Service) Requests(ctx context.Context, f RequestFilter) ([]RequestSummary, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	all, err := s.store.Requests(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := s.store.Shortlists(ctx)
	if err != nil {
		return nil, err
	}
	munis := map[string]graph.Municipality{}
	out := []RequestSummary{}
	for _, r := range all {
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, r.Status) ||
			f.Municipality != "" && r.Municipality != f.Municipality ||
			len(f.Themes) > 0 && !slices.ContainsFunc(f.Themes, func(t string) bool {
				return slices.Contains(r.Needs, t) || slices.Contains(r.Offers, t)
			}) {
			continue
		}
		m, ok := munis[r.Municipality]
		if !ok {
			m, err = s.store.Municipality(ctx, r.Municipality)
			if err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
				return nil, err
			}
			munis[r.Municipality] = m
		}
		if len(f.Regions) > 0 && !slices.Contains(f.Regions, m.Region.Code) {
			continue
		}
		sum := RequestSummary{Request: r, MunicipalityName: m.DisplayName(), Region: m.Region, Outreach: map[graph.OutreachStatus]int{}}
		for _, e := range entries {
			if e.Request == r.ID {
				sum.Outreach[e.Status]++
			}
		}
		out = append(out, sum)
	}
	slices.SortStableFunc(out, func(a, b RequestSummary) int {
		return cmp.Or(b.Created.Compare(a.Created), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// StalledOutreach is an outreach that has not moved for a while.
type StalledOutreach struct {
	graph.ShortlistEntry
	// Municipality is the municipality of the request.
	Municipality string `json:"municipality"`
	// Title is the request's title.
	Title string `json:"title"`
	// DaysIdle is the number of whole days since the last change.
	DaysIdle int `json:"days_idle"`
}

// Stalled lists the outreach, in requests that are not closed, that is
// neither signed nor declined and has not changed for at least days days,
// the longest idle first. days must be 1 or more (EINVALID naming "days").
func (s *Service) Stalled(ctx context.Context, days int) ([]StalledOutreach, error) {
	if days < 1 || days > 3650 {
		return nil, graph.FieldErrorf("days", "must be between 1 and 3650, got %d", days)
	}
	requests, err := s.store.Requests(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]graph.Request{}
	for _, r := range requests {
		byID[r.ID] = r
	}
	entries, err := s.store.Shortlists(ctx)
	if err != nil {
		return nil, err
	}
	now := s.time()
	out := []StalledOutreach{}
	for _, e := range entries {
		r := byID[e.Request]
		idle := now.Sub(e.Updated)
		if r.Status == graph.RequestClosed || e.Status == graph.OutreachSigned || e.Status == graph.OutreachDeclined || idle < time.Duration(days)*24*time.Hour {
			continue
		}
		out = append(out, StalledOutreach{ShortlistEntry: e, Municipality: r.Municipality, Title: r.Title, DaysIdle: int(idle / (24 * time.Hour))})
	}
	slices.SortStableFunc(out, func(a, b StalledOutreach) int { return a.Updated.Compare(b.Updated) })
	return out, nil
}

// UnansweredOffer is an offer nobody has taken up: a European profile
// whose municipality is on no shortlist, or an open request whose outreach
// has not got past proposed.
type UnansweredOffer struct {
	// Kind is "profile" or "request".
	Kind string `json:"kind"`
	// Municipality is who offers; Request the request, for kind request.
	Municipality string `json:"municipality"`
	Request      string `json:"request,omitempty"`
	// Offers are the themes offered.
	Offers []string `json:"offers"`
	// Since is when the offer was last changed.
	Since time.Time `json:"since"`
	// Wanted lists the open requests that need one of the offers (for a
	// profile), or the profiles that seek one (for a request).
	Wanted []string `json:"wanted"`
}

// UnansweredOffers lists the offers nobody has answered, the oldest first.
func (s *Service) UnansweredOffers(ctx context.Context) ([]UnansweredOffer, error) {
	requests, err := s.store.Requests(ctx)
	if err != nil {
		return nil, err
	}
	profiles, err := s.store.Profiles(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := s.store.Shortlists(ctx)
	if err != nil {
		return nil, err
	}
	onShortlist := map[string]bool{}
	answered := map[string]bool{}
	for _, e := range entries {
		onShortlist[e.Candidate] = true
		// An outreach was answered when it was ever contacted, even if
		// it was declined later.
		if slices.ContainsFunc(e.History, func(t graph.Transition) bool {
			return t.To == graph.OutreachContacted || t.To == graph.OutreachInTalks || t.To == graph.OutreachSigned
		}) {
			answered[e.Request] = true
		}
	}
	overlaps := func(a, b []string) bool {
		return slices.ContainsFunc(a, func(t string) bool { return slices.Contains(b, t) })
	}
	out := []UnansweredOffer{}
	for _, p := range profiles {
		if len(p.Offers) == 0 || onShortlist[p.Municipality] {
			continue
		}
		u := UnansweredOffer{Kind: "profile", Municipality: p.Municipality, Offers: p.Offers, Since: p.Updated, Wanted: []string{}}
		for _, r := range requests {
			if r.Status == graph.RequestOpen && overlaps(r.Needs, p.Offers) {
				u.Wanted = append(u.Wanted, r.ID)
			}
		}
		out = append(out, u)
	}
	for _, r := range requests {
		if r.Status != graph.RequestOpen || len(r.Offers) == 0 || answered[r.ID] {
			continue
		}
		u := UnansweredOffer{Kind: "request", Municipality: r.Municipality, Request: r.ID, Offers: r.Offers, Since: r.Updated, Wanted: []string{}}
		for _, p := range profiles {
			if overlaps(p.Seeks, r.Offers) {
				u.Wanted = append(u.Wanted, p.Municipality)
			}
		}
		out = append(out, u)
	}
	slices.SortStableFunc(out, func(a, b UnansweredOffer) int { return a.Since.Compare(b.Since) })
	return out, nil
}
