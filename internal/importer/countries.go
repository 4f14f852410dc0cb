package importer

import (
	"strings"

	"github.com/twinning/twinning/graph"
)

// NormalizeCountry returns the ISO 3166-1 alpha-2 code of a free-text
// country as the twin-town list writes it ("England", "Georgia (country)",
// "England, United Kingdom", "Brandenburg, Germany", "Republic of Ireland").
// A "region, country" value is read by its first part when that is a
// country or territory of its own ("Åland Islands, Finland" → AX), else by
// its last. "Georgia" alone is the US state when lon is west of -30° (the
// list mixes both). Kosovo gets the user-assigned code XK. It returns ""
// for a value it does not know.
func NormalizeCountry(raw string, lon float64) string {
	s := strings.TrimSpace(raw)
	s = strings.TrimPrefix(s, "in ")
	if s == "" {
		return ""
	}
	if iso := countryByName(s); iso != "" {
		if iso == "GE" && graph.NameKey(s) == "georgia" && lon < -30 {
			return "US"
		}
		return iso
	}
	if i := strings.Index(s, ","); i > 0 {
		if iso := countryByName(s[:i]); iso != "" {
			return iso
		}
		if iso := countryByName(s[strings.LastIndex(s, ",")+1:]); iso != "" {
			return iso
		}
	}
	return ""
}

func countryByName(s string) string {
	k := graph.NameKey(s)
	if iso, ok := countryNames[k]; ok {
		return iso
	}
	if up := strings.ToUpper(strings.TrimSpace(s)); len(up) == 2 && graph.ValidCountry(up) {
		return up
	}
	return ""
}

// countryNames maps graph.NameKey of country names, as the twin-town list
// writes them (its misspellings included), to ISO codes. The values were
// collected from the distinct country1/country2 values of the list.
var countryNames = func() map[string]string {
	m := map[string]string{}
	for iso, names := range map[string][]string{
		"AD": {"Andorra"}, "AE": {"United Arab Emirates", "UAE"}, "AF": {"Afghanistan"},
		"AG": {"Antigua and Barbuda"}, "AL": {"Albania"}, "AM": {"Armenia"}, "AO": {"Angola"},
		"AR": {"Argentina"}, "AS": {"American Samoa"}, "AT": {"Austria"}, "AU": {"Australia"},
		"AX": {"Åland Islands", "Aland"}, "AZ": {"Azerbaijan"}, "BA": {"Bosnia and Herzegovina", "Bosnia and Hercegovina", "Bosnia"},
		"BB": {"Barbados"}, "BD": {"Bangladesh"}, "BE": {"Belgium"}, "BF": {"Burkina Faso"},
		"BG": {"Bulgaria"}, "BH": {"Bahrain"}, "BI": {"Burundi"}, "BJ": {"Benin"}, "BM": {"Bermuda"},
		"BN": {"Brunei"}, "BO": {"Bolivia"}, "BR": {"Brazil"}, "BS": {"Bahamas", "The Bahamas"},
		"BW": {"Botswana"}, "BY": {"Belarus"}, "BZ": {"Belize"}, "CA": {"Canada"},
		"CD": {"Democratic Republic of the Congo", "DR Congo"}, "CF": {"Central African Republic"},
		"CG": {"Congo", "Republic of the Congo"}, "CH": {"Switzerland"}, "CI": {"Ivory Coast", "Côte d'Ivoire"},
		"CK": {"Cook Islands"}, "CL": {"Chile"}, "CM": {"Cameroon"}, "CN": {"China"}, "CO": {"Colombia"},
		"CR": {"Costa Rica"}, "CU": {"Cuba"}, "CV": {"Cape Verde"}, "CY": {"Cyprus", "Northern Cyprus"},
		"CZ": {"Czech Republic", "Czechia"}, "DE": {"Germany"}, "DJ": {"Djibouti"}, "DK": {"Denmark"},
		"DM": {"Dominica"}, "DO": {"Dominican Republic"}, "DZ": {"Algeria"}, "EC": {"Ecuador"},
		"EE": {"Estonia"}, "EG": {"Egypt"}, "EH": {"Western Sahara"}, "ES": {"Spain"}, "ET": {"Ethiopia"},
		"FI": {"Finland"}, "FJ": {"Fiji"}, "FK": {"Falkland Islands"}, "FM": {"Federated States of Micronesia", "Micronesia"},
		"FO": {"Faroe Islands"}, "FR": {"France"}, "GA": {"Gabon"},
		"GB": {"United Kingdom", "UK", "England", "Scotland", "Wales", "Northern Ireland", "Great Britain"},
		"GD": {"Grenada"}, "GE": {"Georgia", "Georgia (country)"}, "GF": {"French Guiana"}, "GH": {"Ghana"},
		"GI": {"Gibraltar"}, "GL": {"Greenland"}, "GM": {"Gambia", "The Gambia"}, "GN": {"Guinea"},
		"GP": {"Guadeloupe"}, "GQ": {"Equatorial Guinea"}, "GR": {"Greece", "Grece"}, "GT": {"Guatemala"},
		"GU": {"Guam"}, "GW": {"Guinea-Bissau"}, "GY": {"Guyana"}, "HN": {"Honduras"}, "HR": {"Croatia"},
		"HT": {"Haiti"}, "HU": {"Hungary"}, "ID": {"Indonesia"}, "IE": {"Ireland", "Republic of Ireland"},
		"IL": {"Israel"}, "IM": {"Isle of Man"}, "IN": {"India"}, "IQ": {"Iraq"}, "IR": {"Iran"},
		"IS": {"Iceland", "Island"}, "IT": {"Italy"}, "JE": {"Jersey"}, "JM": {"Jamaica"}, "JO": {"Jordan"},
		"JP": {"Japan"}, "KE": {"Kenya"}, "KG": {"Kyrgyzstan"}, "KH": {"Cambodia"}, "KN": {"Saint Kitts and Nevis"},
		"KP": {"North Korea"}, "KR": {"South Korea"}, "KW": {"Kuwait"}, "KZ": {"Kazakhstan", "Kazakhstah"},
		"LA": {"Laos"}, "LB": {"Lebanon"}, "LC": {"Saint Lucia"}, "LI": {"Liechtenstein"}, "LK": {"Sri Lanka"},
		"LR": {"Liberia"}, "LS": {"Lesotho"}, "LT": {"Lithuania"}, "LU": {"Luxembourg"}, "LV": {"Latvia"},
		"LY": {"Libya"}, "MA": {"Morocco"}, "MC": {"Monaco"}, "MD": {"Moldova", "Moldavia"}, "ME": {"Montenegro"},
		"MG": {"Madagascar", "Madagaskar"}, "MH": {"Marshall Islands"}, "MK": {"North Macedonia", "Macedonia"},
		"ML": {"Mali"}, "MM": {"Myanmar"}, "MN": {"Mongolia"}, "MP": {"Northern Mariana Islands"},
		"MQ": {"Martinique"}, "MR": {"Mauritania"}, "MT": {"Malta"}, "MU": {"Mauritius"}, "MV": {"Maldives"},
		"MW": {"Malawi"}, "MX": {"Mexico"}, "MY": {"Malaysia"}, "MZ": {"Mozambique"}, "NA": {"Namibia"},
		"NC": {"New Caledonia"}, "NE": {"Niger"}, "NG": {"Nigeria"}, "NI": {"Nicaragua"}, "NL": {"Netherlands", "The Netherlands"},
		"NO": {"Norway"}, "NP": {"Nepal"}, "NZ": {"New Zealand"}, "OM": {"Oman"}, "PA": {"Panama"}, "PE": {"Peru"},
		"PF": {"French Polynesia"}, "PG": {"Papua New Guinea"}, "PH": {"Philippines"}, "PK": {"Pakistan"},
		"PL": {"Poland"}, "PR": {"Puerto Rico"}, "PS": {"Palestine", "West Bank", "State of Palestine"},
		"PT": {"Portugal"}, "PW": {"Palau"}, "PY": {"Paraguay"}, "QA": {"Qatar"}, "RE": {"Réunion"},
		"RO": {"Romania"}, "RS": {"Serbia"}, "RU": {"Russia", "Russian Federation"}, "RW": {"Rwanda"},
		"SA": {"Saudi Arabia"}, "SB": {"Solomon Islands"}, "SC": {"Seychelles"}, "SD": {"Sudan"},
		"SE": {"Sweden"}, "SG": {"Singapore"}, "SI": {"Slovenia"}, "SK": {"Slovakia"}, "SL": {"Sierra Leone"},
		"SM": {"San Marino"}, "SN": {"Senegal"}, "SO": {"Somalia"}, "SR": {"Suriname", "Surinam"},
		"ST": {"São Tomé and Príncipe"}, "SV": {"El Salvador"}, "SY": {"Syria"}, "SZ": {"Eswatini", "Swaziland"},
		"TD": {"Chad"}, "TG": {"Togo"}, "TH": {"Thailand"}, "TJ": {"Tajikistan"}, "TL": {"Timor-Leste", "East Timor"},
		"TM": {"Turkmenistan"}, "TN": {"Tunisia"}, "TO": {"Tonga"}, "TR": {"Turkey", "Türkiye"},
		"TT": {"Trinidad and Tobago"}, "TW": {"Taiwan"}, "TZ": {"Tanzania"}, "UA": {"Ukraine"}, "UG": {"Uganda"},
		"US": {"United States", "USA", "United States of America"}, "UY": {"Uruguay"}, "UZ": {"Uzbekistan"},
		"VA": {"Vatican City", "Holy See"}, "VC": {"Saint Vincent and the Grenadines"}, "VE": {"Venezuela"},
		"VN": {"Vietnam"}, "VU": {"Vanuatu"}, "WS": {"Samoa"}, "XK": {"Kosovo"}, "YE": {"Yemen"},
		"YT": {"Mayotte"}, "ZA": {"South Africa"}, "ZM": {"Zambia"}, "ZW": {"Zimbabwe"},
	} {
		for _, n := range names {
			m[graph.NameKey(n)] = iso
		}
	}
	return m
}()
