package importer

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The registers name foreign partners by their Ukrainian exonyms
// (`Щебрешин`, `Масслейс`, `Гайдубесермень`): Ukrainian renders each
// language's spelling by that language's sounds (Polish `sz` as ш, `rz` as
// ж or р, `ó` as у; German `ei` as ай, `z` as ц; Hungarian `s` as ш, `sz`
// as с, `gy` as д; Romanian `ș` as ш, a final `i` as ь; Dutch `ui` as ей).
// soundKey brings both sides to one sound spelling: a Cyrillic exonym
// letter by letter, a Latin name by the rules of its country's language.
// The keys of one place then differ by at most an edit or two, which
// exonymMatch allows.
//
// A key is lower-case ASCII with three capitals for sounds that Latin
// writes with two letters or a háček: C (ч), S (ш), Z (ж); щ is SC. g, h
// and kh are all h (Ukrainian г stands for both g and h), y and i are i, an
// i before a vowel (the j of я, є, ю, ї, or Polish `ie`) is dropped,
// doubled letters are one, and spaces, hyphens, apostrophes and soft signs
// are dropped.

// cyrillicSounds maps Ukrainian (and Russian) letters to soundKey symbols.
var cyrillicSounds = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "h", 'д': "d", 'е': "e", 'є': "ie", 'ж': "Z",
	'з': "z", 'и': "i", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n",
	'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "h", 'ц': "c",
	'ч': "C", 'ш': "S", 'щ': "SC", 'ь': "", 'ю': "iu", 'я': "ia", 'ы': "i", 'э': "e", 'ъ': "",
	'ё': "io",
}

// languageSounds holds, per language, the replacements (longest spelling
// first) that turn a lower-case name into soundKey symbols; what they leave
// is folded to ASCII afterwards.
var languageSounds = map[string]*strings.Replacer{
	"pl": strings.NewReplacer("szcz", "SC", "sz", "S", "cz", "C", "rz", "Z", "ch", "h", "dż", "dZ", "ż", "Z", "ź", "z",
		"ś", "s", "ć", "c", "ń", "n", "ł", "l", "w", "v", "ó", "u", "ą", "on", "ę", "en", "g", "h", "j", "i", "y", "i", "x", "ks"),
	"de": strings.NewReplacer("tsch", "C", "sch", "S", "chs", "ks", "ch", "h", "ck", "k", "ei", "ai", "ey", "ai", "äu", "oi", "eu", "oi",
		"ie", "i", "tz", "c", "z", "c", "ß", "s", "ä", "e", "ö", "e", "ü", "iu", "w", "v", "v", "f", "ph", "f", "qu", "kv",
		"j", "i", "y", "i", "g", "h", "x", "ks", "ce", "ce", "ci", "ci", "c", "k"),
	"hu": strings.NewReplacer("ccs", "C", "cs", "C", "ssz", "s", "sz", "s", "zs", "Z", "ggy", "d", "gy", "d", "nny", "n", "ny", "n", "ty", "t", "lly", "i", "ly", "i",
		"s", "S", "ö", "e", "ő", "e", "ü", "iu", "ű", "iu", "j", "i", "y", "i", "g", "h", "w", "v"),
	"ro": strings.NewReplacer("ș", "S", "ş", "S", "ț", "c", "ţ", "c", "ă", "e", "â", "i", "î", "i", "che", "ke", "chi", "ki", "ghe", "he", "ghi", "hi",
		"ce", "Ce", "ci", "Ci", "ge", "dZe", "gi", "dZi", "ea", "ia", "c", "k", "g", "h", "j", "Z", "w", "v", "x", "ks", "y", "i"),
	"cs": strings.NewReplacer("ch", "h", "č", "C", "š", "S", "ž", "Z", "ř", "rZ", "ě", "ie", "ň", "n", "ť", "t", "ď", "d", "ý", "i", "y", "i",
		"ô", "uo", "ä", "e", "ĺ", "l", "ľ", "l", "ŕ", "r", "w", "v", "g", "h", "j", "i", "x", "ks"),
	"lt": strings.NewReplacer("ch", "h", "š", "S", "ž", "Z", "č", "C", "ė", "e", "ę", "e", "ą", "a", "į", "i", "y", "i", "ų", "u", "ū", "u",
		"j", "i", "g", "h", "w", "v"),
	"lv": strings.NewReplacer("š", "S", "ž", "Z", "č", "C", "ā", "a", "ē", "e", "ī", "i", "ū", "u", "ķ", "k", "ļ", "l", "ņ", "n", "ģ", "h",
		"j", "i", "y", "i", "g", "h"),
	"et": strings.NewReplacer("š", "S", "ž", "Z", "õ", "i", "ä", "e", "ö", "e", "ü", "iu", "j", "i", "y", "i", "g", "h", "w", "v"),
	"nl": strings.NewReplacer("sch", "sh", "aa", "a", "ee", "e", "oo", "o", "uu", "u", "ui", "ei", "ij", "ei", "oe", "u", "ou", "au",
		"ch", "h", "g", "h", "j", "i", "y", "i", "w", "v", "c", "k", "x", "ks"),
	"it": strings.NewReplacer("gli", "li", "gn", "n", "sce", "Se", "sci", "Si", "ce", "Ce", "ci", "Ci", "che", "ke", "chi", "ki", "ghe", "he", "ghi", "hi",
		"ge", "dZe", "gi", "dZi", "zz", "c", "z", "c", "c", "k", "g", "h", "h", "", "j", "i", "y", "i", "qu", "kv", "x", "ks"),
	"es": strings.NewReplacer("ch", "C", "ll", "i", "ñ", "n", "j", "h", "ce", "se", "ci", "si", "qu", "k", "c", "k", "ge", "he", "gi", "hi",
		"g", "h", "z", "s", "y", "i", "x", "ks"),
	"fr": strings.NewReplacer("eau", "o", "au", "o", "ou", "u", "oi", "ua", "ai", "e", "ei", "e", "ch", "S", "qu", "k", "ce", "se", "ci", "si", "ç", "s",
		"ge", "Ze", "gi", "Zi", "c", "k", "g", "h", "j", "Z", "h", "", "u", "iu", "y", "i", "w", "v", "x", "ks"),
	"sh": strings.NewReplacer("č", "C", "ć", "C", "š", "S", "ž", "Z", "đ", "dZ", "dž", "dZ", "lj", "l", "nj", "n", "j", "i", "g", "h", "w", "v", "y", "i"),
	"": strings.NewReplacer("sch", "S", "sh", "S", "ch", "h", "zh", "Z", "kh", "h", "ph", "f", "th", "t", "w", "v", "y", "i", "j", "i", "g", "h",
		"q", "k", "x", "ks", "ce", "ce", "ci", "ci", "c", "k"),
}

// countryLanguage names the languageSounds of a country's place names.
var countryLanguage = map[string]string{
	"PL": "pl", "DE": "de", "AT": "de", "CH": "de", "LI": "de", "LU": "de",
	"HU": "hu", "RO": "ro", "MD": "ro", "CZ": "cs", "SK": "cs",
	"LT": "lt", "LV": "lv", "EE": "et", "NL": "nl", "BE": "nl",
	"IT": "it", "SM": "it", "VA": "it", "ES": "es", "FR": "fr", "MC": "fr",
	"HR": "sh", "SI": "sh", "BA": "sh", "ME": "sh", "RS": "sh",
}

var (
	// germanInitial: sp and st at the start of a German word sound шп, шт;
	// an s before a vowel there sounds з.
	germanInitial = regexp.MustCompile(`(^|[\s-])(s)([ptaeiouäöü])`)
	// frenchSilent: a French word's final e, s, t, d or x is silent.
	frenchSilent = regexp.MustCompile(`(?:e?[stdx]|e)(\s|-|$)`)
	// romanianFinalI: a Romanian word's final i after a consonant is a
	// soft sign (Cândești, Кандешть).
	romanianFinalI = regexp.MustCompile(`([^aeiouăâî\s-])i(\s|-|$)`)
	isVowel        = func(b byte) bool { return strings.IndexByte("aeiou", b) >= 0 }
)

// soundKey returns the sound key of a name: of a Cyrillic name letter by
// letter, of a Latin one by the rules of the country's language.
func soundKey(name, country string) string {
	s := strings.ToLower(strings.TrimSpace(name))
	var b strings.Builder
	if hasCyrillic(s) {
		for _, r := range s {
			if v, ok := cyrillicSounds[r]; ok {
				b.WriteString(v)
			} else {
				b.WriteRune(r)
			}
		}
		s = b.String()
	} else {
		lang := countryLanguage[country]
		switch lang {
		case "de":
			s = germanInitial.ReplaceAllStringFunc(s, func(m string) string {
				i := strings.IndexRune(m, 's')
				next := m[i+1:]
				if next == "p" || next == "t" {
					return m[:i] + "S" + next
				}
				return m[:i] + "z" + next
			})
		case "fr":
			s = frenchSilent.ReplaceAllString(s, "$1")
		case "ro":
			s = romanianFinalI.ReplaceAllString(s, "$1$2")
		}
		s = languageSounds[lang].Replace(s)
	}
	return tidySoundKey(s)
}

// tidySoundKey folds what is left to ASCII letters and applies the rules
// common to both sides.
func tidySoundKey(s string) string {
	var b []byte
	for _, r := range norm.NFD.String(s) {
		switch {
		case r == 'C' || r == 'S' || r == 'Z':
			b = append(b, byte(r))
		case r >= 'a' && r <= 'z':
			b = append(b, byte(r))
		case r == 'ø' || r == 'œ':
			b = append(b, 'e')
		case r == 'æ':
			b = append(b, 'e')
		case r == 'ł':
			b = append(b, 'l')
		}
	}
	out := b[:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == 'y' {
			c = 'i'
		}
		if c == 'i' && i+1 < len(b) && isVowel(b[i+1]) {
			continue
		}
		if len(out) > 0 && out[len(out)-1] == c {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// hasCyrillic reports whether s holds a Cyrillic letter.
func hasCyrillic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

// soundTolerance is the number of edits allowed between sound keys of the
// given length: none up to five symbols, one up to nine, else two.
func soundTolerance(n int) int {
	switch {
	case n <= 5:
		return 0
	case n <= 9:
		return 1
	}
	return 2
}
