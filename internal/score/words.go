package score

import (
	"strconv"
	"strings"
)

// country is how reasons name a country: "Poland", "Polish".
type country struct{ name, adjective string }

// countries names the countries that reasons mention most: Europe and its
// neighbours. Other codes are shown as the code itself.
var countries = map[string]country{
	"AD": {"Andorra", "Andorran"}, "AL": {"Albania", "Albanian"}, "AM": {"Armenia", "Armenian"},
	"AT": {"Austria", "Austrian"}, "AZ": {"Azerbaijan", "Azerbaijani"}, "BA": {"Bosnia and Herzegovina", "Bosnian"},
	"BE": {"Belgium", "Belgian"}, "BG": {"Bulgaria", "Bulgarian"}, "BY": {"Belarus", "Belarusian"},
	"CH": {"Switzerland", "Swiss"}, "CY": {"Cyprus", "Cypriot"}, "CZ": {"Czechia", "Czech"},
	"DE": {"Germany", "German"}, "DK": {"Denmark", "Danish"}, "EE": {"Estonia", "Estonian"},
	"ES": {"Spain", "Spanish"}, "FI": {"Finland", "Finnish"}, "FR": {"France", "French"},
	"GB": {"the United Kingdom", "British"}, "GE": {"Georgia", "Georgian"}, "GR": {"Greece", "Greek"},
	"HR": {"Croatia", "Croatian"}, "HU": {"Hungary", "Hungarian"}, "IE": {"Ireland", "Irish"},
	"IL": {"Israel", "Israeli"}, "IS": {"Iceland", "Icelandic"}, "IT": {"Italy", "Italian"},
	"LI": {"Liechtenstein", "Liechtenstein"}, "LT": {"Lithuania", "Lithuanian"}, "LU": {"Luxembourg", "Luxembourgish"},
	"LV": {"Latvia", "Latvian"}, "MC": {"Monaco", "Monegasque"}, "MD": {"Moldova", "Moldovan"},
	"ME": {"Montenegro", "Montenegrin"}, "MK": {"North Macedonia", "North Macedonian"}, "MT": {"Malta", "Maltese"},
	"NL": {"the Netherlands", "Dutch"}, "NO": {"Norway", "Norwegian"}, "PL": {"Poland", "Polish"},
	"PT": {"Portugal", "Portuguese"}, "RO": {"Romania", "Romanian"}, "RS": {"Serbia", "Serbian"},
	"RU": {"Russia", "Russian"}, "SE": {"Sweden", "Swedish"}, "SI": {"Slovenia", "Slovenian"},
	"SK": {"Slovakia", "Slovak"}, "SM": {"San Marino", "Sammarinese"}, "TR": {"Turkey", "Turkish"},
	"UA": {"Ukraine", "Ukrainian"}, "XK": {"Kosovo", "Kosovan"}, "CA": {"Canada", "Canadian"},
	"US": {"the United States", "American"}, "CN": {"China", "Chinese"}, "JP": {"Japan", "Japanese"},
	"KZ": {"Kazakhstan", "Kazakh"},
}

// countryName returns the English name of an ISO code, or the code.
func countryName(code string) string {
	if c, ok := countries[code]; ok {
		return c.name
	}
	return code
}

// capitalize upper-cases the first letter of an ASCII-initial phrase
// ("the Netherlands" → "The Netherlands").
func capitalize(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// possessive returns "Ukraine's".
func possessive(s string) string {
	if strings.HasSuffix(s, "s") {
		return s + "'"
	}
	return s + "'s"
}

// inCountry qualifies a noun by a country: "Ukrainian partners" when the
// adjective is known, else "partners in XX".
func inCountry(code string, n int, singular, plural string) string {
	noun := plural
	if n == 1 {
		noun = singular
	}
	if c, ok := countries[code]; ok {
		return c.adjective + " " + noun
	}
	return noun + " in " + code
}

// plural returns "1 partnership" or "3 partnerships", with thousands
// separators.
func plural(n int, singular, pluralForm string) string {
	if n == 1 {
		return "1 " + singular
	}
	return formatInt(int64(n)) + " " + pluralForm
}

// formatInt writes n with commas between thousands: 1234567 → "1,234,567".
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatPopulation rounds a population to three significant digits from
// 10,000 up, the precision a census figure deserves: 717342 → "717,000".
func formatPopulation(n int64) string {
	if n < 10000 {
		return formatInt(n)
	}
	unit := int64(1)
	for n/unit >= 1000 {
		unit *= 10
	}
	return formatInt((n + unit/2) / unit * unit)
}

// joinList joins items as "a", "a and b", "a, b and c".
func joinList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
