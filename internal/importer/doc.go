// Package importer reads open data about municipalities and partnerships
// into a graph.Store: GeoNames dumps, the KSE table of Ukrainian hromadas,
// Eurostat LAU centres, the Wikipedia twin-town list and Wikidata twinning
// results.
//
// # Identifiers
//
// Every municipality an importer creates gets an id derived from the code
// of the source that first created it, so that the id is stable across
// runs:
//
//	ua-<17 digits>            a KSE hromada, from its KATOTTG code (UA + 17 digits)
//	gn-<geonameid>            a GeoNames place
//	lau-<cc>-<lau id>         a Eurostat LAU unit, from its GISCO id ("PL_1261011" → "lau-pl-1261011")
//	wd-q<digits>              a Wikidata item
//	tw-<cc>-<slug>-<lat>-<lon> a place named only in the twin-town list (with -create-missing)
//
// # Entity resolution between sources
//
// A record is first looked up by its own unique code (KATOTTG, LAU, GeoNames
// or Wikidata id): when a municipality already holds it, the record updates
// that municipality, so importing the same file twice changes nothing.
// Otherwise the record is merged into an existing municipality when all of
// these hold (see MergeRadiusKm):
//
//   - same country;
//   - both have a location, at most MergeRadiusKm apart;
//   - one name of each agrees after graph.NameKey (which romanises Cyrillic,
//     so "Львів" agrees with "Lviv"), or after the looser transliteration
//     key of LooseKey ("Zaporizhia" agrees with "Zaporizhzhia");
//   - the municipality does not already hold a code of the record's kind
//     (two LAU units never merge into one).
//
// The nearest such municipality wins. A merge keeps the existing id; the
// source that created a municipality owns its names, kind, population, area,
// location and region, and a merged source only fills fields that are empty,
// adds its code and adds its names as alternative names. So a KSE hromada
// and the GeoNames place at its centre become one municipality carrying both
// codes, whichever file is imported first.
//
// # Resolving names in partnership lists
//
// The twin-town list and Wikidata name places by free text (and Wikidata by
// item id too). Resolver documents the rules and the order in which they are
// tried; each resolution is counted by method in a ResolutionReport.
//
// # Writing
//
// Every file is parsed and validated completely before the first write;
// with Options.Strict a bad row aborts the import and nothing is written.
// Municipalities and partnerships are written in batches of
// Options.BatchSize; each batch is one all-or-none store call, and a
// cancelled context stops the import between batches.
package importer
