package importer

import (
	"strings"

	"github.com/twinning/twinning/graph"
)

// The kinds of unit this file names, in the country's words and in English.
var (
	unitHromada = map[string]graph.Unit{
		"міська":   {Local: "міська громада", English: "city hromada"},
		"селищна":  {Local: "селищна громада", English: "settlement hromada"},
		"сільська": {Local: "сільська громада", English: "village hromada"},
	}

	// unitByCountry is the kind of every LAU unit of a country whose units
	// are all of one kind, or whose names and codes do not tell its kinds
	// apart (Croatia's towns from its općine, Hungary's towns from its
	// villages): what the unit is by the country's law, in its words.
	unitByCountry = map[string]graph.Unit{
		"AL": {Local: "bashki", English: "municipality"},
		"AT": {Local: "Gemeinde", English: "municipality"},
		"BE": {Local: "gemeente / commune", English: "municipality"},
		"BG": {Local: "община", English: "municipality"},
		"CH": {Local: "Gemeinde / commune / comune", English: "municipality"},
		"CY": {Local: "δήμος ή κοινότητα", English: "municipality or community"},
		"CZ": {Local: "obec", English: "municipality"},
		"DK": {Local: "kommune", English: "municipality"},
		"ES": {Local: "municipio", English: "municipality"},
		"FI": {Local: "kunta", English: "municipality"},
		"HR": {Local: "grad ili općina", English: "town or municipality"},
		"HU": {Local: "település", English: "settlement"},
		"IE": {Local: "local electoral area", English: "local electoral area"},
		"IS": {Local: "sveitarfélag", English: "municipality"},
		"IT": {Local: "comune", English: "municipality"},
		"LI": {Local: "Gemeinde", English: "municipality"},
		"LU": {Local: "commune", English: "municipality"},
		"MK": {Local: "општина", English: "municipality"},
		"MT": {Local: "kunsill lokali", English: "local council"},
		"NL": {Local: "gemeente", English: "municipality"},
		"NO": {Local: "kommune", English: "municipality"},
		"PT": {Local: "freguesia", English: "parish"},
		"RS": {Local: "општина / град", English: "municipality or city"},
		"SE": {Local: "kommun", English: "municipality"},
		"SI": {Local: "občina", English: "municipality"},
		"SK": {Local: "obec", English: "municipality"},
	}

	// unitUK names the kinds of British LAU units by the prefix of their
	// GSS code.
	unitUK = map[string]graph.Unit{
		"E06": {Local: "unitary authority", English: "unitary authority"},
		"E07": {Local: "non-metropolitan district", English: "non-metropolitan district"},
		"E08": {Local: "metropolitan borough", English: "metropolitan borough"},
		"E09": {Local: "London borough", English: "London borough"},
		"N09": {Local: "district", English: "district"},
		"S30": {Local: "council area ward", English: "council area ward"},
		"W06": {Local: "principal area", English: "principal area"},
	}

	unitPLCity    = graph.Unit{Local: "miasto na prawach powiatu", English: "city with powiat rights"}
	unitPLUrban   = graph.Unit{Local: "gmina miejska", English: "urban gmina"}
	unitPLRural   = graph.Unit{Local: "gmina wiejska", English: "rural gmina"}
	unitPLGmina   = graph.Unit{Local: "gmina", English: "gmina"}
	unitROCity    = graph.Unit{Local: "municipiu", English: "city (municipiu)"}
	unitROTown    = graph.Unit{Local: "oraș", English: "town"}
	unitROComm    = graph.Unit{Local: "comună", English: "commune"}
	unitDECity    = graph.Unit{Local: "kreisfreie Stadt", English: "district-free city"}
	unitDEGKSt    = graph.Unit{Local: "Große Kreisstadt", English: "major district town"}
	unitDEStadt   = graph.Unit{Local: "Stadt", English: "town"}
	unitDEMarkt   = graph.Unit{Local: "Markt", English: "market municipality"}
	unitDEFree    = graph.Unit{Local: "gemeindefreies Gebiet", English: "unincorporated area"}
	unitDEGem     = graph.Unit{Local: "Gemeinde", English: "municipality"}
	unitELComm    = graph.Unit{Local: "κοινότητα", English: "community"}
	unitELPseudo  = graph.Unit{Local: "ψευδοδημοτική κοινότητα", English: "community of a former municipality"}
	unitEETown    = graph.Unit{Local: "linn", English: "town"}
	unitEERural   = graph.Unit{Local: "vald", English: "rural municipality"}
	unitLVCity    = graph.Unit{Local: "republikas pilsēta", English: "republican city"}
	unitLVNovads  = graph.Unit{Local: "novads", English: "municipality"}
	unitLTCity    = graph.Unit{Local: "miesto savivaldybė", English: "city municipality"}
	unitLTRaion   = graph.Unit{Local: "rajono savivaldybė", English: "district municipality"}
	unitLTMun     = graph.Unit{Local: "savivaldybė", English: "municipality"}
	unitSKBorough = graph.Unit{Local: "mestská časť", English: "city borough"}
)

// unitOf returns a copy of units[key], nil when it has none.
func unitOf(units map[string]graph.Unit, key string) *graph.Unit {
	u, ok := units[key]
	if !ok {
		return nil
	}
	return &u
}

// lauUnit returns what a LAU unit is in its country, from the country, its
// GISCO id and its name (a German name's designations after commas:
// "Flensburg, Stadt", "Schönberg, M", "Freising, GKSt", "Mechernich,
// Stadt, Tor zur Eifel", "Gutsbezirk Reinhardswald, gemfr. Gebiet"), and the Kind that follows from it: city or town
// for the urban kinds (city when a city by law or of 100,000 people or
// more), village for the rural ones, lau when the kind does not tell. A
// Polish gmina is a city with powiat rights by its code (powiat 61 and
// above); whether another is urban or rural is told by a namesake within
// 30 km (polishNamesakes), not here.
func lauUnit(country, gisco, name string, pop int64) (*graph.Unit, graph.Kind) {
	urban := func(city bool) graph.Kind {
		if city || pop >= 100000 {
			return graph.KindCity
		}
		return graph.KindTown
	}
	code := gisco
	if i := strings.IndexByte(code, '_'); i >= 0 {
		code = code[i+1:]
	}
	unit := func(u graph.Unit, k graph.Kind) (*graph.Unit, graph.Kind) { return &u, k }
	switch country {
	case "PL":
		if len(code) >= 4 && code[len(code)-4:len(code)-2] >= "61" {
			return unit(unitPLCity, graph.KindCity)
		}
		return unit(unitPLGmina, graph.KindLAU)
	case "RO":
		switch first, _, _ := strings.Cut(name, " "); first {
		case "Municipiul":
			return unit(unitROCity, graph.KindCity)
		case "Oraş", "Oraș":
			return unit(unitROTown, urban(false))
		}
		return unit(unitROComm, graph.KindVillage)
	case "DE":
		if strings.HasSuffix(code, "000") {
			return unit(unitDECity, graph.KindCity)
		}
		_, designations, _ := strings.Cut(name, ",")
		for _, d := range strings.Split(designations, ",") {
			switch s := strings.TrimSpace(d); {
			case s == "":
			case strings.HasPrefix(s, "gemfr") || s == "gemeindefreies Gebiet":
				return unit(unitDEFree, graph.KindLAU)
			case s == "GKSt":
				return unit(unitDEGKSt, urban(false))
			case s == "M" || strings.HasPrefix(s, "Markt") || strings.HasSuffix(s, "flecken") || s == "Flecken":
				return unit(unitDEMarkt, graph.KindTown)
			case s == "St" || s == "Krst." || strings.Contains(strings.ToLower(s), "stadt"):
				return unit(unitDEStadt, urban(false))
			}
		}
		return unit(unitDEGem, graph.KindVillage)
	case "GR":
		if strings.HasPrefix(name, "Ψευδοδημοτική") {
			return unit(unitELPseudo, graph.KindLAU)
		}
		return unit(unitELComm, graph.KindLAU)
	case "EE":
		if strings.HasSuffix(name, " vald") {
			return unit(unitEERural, graph.KindVillage)
		}
		return unit(unitEETown, urban(false)) // "Keila linn", and Tallinn
	case "LV":
		if strings.HasSuffix(name, " novads") {
			return unit(unitLVNovads, graph.KindLAU)
		}
		return unit(unitLVCity, urban(false))
	case "LT":
		switch {
		case strings.HasSuffix(name, " miesto savivaldybė"):
			return unit(unitLTCity, urban(false))
		case strings.HasSuffix(name, " rajono savivaldybė"):
			return unit(unitLTRaion, graph.KindLAU)
		}
		return unit(unitLTMun, graph.KindLAU)
	case "SK":
		if strings.Contains(name, " - mestská časť ") {
			return unit(unitSKBorough, graph.KindLAU)
		}
	case "GB":
		if len(code) >= 3 {
			if u, ok := unitUK[code[:3]]; ok {
				return unit(u, graph.KindLAU)
			}
		}
		return nil, graph.KindLAU
	}
	if u, ok := unitByCountry[country]; ok {
		return unit(u, graph.KindLAU)
	}
	return nil, graph.KindLAU
}

// polishNamesakes tells the urban gmina from the rural one of its name
// around it (Bochnia the town, 995 people a km², and the rural gmina of
// Bochnia, 153 a km²; Chełm the city with powiat rights and the rural gmina
// of Chełm): of two Polish units of one name within 30 km of each other,
// one at least four times as dense as the other, the sparse one is a rural
// gmina, and the dense one an urban gmina unless it is a city with powiat
// rights. recs are the records of one LAU file.
func polishNamesakes(recs []Record) {
	groups := map[string][]int{}
	for i, r := range recs {
		if m := r.Municipality; m.Country == "PL" && m.Unit != nil && m.Location != nil {
			k := graph.NameKey(m.Name)
			groups[k] = append(groups[k], i)
		}
	}
	for _, idx := range groups {
		for _, i := range idx {
			for _, j := range idx {
				a, b := &recs[i].Municipality, &recs[j].Municipality
				if i == j || b.Density() <= 0 || a.Density() < 4*b.Density() || graph.DistanceKm(*a.Location, *b.Location) > 30 {
					continue
				}
				if *b.Unit == unitPLGmina {
					rural := unitPLRural
					b.Unit, b.Kind = &rural, graph.KindVillage
				}
				if *a.Unit == unitPLGmina {
					urban := unitPLUrban
					a.Unit, a.Kind = &urban, graph.KindTown
					if a.Population >= 100000 {
						a.Kind = graph.KindCity
					}
				}
			}
		}
	}
}
