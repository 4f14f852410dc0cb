package eval

import "slices"

// Signal says what links a case's hidden partner to its source once the
// hidden link is left out: the strongest of a partner in common, another
// partner in the source's country, a chain of three partnerships, or
// nothing the graph shows. It splits the figures of a run so that one
// sees where a method finds partners and where it cannot.
type Signal int

// The signals, strongest first.
const (
	SignalCommonPartner Signal = iota
	SignalSourceCountryPartner
	SignalChain
	SignalNone
)

// Signals lists the signals in order.
var Signals = []Signal{SignalCommonPartner, SignalSourceCountryPartner, SignalChain, SignalNone}

// String names the signal as reports do.
func (s Signal) String() string {
	switch s {
	case SignalCommonPartner:
		return "partner in common"
	case SignalSourceCountryPartner:
		return "other Ukrainian partner"
	case SignalChain:
		return "chain of three"
	case SignalNone:
		return "no graph signal"
	}
	return "unknown"
}

// signal returns what links c.Hidden to c.Source through partnerships that
// are not suspended, the link between them left out.
func (d *Dataset) signal(c Case) Signal {
	s, h := c.Source, c.Hidden
	for _, a := range d.adj[s] {
		if int(a) != h && d.isPartner(int(a), h) {
			return SignalCommonPartner
		}
	}
	if slices.ContainsFunc(d.adj[h], func(q int32) bool { return int(q) != s && d.country[q] == d.country[s] }) {
		return SignalSourceCountryPartner
	}
	for _, a := range d.adj[s] {
		if int(a) == h {
			continue
		}
		for _, b := range d.adj[a] {
			if int(b) != s && int(b) != h && d.isPartner(int(b), h) {
				return SignalChain
			}
		}
	}
	return SignalNone
}
