package graph

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Romanize transliterates Ukrainian Cyrillic into Latin script by the
// national standard (Resolution No. 55 of the Cabinet of Ministers of
// Ukraine, 27 January 2010): "Зґурський" → "Zghurskyi", "Їжакевич" →
// "Yizhakevych", soft signs and apostrophes dropped, "зг" → "zgh" (and
// "зґ" too, as the project's specification asks), and
// Є Ї Й Ю Я written Ye Yi Y Yu Ya at the start of a word and ie i i iu ia
// elsewhere. Characters outside the Ukrainian alphabet pass through.
func Romanize(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	runes := []rune(s)
	for i, r := range runes {
		lower := unicode.ToLower(r)
		upper := r != lower
		wordStart := i == 0 || !isWordRune(runes[i-1])
		var out string
		if (lower == 'г' || lower == 'ґ') && i > 0 && unicode.ToLower(runes[i-1]) == 'з' {
			out = "gh"
		} else if v, ok := ukrainianInitial[lower]; ok && wordStart {
			out = v
		} else if v, ok := ukrainianLatin[lower]; ok {
			out = v
		} else {
			b.WriteRune(r)
			continue
		}
		if upper && out != "" {
			// Title case: the first letter upper, or the whole digraph when
			// the next letter is upper too ("ЩОРС" → "SHCHORS").
			allUpper := i+1 < len(runes) && unicode.IsUpper(runes[i+1]) || (i+1 == len(runes) && i > 0 && unicode.IsUpper(runes[i-1]))
			if allUpper {
				out = strings.ToUpper(out)
			} else {
				f, n := utf8.DecodeRuneInString(out)
				out = string(unicode.ToUpper(f)) + out[n:]
			}
		}
		b.WriteString(out)
	}
	return b.String()
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || r == '\'' || r == '’' || r == 'ʼ' || r == '`'
}

var ukrainianLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ie",
	'ж': "zh", 'з': "z", 'и': "y", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l",
	'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ь': "",
	'ю': "iu", 'я': "ia", '\'': "", '’': "", 'ʼ': "",
}

var ukrainianInitial = map[rune]string{'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"}

// russianExtra romanises the Russian and Belarusian letters that the
// Ukrainian alphabet lacks, so that names in those scripts still give a key
// of Latin letters.
var russianExtra = map[rune]string{'ы': "y", 'э': "e", 'ё': "e", 'ъ': "", 'ў': "u"}

// NameKey returns the form of a name that search and matching compare:
// lower case, Cyrillic romanised, diacritics folded ("Kraków" → "krakow",
// "Łódź" → "lodz", "Straße" → "strasse"), apostrophes dropped
// ("Kam'ianets" → "kamianets"), and every run of other non-alphanumeric
// characters turned into one space. "Львів", "LVIV" and "Lviv" share a key.
func NameKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // suppress leading spaces
	runes := []rune(s)
	for i, r := range runes {
		switch r {
		case '\'', '’', 'ʼ', '`', '´', 'ʻ', '‘':
			continue
		}
		lower := unicode.ToLower(r)
		var out string
		switch {
		case lower < utf8.RuneSelf && (lower >= 'a' && lower <= 'z' || lower >= '0' && lower <= '9'):
			out = string(lower)
		case (lower == 'г' || lower == 'ґ') && i > 0 && unicode.ToLower(runes[i-1]) == 'з':
			out = "gh"
		default:
			if v, ok := ukrainianInitial[lower]; ok && (i == 0 || !isWordRune(runes[i-1])) {
				out = v
			} else if v, ok := ukrainianLatin[lower]; ok {
				out = v
			} else if v, ok := russianExtra[lower]; ok {
				out = v
			} else if v, ok := latinFold[lower]; ok {
				out = v
			} else if unicode.IsLetter(lower) || unicode.IsDigit(lower) {
				out = string(lower)
			} else if unicode.Is(unicode.Mn, lower) {
				continue // a combining accent
			}
		}
		if out == "" && !(unicode.IsLetter(lower)) {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteString(out)
		if out != "" {
			space = false
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// latinFold maps Latin letters with diacritics to plain ASCII.
var latinFold = func() map[rune]string {
	m := map[rune]string{}
	groups := map[string]string{
		"a": "àáâãäåāăąǎ", "c": "çćĉċč", "d": "ďđ", "e": "èéêëēĕėęěə", "g": "ĝğġģ",
		"h": "ĥħ", "i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķ", "l": "ĺļľŀł", "n": "ñńņňŉ",
		"o": "òóôõöøōŏőǫ", "r": "ŕŗř", "s": "śŝşšș", "t": "ţťŧț", "u": "ùúûüũūŭůűų",
		"w": "ŵ", "y": "ýÿŷ", "z": "źżž",
	}
	for ascii, letters := range groups {
		for _, r := range letters {
			m[r] = ascii
		}
	}
	for r, s := range map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th", 'ð': "d",
		// Greek vowels with tonos or dialytika keep their letter.
		'ά': "α", 'έ': "ε", 'ή': "η", 'ί': "ι", 'ό': "ο", 'ύ': "υ", 'ώ': "ω", 'ϊ': "ι", 'ϋ': "υ", 'ΐ': "ι", 'ΰ': "υ"} {
		m[r] = s
	}
	return m
}()

// EditDistance is the Levenshtein distance between a and b, byte by byte,
// or max+1 as soon as it is known to be larger than max.
func EditDistance(a, b string, max int) int { return editDistance(a, b, max, false) }

// editDistance is the Levenshtein distance between a and b, byte by byte,
// counting a swap of two neighbours as one edit when swaps is set (the
// optimal string alignment distance), or max+1 as soon as it is known to
// be larger than max.
func editDistance(a, b string, max int, swaps bool) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	// The row before the last (for swaps), the last, and the current.
	rows := make([]int, 3*(len(b)+1))
	pp, prev, cur := rows[:len(b)+1], rows[len(b)+1:2*(len(b)+1)], rows[2*(len(b)+1):]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if swaps && i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], pp[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > max {
			return max + 1
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(b)]
}
