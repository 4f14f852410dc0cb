package importer

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/samber/lo"

	"github.com/twinning/twinning/graph"
)

// The Sources of partnerships from the registers of today's partnerships
// of Ukrainian hromadas (../shared/data/ua-partnerships).
const (
	SourceULEAD    = "ulead"    // the U-LEAD/GIZ partnership map
	SourceMinistry = "ministry" // the ministry's partnership map
	SourceRegister = "register" // the register of international territorial cooperation agreements
)

// Registry is one kind of register file: the columns its header must have
// and the Source of the partnerships it gives.
type Registry struct {
	Kind    string   // the Report's kind
	Source  string   // the partnerships' Source
	UAName  string   // the column of the hromada's short name
	Columns []string // the columns the header must have
	Dated   bool     // whether rows carry a signed_date
}

// Registries are the register files ImportRegistry recognises, by the
// column that tells each apart: ua_name (the U-LEAD map), signed_date (the
// register of agreements), else hromada (the ministry's map).
var Registries = []Registry{
	{Kind: "ulead", Source: SourceULEAD, UAName: "ua_name", Columns: []string{"katottg", "ua_name", "partner_name", "partner_country"}},
	{Kind: "register", Source: SourceRegister, UAName: "hromada", Columns: []string{"katottg", "hromada", "partner_name", "partner_country", "signed_date"}, Dated: true},
	{Kind: "ministry", Source: SourceMinistry, UAName: "hromada", Columns: []string{"katottg", "hromada", "partner_name", "partner_country"}},
}

// DetectRegistry returns the Registry whose columns the header line has,
// trying Registries in order, or an error naming what was expected.
func DetectRegistry(header, file string) (Registry, error) {
	cols := map[string]bool{}
	for _, c := range strings.Split(strings.TrimPrefix(strings.TrimSpace(header), bom), ",") {
		cols[strings.Trim(strings.TrimSpace(c), `"`)] = true
	}
	for _, reg := range Registries {
		ok := true
		for _, c := range reg.Columns {
			ok = ok && cols[c]
		}
		if ok {
			return reg, nil
		}
	}
	want := lo.Map(Registries, func(reg Registry, _ int) string { return reg.Kind + ": " + strings.Join(reg.Columns, ",") })
	return Registry{}, &RowError{File: filepath.Base(file), Line: 1,
		Message: "the header is not that of a partnership register; expected the columns of one of " + strings.Join(want, "; ")}
}

// ParseRegistry reads a register of today's partnerships of Ukrainian
// hromadas as reg describes it and returns a row per valid line and a
// RowError per bad one. The Ukrainian side is the hromada of the KATOTTG
// code (empty in some rows: then its short name alone), the other the
// partner by name within its country (an ISO code). Names lose HTML
// entities (&#39;), runs of spaces and the word for the kind of place
// before them ("м. Барі", "Гміна Заршин": see withoutUnitPrefix); a signing date
// (YYYY-MM-DD or YYYY) gives the partnership's year.
func ParseRegistry(r io.Reader, file string, reg Registry) ([]PairRow, []*RowError, int, error) {
	return readCSV(r, file, reg.Columns, func(row csvRow) (PairRow, *RowError) { return registryRow(row, reg) })
}

// registryRow reads one row of a register.
func registryRow(row csvRow, reg Registry) (PairRow, *RowError) {
	f := &fieldReader{pos: row.pos}
	code := strings.TrimSpace(row.get("katottg"))
	if code != "" && !katottgPattern.MatchString(code) {
		f.fail("katottg", "%q is not a KATOTTG code (UA and 17 digits)", code)
	}
	name := row.get(reg.UAName)
	if name == "" && code == "" {
		name = row.get("ua_side") // the register's parties it could not match
	}
	ua := Place{Name: cleanName(f.required(reg.UAName, name)), CountryRaw: "UA", Country: "UA", KATOTTG: code}
	cc := strings.ToUpper(strings.TrimSpace(f.required("partner_country", row.get("partner_country"))))
	if f.err == nil && !graph.ValidCountry(cc) {
		f.fail("partner_country", "%q is not a two-letter country code", row.get("partner_country"))
	}
	partner := Place{Name: partnerName(f.required("partner_name", row.get("partner_name"))), CountryRaw: cc, Country: cc}
	partner.Regional = regionalName(partner.Name, cc)
	since := 0
	if d := row.get("signed_date"); reg.Dated && d != "" {
		y, err := strconv.Atoi(d[:min(4, len(d))])
		if err != nil || y < 1900 || y > 2100 || (len(d) != 4 && len(d) != 10) {
			f.fail("signed_date", "%q is not a date YYYY-MM-DD or a year YYYY", d)
		}
		since = y
	}
	if f.err != nil {
		return PairRow{}, f.err
	}
	out := PairRow{Pos: row.pos, A: ua, B: partner, Since: since, Agreement: strings.TrimSpace(row.get("kind_id"))}
	for _, t := range strings.Split(row.get("theme_ids"), "|") {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" && !slices.Contains(out.Themes, t) {
			out.Themes = append(out.Themes, t)
		}
	}
	return out, nil
}

var (
	// contactTail starts what the register adds after a partner's name:
	// its address, telephone, e-mail, a person after a dash, or a second
	// party after "та" ("Нарбонна та Великий Нарбонн").
	contactTail = regexp.MustCompile(`(?i)\s*(?:\s+та\s|,?\s*адреса[\s:]|,?\s*вул\.|,?\s*тел\.|,?\s*[eе]-mail|\s[-–]\s).*$`)
	// countryPhrase is a country named beside a partner ("Республіка
	// Польща", "Французька Республіка", "Республіки Польща").
	countryPhrase = regexp.MustCompile(`(?i)\S+\s+республіка\b|республік\S*\s+\S+`)
	// regionQualifier is a region in the genitive beside a partner's name
	// ("Люблінського воєводства", "повіту Сучава", "Хелмського повіту").
	regionQualifier = regexp.MustCompile(`(?i)(?:\S+(?:ого|ої)\s+(?:воєводства|повіту|жупанії|області|району|округу)|(?:воєводства|повіту|повіт)\s+[А-ЯІЇЄҐ]\S+$|\s\S+(?:ий|е)\s+(?:повіт|район|воєводство)$|\s\S+\s+повіт$)`)
	// leadingWords are words before a partner's own name in the register
	// ("і місто Ніско", "гміною Лешньовіце", "Примарія муніципії Комрат").
	leadingWords = regexp.MustCompile(`(?i)^(?:(?:і|та|міста|місто|гміною|гміни|гмінна|гміна|селище|комуни|комуна|муніципій|муніципії|примарія|магістрат|міська рада|міської ради)\s+)+`)
	// regionWord names a county or region rather than a municipality.
	regionWord = regexp.MustCompile(`(?i)(?:^|[\s-])(?:повіт|повіту|воєводство|жупанія|область|округ|графство|регіон|county|counties|powiat|voivodeship|megye|judeţ|județ|bezirk|landkreis|kreis|region|oblast)(?:$|[\s,])|kreis$`)
	// raionWord is a raion: in Lithuania the district municipality, else a
	// region of several municipalities.
	raionWord = regexp.MustCompile(`(?i)(?:^|\s)(?:район|районна рада|rajon|raion)(?:$|\s)`)
)

// partnerName returns a register's partner name without what surrounds
// the place's own name: HTML entities and runs of spaces, an address,
// telephone or e-mail, a person after a dash, a country or a region
// beside it, the words before it ("і місто", "гміною") and the word for
// its kind (withoutUnitPrefix). A name only in parentheses keeps them.
func partnerName(s string) string {
	s = contactTail.ReplaceAllString(cleanName(s), "")
	if m := parenthesis.FindStringSubmatch(s); m != nil && strings.TrimSpace(m[1]) == "" {
		s = m[2]
	}
	s = strings.TrimSpace(parenthesisAnywhere.ReplaceAllString(s, " "))
	s = countryPhrase.ReplaceAllString(s, " ")
	var parts []string
	for _, part := range strings.Split(s, ",") {
		if unitWordOnly.MatchString(strings.TrimSpace(part)) {
			// "Offenbach, kreis": the unit is the county, not its seat.
			return strings.Join(strings.Fields(s), " ")
		}
		rest := strings.TrimSpace(regionQualifier.ReplaceAllString(part, " "))
		if rest == "" {
			continue // only a region in the genitive: "Люблінського воєводства"
		}
		if !regionalName(rest, "") {
			parts = append(parts, rest)
		}
	}
	if len(parts) > 0 {
		// A region beside the place ("Киндешть, Ботошанський повіт",
		// "Регіон Овернь-Рона-Альпи, Муніципалітет Марсії-ле-Шатель") goes.
		s = strings.Join(parts, ", ")
	}
	s = strings.Trim(strings.Join(strings.Fields(s), " "), " ,.;")
	for {
		// "ґміна і місто Ніско", "Муніципалітет м. Зугдіді": word after word.
		rest := withoutUnitPrefix(leadingWords.ReplaceAllString(s, ""))
		if rest == s || rest == "" {
			return s
		}
		s = rest
	}
}

// unitWordOnly is a word for a county or region standing alone after a
// comma, which makes the name before it that unit's ("Offenbach, kreis").
var unitWordOnly = regexp.MustCompile(`(?i)^(?:kreis|landkreis|county|powiat|повіт|район|raion|rayon|judeţ|județ|megye|bezirk|region|регіон)$`)

var parenthesisAnywhere = regexp.MustCompile(`\([^()]*\)?`)

// regionalName reports whether a partner's name is that of a county or
// region, not of a municipality: the store holds municipalities, so such a
// row is left out and not counted as unresolved.
func regionalName(name, country string) bool {
	if regionWord.MatchString(name) {
		return true
	}
	return country != "LT" && raionWord.MatchString(name)
}

// cleanName decodes HTML entities, folds runs of white space and writes
// the Latin look-alikes in a Cyrillic word in Cyrillic (the registers'
// `Яcси` has a Latin c), as the partnership registers carry all three.
func cleanName(s string) string {
	words := strings.Fields(html.UnescapeString(s))
	for i, w := range words {
		if hasCyrillic(w) && strings.ContainsFunc(w, func(r rune) bool { return r < 0x80 && unicode.IsLetter(r) }) {
			words[i] = cyrillicLookalikes.Replace(w)
		}
	}
	return strings.Join(words, " ")
}

// cyrillicLookalikes maps the Latin letters that look like Cyrillic ones
// to them.
var cyrillicLookalikes = strings.NewReplacer("a", "а", "c", "с", "e", "е", "i", "і", "o", "о", "p", "р", "x", "х", "y", "у",
	"A", "А", "B", "В", "C", "С", "E", "Е", "H", "Н", "I", "І", "K", "К", "M", "М", "O", "О", "P", "Р", "T", "Т", "X", "Х")

// ImportRegistry imports a register of today's partnerships of Ukrainian
// hromadas: the U-LEAD/GIZ map, the ministry's map or the register of
// agreements, recognised by the header (see DetectRegistry and
// ParseRegistry). The hromada is found by its KATOTTG code, checked against
// the name the row gives, the partner by Resolver within its country;
// every row whose sides resolve becomes a twinning partnership with the
// register's Source (and the signing year, the kind of agreement and its
// themes, where given), active unless a side lies in
// graph.SuspendedCountries. A pair already stored from another source
// stays one partnership and cites this register too (graph.Partnership's
// Sources). A partner that is a county or region, or in a country of which
// the store holds nothing, leaves its row out, counted apart from the
// unresolved (Report.InScope).
func (im *Importer) ImportRegistry(ctx context.Context, r io.Reader, file string, opts PairOptions) (*Report, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return newReport("registry", filepath.Base(file)), fmt.Errorf("%s: %w", filepath.Base(file), err)
	}
	first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	reg, err := DetectRegistry(string(first), file)
	if err != nil {
		return newReport("registry", filepath.Base(file)), err
	}
	rep, rows, err := parseFile(im, reg.Kind, bytes.NewReader(data), file, func(r io.Reader, file string) ([]PairRow, []*RowError, int, error) {
		return ParseRegistry(r, file, reg)
	})
	if err != nil {
		return rep, err
	}
	opts.Source = reg.Source
	return rep, im.importPairs(ctx, rep, rows, opts)
}
