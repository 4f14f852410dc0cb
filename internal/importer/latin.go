package importer

import (
	"unicode/utf8"

	"github.com/twinning/twinning/graph"
)

// latinName returns the Latin name of a municipality called name in
// country: name itself when it is in Latin script, else its
// transliteration by graph.LatinName, so that every municipality has a
// Latin name to display and to be searched by. A transliteration longer
// than graph.MaxNameLength (only a name far longer than any real one can
// grow so much) is left out, so that the record still validates.
func latinName(name, country string) string {
	if isLatin(name) {
		return name
	}
	latin := graph.LatinName(name, country)
	if utf8.RuneCountInString(latin) > graph.MaxNameLength {
		return ""
	}
	return latin
}
