package score

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/twinning/twinning/graph"
)

// Thresholds of the words a reason uses.
const (
	similarSize   = 0.75 // size value above which sizes read as similar (ratio below ~1.7)
	differentSize = 0.25 // size value below which sizes read as very different (ratio above ~5.6)
	nearEnough    = 0.25 // distance value below which distance is no reason to suggest (beyond ~1,100 km)
	maxNamed      = 3    // municipalities a reason names at most
	maxSummarised = 3    // factors a summary names at most
	maxChains     = 2    // chains of partnerships a reason writes out at most
)

// explain builds the suggestion for candidate i: its factors with values,
// weights, contributions and reasons, the score as their sum, and a
// one-sentence summary.
func (e *Engine) explain(r *scoringPass, i int32, rank int, extra *ExtraFactor, lang string) Suggestion {
	ix := r.ix
	var v [numFactors]float64
	r.values(i, &v)
	x := explainer{r: r, i: i, src: &ix.ms[r.src], cand: &ix.ms[i], entry: r.lookup(i), uk: lang == LangUkrainian}
	s := Suggestion{
		Rank:         rank,
		Municipality: cloneMunicipality(x.cand),
		Factors:      make([]Factor, numFactors),
	}
	if x.src.Location != nil && x.cand.Location != nil {
		s.DistanceKm = graph.DistanceKm(*x.src.Location, *x.cand.Location)
	}
	phrases := make([]string, numFactors)
	for f := range numFactors {
		c := float64(e.weights[f] * v[f])
		s.Score += c
		reason, phrase := x.reason(f, v[f], s.DistanceKm)
		phrases[f] = phrase
		s.Factors[f] = Factor{Name: FactorNames[f], Value: v[f], Weight: e.weights[f], Contribution: c, Reason: reason}
	}
	if extra != nil {
		value := clamp01(extra.Value(x.cand))
		c := float64(extra.Weight * value)
		s.Score += c
		reason, phrase := extra.Explain(x.cand, value)
		phrases = append(phrases, phrase)
		s.Factors = append(s.Factors, Factor{Name: extra.Name, Value: value, Weight: extra.Weight, Contribution: c, Reason: reason})
	}
	s.Reason = x.summary(s.Factors, phrases)
	return s
}

// explainer holds what the reasons of one suggestion need.
type explainer struct {
	r     *scoringPass
	i     int32
	src   *graph.Municipality
	cand  *graph.Municipality
	entry *sparse
	uk    bool // reasons in Ukrainian
}

// reason returns the sentence for factor f and a short phrase for the
// summary.
func (x *explainer) reason(f int, value, km float64) (string, string) {
	switch f {
	case fSize:
		return x.size(value)
	case fDistance:
		return x.distance(value, km)
	case fThemes:
		return x.themes()
	case fPartnersOfPartners:
		return x.partnersOfPartners()
	case fCountryAffinity:
		return x.countryAffinity()
	case fRegionAffinity:
		return x.regionAffinity()
	case fSaturation:
		return x.saturation()
	case fUkrainianNeighbours:
		return x.neighbours()
	case fPartners:
		return x.partners()
	case fRegionCountry:
		return x.regionCountry()
	case fAreaTies:
		return x.areaTies(value)
	case fPartnerChains:
		return x.partnerChains()
	}
	panic(fmt.Sprintf("score: no reason for factor %d", f))
}

func (x *explainer) size(value float64) (string, string) {
	a, b := x.src.Population, x.cand.Population
	switch {
	case a == 0 && b == 0:
		if x.uk {
			return fmt.Sprintf("Розмір не порівняно: населення невідоме (%s, %s)", nameUK(x.src), nameUK(x.cand)), ""
		}
		return fmt.Sprintf("Size not compared: the populations of %s and %s are unknown", x.src.DisplayName(), x.cand.DisplayName()), ""
	case a == 0 || b == 0:
		unknown := x.src
		if b == 0 {
			unknown = x.cand
		}
		if x.uk {
			return fmt.Sprintf("Розмір не порівняно: населення невідоме (%s)", nameUK(unknown)), ""
		}
		return fmt.Sprintf("Size not compared: the population of %s is unknown", unknown.DisplayName()), ""
	}
	if x.uk {
		figures := fmt.Sprintf("населення %s і %s", formatPopulationUK(a), formatPopulationUK(b))
		switch {
		case value >= similarSize:
			return "Схожий розмір: " + figures, "схожий розмір"
		case value >= differentSize:
			return "Різний розмір: " + figures, "порівнянний розмір"
		}
		return "Дуже різний розмір: " + figures, ""
	}
	figures := fmt.Sprintf("%s and %s inhabitants", formatPopulation(a), formatPopulation(b))
	switch {
	case value >= similarSize:
		return "Similar size: " + figures, "a similar size"
	case value >= differentSize:
		return "Different size: " + figures, "a comparable size"
	}
	return "Very different size: " + figures, ""
}

func (x *explainer) distance(value, km float64) (string, string) {
	for _, m := range [2]*graph.Municipality{x.src, x.cand} {
		if m.Location == nil {
			if x.uk {
				return fmt.Sprintf("Відстань невідома: немає координат (%s)", nameUK(m)), ""
			}
			return fmt.Sprintf("Distance unknown: no location for %s", m.DisplayName()), ""
		}
	}
	if x.uk {
		d := formatKmUK(km)
		if value < nearEnough {
			return "Відстань: " + d, ""
		}
		return "Відстань: " + d, "близькість (" + d + ")"
	}
	d := formatKm(km)
	if value < nearEnough {
		return d + " apart", ""
	}
	return d + " apart", "proximity (" + d + ")"
}

func (x *explainer) themes() (string, string) {
	mask := x.r.themeMask
	switch {
	case mask == 0 && x.uk:
		return fmt.Sprintf("Немає тем для порівняння: їх не вказано (%s)", nameUK(x.src)), ""
	case mask == 0:
		return fmt.Sprintf("No themes to compare: %s has none and none were asked for", x.src.DisplayName()), ""
	}
	shared := themeNames(x.lang(), mask&x.r.ix.themes[x.i])
	if len(shared) == 0 {
		looking := strings.Join(themeNames(x.lang(), mask), ", ")
		if x.uk {
			return fmt.Sprintf("Немає спільних тем (шукали: %s)", looking), ""
		}
		return fmt.Sprintf("No shared themes (looking for %s)", looking), ""
	}
	list := strings.Join(shared, ", ")
	if x.uk {
		return "Спільні теми: " + list, "спільні теми (" + list + ")"
	}
	return "Shares themes: " + list, "shared themes (" + list + ")"
}

func (x *explainer) partnersOfPartners() (string, string) {
	ix := x.r.ix
	common := ix.commonPartners(x.r.src, x.i)
	switch {
	case len(common) == 0 && x.uk:
		return "Спільних партнерів немає", ""
	case len(common) == 0:
		return fmt.Sprintf("No partners in common with %s", x.src.DisplayName()), ""
	}
	names := make([]string, 0, maxNamed+1)
	for _, c := range common[:min(len(common), maxNamed)] {
		names = append(names, x.name(&ix.ms[c]))
	}
	n := len(common)
	if more := n - maxNamed; more > 0 {
		names = append(names, x.more(more))
	}
	if x.uk {
		phrase := pluralUK(n, "спільний партнер", "спільні партнери", "спільних партнерів")
		if n == 1 {
			return "Спільний партнер: " + names[0], phrase
		}
		return fmt.Sprintf("Спільні партнери (%s): %s", formatIntUK(int64(n)), joinListUK(names)), phrase
	}
	return fmt.Sprintf("Partner of %s of %s partners: %s", formatInt(int64(n)), possessive(x.src.DisplayName()), joinList(names)),
		plural(n, "partner", "partners") + " in common"
}

func (x *explainer) partnerChains() (string, string) {
	found := x.r.ix.chains(x.r.src, x.i)
	switch {
	case len(found) == 0 && x.uk:
		return "Ланцюжків із трьох партнерств немає", ""
	case len(found) == 0:
		return fmt.Sprintf("No chain of three partnerships links %s to %s", x.src.DisplayName(), x.cand.DisplayName()), ""
	}
	written, more := x.chainNames(found)
	if more > 0 {
		written = append(written, x.more(more))
	}
	n := len(found)
	if x.uk {
		phrase := pluralUK(n, "ланцюжок партнерств", "ланцюжки партнерств", "ланцюжків партнерств")
		if n == 1 {
			return "Ланцюжок із трьох партнерств: " + written[0], phrase
		}
		return fmt.Sprintf("Ланцюжки з трьох партнерств (%s): %s", formatIntUK(int64(n)), strings.Join(written, "; ")), phrase
	}
	what := plural(n, "chain of three partnerships", "chains of three partnerships")
	return fmt.Sprintf("Linked to %s by %s: %s", x.src.DisplayName(), what, strings.Join(written, "; ")),
		plural(n, "chain of partnerships", "chains of partnerships")
}

func (x *explainer) countryAffinity() (string, string) {
	ix := x.r.ix
	sc, cc := x.r.srcCountry, ix.country[x.i]
	n, total := ix.countryLinks[sc][cc], ix.countryIntl[sc]
	if x.uk {
		from, to := countryNameUK(x.src.Country), countryNameUK(x.cand.Country)
		pair := from + " — " + to
		switch {
		case total == 0:
			return fmt.Sprintf("%s: міжнародних партнерств у базі даних ще немає", from), ""
		case n == 0:
			return fmt.Sprintf("%s: партнерств поки немає (усього міжнародних партнерств: %s)", pair, formatIntUK(int64(total))), ""
		}
		return fmt.Sprintf("%s: %s з %s міжнародних партнерств (%s)", pair, formatIntUK(int64(n)), formatIntUK(int64(total)), percentUK(n, total)),
			"зв’язки " + pair
	}
	from, to := countryName(x.src.Country), countryName(x.cand.Country)
	switch {
	case total == 0:
		return fmt.Sprintf("%s has no international partnerships in the graph yet", graph.UpperFirst(from)), ""
	case n == 0:
		return fmt.Sprintf("None of %s %s is with %s yet", possessive(from), plural(int(total), "international partnership", "international partnerships"), to), ""
	}
	return fmt.Sprintf("%s holds %s of %s international partnerships (%s of %s)",
			graph.UpperFirst(to), percent(n, total), possessive(from), formatInt(int64(n)), formatInt(int64(total))),
		fmt.Sprintf("the ties between %s and %s", from, to)
}

func (x *explainer) regionAffinity() (string, string) {
	ix := x.r.ix
	sr, cr := ix.region[x.r.src], ix.region[x.i]
	for _, end := range [2]struct {
		r int32
		m *graph.Municipality
	}{{sr, x.src}, {cr, x.cand}} {
		if end.r < 0 {
			if x.uk {
				return fmt.Sprintf("Зв’язки регіонів не перевірено: регіон невідомий (%s)", nameUK(end.m)), ""
			}
			return fmt.Sprintf("Region ties not checked: the region of %s is unknown", end.m.DisplayName()), ""
		}
	}
	n, total := ix.regionLinks[sr][cr], ix.regionIntl[sr]
	if x.uk {
		pair := ix.regionNameUK(sr) + " — " + ix.regionNameUK(cr)
		if n == 0 {
			return pair + ": партнерств поки немає", ""
		}
		return fmt.Sprintf("%s: %s (%s міжнародних партнерств регіону)", pair,
				pluralUK(int(n), "партнерство", "партнерства", "партнерств"), percentUK(n, total)),
			"зв’язки " + pair
	}
	from, to := ix.regionName(sr), ix.regionName(cr)
	if n == 0 {
		return fmt.Sprintf("No partnerships between %s and %s yet", from, to), ""
	}
	return fmt.Sprintf("%s already has %s with %s (%s of its international ones)",
			from, plural(int(n), "partnership", "partnerships"), to, percent(n, total)),
		fmt.Sprintf("the ties between %s and %s", from, to)
}

func (x *explainer) saturation() (string, string) {
	k := 0
	if x.entry != nil {
		k = int(x.entry.saturation)
	}
	if x.uk {
		what := partnersInUK(x.src.Country)
		if k == 0 {
			return graph.UpperFirst(what) + " поки немає", ""
		}
		return fmt.Sprintf("Уже має %s: %d", what, k), fmt.Sprintf("%s уже є (%d)", what, k)
	}
	if k == 0 {
		return fmt.Sprintf("No %s yet", inCountry(x.src.Country, 0, "partner", "partners")), ""
	}
	what := inCountry(x.src.Country, k, "partner", "partners")
	return fmt.Sprintf("Already has %d %s", k, what), fmt.Sprintf("its %d %s", k, what)
}

func (x *explainer) neighbours() (string, string) {
	ix := x.r.ix
	if !x.r.srcLoc {
		if x.uk {
			return fmt.Sprintf("Партнерів поблизу не перевірено: немає координат (%s)", nameUK(x.src)), ""
		}
		return fmt.Sprintf("Nearby partners not checked: no location for %s", x.src.DisplayName()), ""
	}
	found := x.nearPartners()
	radius := x.km(neighbourRadiusKm)
	switch {
	case len(found) == 0 && x.uk:
		return fmt.Sprintf("Немає партнерств з %s в радіусі %s від громади (%s)", communitiesUK(x.src.Country, true), radius, nameUK(x.src)), ""
	case len(found) == 0:
		return fmt.Sprintf("Not a partner of any %s within %s", inCountry(x.src.Country, 1, "municipality", "municipalities"), radius), ""
	}
	names := make([]string, 0, maxNamed+1)
	for _, f := range found[:min(len(found), maxNamed)] {
		names = append(names, fmt.Sprintf("%s (%s)", x.name(&ix.ms[f.index]), x.km(f.km)))
	}
	if more := len(found) - maxNamed; more > 0 {
		names = append(names, x.more(more))
	}
	if x.uk {
		return fmt.Sprintf("Партнер %s у радіусі %s від громади (%s): %s", communitiesUK(x.src.Country, false), radius, nameUK(x.src), joinListUK(names)),
			fmt.Sprintf("партнерства з громадами поблизу (%d)", len(found))
	}
	what := inCountry(x.src.Country, len(found), "municipality", "municipalities")
	return fmt.Sprintf("Partner of %d %s within %s of %s: %s", len(found), what, radius, x.src.DisplayName(), joinList(names)),
		fmt.Sprintf("partnerships with %d %s nearby", len(found), what)
}

func (x *explainer) partners() (string, string) {
	n := int(x.r.ix.degree[x.i])
	switch {
	case n == 0 && x.uk:
		return "Партнерств поки немає", ""
	case n == 0:
		return fmt.Sprintf("%s has no partnerships yet", x.cand.DisplayName()), ""
	case x.uk:
		return "Партнерств загалом: " + formatIntUK(int64(n)), fmt.Sprintf("партнерства загалом (%s)", formatIntUK(int64(n)))
	}
	what := plural(n, "partnership", "partnerships")
	return fmt.Sprintf("%s has %s in all", x.cand.DisplayName(), what), "its " + what + " in all"
}

func (x *explainer) regionCountry() (string, string) {
	ix := x.r.ix
	sr := ix.region[x.r.src]
	if sr < 0 {
		if x.uk {
			return fmt.Sprintf("Зв’язки регіону з країною (%s) не перевірено: регіон невідомий (%s)", countryNameUK(x.cand.Country), nameUK(x.src)), ""
		}
		return fmt.Sprintf("Region ties with %s not checked: the region of %s is unknown", countryName(x.cand.Country), x.src.DisplayName()), ""
	}
	n, total := ix.regionCountry[sr][ix.country[x.i]], ix.regionIntl[sr]
	if x.uk {
		pair := ix.regionNameUK(sr) + " — " + countryNameUK(x.cand.Country)
		if n == 0 {
			return pair + ": партнерств поки немає", ""
		}
		return fmt.Sprintf("%s: %s з %s міжнародних партнерств регіону (%s)", pair, formatIntUK(int64(n)), formatIntUK(int64(total)), percentUK(n, total)),
			"зв’язки " + pair
	}
	from, to := ix.regionName(sr), countryName(x.cand.Country)
	if n == 0 {
		return fmt.Sprintf("No partnerships between %s and %s yet", from, to), ""
	}
	return fmt.Sprintf("%s holds %s of %s international partnerships (%s of %s)",
			graph.UpperFirst(to), percent(n, total), possessive(from), formatInt(int64(n)), formatInt(int64(total))),
		fmt.Sprintf("the ties between %s and %s", from, to)
}

func (x *explainer) areaTies(value float64) (string, string) {
	if x.uk {
		where := fmt.Sprintf("в радіусі %s від громади (%s)", formatKmUK(areaRadiusKm), nameUK(x.src))
		if value == 0 {
			return "Околиці ще не мають партнерств із громадами " + where, ""
		}
		return "Околиці (близько 50\u00a0км) уже мають партнерства з громадами " + where, "зв’язки двох околиць"
	}
	radius := formatKm(areaRadiusKm)
	if value == 0 {
		return fmt.Sprintf("Its area has no partnerships with municipalities within %s of %s", radius, x.src.DisplayName()), ""
	}
	return fmt.Sprintf("Its area (about 50 km around) already partners with municipalities within %s of %s", radius, x.src.DisplayName()),
		"the ties between the two areas"
}

// lang is the explainer's language.
func (x *explainer) lang() string {
	if x.uk {
		return LangUkrainian
	}
	return LangEnglish
}

// name names a municipality in the explainer's language.
func (x *explainer) name(m *graph.Municipality) string {
	if x.uk {
		return nameUK(m)
	}
	return m.DisplayName()
}

// km writes a distance in the explainer's language.
func (x *explainer) km(km float64) string {
	if x.uk {
		return formatKmUK(km)
	}
	return formatKm(km)
}

// more says how many more there are, in a list that names some.
func (x *explainer) more(n int) string {
	if x.uk {
		return "ще " + formatIntUK(int64(n))
	}
	return plural(n, "more", "more")
}

// formatKm rounds a distance as roundKm does: "1,120 km".
func formatKm(km float64) string { return formatInt(roundKm(km)) + " km" }

// roundKm rounds a distance to the kilometre, and to 10 km from 100 km up.
func roundKm(km float64) int64 {
	if km >= 100 {
		km = math.Round(km/10) * 10
	}
	return int64(math.Round(km))
}

// themeNames returns the themes of a mask in graph.Themes order, in
// words of lang.
func themeNames(lang string, mask uint32) []string {
	var out []string
	for t, name := range graph.Themes {
		if mask&(1<<t) != 0 {
			out = append(out, graph.ThemeLabel(name, lang))
		}
	}
	return out
}

// commonPartners returns the partners that a and b share through
// partnerships that are not suspended, fewest partners first (the ones
// that say most, as Adamic–Adar weighs them), then in id order.
func (ix *Index) commonPartners(a, b int32) []int32 {
	pa, sa := ix.partners(a)
	pb, sb := ix.partners(b)
	var out []int32
	for j, k := 0, 0; j < len(pa) && k < len(pb); {
		switch {
		case pa[j] < pb[k]:
			j++
		case pa[j] > pb[k]:
			k++
		default:
			if !sa[j] && !sb[k] {
				out = append(out, pa[j])
			}
			j++
			k++
		}
	}
	slices.SortStableFunc(out, func(p, q int32) int { return cmp.Compare(ix.degree[p], ix.degree[q]) })
	return out
}

// chain is a chain of three partnerships from a source to a candidate:
// source – a – b – candidate.
type chain struct {
	a, b   int32
	weight float64 // 1/√(deg a × deg b), its share of the factor
}

// chains returns the chains of three partnerships that are not suspended
// from src to c, strongest first (through the municipalities with fewest
// partners), then in index order.
func (ix *Index) chains(src, c int32) []chain {
	var out []chain
	partners, suspended := ix.partners(src)
	for k, a := range partners {
		if suspended[k] || a == c {
			continue
		}
		for _, b := range ix.commonPartners(a, c) {
			if b != src {
				out = append(out, chain{a, b, 1 / math.Sqrt(float64(ix.degree[a])*float64(ix.degree[b]))})
			}
		}
	}
	slices.SortFunc(out, func(p, q chain) int {
		return cmp.Or(cmp.Compare(q.weight, p.weight), cmp.Compare(p.a, q.a), cmp.Compare(p.b, q.b))
	})
	return out
}

// chainNames writes the strongest chains out in the explainer's language,
// names joined by a dash, and says how many more there are.
func (x *explainer) chainNames(found []chain) (written []string, more int) {
	ix := x.r.ix
	dash := " – "
	if x.uk {
		dash = " — "
	}
	for _, c := range found[:min(len(found), maxChains)] {
		written = append(written, strings.Join([]string{x.name(x.src), x.name(&ix.ms[c.a]), x.name(&ix.ms[c.b]), x.name(x.cand)}, dash))
	}
	return written, len(found) - len(written)
}

// percent returns n/total as a whole percentage, "under 1%" for small
// shares.
func percent(n, total int32) string {
	p := 100 * float64(n) / float64(total)
	if p < 0.5 {
		return "under 1%"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// regionName returns a region's name, or its code when it has none.
func (ix *Index) regionName(r int32) string {
	if ix.regionNames[r] != "" {
		return ix.regionNames[r]
	}
	return ix.regionCodes[r]
}

// near is a partner of the candidate near the source.
type near struct {
	index int32
	km    float64
}

// nearPartners returns the candidate's partners in the source's country
// within neighbourRadiusKm of the source, nearest first.
func (x *explainer) nearPartners() []near {
	ix := x.r.ix
	var found []near
	partners, suspended := ix.partners(x.i)
	for k, q := range partners {
		if suspended[k] || q == x.r.src || ix.country[q] != x.r.srcCountry || ix.flags[q]&flagLocation == 0 {
			continue
		}
		if d := ix.chordKm(x.r.src, q); d < neighbourRadiusKm {
			found = append(found, near{q, d})
		}
	}
	slices.SortFunc(found, func(a, b near) int { return cmp.Or(cmp.Compare(a.km, b.km), cmp.Compare(a.index, b.index)) })
	return found
}

// summary names, in one sentence, the factors that add most to the score,
// and a penalty that takes most from it.
func (x *explainer) summary(factors []Factor, phrases []string) string {
	pros, con := summaryParts(factors, phrases)
	if x.uk {
		switch {
		case len(pros) == 0 && con == "":
			return "Особливих переваг немає; громада в списку, бо інші кандидати мають нижчу оцінку."
		case len(pros) == 0:
			return "Особливих переваг немає; недолік: " + con + "."
		case con == "":
			return "Основні переваги: " + joinListUK(pros) + "."
		}
		return "Основні переваги: " + joinListUK(pros) + "; недолік: " + con + "."
	}
	switch {
	case len(pros) == 0 && con == "":
		return "Nothing in particular stands out; it ranks here because the other candidates score lower."
	case len(pros) == 0:
		return "Nothing in particular stands out, and it is held back by " + con + "."
	case con == "":
		return "Suggested mainly for " + joinList(pros) + "."
	}
	return "Suggested mainly for " + joinList(pros) + ", though held back by " + con + "."
}

// summaryParts returns the phrases of the factors that add most to the
// score (at most maxSummarised) and of the one that takes most from it.
func summaryParts(factors []Factor, phrases []string) (pros []string, con string) {
	order := make([]int, len(factors))
	for f := range order {
		order[f] = f
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(factors[b].Contribution, factors[a].Contribution) })
	for _, f := range order {
		if len(pros) == maxSummarised || factors[f].Contribution <= 0 {
			break
		}
		if phrases[f] != "" {
			pros = append(pros, phrases[f])
		}
	}
	if f := order[len(order)-1]; factors[f].Contribution < 0 && phrases[f] != "" {
		con = phrases[f]
	}
	return pros, con
}
