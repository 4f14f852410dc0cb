package graph

import (
	"cmp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The languages the project writes reasons and labels in.
const (
	LangEnglish   = "en"
	LangUkrainian = "uk"
)

// themeLabelsUK name the municipality themes (Themes) in Ukrainian.
var themeLabelsUK = map[string]string{
	"agriculture": "сільське господарство", "civil_protection": "цивільний захист", "culture": "культура",
	"displaced_people": "внутрішньо переміщені особи", "economy": "економіка", "education": "освіта", "energy": "енергетика",
	"environment": "довкілля", "governance": "врядування", "health": "охорона здоров’я", "industry": "промисловість",
	"port": "порт", "reconstruction": "відбудова", "sport": "спорт", "tourism": "туризм", "transport": "транспорт",
	"university": "університет", "water": "водопостачання", "youth": "молодь",
}

// ThemeLabel names a municipality theme (one of Themes) in lang: in
// Ukrainian from the project's labels, in English as words ("civil
// protection"); a text that is no theme comes back as it is in Ukrainian.
func ThemeLabel(theme, lang string) string {
	if lang == LangUkrainian {
		return cmp.Or(themeLabelsUK[theme], theme)
	}
	return strings.ReplaceAll(theme, "_", " ")
}

// CooperationThemeLabel names a cooperation theme (CooperationThemes) in
// lang, in lower case for a sentence ("water and sanitation"), or returns
// code when it is none.
func CooperationThemeLabel(code, lang string) string {
	t, ok := CooperationThemeByCode(code)
	switch {
	case !ok:
		return code
	case lang == LangUkrainian:
		return LowerFirst(t.LabelUK)
	}
	return LowerFirst(t.LabelEN)
}

// UpperFirst returns s with its first letter in upper case, in any
// script ("the Netherlands" → "The Netherlands", "україна" → "Україна").
func UpperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// LowerFirst returns s with its first letter in lower case, in any script.
func LowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}
