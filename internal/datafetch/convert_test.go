package datafetch_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/internal/datafetch"
	"github.com/twinning/twinning/internal/datafetch/fetchtest"
)

// convert runs c on body and reads its CSV.
func convert(t *testing.T, c datafetch.Convert, body string) [][]string {
	src := filepath.Join(t.TempDir(), "release")
	require.NoError(t, os.WriteFile(src, []byte(body), 0o644))
	var b bytes.Buffer
	require.NoError(t, c(src, &b))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	return rows
}

// TestIntlAgreementsCSV: the register's JSON becomes the rows of
// intl-agreements.csv: whitespace runs collapsed, the date split from the
// place (DD.MM.YYYY to YYYY-MM-DD, a year alone kept), null as empty,
// themes joined with "|", and the unmatched agreements with an empty code
// and their council in ua_side.
func TestIntlAgreementsCSV(t *testing.T) {
	rows := convert(t, datafetch.IntlAgreementsCSV, fetchtest.IntlAgreementsJSON)
	assert.Equal(t, [][]string{
		{"katottg", "hromada", "oblast", "ua_side", "kind_id", "partner_name", "partner_country", "partner_country_ua", "signed_date", "signed_place", "duration", "theme_ids", "title"},
		{"UA46060250000025047", "Львівська", "Львівська область", "", "interterritorial", "м. Краків", "PL", "Республіка Польща", "2017-03-22", "м. Краків", "Безстрокова", "culture|economy", "Угода про співпрацю між Львівською міською радою та містом Краків"},
		{"UA46060250000025047", "Львівська", "Львівська область", "", "cbc", "Місто Вроцлав", "PL", "Республіка Польща", "2003", "", "", "", "Меморандум"},
		{"", "", "Волинська область", "Хотешівська сільська рада (44512, Волинська обл.)", "", "", "PL", "", "", "", "", "", "Угода про співробітництво"},
	}, rows)
}

// TestPartnershipMapCSV: one row a partner, the columns of
// partnership-map.csv.
func TestPartnershipMapCSV(t *testing.T) {
	rows := convert(t, datafetch.PartnershipMapCSV, fetchtest.PartnershipMapJSON)
	require.Len(t, rows, 4)
	assert.Equal(t, []string{"katottg", "hromada", "oblast", "partner_name", "partner_country", "partner_country_ua"}, rows[0])
	assert.Equal(t, []string{"UA05020030000031457", "Вінницька", "Вінницька область", "Кельце", "PL", "Польща"}, rows[3])
}

// TestULEADMapCSV: the harvest's twinning lines become rows of
// ulead-map.csv (a null code empty); other layers and skipped lines are
// left out; a line that is not JSON is named.
func TestULEADMapCSV(t *testing.T) {
	rows := convert(t, datafetch.ULEADMapCSV, `{"layer": "twinning", "ua_name": "Хмільницька", "katottg": "UA05120170000013778", "partner_name": "Busko-Zdroj", "partner_country": "PL", "partner_country_raw": "Republic of Poland", "skip_reason": null}
{"layer": "twinning", "ua_name": "Сіверськодонецька", "katottg": null, "partner_name": "Lubań", "partner_country": "PL", "partner_country_raw": "Republic of Poland"}
{"layer": "twinning", "ua_name": "Барська", "katottg": "UA05060010000053179", "partner_name": "Bar", "partner_country": "ME", "skip_reason": "not Europe"}
{"layer": "membership", "ua_name": "Барська", "partner_name": "Eurocities"}
`)
	assert.Equal(t, [][]string{
		{"katottg", "ua_name", "partner_name", "partner_country", "partner_country_raw"},
		{"UA05120170000013778", "Хмільницька", "Busko-Zdroj", "PL", "Republic of Poland"},
		{"", "Сіверськодонецька", "Lubań", "PL", "Republic of Poland"},
	}, rows)
	src := filepath.Join(t.TempDir(), "bad.jsonl")
	require.NoError(t, os.WriteFile(src, []byte("{\"layer\": \"twinning\"}\n{oops\n"), 0o644))
	assert.ErrorContains(t, datafetch.ULEADMapCSV(src, &bytes.Buffer{}), "line 2: not a JSON object")
}
