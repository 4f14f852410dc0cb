package graph

import (
	"fmt"
	"strings"
)

// Labels returns a label for each municipality of a list that tells it
// apart from every other of the list: its display name, and for the
// municipalities of one country that share a display name (after
// NameKey), what differs between them, in this order:
//   - their regions, when each has a region of its own: "Dąbrowa (PL21)",
//     the region's name when it has one; else their NUTS 3 regions, when
//     each has its own: "Horia (RO225)";
//   - their kinds of unit, when each has one of its own:
//     "Hrubieszów (urban gmina)" and "Hrubieszów (rural gmina)";
//   - a town and the rural unit of its name around it, when one is at least
//     four times as dense as each other: "Hrubieszów (town)" and
//     "Hrubieszów (rural gmina)" ("rural commune" in Romania, "rural
//     unit" elsewhere);
//   - else their ids.
//
// A label that still repeats gets the id too.
func Labels(ms []*Municipality) []string {
	out := make([]string, len(ms))
	groups := map[string][]int{}
	for i, m := range ms {
		out[i] = m.DisplayName()
		k := m.Country + "|" + NameKey(out[i])
		groups[k] = append(groups[k], i)
	}
	for _, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		for j, q := range qualify(ms, idx) {
			out[idx[j]] += " (" + q + ")"
		}
	}
	seen := map[string]int{}
	for _, l := range out {
		seen[l]++
	}
	for i, l := range out {
		if seen[l] > 1 {
			out[i] = fmt.Sprintf("%s [%s]", l, ms[i].ID)
		}
	}
	return out
}

// qualify returns what tells apart the namesakes ms[idx...].
func qualify(ms []*Municipality, idx []int) []string {
	q := make([]string, len(idx))
	regions := map[string]bool{}
	for _, i := range idx {
		regions[ms[i].Region.Code] = true
	}
	if len(regions) == len(idx) && !regions[""] {
		for j, i := range idx {
			q[j] = ms[i].Region.Name
			if q[j] == "" {
				q[j] = ms[i].Region.Code
			}
		}
		return q
	}
	nuts3 := map[string]bool{}
	for _, i := range idx {
		nuts3[ms[i].Codes.NUTS3] = true
	}
	if len(nuts3) == len(idx) && !nuts3[""] {
		for j, i := range idx {
			q[j] = ms[i].Codes.NUTS3
		}
		return q
	}
	units := map[string]bool{}
	for _, i := range idx {
		if u := ms[i].Unit; u != nil {
			units[u.English] = true
		}
	}
	if len(units) == len(idx) {
		for j, i := range idx {
			q[j] = ms[i].Unit.English
		}
		return q
	}
	density := func(m *Municipality) float64 {
		if m.AreaKm2 <= 0 || m.Population <= 0 {
			return 0
		}
		return float64(m.Population) / m.AreaKm2
	}
	dense := idx[0]
	for _, i := range idx {
		if density(ms[i]) > density(ms[dense]) {
			dense = i
		}
	}
	town := density(ms[dense]) > 0
	for _, i := range idx {
		if i != dense && (density(ms[i]) <= 0 || density(ms[dense]) < 4*density(ms[i])) {
			town = false
		}
	}
	for j, i := range idx {
		switch {
		case town && i == dense:
			q[j] = "town"
		case town:
			q[j] = ruralUnit(ms[i].Country)
		default:
			q[j] = ms[i].ID
		}
	}
	return q
}

// ruralUnit names the rural unit around a town of its name in a country.
func ruralUnit(country string) string {
	switch strings.ToUpper(country) {
	case "PL":
		return "rural gmina"
	case "RO", "MD":
		return "rural commune"
	}
	return "rural unit"
}
