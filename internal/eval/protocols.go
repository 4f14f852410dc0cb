package eval

import (
	"fmt"
	"slices"

	"github.com/twinning/twinning/graph"
)

// Protocol says which partnerships a run hides and on which graph it
// ranks them.
type Protocol string

// The protocols.
const (
	// ProtocolLeaveOneOut hides each European partner of a Ukrainian
	// municipality with at least two, one at a time, from the whole graph.
	ProtocolLeaveOneOut Protocol = "loo"
	// ProtocolRegistry ranks the partnerships that only the registers of
	// today list (the U-LEAD/GIZ map, the ministry's map, the register of
	// agreements) on the graph of everything else: what the engine knew
	// of the world before them (the Wikipedia list of about 2020).
	ProtocolRegistry Protocol = "registry"
	// ProtocolDated ranks the agreements that the register dates 2022 or
	// later, and that no earlier source lists, on the graph of the
	// Wikipedia list and of every partnership a source dates before 2022.
	ProtocolDated Protocol = "dated"
)

// Protocols lists the protocols.
var Protocols = []Protocol{ProtocolLeaveOneOut, ProtocolRegistry, ProtocolDated}

// RegisterSources are the sources of today's partnerships that the
// registry protocol hides (the importer's SourceULEAD, SourceMinistry and
// SourceRegister).
var RegisterSources = []string{"ulead", "ministry", "register"}

// DatedFrom is the first year whose agreements the dated protocol hides.
const DatedFrom = 2022

// Split divides partnerships into the graph a protocol ranks on and the
// targets it hides. For ProtocolRegistry the targets are the partnerships
// that only RegisterSources list; for ProtocolDated those that the
// register dates DatedFrom or later and that no source dates earlier nor
// the Wikipedia list holds, and the graph keeps only what the Wikipedia
// list holds or a source dates before DatedFrom (an undated map's
// partnership cannot be placed in time, so it is in neither). For
// ProtocolLeaveOneOut everything is graph.
func Split(ps []graph.Partnership, p Protocol) (known, targets []graph.Partnership, err error) {
	switch p {
	case ProtocolLeaveOneOut:
		return ps, nil, nil
	case ProtocolRegistry:
		for _, x := range ps {
			if onlyRegisters(x) {
				targets = append(targets, x)
			} else {
				known = append(known, x)
			}
		}
		return known, targets, nil
	case ProtocolDated:
		for _, x := range ps {
			wiki, before, after := false, false, false
			for _, r := range references(x) {
				switch {
				case r.Source == "wikipedia":
					wiki = true
				case r.Since > 0 && r.Since < DatedFrom:
					before = true
				case r.Source == "register" && r.Since >= DatedFrom:
					after = true
				}
			}
			switch {
			case wiki || before:
				known = append(known, x)
			case after:
				targets = append(targets, x)
			}
		}
		return known, targets, nil
	}
	return nil, nil, graph.FieldErrorf("protocol", "must be one of %v, got %q", Protocols, p)
}

// references returns what the sources of p say: its Sources, or its
// Source with its year.
func references(p graph.Partnership) []graph.Reference {
	if len(p.Sources) > 0 {
		return p.Sources
	}
	if p.Source == "" {
		return nil
	}
	return []graph.Reference{{Source: p.Source, Since: p.Since}}
}

// onlyRegisters reports whether every source of p is one of
// RegisterSources.
func onlyRegisters(p graph.Partnership) bool {
	refs := references(p)
	for _, r := range refs {
		if !slices.Contains(RegisterSources, r.Source) {
			return false
		}
	}
	return len(refs) > 0
}

// NewTargetDataset builds a dataset whose cases are target partnerships
// that the graph ps does not hold (see Split): one case per target between
// a Ukrainian municipality and a European one (RU, BY left out), ranked
// among every European municipality (the pool must be PoolAll: a target's
// partner may have no partnership in the graph). A source's other targets
// are left out of the ranking of each of its cases, as its partners are.
func NewTargetDataset(ms []graph.Municipality, ps, targets []graph.Partnership, p Protocol) (*Dataset, error) {
	d, err := NewDataset(ms, ps, PoolAll)
	if err != nil {
		return nil, err
	}
	d.protocol, d.future = p, true
	d.Cases, d.Sources = nil, nil
	d.others = map[int][]int{}
	seen := map[int]bool{}
	for _, t := range targets {
		a, okA := d.Index.Position(t.A)
		b, okB := d.Index.Position(t.B)
		if !okA || !okB {
			return nil, fmt.Errorf("eval: target %s-%s names a municipality that is not in the graph", t.A, t.B)
		}
		if d.country[b] == SourceCountry {
			a, b = b, a
		}
		if d.country[a] != SourceCountry || !European(d.country[b]) || d.isPartner(a, b) {
			continue
		}
		d.Cases = append(d.Cases, Case{Source: a, Hidden: b})
		d.others[a] = append(d.others[a], b)
		if !seen[a] {
			seen[a] = true
			d.Sources = append(d.Sources, a)
		}
	}
	slices.Sort(d.Sources)
	slices.SortFunc(d.Cases, func(x, y Case) int {
		if x.Source != y.Source {
			return x.Source - y.Source
		}
		return x.Hidden - y.Hidden
	})
	return d, nil
}

// describe says what a run of the dataset's protocol does, for the report.
func (d *Dataset) describe() string {
	switch d.protocol {
	case ProtocolRegistry:
		return "registry: each Ukraine-Europe partnership that only today's registers list (U-LEAD/GIZ map, ministry's map, register of agreements) is ranked " +
			"on the graph of everything else, as the engine knew the world before them; every European municipality that is not already a partner is ranked, " +
			"the source's other new partners left out"
	case ProtocolDated:
		return fmt.Sprintf("dated: each Ukraine-Europe agreement that the register dates %d or later, and no earlier source lists, is ranked on the graph of the Wikipedia list "+
			"and of every partnership a source dates before %d; every European municipality that is not already a partner is ranked, the source's other new partners left out", DatedFrom, DatedFrom)
	}
	return protocol
}
