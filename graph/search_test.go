package graph

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLooseKey(t *testing.T) {
	for _, pair := range [][2]string{
		{"Zaporizhia", "Zaporizhzhia"}, {"Boyarka", "Boiarka"}, {"Kamyanets-Podilskyi", "Kamianets-Podilskyi"},
		{"Czernihiw", "Chernihiv"}, {"Kiyv", "Kyiv"}, {"Khmelnitsky", "Khmelnytskyi"}, {"Nikolayev", "Nikolaev"},
		{"Odesaa", "Odesa"}, {"Tschernihiw", "Chernihiv"}, {"Szczecin", "Shchetsin"},
		{"Feodosiya", "Feodosia"}, {"Zalischyky", "Zalishchyky"}, {"Yevpatoriya", "Yevpatoriia"},
	} {
		assert.Equal(t, LooseKey(NameKey(pair[0])), LooseKey(NameKey(pair[1])), pair)
	}
	assert.NotEqual(t, LooseKey("lviv"), LooseKey("kyiv"))
}

func TestSpellingKeys(t *testing.T) {
	keys := SpellingKeys("Харків")
	for _, spelling := range []string{"Kharkiv", "Charkiw", "Charków"} {
		assert.Contains(t, keys, LooseKey(NameKey(spelling)), spelling)
	}
	assert.Contains(t, SpellingKeys("Ужгород"), LooseKey(NameKey("Uzhgorod")), "г as g")
	assert.Contains(t, SpellingKeys("Чернівці"), LooseKey(NameKey("Czerniwzi")), "ц as z")
	assert.Equal(t, []string{"krakov"}, SpellingKeys("Kraków"), "a Latin name has its own loose key only")
	assert.Nil(t, SpellingKeys(" - "))
}

func TestSearchText(t *testing.T) {
	assert.Equal(t, SearchText{Key: "kyiv", Loose: "kiv"}, NewSearchText("Kyiv city"))
	assert.Equal(t, SearchText{Key: "lviv", Loose: "lviv"}, NewSearchText("м. Львів"))
	assert.Equal(t, "city", NewSearchText("City").Key, "a unit word alone is the text")
	w, ok := NewSearchText("Pereiaslav-Khmelnytskyi").Words()
	assert.True(t, ok)
	assert.Equal(t, "pereiaslav", w.Key)
	_, ok = w.Words()
	assert.False(t, ok)
	assert.Equal(t, 0, NewSearchText("Lviv").TypoEdits())
	assert.Equal(t, 1, NewSearchText("Kharkv").TypoEdits())
	assert.Equal(t, 2, NewSearchText("Ivano-Frankivks").TypoEdits())
}

func TestExplain(t *testing.T) {
	lviv := Municipality{ID: "ua-lviv", Name: "Львів", NameLatin: "Lviv", AltNames: []string{"Lemberg", "Lwów", "Львов"}}
	keys := NewSearchKeys(&lviv)
	for _, tc := range []struct {
		text string
		want Match
	}{
		{"Lviv", Match{Kind: MatchName, Name: "Львів", Main: true}},
		{"ЛЬВІВ", Match{Kind: MatchName, Name: "Львів", Main: true}},
		{"Lemberg", Match{Kind: MatchAltName, Name: "Lemberg"}},
		{"Lvow", Match{Kind: MatchSpelling, Name: "Львів", Main: true}}, // the Polish -ів → -ów
		{"Lwiw", Match{Kind: MatchSpelling, Name: "Львів", Main: true}},
		{"Lembe", Match{Kind: MatchPrefix, Name: "Lemberg"}},
		{"emberg", Match{Kind: MatchPart, Name: "Lemberg"}},
		{"Lemmberg", Match{Kind: MatchSpelling, Name: "Lemberg"}},
		{"Lembreg", Match{Kind: MatchTypo, Name: "Lemberg", Edits: 1}},
		{"Lviv Oblast", Match{Kind: MatchWords, Name: "Львів", Main: true}},
	} {
		got, ok := keys.Explain(NewSearchText(tc.text))
		assert.True(t, ok, tc.text)
		assert.Equal(t, tc.want, got, tc.text)
	}
	_, ok := keys.Explain(NewSearchText("Kyiv"))
	assert.False(t, ok)
	_, ok = keys.Explain(NewSearchText("Lvi x"))
	assert.False(t, ok, "first words match only as a whole name")
}

func TestTypoDistance(t *testing.T) {
	assert.Equal(t, 1, TypoDistance("krakwo", "krakow", 2), "a swap is one edit")
	assert.Equal(t, 2, EditDistance("krakwo", "krakow", 2), "two for Levenshtein")
	assert.Equal(t, 1, TypoDistance("harkv", "harkiv", 1))
	assert.Equal(t, 3, TypoDistance("abc", "xyz", 2), "max+1 beyond max")
	assert.Equal(t, 0, TypoDistance("", "", 0))
}

func TestCompareSearch(t *testing.T) {
	lemberg := Municipality{ID: "de-lemberg", Country: "DE", Population: 4000}
	lviv := Municipality{ID: "ua-lviv", Country: "UA", Population: 777234}
	jaroslaw := Municipality{ID: "pl-jaroslaw", Country: "PL", Population: 35475}
	yaroslavl := Municipality{ID: "ru-yaroslavl", Country: "RU", Population: 608353}
	artemivsk := Municipality{ID: "ua-kipuche", Country: "UA", Population: 17000}
	bakhmut := Municipality{ID: "ua-bakhmut", Country: "UA", Population: 78939}
	name, alt := Match{Kind: MatchName, Main: true}, Match{Kind: MatchAltName}
	assert.Positive(t, CompareSearch(name, &lemberg, alt, &lviv), "an alternative name of a place far larger comes first")
	assert.Negative(t, CompareSearch(name, &jaroslaw, alt, &yaroslavl), "Russian places after the others")
	assert.Positive(t, CompareSearch(name, &artemivsk, alt, &bakhmut), "an alternative name of a place over four times larger first")
	bakhmut.Population = 60000
	assert.Negative(t, CompareSearch(name, &artemivsk, alt, &bakhmut), "else the current name")
	assert.Negative(t, CompareSearch(Match{Kind: MatchTypo, Edits: 1}, &lemberg, Match{Kind: MatchTypo, Edits: 2}, &lviv), "fewer edits first")
	assert.Negative(t, CompareSearch(Match{Kind: MatchPart}, &lemberg, Match{Kind: MatchTypo, Edits: 1}, &lviv))
	ms := []Municipality{lviv, lemberg}
	slices.SortFunc(ms, func(a, b Municipality) int { return CompareSearch(Match{}, &a, Match{}, &b) })
	assert.Equal(t, "ua-lviv", ms[0].ID)
}
