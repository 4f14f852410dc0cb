// Package importer reads open data about municipalities and partnerships
// into a graph.Store: GeoNames dumps (and the reduced cities1000 layout),
// the KSE table of Ukrainian hromadas, Eurostat LAU centres, the Wikipedia
// twin-town list, Wikidata twinning results, and the registers of the
// partnerships Ukrainian hromadas hold today.
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
//     key of graph.LooseKey ("Zaporizhia" agrees with "Zaporizhzhia");
//   - the municipality does not already hold a code of the record's kind
//     (two LAU units never merge into one);
//   - a GeoNames place and an administrative unit are of plausible sizes
//     (plausibleUnit: the unit holds 60% of the place's people, or 35% when
//     it is urban), so that a city never merges with the rural gmina of its
//     name.
//
// The nearest such municipality wins; a city of WideMergeMinPopulation or
// more merges with the only unit of its own name within WideMergeRadiusKm
// when none lies nearer (Luhansk). A record of the reduced cities1000
// layout only adds (Record.AddOnly): the place of a unit lends the unit its
// name, a village within a unit becomes the unit's alternative name, and
// only the rest become municipalities. A merge keeps the existing id; the
// source that created a municipality owns its names, kind, population, area,
// location and region, and a merged source only fills fields that are empty,
// adds its code and adds its names as alternative names. So a KSE hromada
// and the GeoNames place at its centre become one municipality carrying both
// codes, whichever file is imported first.
//
// # Resolving names in partnership lists
//
// The twin-town list, Wikidata and the registers name places by free text
// (Wikidata by item id too, the registers the hromada by KATOTTG code).
// Resolver documents the rules and the order in which they are tried, a
// Ukrainian exonym found by sound (soundKey) among them; each resolution is
// counted by method in a ResolutionReport, and a pair that several lists
// hold is one partnership that cites each (graph.Reference).
//
// # Writing
//
// Every file is parsed and validated completely before the first write;
// with Options.Strict a bad row aborts the import and nothing is written.
// Municipalities and partnerships are written in batches of
// Options.BatchSize; each batch is one all-or-none store call, and a
// cancelled context stops the import between batches.
package importer
