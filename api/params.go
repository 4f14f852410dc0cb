package api

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/samber/lo"

	"github.com/twinning/twinning/graph"
)

// params reads a request's query parameters. The first malformed parameter
// is kept in err as an EINVALID error naming it; later reads return zero
// values, so a handler reads everything and checks err once.
type params struct {
	values url.Values
	err    error
}

// newParams returns the query of r, or an error naming the first parameter
// that is not in allowed: a typo such as "limt" should not pass silently.
func newParams(r *http.Request, allowed ...string) *params {
	p := &params{values: r.URL.Query()}
	names := lo.Keys(p.values)
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			p.fail(name, "unknown parameter (known: %s)", strings.Join(allowed, ", "))
			break
		}
	}
	return p
}

// fail records the first error.
func (p *params) fail(name, format string, args ...any) {
	if p.err == nil {
		p.err = graph.FieldErrorf(name, format, args...)
	}
}

// single returns the one value of name, "" when absent; giving it twice is
// an error, since only one value would count.
func (p *params) single(name string) string {
	vs := p.values[name]
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return strings.TrimSpace(vs[0])
	default:
		p.fail(name, "given %d times; give it once", len(vs))
		return ""
	}
}

// id returns the value of a single-valued parameter that is a
// municipality id, as given (not trimmed: an id never has spaces), or ""
// when absent; a value that is not an id is a failure.
func (p *params) id(name string) string {
	vs := p.values[name]
	if len(vs) > 1 {
		p.fail(name, "given %d times; give it once", len(vs))
		return ""
	}
	if len(vs) == 0 || vs[0] == "" {
		return ""
	}
	if err := graph.CheckID(name, vs[0]); err != nil {
		if p.err == nil {
			p.err = err
		}
		return ""
	}
	return vs[0]
}

// list returns the values of a parameter that may be repeated or
// comma-separated ("country=PL&country=DE" or "country=PL,DE"), trimmed,
// without empty ones.
func (p *params) list(name string) []string {
	var out []string
	for _, v := range p.values[name] {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// intRange returns the integer value of name, def when absent, and fails
// when it is not a whole number within [lo, hi].
func (p *params) intRange(name string, def, lo, hi int) int {
	s := p.single(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		p.fail(name, "must be a whole number between %d and %d, got %q", lo, hi, s)
		return def
	}
	if n < lo || n > hi {
		p.fail(name, "must be between %d and %d, got %d", lo, hi, n)
		return def
	}
	return n
}

// oneOf returns the value of name, which must be one of allowed; "" when
// absent.
func (p *params) oneOf(name string, allowed []string) string {
	s := p.single(name)
	if s != "" && !slices.Contains(allowed, s) {
		p.fail(name, "must be one of %s, got %q", strings.Join(allowed, ", "), s)
		return ""
	}
	return s
}

// fraction returns the number value of name between 0 and 1, 0 when
// absent.
func (p *params) fraction(name string) float64 {
	s := p.single(name)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 1 {
		p.fail(name, "must be a number between 0 and 1, got %q", s)
		return 0
	}
	return v
}

// population returns a population bound, 0 when absent.
func (p *params) population(name string) int64 {
	s := p.single(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		p.fail(name, "must be a whole number of inhabitants, 0 or more, got %q", s)
		return 0
	}
	return n
}

// populationRange returns min_population and max_population and fails when
// the maximum is set and below the minimum.
func (p *params) populationRange() (lo, hi int64) {
	lo, hi = p.population("min_population"), p.population("max_population")
	if hi != 0 && lo > hi {
		p.fail("max_population", "must not be below min_population (%d > %d)", lo, hi)
	}
	return lo, hi
}

// bool returns the boolean value of name, false when absent. It accepts
// what strconv.ParseBool does ("true", "false", "1", "0", ...).
func (p *params) bool(name string) bool {
	s := p.single(name)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		p.fail(name, "must be true or false, got %q", s)
		return false
	}
	return b
}

// countries returns ISO 3166-1 alpha-2 codes, upper-cased.
func (p *params) countries() []string {
	out := p.list("country")
	for i, c := range out {
		out[i] = strings.ToUpper(c)
		if !graph.ValidCountry(out[i]) {
			p.fail("country", "%q is not an ISO 3166-1 alpha-2 code such as PL or DE", c)
			return nil
		}
	}
	return out
}

// kinds returns municipality kinds.
func (p *params) kinds() []graph.Kind {
	var out []graph.Kind
	for _, s := range p.list("kind") {
		k := graph.Kind(strings.ToLower(s))
		if !k.Valid() {
			p.fail("kind", "%q is not one of %v", s, graph.Kinds)
			return nil
		}
		out = append(out, k)
	}
	return out
}

// themes returns themes from graph.Themes.
func (p *params) themes() []string {
	out := p.list("theme")
	for i, t := range out {
		out[i] = strings.ToLower(t)
		if !graph.ValidTheme(out[i]) {
			p.fail("theme", "unknown theme %q (known: %s)", t, strings.Join(graph.Themes, ", "))
			return nil
		}
	}
	return out
}

// pathID returns the {id} path parameter, failing when it cannot be an id.
func pathID(r *http.Request) (string, error) { return pathMunicipality(r, "id") }

// pathMunicipality returns the municipality id path parameter name,
// failing when it cannot be an id.
func pathMunicipality(r *http.Request, name string) (string, error) {
	id := r.PathValue(name)
	return id, graph.CheckID(name, id)
}

// warNames are the values of the war parameter.
var warNames = func() []string {
	names := make([]string, len(graph.WarFilters))
	for i, f := range graph.WarFilters {
		names[i] = string(f)
	}
	return names
}()

// war returns the war filter (graph.WarFilter), "" when absent.
func (p *params) war() graph.WarFilter { return graph.WarFilter(p.oneOf("war", warNames)) }
