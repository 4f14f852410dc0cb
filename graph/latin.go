package graph

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// LatinName returns name written in Latin script, for a municipality of
// the country with ISO 3166-1 alpha-2 code country. Text without Greek or
// Cyrillic letters comes back unchanged (invalid UTF-8 replaced by U+FFFD).
//
// Greek text, in any country, is transcribed by ELOT 743 (ISO 843, type 2),
// as Greece writes its place names: "Αθήνα" → "Athina", "Θεσσαλονίκη" →
// "Thessaloniki", "Λευκωσία" → "Lefkosia". The digraphs αι ει οι ου give
// ai ei oi ou; αυ ευ ηυ give av ev iv before a vowel or a voiced consonant
// (β γ δ ζ λ μ ν ρ) and af ef if before a voiceless one and at the end of a
// word ("Ευρυτανία" → "Evrytania", "Ναύπλιο" → "Nafplio"). As in ELOT 743,
// μπ ντ γκ are b d g at the start of a word and mp nt gk inside it
// ("Μπράλος" → "Bralos", "Καλαμπάκα" → "Kalampaka", "Γκούρα" → "Goura",
// "Αγκίστρι" → "Agkistri"); γ is n before γ ξ χ ("Μεσολόγγι" →
// "Mesolongi"). Accents and diaeresis are dropped, but a diaeresis on the
// second vowel or an accent on the first one keeps the two vowels apart:
// "Ταΰγετος" → "Taygetos". For αϊ, εϊ, οϊ that gives the same letters as
// the digraph, ai ei oi, without the diaeresis, which ELOT's transcription
// does not keep. Polytonic letters are read as their monotonic base.
//
// Cyrillic text follows the country's official romanisation: for BG the
// Streamlined System of the 2009 Transliteration Act ("Търговище" →
// "Targovishte", a word-final -ия is ia: "София" → "Sofia"); for MK the
// Macedonian official one ("Ѓорче Петров" → "Gjorche Petrov"); for RS, ME,
// BA and XK Gaj's Latin alphabet ("Ниш" → "Niš"); for UA Romanize; for RU
// and BY BGN/PCGN without diacritics or apostrophes ("Ейск" → "Yeysk";
// for BY г → h, ў → w, е ё → ye yo: "Магілёў" → "Mahilyow"). Other countries, and letters that the country's
// alphabet lacks, use the Russian table, extended with the letters of the
// other Cyrillic alphabets; a Greek or Cyrillic letter that no table knows
// is dropped, so that the result never holds a Greek or Cyrillic letter.
//
// Case follows the input: a letter written as several Latin letters is
// capitalised in a capitalised word and all capitals in an all-capital
// one ("ШУМЕН" → "SHUMEN"). Latin letters, digits, spaces and punctuation
// pass through.
func LatinName(name, country string) string {
	if !hasGreekOrCyrillic(name) {
		return strings.ToValidUTF8(name, "\uFFFD")
	}
	rs := normalizeScripts(name)
	lang := cyrillicFor(strings.ToUpper(strings.TrimSpace(country)))
	if lang == nil {
		// Romanize knows the Ukrainian letters; what it leaves (ы э ё ъ,
		// Greek) goes through the general tables below.
		rs = []rune(Romanize(string(rs)))
		lang = russian
	}
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(rs); {
		r := rs[i]
		if !isGreekOrCyrillicLetter(r) {
			b.WriteRune(r)
			i++
			continue
		}
		out, n := "", 1
		if unicode.Is(unicode.Greek, r) {
			out, n = greekAt(rs, i)
		} else {
			out = lang.at(rs, i)
		}
		b.WriteString(casedLike(out, rs, i, n))
		i += n
	}
	return b.String()
}

func hasGreekOrCyrillic(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Greek, unicode.Cyrillic) {
			return true
		}
	}
	return false
}

func isGreekOrCyrillicLetter(r rune) bool {
	return unicode.IsLetter(r) && unicode.In(r, unicode.Greek, unicode.Cyrillic)
}

// isUpperRune reports whether r is a capital, titlecase letters included
// (ᾈ, ǅ), and letters such as ϒ that have no lower-case form.
func isUpperRune(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsTitle(r)
}

// casedLike returns out, the Latin form of the n letters at rs[i], in the
// case of those letters: unchanged when rs[i] is lower case, in capitals
// when the word around it is written in capitals, else with its first
// letter upper ("Ш" in "Шумен" is "Sh", in "ШУМЕН" "SH").
func casedLike(out string, rs []rune, i, n int) string {
	if out == "" || !isUpperRune(rs[i]) {
		return out
	}
	if allCaps(rs, i, n) {
		return strings.ToUpper(out)
	}
	f, size := utf8.DecodeRuneInString(out)
	return string(unicode.ToUpper(f)) + out[size:]
}

// allCaps reports whether the capital at rs[i], standing for n letters,
// belongs to a word in capitals: a capital among the n letters or right
// after them, or, at the end of the word, right before them.
func allCaps(rs []rune, i, n int) bool {
	for _, r := range rs[i+1 : i+n] {
		if isUpperRune(r) {
			return true
		}
	}
	if j := i + n; j < len(rs) && unicode.IsLetter(rs[j]) {
		return isUpperRune(rs[j])
	}
	return i > 0 && unicode.IsLetter(rs[i-1]) && isUpperRune(rs[i-1])
}

// normalizeScripts returns the runes of s with Greek and Cyrillic letters
// in the forms the tables know: a combining accent or diaeresis is
// composed with its Greek or Cyrillic letter ("и" and a combining breve is
// "й") and any other mark on such a letter dropped; letter variants (ϐ, ϑ,
// ϲ, ᲀ) become their plain letter and polytonic Greek its monotonic form.
// Decomposed text (NFD) thus reads as composed text does.
func normalizeScripts(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if unicode.In(r, unicode.Mn, unicode.Me) {
			if n := len(out); n > 0 && isGreekOrCyrillicLetter(out[n-1]) {
				out[n-1] = composeMark(out[n-1], r)
				continue
			}
			if unicode.In(r, unicode.Greek, unicode.Cyrillic) {
				continue // a Greek or Cyrillic mark on nothing it can mark
			}
		} else if unicode.IsLetter(r) {
			switch {
			case unicode.Is(unicode.Greek, r):
				r = canonicalGreek(r)
			case unicode.Is(unicode.Cyrillic, r):
				r = canonicalCyrillic(r)
			}
		}
		out = append(out, r)
	}
	return out
}

// composeMark returns the Greek or Cyrillic letter r with the combining
// mark m, or r alone when the tables have no such letter: the mark is then
// dropped, since a transcription has nowhere to put it.
func composeMark(r, m rune) rune {
	upper := isUpperRune(r)
	if unicode.Is(unicode.Cyrillic, r) {
		c, ok := cyrillicMarked[[2]rune{unicode.ToLower(r), m}]
		if !ok {
			return r
		}
		if upper {
			return unicode.ToUpper(c)
		}
		return c
	}
	base, acc, dia := greekBase(r)
	switch m {
	case 0x300, 0x301, 0x340, 0x341, 0x342: // grave, acute, tone mark, circumflex
		acc = true
	case 0x308:
		dia = true
	case 0x344: // dialytika tonos
		acc, dia = true, true
	default:
		return r
	}
	return greekCompose(base, acc, dia, upper)
}

// cyrillicMarked composes the Cyrillic letters that decomposed text writes
// as a letter and a combining mark.
var cyrillicMarked = map[[2]rune]rune{
	{'и', 0x306}: 'й', {'у', 0x306}: 'ў', {'е', 0x308}: 'ё', {'і', 0x308}: 'ї',
	{'г', 0x301}: 'ѓ', {'к', 0x301}: 'ќ', {'е', 0x300}: 'ѐ', {'и', 0x300}: 'ѝ',
}

// canonicalCyrillic returns the letter of the tables that r is a variant
// of (ᲀ is a form of в), in r's case, or r.
func canonicalCyrillic(r rune) rune {
	lower := unicode.ToLower(r)
	if _, ok := cyrillicOther[lower]; ok {
		return r
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if l := unicode.ToLower(f); cyrillicOther[l] != "" {
			return withCase(l, isUpperRune(r))
		}
	}
	return r
}

func withCase(r rune, upper bool) rune {
	if upper {
		return unicode.ToUpper(r)
	}
	return r
}

// Greek.

// greekLatin transcribes the Greek letters one by one; greekAt applies the
// rules for letter pairs first. Archaic letters get a Latin letter of
// their sound.
var greekLatin = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th",
	'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p",
	'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps",
	'ω': "o",
	'ϳ': "j", 'ϙ': "k", 'ϟ': "k", 'ϛ': "st", 'ϝ': "w", 'ϡ': "ss", 'ͱ': "h", 'ͳ': "ss",
	'ͷ': "w", 'ϸ': "sh", 'ϻ': "s",
}

// greekVariants maps letter variants and small capitals that case folding
// does not reach to the plain lower-case letter.
var greekVariants = map[rune]rune{
	'ϲ': 'σ', 'ͻ': 'σ', 'ͼ': 'σ', 'ͽ': 'σ', 'ϒ': 'υ', 'ϓ': 'ύ', 'ϔ': 'ϋ',
	'ᴦ': 'γ', 'ᴧ': 'λ', 'ᴨ': 'π', 'ᴩ': 'ρ', 'ᴪ': 'ψ', 'ꭥ': 'ω',
	'ᵝ': 'β', 'ᵞ': 'γ', 'ᵟ': 'δ', 'ᵠ': 'φ', 'ᵡ': 'χ', 'ᵦ': 'β', 'ᵧ': 'γ', 'ᵨ': 'ρ',
	'ᵩ': 'φ', 'ᵪ': 'χ', 'ᶿ': 'θ',
}

// greekAccented maps the monotonic vowels with tonos or dialytika to their
// base letter.
var greekAccented = map[rune]struct {
	base     rune
	acc, dia bool
}{
	'ά': {'α', true, false}, 'έ': {'ε', true, false}, 'ή': {'η', true, false},
	'ί': {'ι', true, false}, 'ό': {'ο', true, false}, 'ύ': {'υ', true, false},
	'ώ': {'ω', true, false}, 'ϊ': {'ι', false, true}, 'ϋ': {'υ', false, true},
	'ΐ': {'ι', true, true}, 'ΰ': {'υ', true, true},
}

// greekTonos is the inverse of the accented part of greekAccented.
var greekTonos = map[rune]rune{'α': 'ά', 'ε': 'έ', 'η': 'ή', 'ι': 'ί', 'ο': 'ό', 'υ': 'ύ', 'ω': 'ώ'}

// greekBase returns the lower-case letter of r without accent or
// diaeresis, and whether r has each.
func greekBase(r rune) (base rune, acc, dia bool) {
	lower := unicode.ToLower(r)
	if a, ok := greekAccented[lower]; ok {
		return a.base, a.acc, a.dia
	}
	return lower, false, false
}

// greekCompose returns the monotonic letter of base with the marks asked
// for that exist on it.
func greekCompose(base rune, acc, dia, upper bool) rune {
	r := base
	switch {
	case dia && base == 'ι' && acc && !upper:
		r = 'ΐ'
	case dia && base == 'υ' && acc && !upper:
		r = 'ΰ'
	case dia && base == 'ι':
		r = 'ϊ'
	case dia && base == 'υ':
		r = 'ϋ'
	case acc && greekTonos[base] != 0:
		r = greekTonos[base]
	}
	return withCase(r, upper)
}

// greekExtended lists the lower-case polytonic letters (U+1F00-U+1FFF) by
// range with their base letter; those in greekDialytika also carry a
// diaeresis.
var greekExtended = []struct {
	lo, hi rune
	base   rune
}{
	{0x1F00, 0x1F07, 'α'}, {0x1F10, 0x1F15, 'ε'}, {0x1F20, 0x1F27, 'η'}, {0x1F30, 0x1F37, 'ι'},
	{0x1F40, 0x1F45, 'ο'}, {0x1F50, 0x1F57, 'υ'}, {0x1F60, 0x1F67, 'ω'}, {0x1F70, 0x1F71, 'α'},
	{0x1F72, 0x1F73, 'ε'}, {0x1F74, 0x1F75, 'η'}, {0x1F76, 0x1F77, 'ι'}, {0x1F78, 0x1F79, 'ο'},
	{0x1F7A, 0x1F7B, 'υ'}, {0x1F7C, 0x1F7D, 'ω'}, {0x1F80, 0x1F87, 'α'}, {0x1F90, 0x1F97, 'η'},
	{0x1FA0, 0x1FA7, 'ω'}, {0x1FB0, 0x1FB7, 'α'}, {0x1FBE, 0x1FBE, 'ι'}, {0x1FC2, 0x1FC7, 'η'},
	{0x1FD0, 0x1FD7, 'ι'}, {0x1FE0, 0x1FE3, 'υ'}, {0x1FE4, 0x1FE5, 'ρ'}, {0x1FE6, 0x1FE7, 'υ'},
	{0x1FF2, 0x1FF7, 'ω'},
}

var greekDialytika = map[rune]bool{0x1FD2: true, 0x1FD3: true, 0x1FD7: true, 0x1FE2: true, 0x1FE3: true, 0x1FE7: true}

// canonicalGreek returns the letter of the tables that r is a form of, in
// r's case: ϐ is β, ἄ is α, Ϊ̔ is Ϊ. Other letters come back unchanged.
func canonicalGreek(r rune) rune {
	lower := unicode.ToLower(r)
	upper := isUpperRune(r)
	if _, ok := greekLatin[lower]; ok {
		return r
	}
	if _, ok := greekAccented[lower]; ok {
		return r
	}
	if v, ok := greekVariants[lower]; ok {
		return withCase(v, upper)
	}
	if lower >= 0x1F00 && lower <= 0x1FFF {
		for _, e := range greekExtended {
			if lower >= e.lo && lower <= e.hi {
				return greekCompose(e.base, false, greekDialytika[lower], upper)
			}
		}
		return r
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if l := unicode.ToLower(f); greekLatin[l] != "" && unicode.Is(unicode.Greek, l) {
			return withCase(l, upper)
		}
	}
	return r
}

// greekVoiced are the letters before which αυ ευ ηυ read av ev iv.
var greekVoiced = map[rune]bool{
	'α': true, 'ε': true, 'η': true, 'ι': true, 'ο': true, 'υ': true, 'ω': true,
	'β': true, 'γ': true, 'δ': true, 'ζ': true, 'λ': true, 'μ': true, 'ν': true, 'ρ': true,
}

// greekAt returns the Latin form of the Greek letter at rs[i], or of the
// pair it starts, and how many letters it stands for.
func greekAt(rs []rune, i int) (string, int) {
	at := func(j int) (base rune, acc, dia bool) {
		if j >= len(rs) || !unicode.Is(unicode.Greek, rs[j]) {
			return 0, false, false
		}
		return greekBase(rs[j])
	}
	b, acc, _ := at(i)
	next, _, nextDia := at(i + 1)
	wordStart := i == 0 || !unicode.IsLetter(rs[i-1])
	switch b {
	case 'ο':
		if next == 'υ' && !nextDia && !acc {
			return "ou", 2
		}
	case 'α', 'ε', 'η':
		if next == 'υ' && !nextDia && !acc {
			after, _, _ := at(i + 2)
			if greekVoiced[after] {
				return greekLatin[b] + "v", 2
			}
			return greekLatin[b] + "f", 2
		}
	case 'μ':
		if next == 'π' && wordStart {
			return "b", 2
		}
	case 'ν':
		if next == 'τ' && wordStart {
			return "d", 2
		}
	case 'γ':
		switch {
		case next == 'κ' && wordStart:
			return "g", 2
		case next == 'γ' || next == 'ξ' || next == 'χ':
			return "n", 1
		}
	}
	return greekLatin[b], 1
}

// Cyrillic.

// cyrillic is the romanisation of one Cyrillic alphabet: letters by lower
// case, and rule for the letters whose form depends on their neighbours.
type cyrillic struct {
	letters map[rune]string
	rule    func(rs []rune, i int, lower rune) (string, bool)
}

// at returns the Latin form of the Cyrillic letter at rs[i]: by the
// alphabet's rule and table, else by cyrillicOther, else nothing.
func (c *cyrillic) at(rs []rune, i int) string {
	lower := unicode.ToLower(rs[i])
	if c.rule != nil {
		if s, ok := c.rule(rs, i, lower); ok {
			return s
		}
	}
	if s, ok := c.letters[lower]; ok {
		return s
	}
	return cyrillicOther[lower]
}

// cyrillicFor returns the romanisation of the country's Cyrillic alphabet,
// nil for Ukraine, whose is Romanize.
func cyrillicFor(country string) *cyrillic {
	switch country {
	case "UA":
		return nil
	case "BG":
		return bulgarian
	case "MK":
		return macedonian
	case "RS", "ME", "BA", "XK":
		return serbian
	case "BY":
		return belarusian
	}
	return russian
}

var bulgarian = &cyrillic{
	letters: map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ж': "zh", 'з': "z",
		'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p",
		'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "h", 'ц': "ts", 'ч': "ch",
		'ш': "sh", 'щ': "sht", 'ъ': "a", 'ь': "y", 'ю': "yu", 'я': "ya", 'ѝ': "i",
	},
	// The Act writes a word-final -ия as ia ("България" → "Bulgaria").
	rule: func(rs []rune, i int, lower rune) (string, bool) {
		if lower == 'я' && i > 0 && unicode.ToLower(rs[i-1]) == 'и' && (i+1 == len(rs) || !unicode.IsLetter(rs[i+1])) {
			return "a", true
		}
		return "", false
	},
}

var macedonian = &cyrillic{letters: map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'ѓ': "gj", 'е': "e", 'ж': "zh",
	'з': "z", 'ѕ': "dz", 'и': "i", 'ј': "j", 'к': "k", 'л': "l", 'љ': "lj", 'м': "m",
	'н': "n", 'њ': "nj", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'ќ': "kj",
	'у': "u", 'ф': "f", 'х': "h", 'ц': "c", 'ч': "ch", 'џ': "dzh", 'ш': "sh", 'ѐ': "e",
	'ѝ': "i",
}}

var serbian = &cyrillic{letters: map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'ђ': "đ", 'е': "e", 'ж': "ž",
	'з': "z", 'и': "i", 'ј': "j", 'к': "k", 'л': "l", 'љ': "lj", 'м': "m", 'н': "n",
	'њ': "nj", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'ћ': "ć", 'у': "u",
	'ф': "f", 'х': "h", 'ц': "c", 'ч': "č", 'џ': "dž", 'ш': "š",
}}

// russianLatin is BGN/PCGN for Russian without its diacritics and
// apostrophes, the form GeoNames gives as ASCII names; е and ё are ye at
// the start of a word and after a vowel or a sign (russianE).
var russianLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya",
}

var russian = &cyrillic{letters: russianLatin, rule: russianE}

var belarusian = &cyrillic{
	letters: func() map[rune]string {
		m := map[rune]string{'г': "h", 'ґ': "g", 'і': "i", 'ў': "w"}
		for r, s := range russianLatin {
			if _, ok := m[r]; !ok {
				m[r] = s
			}
		}
		return m
	}(),
	// Belarusian writes e for э, so BGN/PCGN has ye and yo for е and ё
	// after consonants too ("Гомель" → "Homyel", "Магілёў" → "Mahilyow").
	rule: func(rs []rune, i int, lower rune) (string, bool) {
		switch lower {
		case 'е':
			return "ye", true
		case 'ё':
			return "yo", true
		}
		return "", false
	},
}

// russianE writes е and ё as ye at the start of a word and after a vowel,
// a sign, й, ў or an apostrophe, as BGN/PCGN does for Russian ("Ейск" →
// "Yeysk", "Киев" → "Kiyev"), and as e elsewhere.
func russianE(rs []rune, i int, lower rune) (string, bool) {
	if lower != 'е' && lower != 'ё' {
		return "", false
	}
	if i == 0 || !isWordRune(rs[i-1]) || strings.ContainsRune("аеёиоуыэюяіїєъьйў'’ʼ", unicode.ToLower(rs[i-1])) {
		return "ye", true
	}
	return "e", true
}

// cyrillicOther romanises the letters that a country's alphabet lacks: the
// Russian table, the letters of the other Slavic alphabets as their own
// romanisations write them, and common letters of non-Slavic alphabets
// (Kazakh, Tatar, Tajik...) as their usual Latin forms.
var cyrillicOther = func() map[rune]string {
	m := map[rune]string{
		'ґ': "g", 'є': "ye", 'і': "i", 'ї': "yi", 'ў': "w", 'ђ': "đ", 'ј': "j", 'љ': "lj",
		'њ': "nj", 'ћ': "ć", 'џ': "dž", 'ѓ': "gj", 'ќ': "kj", 'ѕ': "dz", 'ѐ': "e", 'ѝ': "i",
		'ѣ': "e", 'ѳ': "f", 'ѵ': "i", 'ѫ': "u", 'ѭ': "yu", 'ѧ': "ya", 'ѩ': "ya", 'ѯ': "ks",
		'ѱ': "ps", 'ѡ': "o", 'ѹ': "u", 'ꙋ': "u", 'ѻ': "o", 'ѽ': "o", 'ѿ': "ot",
		'ә': "a", 'ғ': "gh", 'қ': "q", 'ң': "ng", 'ө': "o", 'ұ': "u", 'ү': "u", 'һ': "h",
		'ҳ': "kh", 'ҷ': "j", 'ӣ': "i", 'ӯ': "u", 'ӑ': "a", 'ӗ': "e", 'ҫ': "s", 'ӳ': "u",
		'ӱ': "u", 'ӧ': "o", 'ӓ': "a", 'ӟ': "dz", 'ӝ': "dzh", 'ӵ': "ch", 'ӹ': "y", 'ҙ': "dh",
		'ҡ': "q", 'ҥ': "ng", 'ӈ': "ng", 'ӄ': "q", 'ӂ': "zh", 'ӏ': "", 'ҕ': "gh", 'ҟ': "q",
		'ҵ': "ts", 'ҽ': "ch", 'ҿ': "ch", 'ӛ': "a", 'ӭ': "e",
	}
	for r, s := range russianLatin {
		m[r] = s
	}
	return m
}()
