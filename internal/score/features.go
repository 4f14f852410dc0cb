package score

import (
	"math"
	"math/bits"
	"slices"

	"github.com/twinning/twinning/graph"
)

// Scales and constants of the factors.
const (
	// sizeScale is the log-ratio of populations at which the size factor
	// falls to 1/2: a town three times larger or smaller.
	sizeScale = 1.0986122886681098 // ln 3
	// distanceScaleKm is the distance at which the distance factor falls to
	// 1/2. The factor is 1/(1 + (d/scale)²): smooth, 0.8 at 300 km, 0.26
	// at 1,000 km, 0.08 at 2,000 km, and it needs neither trigonometry nor
	// a square root nor an exponential per candidate.
	distanceScaleKm = 600.0
	// distanceCoef turns a squared chord between unit vectors into
	// (d/scale)².
	distanceCoef = (earthRadiusKm / distanceScaleKm) * (earthRadiusKm / distanceScaleKm)
	// saturationScale is the number of partners in the source's country at
	// which the saturation factor reaches 1 - 1/e.
	saturationScale = 3.0
	// countrySmoothing and regionSmoothing are pseudo-counts added to the
	// source's international partnerships, so that one partnership out of
	// one does not read as a 100% affinity.
	countrySmoothing = 5.0
	regionSmoothing  = 3.0
	// neighbourRadiusKm is how near a municipality of the source's country
	// must be for its partners to count in the ukrainian_neighbours factor.
	neighbourRadiusKm = 100.0
	// areaRadiusKm is how near a municipality of the source's country must
	// be for its partnerships to count in the area_ties factor.
	areaRadiusKm = 150.0
	// regionCountrySmoothing is the pseudo-count of the country-level
	// share in the region_country factor.
	regionCountrySmoothing = 5.0
	// partnersScale is the number of partnerships at which the partners
	// factor reaches 1 - 1/e.
	partnersScale = 10.0
	// chainsRate turns the weighted chains of three partnerships into the
	// partner_chains factor, 1 - exp(-chainsRate × Σ): one chain through
	// two municipalities with 4 partners each gives 0.53.
	chainsRate = 3.0
)

// sparse holds what a scoring pass knows about one candidate reached through
// the partnership graph: most candidates have none of it.
type sparse struct {
	adamicAdar float64 // Σ over common partners of 1/ln(degree)
	chains     float64 // Σ over chains source–a–b–candidate of 1/√(deg a × deg b)
	near       float64 // Σ over partners near the source of 1 - d/radius
	saturation int32   // partnerships with the source's country
	partner    bool    // already a partner of the source (any status)
	hidden     bool    // a partner of the source hidden from this pass
	index      int32   // the candidate's index, to clean the slot up
}

// scoringPass is the per-source state of one scoring pass: the source's
// features, the per-country and per-region affinities, and the sparse
// graph factors keyed by candidate through slot.
type scoringPass struct {
	ix         *Index
	src        int32
	srcCountry uint16
	srcLoc     bool
	srcPop     bool
	srcLogPop  float64
	themeMask  uint32
	themeCount float64
	countryVal []float64 // by country index
	regionVal  []float64 // by region index; nil when the source has no region
	// regionCountryVal is the share of the source region's partnerships
	// abroad held by each country, smoothed towards countryVal.
	regionCountryVal []float64
	// area is, by area cell, the area_ties factor: 1 - exp(-w), w the
	// weighted partnerships of municipalities near the source that end in
	// or next to the cell; areaTouched lists the cells to clear.
	area        []float64
	areaTouched []int32
	slot        []int32 // by municipality index: position in entries, or -1
	entries     []sparse

	// Buffers kept across passes in the index's pool.
	countryBuf       []float64
	regionBuf        []float64
	regionCountryBuf []float64
}

// newPass prepares the scoring of candidates for src. extraThemes are
// themes that count as the source's (Options.Themes). hidden are partners
// of src whose partnerships with src are left out of every factor, as if
// they did not exist (an evaluation hides the link it tries to recover);
// it is nil when serving. The pass must be released with release.
func (ix *Index) newPass(src int32, extraThemes uint32, hidden []int32) *scoringPass {
	r := ix.scratch.Get().(*scoringPass)
	r.src = src
	r.srcCountry = ix.country[src]
	r.srcLoc = ix.flags[src]&flagLocation != 0
	r.srcPop = ix.flags[src]&flagPopulation != 0
	r.srcLogPop = float64(ix.logPop[src])
	r.themeMask = ix.themes[src] | extraThemes
	r.themeCount = float64(bits.OnesCount32(r.themeMask))
	r.affinities(hidden)
	r.graphFactors()
	r.neighbours(hidden)
	return r
}

// affinities sets the country, region and region-country affinities of
// the source, its hidden partnerships left out.
func (r *scoringPass) affinities(hidden []int32) {
	ix, src := r.ix, r.src
	sc := r.srcCountry
	sr := ix.region[src]
	// The hidden partnerships that count in the country and region
	// affinities: not suspended and across a border.
	var hiddenIntl, hiddenRegional []int32
	for _, h := range hidden {
		r.entry(h).hidden = true
		if ix.country[h] != sc && !ix.isSuspended(src, h) {
			hiddenIntl = append(hiddenIntl, h)
			if sr >= 0 {
				hiddenRegional = append(hiddenRegional, h)
			}
		}
	}
	r.countryVal = r.countryBuf
	countryDen := float64(ix.countryIntl[sc]) - float64(len(hiddenIntl)) + countrySmoothing
	for c, n := range ix.countryLinks[sc] {
		r.countryVal[c] = float64(n) / countryDen
	}
	for _, h := range hiddenIntl {
		r.countryVal[ix.country[h]] -= 1 / countryDen
	}
	r.regionVal = nil
	if sr >= 0 {
		r.regionVal = r.regionBuf
		clear(r.regionVal)
		regionDen := float64(ix.regionIntl[sr]) - float64(len(hiddenRegional)) + regionSmoothing
		for reg, n := range ix.regionLinks[sr] {
			r.regionVal[reg] = float64(n) / regionDen
		}
		for _, h := range hiddenRegional {
			if reg := ix.region[h]; reg >= 0 {
				r.regionVal[reg] -= 1 / regionDen
			}
		}
	}

	r.regionCountryVal = r.regionCountryBuf
	copy(r.regionCountryVal, r.countryVal)
	if sr >= 0 {
		intl := float64(ix.regionIntl[sr]) - float64(len(hiddenRegional))
		den := intl + regionCountrySmoothing
		for c := range r.regionCountryVal {
			r.regionCountryVal[c] *= regionCountrySmoothing / den
		}
		for c, n := range ix.regionCountry[sr] {
			r.regionCountryVal[c] += float64(n) / den
		}
		for _, h := range hiddenRegional {
			r.regionCountryVal[ix.country[h]] -= 1 / den
		}
	}
}

// graphFactors marks the source's existing partners and sums Adamic–Adar
// over common partners and the chains of three partnerships, source – a –
// b – candidate, each weighted by 1/√(deg a × deg b) as in the
// degree-normalised three-step paths of link prediction (Kovács et al.,
// 2019): chains reach candidates that share no partner with the source.
// Only the municipalities two and three hops away are touched.
func (r *scoringPass) graphFactors() {
	ix, src := r.ix, r.src
	partners, suspended := ix.partners(src)
	for k, a := range partners {
		if e := r.lookup(a); e != nil && e.hidden {
			continue
		}
		r.entry(a).partner = true
		if suspended[k] || ix.degree[a] < 2 {
			continue
		}
		aa := 1 / math.Log(float64(ix.degree[a]))
		wa := 1 / math.Sqrt(float64(ix.degree[a]))
		next, nextSuspended := ix.partners(a)
		for j, b := range next {
			if b == src || nextSuspended[j] {
				continue
			}
			r.entry(b).adamicAdar += aa
			w := wa / math.Sqrt(float64(r.degree(b)))
			last, lastSuspended := ix.partners(b)
			for l, c := range last {
				// c == a walks back and forth (src – a – b – a): no chain.
				if c != src && c != a && !lastSuspended[l] {
					r.entry(c).chains += w
				}
			}
		}
	}
}

// neighbours sums saturation and the near-neighbour and area factors: the
// partners abroad of every municipality in the source's country, weighted
// by its distance from the source.
func (r *scoringPass) neighbours(hidden []int32) {
	ix, src, sc := r.ix, r.src, r.srcCountry
	for _, u := range ix.countryMembers[sc] {
		weight, areaWeight := 0.0, 0.0
		if r.srcLoc && ix.flags[u]&flagLocation != 0 {
			d := ix.chordKm(src, u)
			if u != src && d < neighbourRadiusKm {
				weight = 1 - d/neighbourRadiusKm
			}
			if d < areaRadiusKm {
				areaWeight = 1 - d/areaRadiusKm
			}
		}
		next, nextSuspended := ix.partners(u)
		for j, q := range next {
			if nextSuspended[j] || ix.country[q] == sc {
				continue
			}
			if u == src && len(hidden) > 0 && slices.Contains(hidden, q) {
				continue
			}
			e := r.entry(q)
			e.saturation++
			e.near += weight
			if areaWeight > 0 {
				r.addArea(ix.cell[q], areaWeight)
			}
		}
	}
	// The area_ties factor by cell, once per cell rather than per
	// candidate.
	for _, c := range r.areaTouched {
		r.area[c] = 1 - math.Exp(-r.area[c])
	}
}

// addArea spreads weight w over cell c and its eight neighbours.
func (r *scoringPass) addArea(c int32, w float64) {
	if c < 0 {
		return
	}
	row, col := int(c)/areaCols, int(c)%areaCols
	for dr := -1; dr <= 1; dr++ {
		for dc := -1; dc <= 1; dc++ {
			rr, cc := row+dr, col+dc
			if rr < 0 || rr >= areaRows || cc < 0 || cc >= areaCols {
				continue
			}
			k := int32(rr*areaCols + cc)
			if r.area[k] == 0 {
				r.areaTouched = append(r.areaTouched, k)
			}
			r.area[k] += w
		}
	}
}

// entry returns the sparse state of candidate i, creating it when needed.
func (r *scoringPass) entry(i int32) *sparse {
	if s := r.slot[i]; s >= 0 {
		return &r.entries[s]
	}
	r.slot[i] = int32(len(r.entries))
	r.entries = append(r.entries, sparse{index: i})
	return &r.entries[len(r.entries)-1]
}

// lookup returns the sparse state of candidate i, or nil.
func (r *scoringPass) lookup(i int32) *sparse {
	if s := r.slot[i]; s >= 0 {
		return &r.entries[s]
	}
	return nil
}

// newScratch returns a pass whose buffers fit ix, every slot empty.
func (ix *Index) newScratch() *scoringPass {
	r := &scoringPass{
		ix:               ix,
		slot:             make([]int32, len(ix.ms)),
		countryBuf:       make([]float64, len(ix.countryCodes)),
		regionBuf:        make([]float64, len(ix.regionCodes)),
		regionCountryBuf: make([]float64, len(ix.countryCodes)),
		area:             make([]float64, areaCells),
	}
	for i := range r.slot {
		r.slot[i] = -1
	}
	return r
}

// release empties the pass's slots and returns it to the index's pool.
func (r *scoringPass) release() {
	for _, e := range r.entries {
		r.slot[e.index] = -1
	}
	r.entries = r.entries[:0]
	for _, c := range r.areaTouched {
		r.area[c] = 0
	}
	r.areaTouched = r.areaTouched[:0]
	r.ix.scratch.Put(r)
}

// values writes the factor values of candidate i into v, in FactorNames
// order. The scoring loop and the explanation both call it, so a
// suggestion's contributions add up to exactly the score it was ranked by.
func (r *scoringPass) values(i int32, v *[numFactors]float64) {
	ix := r.ix
	*v = [numFactors]float64{}
	f := ix.flags[i]
	if r.srcPop && f&flagPopulation != 0 {
		d := (r.srcLogPop - float64(ix.logPop[i])) / sizeScale
		v[fSize] = 1 / (1 + d*d)
	}
	if r.srcLoc && f&flagLocation != 0 {
		v[fDistance] = 1 / (1 + ix.chordSquared(r.src, i)*distanceCoef)
	}
	if r.themeCount > 0 {
		v[fThemes] = float64(bits.OnesCount32(r.themeMask&ix.themes[i])) / r.themeCount
	}
	v[fCountryAffinity] = r.countryVal[ix.country[i]]
	v[fRegionCountry] = r.regionCountryVal[ix.country[i]]
	if c := ix.cell[i]; c >= 0 {
		v[fAreaTies] = r.area[c]
	}
	if r.regionVal != nil {
		if reg := ix.region[i]; reg >= 0 {
			v[fRegionAffinity] = r.regionVal[reg]
		}
	}
	v[fPartners] = ix.partnersVal[i]
	if e := r.lookup(i); e != nil {
		v[fPartnersOfPartners] = 1 - math.Exp(-e.adamicAdar)
		v[fSaturation] = 1 - math.Exp(-float64(e.saturation)/saturationScale)
		v[fUkrainianNeighbours] = 1 - math.Exp(-e.near)
		v[fPartnerChains] = 1 - math.Exp(-chainsRate*e.chains)
		if e.hidden {
			v[fPartners] = partnersFactor(r.degree(i))
		}
	}
}

// degree returns the number of partnerships of i that are not suspended,
// less its partnership with the source when that is hidden.
func (r *scoringPass) degree(i int32) int32 {
	d := r.ix.degree[i]
	if e := r.lookup(i); e != nil && e.hidden && !r.ix.isSuspended(r.src, i) {
		d--
	}
	return d
}

// partnersFactor is the partners factor of a municipality with degree
// partnerships.
func partnersFactor(degree int32) float64 {
	if degree <= 0 {
		return 0
	}
	return 1 - math.Exp(-float64(degree)/partnersScale)
}

// Features returns the factor values of each candidate for the source, in
// FactorNames order and without weights, as a trainer needs them for
// (pair, non-pair) samples. themes count as the source's themes, as
// Options.Themes does. It returns ENOTFOUND naming the first id that is not
// in the index and EINVALID for an unknown theme.
func (ix *Index) Features(sourceID string, candidateIDs []string, themes ...string) ([][]float64, error) {
	src, ok := ix.byID[sourceID]
	if !ok {
		return nil, graph.Errorf(graph.ENOTFOUND, "municipality %q not found", sourceID)
	}
	cands := make([]int32, len(candidateIDs))
	for k, id := range candidateIDs {
		c, ok := ix.byID[id]
		if !ok {
			return nil, graph.Errorf(graph.ENOTFOUND, "candidate municipality %q not found", id)
		}
		cands[k] = c
	}
	for _, t := range themes {
		if !graph.ValidTheme(t) {
			return nil, graph.FieldErrorf("theme", "unknown theme %q", t)
		}
	}
	r := ix.newPass(src, themeMask(themes), nil)
	defer r.release()
	out := make([][]float64, len(cands))
	var v [numFactors]float64
	for k, c := range cands {
		r.values(c, &v)
		out[k] = append([]float64(nil), v[:]...)
	}
	return out, nil
}
