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
	regionName := func(m *Municipality) string {
		if m.Region.Code == "" || m.Region.Name == "" {
			return m.Region.Code
		}
		return m.Region.Name
	}
	unit := func(m *Municipality) string {
		if m.Unit == nil {
			return ""
		}
		return m.Unit.English
	}
	for _, of := range []func(*Municipality) string{regionName, func(m *Municipality) string { return m.Codes.NUTS3 }, unit} {
		if q, ok := distinct(ms, idx, of); ok {
			return q
		}
	}
	q := make([]string, len(idx))
	dense := idx[0]
	for _, i := range idx {
		if ms[i].Density() > ms[dense].Density() {
			dense = i
		}
	}
	town := ms[dense].Density() > 0
	for _, i := range idx {
		if i != dense && (ms[i].Density() <= 0 || ms[dense].Density() < 4*ms[i].Density()) {
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

// distinct returns of(ms[i]) for each i of idx, and whether every one is
// set and differs from the others: then it tells the namesakes apart.
func distinct(ms []*Municipality, idx []int, of func(*Municipality) string) ([]string, bool) {
	q := make([]string, len(idx))
	seen := map[string]bool{}
	for j, i := range idx {
		q[j] = of(ms[i])
		if q[j] == "" || seen[q[j]] {
			return nil, false
		}
		seen[q[j]] = true
	}
	return q, true
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
