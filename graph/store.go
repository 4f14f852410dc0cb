package graph

import "context"

// Query selects municipalities. Zero values mean "no filter".
type Query struct {
	// Text matches any name (local, Latin, alternative or former) after
	// NameKey: a name matches when its key equals, starts with, or contains
	// the text's key. Exact matches rank first, then prefixes, then the rest;
	// within a rank, larger populations first, then ids.
	Text string
	// Countries keeps municipalities in any of these ISO codes.
	Countries []string
	// Regions keeps municipalities in any of these region codes.
	Regions []string
	// Kinds keeps municipalities of any of these kinds.
	Kinds []Kind
	// Themes keeps municipalities that carry at least one of these themes.
	Themes []string
	// MinPopulation and MaxPopulation bound the population, inclusive; 0
	// leaves that side open. A municipality of unknown population matches
	// only when both are 0.
	MinPopulation int64
	MaxPopulation int64
	// War keeps municipalities by what the war means for them.
	War WarFilter
	// Offset skips that many results; Limit caps them (0 means DefaultLimit).
	Offset int
	Limit  int
}

// Limits of a Query.
const (
	DefaultLimit = 20
	MaxLimit     = 500
)

// Validate returns an EINVALID *Error naming the first field that breaks a
// rule, or nil.
func (q *Query) Validate() error {
	switch {
	case q.Offset < 0:
		return FieldErrorf("offset", "must be 0 or more, got %d", q.Offset)
	case q.Limit < 0 || q.Limit > MaxLimit:
		return FieldErrorf("limit", "must be between 1 and %d, got %d", MaxLimit, q.Limit)
	case q.MinPopulation < 0:
		return FieldErrorf("min_population", "must be 0 or more, got %d", q.MinPopulation)
	case q.MaxPopulation < 0:
		return FieldErrorf("max_population", "must be 0 or more, got %d", q.MaxPopulation)
	case q.MaxPopulation != 0 && q.MinPopulation > q.MaxPopulation:
		return FieldErrorf("max_population", "must not be below min_population (%d > %d)", q.MinPopulation, q.MaxPopulation)
	case len([]rune(q.Text)) > 200:
		return FieldErrorf("q", "is longer than 200 characters")
	case !q.War.Valid():
		return FieldErrorf("war", "%q is not one of %v", q.War, WarFilters)
	}
	for _, c := range q.Countries {
		if !ValidCountry(c) {
			return FieldErrorf("country", "%q is not an ISO 3166-1 alpha-2 code", c)
		}
	}
	for _, k := range q.Kinds {
		if !k.Valid() {
			return FieldErrorf("kind", "%q is not one of %v", k, Kinds)
		}
	}
	for _, t := range q.Themes {
		if !ValidTheme(t) {
			return FieldErrorf("theme", "unknown theme %q", t)
		}
	}
	return nil
}

// EffectiveLimit returns Limit, or DefaultLimit when Limit is 0.
func (q *Query) EffectiveLimit() int {
	if q.Limit == 0 {
		return DefaultLimit
	}
	return q.Limit
}

// Page is one page of search results.
type Page struct {
	Items  []Municipality `json:"items"`
	Total  int            `json:"total"`
	Offset int            `json:"offset"`
	Limit  int            `json:"limit"`
}

// Counts are the sizes of a store.
type Counts struct {
	Municipalities int            `json:"municipalities"`
	Partnerships   int            `json:"partnerships"`
	ByCountry      map[string]int `json:"by_country"`
	ByStatus       map[Status]int `json:"by_status"`
}

// UpsertResult says what an upsert did.
type UpsertResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Store is the graph of municipalities and partnerships. Every method
// honours the context's deadline and cancellation. Implementations are safe
// for concurrent use. A store that cannot reach its database returns
// EUNAVAILABLE.
type Store interface {
	// Municipality returns the municipality with the given id, or ENOTFOUND.
	Municipality(ctx context.Context, id string) (Municipality, error)

	// MunicipalityByCode returns the municipality whose code of the given
	// name ("katottg", "lau", "geonames", "wikidata") has the given value,
	// or ENOTFOUND; EINVALID for an unknown code name.
	MunicipalityByCode(ctx context.Context, code, value string) (Municipality, error)

	// Search returns the municipalities that match q, in the order Query
	// documents, with the total number of matches. EINVALID when q does not
	// validate.
	Search(ctx context.Context, q Query) (Page, error)

	// Partners returns the partnerships of the municipality with the given
	// id, each with the municipality at the other end, ordered by that
	// municipality's id; ENOTFOUND when the municipality does not exist.
	Partners(ctx context.Context, id string) ([]Partner, error)

	// UpsertMunicipalities creates or replaces the given municipalities,
	// all or none: EINVALID (naming the field and the id) when one does not
	// validate, ECONFLICT when an id appears twice in the batch or a unique
	// code is already held by another municipality. Replacing keeps the
	// municipality's partnerships.
	UpsertMunicipalities(ctx context.Context, ms []Municipality) (UpsertResult, error)

	// UpsertPartnerships creates or replaces the given partnerships (one per
	// unordered pair), all or none: EINVALID when one does not validate or
	// names a municipality that does not exist, ECONFLICT when a pair
	// appears twice in the batch.
	UpsertPartnerships(ctx context.Context, ps []Partnership) (UpsertResult, error)

	// DeleteMunicipality deletes the municipality and its partnerships, or
	// returns ENOTFOUND.
	DeleteMunicipality(ctx context.Context, id string) error

	// DeletePartnership deletes the partnership between a and b (in either
	// order), or returns ENOTFOUND.
	DeletePartnership(ctx context.Context, a, b string) error

	// Counts returns the number of municipalities (in all and by country)
	// and of partnerships (in all and by status).
	Counts(ctx context.Context) (Counts, error)

	// ScanMunicipalities calls fn for every municipality in id order,
	// stopping at and returning the first error fn returns.
	ScanMunicipalities(ctx context.Context, fn func(Municipality) error) error

	// ScanPartnerships calls fn for every partnership in key order,
	// stopping at and returning the first error fn returns.
	ScanPartnerships(ctx context.Context, fn func(Partnership) error) error

	// Ping returns nil when the store can serve requests, EUNAVAILABLE
	// otherwise.
	Ping(ctx context.Context) error

	// Version returns a number that every write of municipalities or
	// partnerships moves, whichever process wrote: a process that keeps an
	// index of them (the engine, the graph snapshot) reloads it when the
	// number differs from the one it loaded at. The workflow's records do
	// not move it.
	Version(ctx context.Context) (int64, error)

	// MunicipalitiesVersion returns a number that every write of
	// municipalities moves (a write of partnerships alone does not), so
	// that a process reloading after a change of partnerships may keep the
	// municipalities it read before while the number has not moved.
	MunicipalitiesVersion(ctx context.Context) (int64, error)

	// Close releases the store's resources.
	Close() error

	// PathFinder finds shortest partnership paths.
	PathFinder

	// Workflow keeps the partner requests, profiles, shortlists and the
	// audit log.
	Workflow
}

// A Dump is every municipality and partnership of a store, in id and key
// order, read by one scan of each (ReadDump). The engine and the analytics
// snapshot build their indexes from one Dump, so that a reload reads the
// store once.
type Dump struct {
	Municipalities []Municipality
	Partnerships   []Partnership
}

// ReadDump reads every municipality and partnership of s, one scan of
// each. Store errors keep their code.
func ReadDump(ctx context.Context, s Scanner) (Dump, error) {
	var d Dump
	if err := s.ScanMunicipalities(ctx, func(m Municipality) error {
		d.Municipalities = append(d.Municipalities, m)
		return nil
	}); err != nil {
		return Dump{}, Wrap(ErrorCode(err), err, "read the municipalities: %s", ErrorMessage(err))
	}
	if err := s.ScanPartnerships(ctx, func(p Partnership) error {
		d.Partnerships = append(d.Partnerships, p)
		return nil
	}); err != nil {
		return Dump{}, Wrap(ErrorCode(err), err, "read the partnerships: %s", ErrorMessage(err))
	}
	return d, nil
}

// Scanner reads every municipality and partnership: all that a consumer
// which builds an index of the whole graph (the engine, the analytics
// snapshot, the evaluation) needs of a Store.
type Scanner interface {
	// ScanMunicipalities calls fn for every municipality in id order.
	ScanMunicipalities(ctx context.Context, fn func(Municipality) error) error
	// ScanPartnerships calls fn for every partnership in key order.
	ScanPartnerships(ctx context.Context, fn func(Partnership) error) error
}

// Path is one chain of partnerships: Partnerships[i] joins
// Municipalities[i] and Municipalities[i+1], and Degrees[i] is the number
// of partnerships of Municipalities[i].
type Path struct {
	Municipalities []Municipality
	Degrees        []int
	Partnerships   []Partnership
}

// PathFinder finds shortest partnership paths, on the data as it is now:
// every Store does, Neo4j with its allShortestPaths, the embedded store
// with graph.ShortestPathIDs on the graph it holds in memory.
type PathFinder interface {
	// ShortestPaths returns how many shortest paths of at most maxHops
	// partnerships (whatever their status) join the municipalities from
	// and to, and the first limit of them in lexicographic order of their
	// municipality ids. count is 0 when none is within maxHops. ENOTFOUND
	// names the unknown id.
	ShortestPaths(ctx context.Context, from, to string, maxHops, limit int) (count int, paths []Path, err error)
}
