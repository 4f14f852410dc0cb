package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

func TestParseLAULatinNames(t *testing.T) {
	recs, bad, n, err := ParseLAU(openFixture(t, "lau-latin.csv"), "lau-latin.csv")
	require.NoError(t, err)
	require.Empty(t, bad)
	assert.Equal(t, 17, n)
	got := map[string]string{}
	for _, r := range recs {
		require.NoError(t, r.Municipality.Validate())
		got[r.Municipality.Name] = r.Municipality.NameLatin
	}
	assert.Equal(t, map[string]string{
		"Δημοτική Κοινότητα Αθηναίων": "Dimotiki Koinotita Athinaion",
		"Θεσσαλονίκη":                 "Thessaloniki",
		"Κοινότητα Ναυπλιέων":         "Koinotita Nafplieon",
		"Κοινότητα Καλαμπάκας":        "Koinotita Kalampakas",
		"Κοινότητα Μπράλου":           "Koinotita Bralou",
		"Λευκωσία":                    "Lefkosia",
		"Λεμεσός":                     "Lemesos",
		"Έγκωμη":                      "Egkomi",
		"София":                       "Sofia",
		"Търговище":                   "Targovishte",
		"Стара Загора":                "Stara Zagora",
		"Провадия":                    "Provadia",
		"Скопје":                      "Skopje",
		"Ѓорче Петров":                "Gjorche Petrov",
		"Шуто Оризари":                "Shuto Orizari",
		"Ниш":                         "Niš",
		"Kraków":                      "Kraków",
	}, got)
}

// TestLatinNamesIndexed checks that a transliterated name finds its
// municipality in the importer's index, which files every name of
// Municipality.Names by graph.NameKey as the stores' search keys do.
func TestLatinNamesIndexed(t *testing.T) {
	recs, _, _, err := ParseLAU(openFixture(t, "lau-latin.csv"), "lau-latin.csv")
	require.NoError(t, err)
	ix := NewIndex()
	byName := map[string]graph.Municipality{}
	for _, r := range recs {
		ix.Put(r.Municipality)
		byName[r.Municipality.NameLatin] = r.Municipality
		assert.Contains(t, r.Municipality.Names(), r.Municipality.NameLatin)
	}
	for query, latin := range map[string]string{
		"Lefkosia": "Lefkosia", "sofia": "Sofia", "GJORCHE PETROV": "Gjorche Petrov",
		"Targovishte": "Targovishte", "Nis": "Niš", "Egkomi": "Egkomi",
	} {
		m := byName[latin]
		cs := ix.named(graph.NameKey(query), false, m.Country, m.Location)
		if assert.Len(t, cs, 1, query) {
			assert.Equal(t, m.ID, ix.muns[cs[0].slot].ID, query)
		}
	}
}

// TestLatinNamesRealData parses every LAU file of the shared open data and
// checks that each record has a Latin name in Latin script.
func TestLatinNamesRealData(t *testing.T) {
	dir := filepath.Join(sharedData(t), "eu-lau")
	files, err := LAUFiles([]string{dir})
	if err != nil {
		t.Skipf("LAU files of the real open data not found: %v", err)
	}
	transliterated := map[string]int{}
	lacking, total := 0, 0
	for _, path := range files {
		f, err := os.Open(path)
		require.NoError(t, err)
		recs, bad, _, err := ParseLAU(f, path)
		f.Close()
		require.NoError(t, err, path)
		assert.Empty(t, bad, path)
		for _, r := range recs {
			m := r.Municipality
			total++
			if m.NameLatin == "" || !onlyLatinLetters(m.NameLatin) {
				lacking++
				if lacking <= 20 {
					t.Errorf("%s %q has Latin name %q", m.ID, m.Name, m.NameLatin)
				}
				continue
			}
			if m.NameLatin != m.Name {
				transliterated[m.Country]++
			}
		}
	}
	assert.Zero(t, lacking, "records without a Latin name")
	countries := make([]string, 0, len(transliterated))
	sum := 0
	for c, n := range transliterated {
		countries = append(countries, c)
		sum += n
	}
	sort.Strings(countries)
	var b strings.Builder
	for _, c := range countries {
		fmt.Fprintf(&b, " %s %d", c, transliterated[c])
	}
	t.Logf("%d LAU records in %d files, %d without a Latin name; transliterated %d:%s", total, len(files), lacking, sum, b.String())
}

func onlyLatinLetters(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}
