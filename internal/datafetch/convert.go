package datafetch

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// A Convert turns a file as its publisher releases it (read from the path
// src) into the layout the importer reads, written to w.
type Convert func(src string, w io.Writer) error

// Unzip returns a Convert that copies the member name out of a zip archive
// (the GeoNames dumps are published zipped).
func Unzip(name string) Convert {
	return func(src string, w io.Writer) error {
		zr, err := zip.OpenReader(src)
		if err != nil {
			return fmt.Errorf("not a zip archive: %w", err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if f.Name != name {
				continue
			}
			r, err := f.Open()
			if err != nil {
				return fmt.Errorf("member %s: %w", name, err)
			}
			defer r.Close()
			if _, err := io.Copy(w, r); err != nil {
				return fmt.Errorf("member %s: %w", name, err)
			}
			return nil
		}
		return fmt.Errorf("the archive has no member %s", name)
	}
}

// spaces are runs of whitespace, which the registers' flattened files
// write as one space (the register's cells carry line breaks).
var spaces = regexp.MustCompile(`\s+`)

// oneLine collapses runs of whitespace to one space and trims the ends.
func oneLine(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

// writeCSV writes header then rows as CSV to w.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// readHromadas decodes a release of hromadas (src) into v and checks that
// it has some: n returns how many it read.
func readHromadas(src string, v any, n func() int) error {
	if err := readJSON(src, v); err != nil {
		return err
	}
	if n() == 0 {
		return fmt.Errorf("the JSON has no hromadas")
	}
	return nil
}

// readJSON decodes the JSON file src into v, naming the file in its error.
func readJSON(src string, v any) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := json.NewDecoder(bufio.NewReader(f)).Decode(v); err != nil {
		return fmt.Errorf("not the publisher's JSON: %w", err)
	}
	return nil
}

// PartnershipMapCSV flattens the ministry's partnership map as the Hromada
// Strategy Collaboration Mapping project releases it (partnership-map.json:
// hromadas, each with its partners) to one row per partner, the columns of
// ua-partnerships/partnership-map.csv.
func PartnershipMapCSV(src string, w io.Writer) error {
	var doc struct {
		Hromadas []struct {
			Short, Katottg, Oblast string
			Partners               []struct {
				PartnerName      string  `json:"partner_name"`
				PartnerCountry   *string `json:"partner_country"`
				PartnerCountryUA *string `json:"partner_country_ua"`
			}
		}
	}
	if err := readHromadas(src, &doc, func() int { return len(doc.Hromadas) }); err != nil {
		return err
	}
	var rows [][]string
	for _, h := range doc.Hromadas {
		for _, p := range h.Partners {
			rows = append(rows, []string{h.Katottg, h.Short, h.Oblast, oneLine(p.PartnerName), deref(p.PartnerCountry), deref(p.PartnerCountryUA)})
		}
	}
	return writeCSV(w, []string{"katottg", "hromada", "oblast", "partner_name", "partner_country", "partner_country_ua"}, rows)
}

// signedDate is the register's "signed" cell: a date (DD.MM.YYYY, or a
// year alone) then, after a comma or spaces, the place.
var signedDate = regexp.MustCompile(`^(?:(\d{1,2})\.(\d{1,2})\.(\d{4})|(\d{4}))\b[,.;\s]*(.*)$`)

// splitSigned splits the register's "signed" cell into a date (YYYY-MM-DD,
// or YYYY where only the year is given, or "") and the place.
func splitSigned(s string) (date, place string) {
	s = oneLine(s)
	m := signedDate.FindStringSubmatch(s)
	switch {
	case m == nil:
		return "", s
	case m[4] != "":
		return m[4], m[5]
	}
	return fmt.Sprintf("%s-%02s-%02s", m[3], m[2], m[1]), m[5]
}

// IntlAgreementsCSV flattens the register of international territorial
// cooperation agreements as the Hromada Strategy Collaboration Mapping
// project releases it (intl-agreements.json: matched hromadas with their
// agreements, and the agreements whose Ukrainian party it could not match)
// to one row per agreement, the columns of ua-partnerships/intl-agreements.csv:
// whitespace runs become one space, the signing date is split from the
// place, theme ids are joined with "|".
func IntlAgreementsCSV(src string, w io.Writer) error {
	type agreement struct {
		Title            string
		KindID           *string  `json:"kind_id"`
		ThemeIDs         []string `json:"theme_ids"`
		PartnerName      *string  `json:"partner_name"`
		PartnerCountry   *string  `json:"partner_country"`
		PartnerCountryUA *string  `json:"partner_country_ua"`
		Signed           *string
		Duration         *string
	}
	var doc struct {
		Hromadas []struct {
			Short, Katottg, Oblast string
			Agreements             []agreement
		}
		Unmatched []struct {
			Title          string
			UASubject      *string `json:"ua_subject"`
			UARegion       *string `json:"ua_region"`
			PartnerCountry *string `json:"partner_country"`
		}
	}
	if err := readHromadas(src, &doc, func() int { return len(doc.Hromadas) }); err != nil {
		return err
	}
	var rows [][]string
	for _, h := range doc.Hromadas {
		for _, a := range h.Agreements {
			date, place := splitSigned(deref(a.Signed))
			rows = append(rows, []string{h.Katottg, h.Short, h.Oblast, "", deref(a.KindID), oneLine(deref(a.PartnerName)),
				deref(a.PartnerCountry), oneLine(deref(a.PartnerCountryUA)), date, place, oneLine(deref(a.Duration)),
				strings.Join(a.ThemeIDs, "|"), oneLine(a.Title)})
		}
	}
	for _, u := range doc.Unmatched {
		rows = append(rows, []string{"", "", oneLine(deref(u.UARegion)), oneLine(deref(u.UASubject)), "", "",
			deref(u.PartnerCountry), "", "", "", "", "", oneLine(u.Title)})
	}
	return writeCSV(w, []string{"katottg", "hromada", "oblast", "ua_side", "kind_id", "partner_name", "partner_country",
		"partner_country_ua", "signed_date", "signed_place", "duration", "theme_ids", "title"}, rows)
}

// ULEADMapCSV flattens the U-LEAD/GIZ map harvest as the Hromada Strategy
// Collaboration Mapping project keeps it (a JSON Lines file, one partner a
// line) to the columns of ua-partnerships/ulead-map.csv. Lines of another
// layer than "twinning", or that the harvest skipped, are left out.
func ULEADMapCSV(src string, w io.Writer) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var r struct {
			Layer             string  `json:"layer"`
			UAName            string  `json:"ua_name"`
			Katottg           *string `json:"katottg"`
			PartnerName       string  `json:"partner_name"`
			PartnerCountry    *string `json:"partner_country"`
			PartnerCountryRaw *string `json:"partner_country_raw"`
			SkipReason        *string `json:"skip_reason"`
		}
		if err := json.Unmarshal([]byte(text), &r); err != nil {
			return fmt.Errorf("line %d: not a JSON object of the harvest: %w", line, err)
		}
		if (r.Layer != "" && r.Layer != "twinning") || deref(r.SkipReason) != "" {
			continue
		}
		rows = append(rows, []string{deref(r.Katottg), r.UAName, oneLine(r.PartnerName), deref(r.PartnerCountry), deref(r.PartnerCountryRaw)})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("the harvest has no twinning rows")
	}
	return writeCSV(w, []string{"katottg", "ua_name", "partner_name", "partner_country", "partner_country_raw"}, rows)
}

// deref is the string s points to, or "" for JSON null.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
