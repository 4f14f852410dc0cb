package graph

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MatchKind says how a search text matched a municipality. The kinds are
// ranked in this order, best first: a store lists the municipalities of a
// better kind before the others.
type MatchKind uint8

// The kinds of match, best first.
const (
	// MatchName: the text is the current name (local or Latin).
	MatchName MatchKind = iota
	// MatchAltName: the text is an alternative or former name ("Lemberg",
	// "Dnipropetrovsk"). It ranks with MatchName: see SearchWeight.
	MatchAltName
	// MatchSpelling: the text is another romanisation of a name, as the
	// Ukrainian, Russian, German and Polish conventions and informal
	// habits write it ("Kharkiw", "Zaporizzhia", "Kamyanets-Podilskyi").
	MatchSpelling
	// MatchPrefix: a name starts with the text ("Cluj" for Cluj-Napoca), or
	// another romanisation of it does.
	MatchPrefix
	// MatchPart: a name holds the text.
	MatchPart
	// MatchTypo: a romanisation of a name is one edit from the text (two
	// for a text of TypoTwoLength letters or more); an edit is a letter
	// added, dropped, changed, or two neighbours swapped. Fewer edits rank
	// first.
	MatchTypo
	// MatchWords: the text's first words are a name ("Pereiaslav-
	// Khmelnytskyi" for Pereiaslav), found when nothing matches the whole
	// text.
	MatchWords
)

// CurrentNameWeight is how many times more people a place found by an
// alternative or former name needs to rank before one found by its current
// name: "Lemberg" finds Lviv (777,234) before the German village of that
// name, "Artemivsk" Bakhmut before the town that GeoNames still calls
// Artemivs'k, while "Jaroslaw" finds Jarosław before Yaroslavl.
const CurrentNameWeight = 4

// CompareSearch orders two search results, municipality ma found by match
// a and mb by b, as stores list them: by group (MatchName and MatchAltName
// are one, the other kinds one each), within MatchTypo fewer edits first,
// then Russian and Belarusian places after the others
// (SuspendedCountries), then by weight, larger first (the population,
// times CurrentNameWeight when the current name matches so), then by id.
func CompareSearch(a Match, ma *Municipality, b Match, mb *Municipality) int {
	if c := cmp.Compare(SearchGroup(a.Kind), SearchGroup(b.Kind)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Edits, b.Edits); c != 0 {
		return c
	}
	if c := cmp.Compare(suspendedRank(ma), suspendedRank(mb)); c != 0 {
		return c
	}
	if c := cmp.Compare(SearchWeight(b, mb.Population), SearchWeight(a, ma.Population)); c != 0 {
		return c
	}
	return strings.Compare(ma.ID, mb.ID)
}

// suspendedRank is 1 for a municipality of SuspendedCountries, else 0.
func suspendedRank(m *Municipality) int {
	if slices.Contains(SuspendedCountries, m.Country) {
		return 1
	}
	return 0
}

// SearchGroup is the group of a kind of match in CompareSearch:
// MatchAltName ranks with MatchName.
func SearchGroup(k MatchKind) int {
	if k == MatchAltName {
		return int(MatchName)
	}
	return int(k)
}

// SearchWeight is the weight of a match (see CompareSearch) of a
// municipality of pop people.
func SearchWeight(m Match, pop int64) int64 {
	if m.Main {
		return pop * CurrentNameWeight
	}
	return pop
}

// The lengths of a search text (in letters and digits of its NameKey)
// from which a typo is forgiven.
const (
	TypoOneLength = 5 // one edit
	TypoTwoLength = 9 // two edits
)

// MinLoosePrefix is the least length, in letters, of a text's LooseKey for a
// MatchPrefix by a loose key: "zzzz" is "z" loosely, with which thousands
// of names start.
const MinLoosePrefix = 4

// String names the kind as the CLI and the API show it.
func (k MatchKind) String() string {
	switch k {
	case MatchName:
		return "name"
	case MatchAltName:
		return "alternative name"
	case MatchSpelling:
		return "spelling"
	case MatchPrefix:
		return "start of name"
	case MatchPart:
		return "part of name"
	case MatchTypo:
		return "typo"
	case MatchWords:
		return "first words"
	}
	return "unknown"
}

// SearchText is a search text made ready for matching: its NameKey without
// the words for a kind of place around it ("Kyiv city", "м. Львів"), and
// the LooseKey of that.
type SearchText struct {
	Key   string
	Loose string
}

// searchUnitWords are words for a kind of place that a search text may
// carry around the name, and that no name needs to be found.
var searchUnitWords = map[string]bool{
	"city": true, "town": true, "village": true, "misto": true, "m": true, "smt": true, "selo": true,
	"hromada": true, "gromada": true, "miasto": true, "gmina": true, "stadt": true, "municipality": true,
	"gorod": true, "horod": true, "of": true,
}

// NewSearchText returns text made ready for matching.
func NewSearchText(text string) SearchText {
	key := NameKey(text)
	words := strings.Fields(key)
	var kept []string
	for _, w := range words {
		if !searchUnitWords[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) > 0 && len(kept) < len(words) {
		key = strings.Join(kept, " ")
	}
	return SearchText{Key: key, Loose: LooseKey(key)}
}

// Words returns the text without its last word, and false when it has a
// single word.
func (t SearchText) Words() (SearchText, bool) {
	i := strings.LastIndexByte(t.Key, ' ')
	if i <= 0 {
		return SearchText{}, false
	}
	return NewSearchText(t.Key[:i]), true
}

// TypoEdits returns how many edits a typo in the text may make: 0 below
// TypoOneLength letters, 1, or 2 from TypoTwoLength.
func (t SearchText) TypoEdits() int {
	n := 0
	for _, r := range t.Key {
		if r != ' ' {
			n++
		}
	}
	switch {
	case n >= TypoTwoLength:
		return 2
	case n >= TypoOneLength:
		return 1
	}
	return 0
}

// SearchKeys are the keys a municipality is found by: the NameKey of each
// name, and the LooseKey of each name and of the other romanisations of
// its Cyrillic names (SpellingKeys). Stores keep them with the
// municipality.
type SearchKeys struct {
	// Main are the keys of the current name and Latin name.
	Main []string
	// Names are the keys of every name, Main first.
	Names []string
	// Loose are the loose keys of every name and spelling, distinct.
	Loose []string
	// from are the names each key of Names and Loose comes from.
	namesFrom, looseFrom []string
	// mainLoose is how many of Loose, at its start, come from the current
	// name and Latin name.
	mainLoose int
}

// SearchKeysVersion numbers the rules of SearchKeys, NameKey and LooseKey:
// a store that keeps the keys computes them again when it holds keys of
// another version.
const SearchKeysVersion = 2

// MainLoose returns the loose keys of the current name and Latin name.
func (k *SearchKeys) MainLoose() []string { return k.Loose[:k.mainLoose] }

// NewSearchKeys returns the search keys of m.
func NewSearchKeys(m *Municipality) SearchKeys {
	var k SearchKeys
	for i, n := range m.Names() {
		main := i < 2 && (n == m.Name || n == m.NameLatin) // Names puts them first
		key := NameKey(n)
		if key != "" && !slices.Contains(k.Names, key) {
			k.Names = append(k.Names, key)
			k.namesFrom = append(k.namesFrom, n)
			if main {
				k.Main = append(k.Main, key)
			}
		}
		for _, s := range spellingKeys(n, key) {
			if !slices.Contains(k.Loose, s) {
				k.Loose = append(k.Loose, s)
				k.looseFrom = append(k.looseFrom, n)
			}
		}
		if main {
			k.mainLoose = len(k.Loose)
		}
	}
	return k
}

// Match is how a search text matched a municipality: the kind of match,
// the name it matched, whether the current name matches so (Main), and
// for a typo the number of edits.
type Match struct {
	Kind  MatchKind
	Name  string
	Main  bool
	Edits int
}

// Explain returns how the text matched the municipality, best first, and
// false when it does not match at all. A match of MatchTypo counts only
// within t.TypoEdits; MatchWords is tried last.
func (k *SearchKeys) Explain(t SearchText) (Match, bool) {
	if t.Key == "" {
		return Match{}, false
	}
	if m, ok := k.match(t, true); ok {
		return m, true
	}
	for w, ok := t.Words(); ok; w, ok = w.Words() {
		if m, found := k.match(w, false); found && m.Kind <= MatchSpelling {
			return Match{Kind: MatchWords, Name: m.Name, Main: m.Main}, true
		}
	}
	return Match{}, false
}

// Tier returns the best match of t other than a typo or first words, and
// false when there is none: how a store ranks the municipalities its text
// index finds.
func (k *SearchKeys) Tier(t SearchText) (Match, bool) {
	return k.match(t, false)
}

// Typo returns the best match of t by a typo, and false when no loose key
// is within t.TypoEdits.
func (k *SearchKeys) Typo(t SearchText) (Match, bool) {
	edits := t.TypoEdits()
	best := Match{Edits: edits + 1}
	for i, n := range k.Loose {
		d := TypoDistance(n, t.Loose, edits)
		if d < best.Edits || d == best.Edits && i < k.mainLoose && !best.Main {
			best = Match{Kind: MatchTypo, Name: k.looseFrom[i], Edits: d, Main: i < k.mainLoose}
		}
	}
	return best, edits > 0 && best.Edits <= edits
}

func (k *SearchKeys) match(t SearchText, typos bool) (Match, bool) {
	for kind := MatchName; kind <= MatchPart; kind++ {
		name, main := "", false
		for i, n := range k.Names {
			if (kind != MatchName || i < len(k.Main)) && nameHit(kind, n, t) {
				if name == "" {
					name = k.namesFrom[i]
				}
				main = main || i < len(k.Main)
			}
		}
		for i, n := range k.Loose {
			if looseHit(kind, n, t) {
				if name == "" {
					name = k.looseFrom[i]
				}
				main = main || i < k.mainLoose
			}
		}
		if name != "" {
			return Match{Kind: kind, Name: name, Main: main}, true
		}
	}
	if typos {
		return k.Typo(t)
	}
	return Match{}, false
}

// nameHit reports whether the name key n matches t as kind says.
func nameHit(kind MatchKind, n string, t SearchText) bool {
	switch kind {
	case MatchName, MatchAltName:
		return n == t.Key
	case MatchPrefix:
		return strings.HasPrefix(n, t.Key)
	case MatchPart:
		return strings.Contains(n, t.Key)
	}
	return false
}

// looseHit reports whether the loose key n matches t as kind says.
func looseHit(kind MatchKind, n string, t SearchText) bool {
	switch kind {
	case MatchSpelling:
		return n == t.Loose && n != ""
	case MatchPrefix:
		return utf8.RuneCountInString(t.Loose) >= MinLoosePrefix && strings.HasPrefix(n, t.Loose)
	}
	return false
}

// LooseKey folds a NameKey further so that the usual ways of romanising
// one Cyrillic name, and of writing a Polish, German or Hungarian one
// without its letters, agree: digraphs shortened (shch, szcz, sch → s;
// zh, rz → z; kh → h; ts, tz, ch, cz → c; sh, sz → s; ck → k), w read as v,
// y and j as i, doubled letters collapsed, ia, iu, ie, io read as a, u, e,
// o, and spaces dropped. "Zaporizhia" and "Zaporizhzhia", "Boyarka" and
// "Boiarka", "Kamyanets-Podilskyi" and "Kamianets-Podilskyi",
// "Czernihiw" and "Chernihiv" share a loose key.
func LooseKey(key string) string {
	s := strings.ReplaceAll(key, " ", "")
	s = looseDigraphs.Replace(s)
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	for _, r := range s {
		if r == 'y' || r == 'j' {
			r = 'i'
		}
		if r != prev {
			b.WriteRune(r)
		}
		prev = r
	}
	return looseVowels.Replace(b.String())
}

var (
	looseDigraphs = strings.NewReplacer("shch", "s", "szcz", "s", "tsch", "c", "sch", "s", "zh", "z", "rz", "z", "kh", "h",
		"ts", "c", "tz", "c", "ch", "c", "cz", "c", "sh", "s", "sz", "s", "w", "v", "ck", "k")
	looseVowels = strings.NewReplacer("ia", "a", "iu", "u", "ie", "e", "io", "o", "ii", "i")
)

// SpellingKeys returns the loose keys of a name (LooseKey of its NameKey)
// and, for a Cyrillic name, of the other ways it is romanised: with г as g
// (the Russian habit: "Uzhgorod", "Belgorod"), with х as ch and ц as z (the
// German and Polish ones: "Charkiw", "Czernowitz"), and with a final -ів as
// -ów (the Polish exonyms: "Charków", "Czernihów").
func SpellingKeys(name string) []string { return spellingKeys(name, NameKey(name)) }

// spellingKeys is SpellingKeys of a name whose NameKey is key.
func spellingKeys(name, key string) []string {
	if key == "" {
		return nil
	}
	out := []string{LooseKey(key)}
	if !isCyrillic(name) {
		return out
	}
	add := func(s string) {
		if k := LooseKey(NameKey(s)); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	lower := strings.ToLower(name)
	add(cyrillicRussianStyle.Replace(lower))
	add(cyrillicCentralEuropean.Replace(lower))
	if strings.HasSuffix(lower, "ів") {
		add(cyrillicCentralEuropean.Replace(strings.TrimSuffix(lower, "ів")) + "ów")
	}
	return out
}

var (
	// cyrillicRussianStyle writes г and ґ as g.
	cyrillicRussianStyle = strings.NewReplacer("г", "g", "ґ", "g")
	// cyrillicCentralEuropean writes х as ch and ц as z, as German and
	// Polish habit does ("Charkiw", "Czernowitz" → cz is read as ч).
	cyrillicCentralEuropean = strings.NewReplacer("х", "ch", "ц", "z")
)

// isCyrillic reports whether s holds a Cyrillic letter.
func isCyrillic(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf && unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

// TypoDistance is the optimal-string-alignment distance between a and b,
// byte by byte: the edits are a letter added, dropped or changed, or two
// neighbours swapped. It returns max+1 as soon as the distance is known to
// be larger than max.
func TypoDistance(a, b string, max int) int { return editDistance(a, b, max, true) }

// SearchResult says, for people, how one result of a search matched: the
// label that tells it apart from the other results (Labels), the kind of
// match (MatchKind.String: "spelling", "typo"), the name it matched, and
// for a typo the number of edits.
type SearchResult struct {
	Label string `json:"label"`
	Match string `json:"match"`
	Name  string `json:"name"`
	Edits int    `json:"edits,omitempty"`
}

// DescribeResults returns a SearchResult for each municipality that a
// search for text found, in their order: ms is a page of results. A match
// of the current name names it in the text's script (Lviv for "Lwiw",
// Львів for "Львов").
func DescribeResults(text string, ms []Municipality) []SearchResult {
	t := NewSearchText(text)
	ptrs := make([]*Municipality, len(ms))
	for i := range ms {
		ptrs[i] = &ms[i]
	}
	labels := Labels(ptrs)
	out := make([]SearchResult, len(ms))
	for i := range ms {
		k := NewSearchKeys(&ms[i])
		m, ok := k.Explain(t)
		if m.Main && !isCyrillic(text) && ms[i].NameLatin != "" {
			m.Name = ms[i].NameLatin // the name in the text's script
		}
		out[i] = SearchResult{Label: labels[i], Match: m.Kind.String(), Name: m.Name, Edits: m.Edits}
		if !ok { // a filter-only search, or a record changed since
			out[i].Match, out[i].Name = "", ""
		}
	}
	return out
}
