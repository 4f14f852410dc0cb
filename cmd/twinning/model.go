package main

import (
	"flag"

	"github.com/twinning/twinning/internal/score"
)

// modelFlagHelp describes the -model flag of serve and suggest.
const modelFlagHelp = `scoring model: "default" (hand-set default-1), "learned" (the shipped learned model) or a file written by "twinning train" (env TWINNING_MODEL)`

// registerModel adds -model to fs.
func registerModel(fs *flag.FlagSet) *string {
	return fs.String("model", "default", modelFlagHelp)
}

// loadModel returns the model that -model names.
func loadModel(name string) (score.Model, error) {
	switch name {
	case "", "default":
		return score.DefaultModel(), nil
	case "learned":
		return score.LearnedModel(), nil
	}
	m, err := score.LoadModel(name)
	if err != nil {
		return score.Model{}, usageError{"-model: " + err.Error()}
	}
	return m, nil
}
