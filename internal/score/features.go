package score

import (
	"math"
	"math/bits"

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
)

// sparse holds what a request knows about one candidate reached through
// the partnership graph: most candidates have none of it.
type sparse struct {
	adamicAdar float64 // Σ over common partners of 1/ln(degree)
	near       float64 // Σ over partners near the source of 1 - d/radius
	saturation int32   // partnerships with the source's country
	partner    bool    // already a partner of the source (any status)
	index      int32   // the candidate's index, to clean the slot up
}

// request is the per-source state of one scoring pass: the source's
// features, the per-country and per-region affinities, and the sparse
// graph factors keyed by candidate through slot.
type request struct {
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
	slot       []int32   // by municipality index: position in entries, or -1
	entries    []sparse

	// Buffers kept across requests in the index's pool.
	countryBuf []float64
	regionBuf  []float64
}

// newRequest prepares the scoring of candidates for src. extraThemes are
// themes that count as the source's (Options.Themes). The request must be
// released with release.
func (ix *Index) newRequest(src int32, extraThemes uint32) *request {
	r := ix.scratch.Get().(*request)
	r.src = src
	r.srcCountry = ix.country[src]
	r.srcLoc = ix.flags[src]&flagLocation != 0
	r.srcPop = ix.flags[src]&flagPopulation != 0
	r.srcLogPop = float64(ix.logPop[src])
	r.themeMask = ix.themes[src] | extraThemes
	r.themeCount = float64(bits.OnesCount32(r.themeMask))

	sc := r.srcCountry
	r.countryVal = r.countryBuf
	for c, n := range ix.countryLinks[sc] {
		r.countryVal[c] = float64(n) / (float64(ix.countryIntl[sc]) + countrySmoothing)
	}
	r.regionVal = nil
	if sr := ix.region[src]; sr >= 0 {
		r.regionVal = r.regionBuf
		clear(r.regionVal)
		for reg, n := range ix.regionLinks[sr] {
			r.regionVal[reg] = float64(n) / (float64(ix.regionIntl[sr]) + regionSmoothing)
		}
	}

	// Existing partners and Adamic–Adar over common partners: only the
	// municipalities two hops away are touched.
	partners, suspended := ix.partners(src)
	for k, p := range partners {
		r.entry(p).partner = true
		if suspended[k] || ix.degree[p] < 2 {
			continue
		}
		w := 1 / math.Log(float64(ix.degree[p]))
		next, nextSuspended := ix.partners(p)
		for j, q := range next {
			if q != src && !nextSuspended[j] {
				r.entry(q).adamicAdar += w
			}
		}
	}

	// Saturation and near neighbours: the partners abroad of every
	// municipality in the source's country.
	for _, u := range ix.countryMembers[sc] {
		weight := 0.0
		if u != src && r.srcLoc && ix.flags[u]&flagLocation != 0 {
			if d := ix.chordKm(src, u); d < neighbourRadiusKm {
				weight = 1 - d/neighbourRadiusKm
			}
		}
		next, nextSuspended := ix.partners(u)
		for j, q := range next {
			if nextSuspended[j] || ix.country[q] == sc {
				continue
			}
			e := r.entry(q)
			e.saturation++
			e.near += weight
		}
	}
	return r
}

// entry returns the sparse state of candidate i, creating it when needed.
func (r *request) entry(i int32) *sparse {
	if s := r.slot[i]; s >= 0 {
		return &r.entries[s]
	}
	r.slot[i] = int32(len(r.entries))
	r.entries = append(r.entries, sparse{index: i})
	return &r.entries[len(r.entries)-1]
}

// lookup returns the sparse state of candidate i, or nil.
func (r *request) lookup(i int32) *sparse {
	if s := r.slot[i]; s >= 0 {
		return &r.entries[s]
	}
	return nil
}

// newScratch returns a request whose buffers fit ix, every slot empty.
func (ix *Index) newScratch() *request {
	r := &request{
		ix:         ix,
		slot:       make([]int32, len(ix.ms)),
		countryBuf: make([]float64, len(ix.countryCodes)),
		regionBuf:  make([]float64, len(ix.regionCodes)),
	}
	for i := range r.slot {
		r.slot[i] = -1
	}
	return r
}

// release empties the request's slots and returns it to the index's pool.
func (r *request) release() {
	for _, e := range r.entries {
		r.slot[e.index] = -1
	}
	r.entries = r.entries[:0]
	r.ix.scratch.Put(r)
}

// values writes the factor values of candidate i into v, in FactorNames
// order. The scoring loop and the explanation both call it, so a
// suggestion's contributions add up to exactly the score it was ranked by.
func (r *request) values(i int32, v *[numFactors]float64) {
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
	if r.regionVal != nil {
		if reg := ix.region[i]; reg >= 0 {
			v[fRegionAffinity] = r.regionVal[reg]
		}
	}
	if e := r.lookup(i); e != nil {
		v[fPartnersOfPartners] = 1 - math.Exp(-e.adamicAdar)
		v[fSaturation] = 1 - math.Exp(-float64(e.saturation)/saturationScale)
		v[fUkrainianNeighbours] = 1 - math.Exp(-e.near)
	}
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
	r := ix.newRequest(src, themeMask(themes))
	defer r.release()
	out := make([][]float64, len(cands))
	var v [numFactors]float64
	for k, c := range cands {
		r.values(c, &v)
		out[k] = append([]float64(nil), v[:]...)
	}
	return out, nil
}
