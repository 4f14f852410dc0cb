package score

import (
	"slices"

	"github.com/twinning/twinning/graph"
)

// SourceFeatures are the factor values of many candidates for one source, with
// some of the source's partnerships hidden as if they did not exist. It is
// the seam of an evaluation (hide a real link, see where its partner
// ranks) and of a trainer (features of real pairs computed without the
// pair itself). Candidates are named by their position in the index, 0 to
// Index.Len()-1, so that a scan over all of them costs no map look-up.
// A SourceFeatures is not safe for concurrent use; Close returns its buffers.
type SourceFeatures struct {
	r *scoringPass
}

// SourceFeatures prepares the factor values for the municipality sourceID with
// its partnerships to hiddenIDs left out of every factor. It returns
// ENOTFOUND for an id that is not in the index and EINVALID when a hidden
// id is not a partner of the source.
func (ix *Index) SourceFeatures(sourceID string, hiddenIDs ...string) (*SourceFeatures, error) {
	src, ok := ix.byID[sourceID]
	if !ok {
		return nil, graph.Errorf(graph.ENOTFOUND, "municipality %q not found", sourceID)
	}
	hidden := make([]int32, 0, len(hiddenIDs))
	partners, _ := ix.partners(src)
	for _, id := range hiddenIDs {
		h, ok := ix.byID[id]
		if !ok {
			return nil, graph.Errorf(graph.ENOTFOUND, "municipality %q not found", id)
		}
		if _, found := slices.BinarySearch(partners, h); !found {
			return nil, graph.FieldErrorf("hidden", "%s is not a partner of %s", id, sourceID)
		}
		hidden = append(hidden, h)
	}
	return &SourceFeatures{r: ix.newPass(src, 0, hidden)}, nil
}

// Values writes the factor values of the candidate at position i into v,
// in FactorNames order; v must hold NumFactors values. They are the values
// Engine.Suggest weighs.
func (q *SourceFeatures) Values(i int, v []float64) {
	var a [numFactors]float64
	q.r.values(int32(i), &a)
	copy(v, a[:])
}

// IsPartner reports whether the candidate at position i is a partner of
// the source that is not hidden: Engine.Suggest leaves those out.
func (q *SourceFeatures) IsPartner(i int) bool {
	e := q.r.lookup(int32(i))
	return e != nil && e.partner
}

// Close releases the query's buffers; the query must not be used after.
func (q *SourceFeatures) Close() {
	if q.r != nil {
		q.r.release()
		q.r = nil
	}
}

// Position returns the position of the municipality id in the index, the
// one SourceFeatures takes, and whether it is there.
func (ix *Index) Position(id string) (int, bool) {
	i, ok := ix.byID[id]
	return int(i), ok
}

// ID returns the id of the municipality at position i.
func (ix *Index) ID(i int) string { return ix.ms[i].ID }

// isSuspended reports whether the partnership between a and b is
// suspended; false when they are not partners.
func (ix *Index) isSuspended(a, b int32) bool {
	partners, suspended := ix.partners(a)
	k, found := slices.BinarySearch(partners, b)
	return found && suspended[k]
}

// GraphReached reports whether a feature vector shows the candidate
// reached through the partnership graph from the source: a partner in
// common, a chain of three partnerships, partnerships with the source's
// country or with municipalities near the source. Most candidates are
// not, and a trainer samples the two kinds apart.
func GraphReached(v []float64) bool {
	return v[fPartnersOfPartners] > 0 || v[fPartnerChains] > 0 || v[fSaturation] > 0 || v[fUkrainianNeighbours] > 0 || v[fAreaTies] > 0
}
