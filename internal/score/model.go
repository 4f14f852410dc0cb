package score

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/samber/lo"

	"github.com/twinning/twinning/graph"
)

// The factors of a score, in the order Index.Features returns their values.
const (
	FactorSize                = "size"
	FactorDistance            = "distance"
	FactorThemes              = "themes"
	FactorPartnersOfPartners  = "partners_of_partners"
	FactorCountryAffinity     = "country_affinity"
	FactorRegionAffinity      = "region_affinity"
	FactorSaturation          = "saturation"
	FactorUkrainianNeighbours = "ukrainian_neighbours"
	FactorPartners            = "partners"
	FactorRegionCountry       = "region_country"
	FactorAreaTies            = "area_ties"
	FactorPartnerChains       = "partner_chains"
)

// FactorNames lists the factors in the order of feature vectors and of
// Suggestion.Factors.
var FactorNames = []string{
	FactorSize, FactorDistance, FactorThemes, FactorPartnersOfPartners,
	FactorCountryAffinity, FactorRegionAffinity, FactorSaturation,
	FactorUkrainianNeighbours, FactorPartners, FactorRegionCountry,
	FactorAreaTies, FactorPartnerChains,
}

// numFactors is len(FactorNames), as a constant for fixed-size arrays.
const numFactors = 12

// NumFactors is the length of a feature vector: len(FactorNames).
const NumFactors = numFactors

// Indices of the factors in a feature vector.
const (
	fSize = iota
	fDistance
	fThemes
	fPartnersOfPartners
	fCountryAffinity
	fRegionAffinity
	fSaturation
	fUkrainianNeighbours
	fPartners
	fRegionCountry
	fAreaTies
	fPartnerChains
)

// Model is a set of factor weights with a version that names it. A factor
// missing from Weights weighs 0. It is saved as a small JSON file.
type Model struct {
	// Version names the model in results and logs ("default-1").
	Version string `json:"version"`
	// Weights maps a factor name (one of FactorNames) to its weight.
	// Negative weights make a factor a penalty.
	Weights map[string]float64 `json:"weights"`
}

// DefaultModel returns the hand-set model "default-1". Partners of partners
// weighs most because Adamic–Adar is the strongest single predictor of real
// partnerships; country and region ties follow, then distance and size;
// saturation is a penalty so that one town is not suggested to everyone.
func DefaultModel() Model {
	return Model{
		Version: "default-1",
		Weights: map[string]float64{
			FactorSize:                0.15,
			FactorDistance:            0.20,
			FactorThemes:              0.10,
			FactorPartnersOfPartners:  0.35,
			FactorCountryAffinity:     0.25,
			FactorRegionAffinity:      0.20,
			FactorSaturation:          -0.15,
			FactorUkrainianNeighbours: 0.20,
			FactorPartners:            0,
			FactorRegionCountry:       0,
			FactorAreaTies:            0,
			FactorPartnerChains:       0,
		},
	}
}

// Validate returns an EINVALID *Error naming the first field that breaks a
// rule: the version must be set, every weight must name a known factor and
// be a finite number.
func (m Model) Validate() error {
	if strings.TrimSpace(m.Version) == "" {
		return graph.FieldErrorf("version", "model version is empty")
	}
	for name, w := range m.Weights {
		if !slices.Contains(FactorNames, name) {
			return graph.FieldErrorf("weights."+name, "unknown factor %q (known: %s)", name, strings.Join(FactorNames, ", "))
		}
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return graph.FieldErrorf("weights."+name, "weight %v is not a finite number", w)
		}
	}
	return nil
}

// weightVector returns the weights in FactorNames order.
func (m Model) weightVector() [numFactors]float64 {
	var w [numFactors]float64
	for i, name := range FactorNames {
		w[i] = m.Weights[name]
	}
	return w
}

// LoadModel reads a model saved by Model.Save and validates it.
func LoadModel(path string) (Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Model{}, fmt.Errorf("load model: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return Model{}, fmt.Errorf("load model %s: %w", path, err)
	}
	if err := m.Validate(); err != nil {
		return Model{}, fmt.Errorf("load model %s: %w", path, err)
	}
	return m, nil
}

// Save validates the model and writes it to path as indented JSON.
func (m Model) Save(path string) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("save model %s: %w", path, err)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("save model %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return nil
}

// Names returns the factors of the model's weights in FactorNames order.
func (m Model) Names() []string {
	return lo.Filter(FactorNames, func(name string, _ int) bool { _, ok := m.Weights[name]; return ok })
}
