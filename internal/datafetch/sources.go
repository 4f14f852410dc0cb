package datafetch

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/twinning/twinning/internal/importer"
)

// A Source is one file that the importers read, with where its publisher
// releases it and how to check it.
type Source struct {
	// Name identifies the source on the command line and in the manifest.
	Name string
	// URL is the publisher's address of the file.
	URL string
	// File is where it goes in the data folder, slash-separated, in the
	// layout that "twinning import all" reads.
	File string
	// Convert turns the publisher's release into the importer's layout
	// (nil when the importer reads the release as it is).
	Convert Convert
	// Check reads the file as its importer does and returns how many
	// records it holds, or why it is not the format expected.
	Check Check
	// Credit is the publisher and licence.
	Credit string
}

// A Check reads a file's content in the format its importer expects and
// returns the number of records, or an error that names the line.
type Check func(r io.Reader, file string) (int, error)

// The publishers' addresses.
const (
	geonamesDump  = "https://download.geonames.org/export/dump/"
	kseDataHub    = "https://raw.githubusercontent.com/kse-ua/KSE-Loc-Data-Hub/main/"
	lauCentres    = "https://edjnet.github.io/lau_centres/lau_2020_nuts_2021_pop_2018_p_2_adjusted_intersection/"
	twinCities    = "https://raw.githubusercontent.com/Hekman/twincities/main/"
	hromadaCollab = "https://raw.githubusercontent.com/MaxSemenchuk/hromada-strategy-collab/main/data/"
)

// LAUCountries are the countries of the EDJNet LAU centres (2020 units,
// NUTS 2021), one file each; France is not among them.
var LAUCountries = []string{"AL", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "HR", "HU", "IE",
	"IS", "IT", "LI", "LT", "LU", "LV", "MK", "MT", "NL", "NO", "PL", "PT", "RO", "RS", "SE", "SI", "SK", "UK"}

// Sources are every file of the open data that "twinning import all"
// reads, in its layout: GeoNames, the KSE hromadas, the EDJNet LAU centres,
// the Wikipedia twin-town list and the registers of today's partnerships.
func Sources() []Source {
	const (
		geonames = "GeoNames, CC BY 4.0"
		collab   = "Hromada Strategy Collaboration Mapping (W3I), CC BY 4.0"
	)
	srcs := []Source{
		{Name: "geonames-cities15000", URL: geonamesDump + "cities15000.zip", File: "geonames/cities15000.txt", Convert: Unzip("cities15000.txt"), Check: checkGeoNames, Credit: geonames},
		{Name: "geonames-cities1000", URL: geonamesDump + "cities1000.zip", File: "geonames/cities1000.txt", Convert: Unzip("cities1000.txt"), Check: checkGeoNames, Credit: geonames},
		{Name: "geonames-countryinfo", URL: geonamesDump + "countryInfo.txt", File: "geonames/countryInfo.txt", Check: checkCountryInfo, Credit: geonames},
		{Name: "geonames-admin1", URL: geonamesDump + "admin1CodesASCII.txt", File: "geonames/admin1.tsv", Check: checkAdmin1, Credit: geonames},
		{Name: "kse-hromadas", URL: kseDataHub + "data/derived/full_dataset.csv", File: "ua-hromadas/full_dataset.csv", Check: checkHromadas, Credit: "Kyiv School of Economics, KSE-Loc-Data-Hub, MIT"},
		{Name: "kse-hromadas-licence", URL: kseDataHub + "LICENSE", File: "ua-hromadas/LICENSE", Check: checkText, Credit: "Kyiv School of Economics, MIT"},
	}
	for _, cc := range LAUCountries {
		name := cc + "_lau_2020_nuts_2021_pop_2018_p_2_adjusted_intersection.csv"
		srcs = append(srcs, Source{Name: "lau-" + strings.ToLower(cc), URL: lauCentres + name, File: "eu-lau/" + name, Check: checkLAU,
			Credit: "EDJNet lau_centres, from Eurostat LAU/GISCO (© EuroGeographics for the boundaries)"})
	}
	return append(srcs,
		Source{Name: "twins", URL: twinCities + "app/public/twin_cities.csv", File: "twins/twin_cities.csv", Check: checkTwins, Credit: "Hekman/twincities, MIT; the facts from Wikipedia"},
		Source{Name: "twins-licence", URL: twinCities + "LICENSE", File: "twins/LICENSE", Check: checkText, Credit: "Hekman/twincities, MIT"},
		Source{Name: "ulead-map", URL: hromadaCollab + "research-log/intl-harvest/2026-09-18-ulead-giz-map.jsonl", File: "ua-partnerships/ulead-map.csv",
			Convert: ULEADMapCSV, Check: checkRegistry, Credit: collab + ", from the U-LEAD/GIZ map"},
		Source{Name: "partnership-map", URL: hromadaCollab + "releases/partnership-map.json", File: "ua-partnerships/partnership-map.csv",
			Convert: PartnershipMapCSV, Check: checkRegistry, Credit: collab + ", from decentralization.ua"},
		Source{Name: "intl-agreements", URL: hromadaCollab + "releases/intl-agreements.json", File: "ua-partnerships/intl-agreements.csv",
			Convert: IntlAgreementsCSV, Check: checkRegistry, Credit: collab + ", from data.gov.ua"},
	)
}

// Select returns the sources named in only (comma-separated names, or
// prefixes ending in "-", as "lau-" for every LAU file), all for "".
func Select(srcs []Source, only string) ([]Source, error) {
	if strings.TrimSpace(only) == "" {
		return srcs, nil
	}
	var out []Source
	for _, want := range strings.Split(only, ",") {
		want = strings.TrimSpace(want)
		n := len(out)
		for _, s := range srcs {
			if s.Name == want || (strings.HasSuffix(want, "-") && strings.HasPrefix(s.Name, want)) {
				out = append(out, s)
			}
		}
		if len(out) == n {
			return nil, fmt.Errorf("no source is named %q (see twinning data fetch -list)", want)
		}
	}
	return out, nil
}

// wellFormed is the rule every check applies: the parser read the file,
// found at least one record, and no more than half of the rows were bad.
func wellFormed(file string, records, bad, read int, err error) (int, error) {
	switch {
	case err != nil:
		return 0, err
	case records == 0:
		return 0, fmt.Errorf("%s: no records in the format expected", path.Base(file))
	case bad > read/2:
		return 0, fmt.Errorf("%s: %d of %d rows are not in the format expected", path.Base(file), bad, read)
	}
	return records, nil
}

func checkGeoNames(r io.Reader, file string) (int, error) {
	recs, bad, read, _, err := importer.ParseGeoNames(r, file, importer.GeoNamesFilter{})
	return wellFormed(file, len(recs), len(bad), read, err)
}

func checkCountryInfo(r io.Reader, file string) (int, error) {
	info, err := importer.ParseCountryInfo(r, file)
	return wellFormed(file, len(info), 0, len(info), err)
}

func checkAdmin1(r io.Reader, file string) (int, error) {
	codes, err := importer.ParseAdmin1(r, file)
	return wellFormed(file, len(codes), 0, len(codes), err)
}

func checkHromadas(r io.Reader, file string) (int, error) {
	recs, bad, read, err := importer.ParseHromadas(r, file)
	return wellFormed(file, len(recs), len(bad), read, err)
}

func checkLAU(r io.Reader, file string) (int, error) {
	recs, bad, read, err := importer.ParseLAU(r, file)
	return wellFormed(file, len(recs), len(bad), read, err)
}

func checkTwins(r io.Reader, file string) (int, error) {
	rows, bad, read, err := importer.ParseTwins(r, file)
	return wellFormed(file, len(rows), len(bad), read, err)
}

func checkRegistry(r io.Reader, file string) (int, error) {
	b, err := io.ReadAll(r) // a register is a few MB at most
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	reg, err := importer.DetectRegistry(first, file)
	if err != nil {
		return 0, err
	}
	rows, bad, read, err := importer.ParseRegistry(bytes.NewReader(b), file, reg)
	return wellFormed(file, len(rows), len(bad), read, err)
}

// checkText accepts a text file that is not empty and not an HTML page
// (a licence).
func checkText(r io.Reader, file string) (int, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return 0, err
	}
	text := strings.TrimSpace(string(b))
	if text == "" || strings.HasPrefix(strings.ToLower(text), "<!doctype") || strings.HasPrefix(strings.ToLower(text), "<html") {
		return 0, fmt.Errorf("%s: not a text file", path.Base(file))
	}
	return strings.Count(text, "\n") + 1, nil
}
