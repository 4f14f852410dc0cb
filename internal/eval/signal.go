package eval

import (
	"slices"

	"github.com/twinning/twinning/internal/score"
)

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

// Positions of the factors signalOf reads in a feature vector.
var (
	fCommon  = slices.Index(score.FactorNames, score.FactorPartnersOfPartners)
	fCountry = slices.Index(score.FactorNames, score.FactorSaturation)
	fChains  = slices.Index(score.FactorNames, score.FactorPartnerChains)
)

// signalOf returns the signal of a hidden partner from its feature vector,
// computed with the hidden link left out: the engine's own factors say it,
// so the split follows them exactly. A partner in common gives
// partners_of_partners, a partnership with the source's country gives
// saturation, a chain of three gives partner_chains.
func signalOf(v []float64) Signal {
	switch {
	case v[fCommon] > 0:
		return SignalCommonPartner
	case v[fCountry] > 0:
		return SignalSourceCountryPartner
	case v[fChains] > 0:
		return SignalChain
	}
	return SignalNone
}
