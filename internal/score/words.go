package score

import (
	"strconv"
	"strings"
)

// country is how reasons name a country: "Poland", "Polish", and in
// Ukrainian (nominative) "Польща".
type country struct{ name, adjective, uk string }

// countries names the countries that reasons mention most: Europe and its
// neighbours. Other codes are shown as the code itself.
var countries = map[string]country{
	"AD": {"Andorra", "Andorran", "Андорра"}, "AL": {"Albania", "Albanian", "Албанія"}, "AM": {"Armenia", "Armenian", "Вірменія"},
	"AT": {"Austria", "Austrian", "Австрія"}, "AZ": {"Azerbaijan", "Azerbaijani", "Азербайджан"}, "BA": {"Bosnia and Herzegovina", "Bosnian", "Боснія і Герцеговина"},
	"BE": {"Belgium", "Belgian", "Бельгія"}, "BG": {"Bulgaria", "Bulgarian", "Болгарія"}, "BY": {"Belarus", "Belarusian", "Білорусь"},
	"CH": {"Switzerland", "Swiss", "Швейцарія"}, "CY": {"Cyprus", "Cypriot", "Кіпр"}, "CZ": {"Czechia", "Czech", "Чехія"},
	"DE": {"Germany", "German", "Німеччина"}, "DK": {"Denmark", "Danish", "Данія"}, "EE": {"Estonia", "Estonian", "Естонія"},
	"ES": {"Spain", "Spanish", "Іспанія"}, "FI": {"Finland", "Finnish", "Фінляндія"}, "FR": {"France", "French", "Франція"},
	"GB": {"the United Kingdom", "British", "Велика Британія"}, "GE": {"Georgia", "Georgian", "Грузія"}, "GR": {"Greece", "Greek", "Греція"},
	"HR": {"Croatia", "Croatian", "Хорватія"}, "HU": {"Hungary", "Hungarian", "Угорщина"}, "IE": {"Ireland", "Irish", "Ірландія"},
	"IL": {"Israel", "Israeli", "Ізраїль"}, "IS": {"Iceland", "Icelandic", "Ісландія"}, "IT": {"Italy", "Italian", "Італія"},
	"LI": {"Liechtenstein", "Liechtenstein", "Ліхтенштейн"}, "LT": {"Lithuania", "Lithuanian", "Литва"}, "LU": {"Luxembourg", "Luxembourgish", "Люксембург"},
	"LV": {"Latvia", "Latvian", "Латвія"}, "MC": {"Monaco", "Monegasque", "Монако"}, "MD": {"Moldova", "Moldovan", "Молдова"},
	"ME": {"Montenegro", "Montenegrin", "Чорногорія"}, "MK": {"North Macedonia", "North Macedonian", "Північна Македонія"}, "MT": {"Malta", "Maltese", "Мальта"},
	"NL": {"the Netherlands", "Dutch", "Нідерланди"}, "NO": {"Norway", "Norwegian", "Норвегія"}, "PL": {"Poland", "Polish", "Польща"},
	"PT": {"Portugal", "Portuguese", "Португалія"}, "RO": {"Romania", "Romanian", "Румунія"}, "RS": {"Serbia", "Serbian", "Сербія"},
	"RU": {"Russia", "Russian", "Росія"}, "SE": {"Sweden", "Swedish", "Швеція"}, "SI": {"Slovenia", "Slovenian", "Словенія"},
	"SK": {"Slovakia", "Slovak", "Словаччина"}, "SM": {"San Marino", "Sammarinese", "Сан-Марино"}, "TR": {"Turkey", "Turkish", "Туреччина"},
	"UA": {"Ukraine", "Ukrainian", "Україна"}, "XK": {"Kosovo", "Kosovan", "Косово"}, "CA": {"Canada", "Canadian", "Канада"},
	"US": {"the United States", "American", "США"}, "CN": {"China", "Chinese", "Китай"}, "JP": {"Japan", "Japanese", "Японія"},
	"KZ": {"Kazakhstan", "Kazakh", "Казахстан"},
}

// countryName returns the English name of an ISO code, or the code.
func countryName(code string) string {
	if c, ok := countries[code]; ok {
		return c.name
	}
	return code
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
