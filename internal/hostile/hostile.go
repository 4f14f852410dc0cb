// Package hostile lists hostile inputs for the twinning API: Cypher
// fragments, quotes, control, zero-width and bidirectional characters, very
// long values and numbers out of range, placed in every query and path
// parameter of the read endpoints. twinning-load sends them under load, and
// the store tests send them to a real database, to show that they come back
// as a 4xx or as data, never as a 5xx, and reach the database only as
// parameters.
package hostile

import (
	"net/url"
	"strings"
)

// maxSearchRunes is the longest search text graph.Query.Validate accepts,
// in characters; the package's tests keep it in step.
const maxSearchRunes = 200

// Strings returns the hostile values, a fresh slice on every call: Cypher
// and SQL fragments, a parameter name, quotes, an escaped and a raw NUL, a
// right-to-left override, a zero-width space, a trailing newline, values
// far longer than any parameter allows (in Cyrillic and in ASCII), a lone
// percent sign, and numbers that are negative, overflow, not a number or
// not decimal.
func Strings() []string {
	return []string{
		"' OR 1=1 --", `") RETURN m //`, "}) MATCH (n) DETACH DELETE n //", "$id", "\\u0000",
		"\x00", "a\u202eb", "\u200b", "ua-lviv\n", strings.Repeat("я", 3000), strings.Repeat("a", 20000),
		"%", "-1", "1e309", "NaN", "0x10", "99999999999999999999",
	}
}

// Requests returns the URLs, under base, of malformed GET requests: every
// parameter of the read endpoints (query parameters and the {id} of the
// path) with each of Strings, plus an unknown parameter and values just
// past their limits. The API must answer every one with a 4xx.
func Requests(base *url.URL) []string {
	var out []string
	add := func(path string, q url.Values) {
		out = append(out, join(base, path, q))
	}
	for _, h := range Strings() {
		for _, p := range []string{"limit", "offset", "min_population", "max_population"} {
			add("/v1/municipalities", url.Values{p: {h}})
		}
		add("/v1/municipalities", url.Values{"q": {h}, "limit": {"0"}})
		add("/v1/municipalities", url.Values{"country": {h}})
		add("/v1/municipalities", url.Values{"theme": {h}})
		add("/v1/municipalities", url.Values{"sort": {h}})
		add("/v1/municipalities/"+url.PathEscape(h), nil)
		add("/v1/municipalities/"+url.PathEscape(h)+"/partners", nil)
		add("/v1/municipalities/"+url.PathEscape(h)+"/suggestions", nil)
		add("/v1/municipalities/ua-lviv/suggestions", url.Values{"limit": {h}})
		add("/v1/municipalities/ua-lviv/suggestions", url.Values{"country": {h}})
		add("/v1/municipalities/ua-lviv/suggestions", url.Values{"weight": {h}})
		add("/v1/graph/path", url.Values{"from": {h}, "to": {"pl-krakow"}})
		add("/v1/graph/path", url.Values{"from": {"ua-lviv"}, "to": {"pl-krakow"}, "max_hops": {h}})
		add("/v1/graph/countries", url.Values{"status": {h}})
		add("/v1/graph/gaps", url.Values{"sort": {h}})
		add("/v1/graph/central", url.Values{"limit": {h}})
		add("/v1/municipalities/ua-lviv/neighbourhood", url.Values{"hops": {h}})
		add("/v1/export", url.Values{"format": {h}})
	}
	add("/v1/municipalities", url.Values{"nonsense": {"1"}})
	add("/v1/municipalities/ua-lviv/suggestions", url.Values{"limit": {"1000"}})
	add("/v1/graph/path", url.Values{"from": {"ua-lviv"}, "to": {"pl-krakow"}, "max_hops": {"7"}})
	return out
}

// Searches returns the URLs, under base, of searches that are valid
// requests with hostile data: GET /v1/municipalities with each of Strings,
// cut to the longest search text allowed, as the free text q and as a
// region code. The API must answer every one with 200 and a page of
// municipalities, empty or not: a hostile value is data to match, not a
// statement to run.
func Searches(base *url.URL) []string {
	var out []string
	for _, h := range Strings() {
		if r := []rune(h); len(r) > maxSearchRunes {
			h = string(r[:maxSearchRunes])
		}
		out = append(out,
			join(base, "/v1/municipalities", url.Values{"q": {h}}),
			join(base, "/v1/municipalities", url.Values{"region": {h}}))
	}
	return out
}

// join returns the URL of path under base with query q.
func join(base *url.URL, path string, q url.Values) string {
	u := base.JoinPath(path)
	u.RawQuery = q.Encode()
	return u.String()
}
