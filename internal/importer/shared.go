package importer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SharedDataOptions configure ImportSharedData.
type SharedDataOptions struct {
	// CreateMissing creates the twin-town list's unresolved places, as
	// `twinning import twins -create-missing` does (the evaluation's graph).
	CreateMissing bool
	// UnresolvedFile is where the twin-town list's unresolved places go (the
	// registers' go beside it, named with "-" and the register's file name
	// before ".csv")
	// ("" writes nothing).
	UnresolvedFile string
}

// ImportSharedData imports the open data of a folder laid out as
// ../shared/data (see its README) into the importer's store, in the order
// of the README's command sequence: the KSE hromadas, GeoNames
// cities15000 for the default European countries (with countryInfo and
// the admin1 codes), every Eurostat LAU file, GeoNames cities1000 (the
// places the others lack, and the names of places within municipalities:
// the full dump cities1000.txt that "twinning data fetch" leaves, else the
// reduced cities1000.tsv), the Wikipedia twin-town list, then the registers of today's partnerships
// (the U-LEAD/GIZ map, the ministry's map, the register of agreements). It
// returns the eight reports in that order, and stops at the first error,
// naming the file.
func (im *Importer) ImportSharedData(ctx context.Context, dir string, opts SharedDataOptions) ([]*Report, error) {
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	open := func(p string) (*os.File, error) {
		f, err := os.Open(filepath.Join(dir, p))
		if err == nil {
			files = append(files, f)
		}
		return f, err
	}
	fail := func(what string, err error) ([]*Report, error) {
		return nil, fmt.Errorf("import %s from %s: %w", what, dir, err)
	}
	f, err := open("geonames/countryInfo.txt")
	if err != nil {
		return fail("countryInfo.txt", err)
	}
	info, err := ParseCountryInfo(f, "countryInfo.txt")
	if err != nil {
		return fail("countryInfo.txt", err)
	}
	if f, err = open("geonames/admin1.tsv"); err != nil {
		return fail("admin1.tsv", err)
	}
	admin1, err := ParseAdmin1(f, "admin1.tsv")
	if err != nil {
		return fail("admin1.tsv", err)
	}
	var reps []*Report
	if f, err = open("ua-hromadas/full_dataset.csv"); err != nil {
		return fail("hromadas", err)
	}
	rep, err := im.ImportHromadas(ctx, f, "full_dataset.csv")
	if err != nil {
		return fail("hromadas", err)
	}
	reps = append(reps, rep)
	geonames := func(name string) error {
		f, err := open(filepath.Join("geonames", name))
		if err == nil {
			rep, err = im.ImportGeoNames(ctx, f, name, GeoNamesFilter{Countries: DefaultCountries(info), CountryNames: info, Admin1: admin1})
		}
		if err != nil {
			return fmt.Errorf("import GeoNames %s from %s: %w", name, dir, err)
		}
		reps = append(reps, rep)
		return nil
	}
	if err := geonames("cities15000.txt"); err != nil {
		return nil, err
	}
	lau, err := LAUFiles([]string{filepath.Join(dir, "eu-lau")})
	if err != nil {
		return fail("LAU", err)
	}
	if rep, err = im.ImportLAU(ctx, lau); err != nil {
		return fail("LAU", err)
	}
	reps = append(reps, rep)
	// A folder that "twinning data fetch" filled has the full GeoNames
	// dump of cities1000; ../shared/data has the reduced layout.
	cities1000 := "cities1000.tsv"
	if _, err := os.Stat(filepath.Join(dir, "geonames", "cities1000.txt")); err == nil {
		cities1000 = "cities1000.txt"
	}
	if err := geonames(cities1000); err != nil {
		return nil, err
	}
	if f, err = open("twins/twin_cities.csv"); err != nil {
		return fail("twins", err)
	}
	rep, err = im.ImportTwins(ctx, f, "twin_cities.csv", PairOptions{CreateMissing: opts.CreateMissing, UnresolvedFile: opts.UnresolvedFile})
	if err != nil {
		return fail("twins", err)
	}
	reps = append(reps, rep)
	// The registers' unresolved places are for a person to check by hand,
	// not to create: most lie outside Europe, where the store holds
	// nothing.
	for _, name := range []string{"ulead-map.csv", "partnership-map.csv", "intl-agreements.csv"} {
		if f, err = open(filepath.Join("ua-partnerships", name)); err != nil {
			return fail(name, err)
		}
		unresolved := ""
		if opts.UnresolvedFile != "" {
			unresolved = strings.TrimSuffix(opts.UnresolvedFile, ".csv") + "-" + strings.TrimSuffix(name, ".csv") + ".csv"
		}
		if rep, err = im.ImportRegistry(ctx, f, name, PairOptions{UnresolvedFile: unresolved}); err != nil {
			return fail(name, err)
		}
		reps = append(reps, rep)
	}
	return reps, nil
}

// ImportFile imports the file at path as kind (geonames, hromadas, lau,
// twins, wikidata or registry), as "twinning import KIND FILE" does;
// filter applies to geonames, opts to the pair files.
func (im *Importer) ImportFile(ctx context.Context, kind, path string, filter GeoNamesFilter, opts PairOptions) (*Report, error) {
	if kind == "lau" {
		return im.ImportLAU(ctx, []string{path})
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", kind, err)
	}
	defer f.Close()
	switch kind {
	case "geonames":
		return im.ImportGeoNames(ctx, f, path, filter)
	case "hromadas":
		return im.ImportHromadas(ctx, f, path)
	case "twins":
		return im.ImportTwins(ctx, f, path, opts)
	case "wikidata":
		return im.ImportWikidata(ctx, f, path, opts)
	case "registry":
		return im.ImportRegistry(ctx, f, path, opts)
	}
	return nil, fmt.Errorf("import: unknown kind %q: expected geonames, hromadas, lau, twins, wikidata or registry", kind)
}
