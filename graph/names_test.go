package graph

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRomanize(t *testing.T) {
	for in, want := range map[string]string{
		"Зґурський": "Zghurskyi",
		"Згорани":   "Zghorany",
		"Їжакевич":  "Yizhakevych",
		"Львів":     "Lviv",
		"Київ":      "Kyiv",
		"Харків":    "Kharkiv",
		"Запоріжжя": "Zaporizhzhia",
		"Кам'янець-Подільський": "Kamianets-Podilskyi",
		"Знам’янка":             "Znamianka",
		"Єнакієве":              "Yenakiieve",
		"Яготин":                "Yahotyn",
		"Юрій":                  "Yurii",
		"Щорс":                  "Shchors",
		"Біла Церква":           "Bila Tserkva",
		"Ізмаїл":                "Izmail",
		"Миколаїв":              "Mykolaiv",
		"Кропивницький":         "Kropyvnytskyi",
		"Звягель":               "Zviahel",
		"Олександрія":           "Oleksandriia",
		"Рівне":                 "Rivne",
		"Хмельницький":          "Khmelnytskyi",
		"Гадяч":                 "Hadiach",
		"Розгон":                "Rozghon",
		"Ужгород":               "Uzhhorod",
		"Чернівці":              "Chernivtsi",
		"Лозова":                "Lozova",
	} {
		if got := Romanize(in); got != want {
			t.Errorf("Romanize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNameKey(t *testing.T) {
	for in, want := range map[string]string{
		"Львів":                "lviv",
		"LVIV":                 "lviv",
		"Kraków":               "krakow",
		"Łódź":                 "lodz",
		"Kam'ianets-Podilskyi": "kamianets podilskyi",
		"Kam’ianets-Podilskyi": "kamianets podilskyi",
		"Кам'янець-Подільський": "kamianets podilskyi",
		"  Frankfurt am Main ":  "frankfurt am main",
		"Straße":                "strasse",
		"Москва":                "moskva",
		"Bielsko-Biała":         "bielsko biala",
		"Ærø":                   "aero",
		"Saint-Étienne":         "saint etienne",
		"Ιωάννινα":              "ιωαννινα",
	} {
		if got := NameKey(in); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	assert.Equal(t, 0, EditDistance("search", "search", 2))
	assert.Equal(t, 2, EditDistance("serach", "search", 2))
	assert.Equal(t, 1, EditDistance("barut", "barum", 2))
	assert.Equal(t, 3, EditDistance("frobnicate", "search", 2), "max+1 once it is known to be larger")
	assert.Equal(t, 3, EditDistance("", "abc", 5))
}
