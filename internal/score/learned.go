package score

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
)

// learnedJSON is the model `twinning train` fitted on the shared open
// data (see learned.json for how).
//
//go:embed learned.json
var learnedJSON []byte

// learned is learnedJSON decoded and validated once.
var learned = func() Model {
	var m Model
	if err := json.Unmarshal(learnedJSON, &m); err != nil {
		panic(fmt.Sprintf("score: embedded learned.json: %v", err))
	}
	if err := m.Validate(); err != nil {
		panic(fmt.Sprintf("score: embedded learned.json: %v", err))
	}
	return m
}()

// LearnedModel returns the model shipped with the binary: weights learned
// by `twinning train` from the real twin-town pairs. It is the model the
// server and the command line use unless given another.
func LearnedModel() Model {
	m := learned
	m.Weights = maps.Clone(m.Weights)
	return m
}
