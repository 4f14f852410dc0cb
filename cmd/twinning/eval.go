package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/eval"
	"github.com/twinning/twinning/internal/score"
)

// runEval measures how well the engine and the baselines recover real
// partnerships hidden one at a time (see package eval for the protocol).
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", "[flags]", stderr)
	var sc storeConfig
	sc.register(fs)
	protocol := fs.String("protocol", string(eval.ProtocolLeaveOneOut), "loo (hide each European partner of a Ukrainian municipality in turn), registry (rank the partnerships that only today's registers list on the graph of the rest) or dated (rank the register's agreements of 2022 and later on the graph dated before)")
	pool := fs.String("pool", string(eval.PoolGraph), "candidates: graph (European municipalities with a partnership) or all (every European municipality); registry and dated always rank all")
	folds := fs.Int("folds", 5, "folds over the Ukrainian sources for the learned weights (0 or 1: no learned row); with registry or dated, each fold is fitted on the other folds' new partnerships, on the graph before them")
	seed := fs.Uint64("seed", 1, "seed of the fold split and the sampling of non-partners")
	modelPath := fs.String("model", "", "also measure this model: default, learned or a file written by \"twinning train\" (env TWINNING_MODEL)")
	jsonPath := fs.String("json", "", "write the report as JSON to this file")
	casesPath := fs.String("cases", "", "write one CSV row per case, with the rank under each method, to this file")
	diversity := fs.Float64("diversity", 0, "also measure each engine with its top 10 diversified by country (0 to 1, as suggest -diversity; 0: no such rows)")
	rest, err := parseFlags(fs, args, sc.envs(map[string]string{"model": "TWINNING_MODEL"}))
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("eval takes no arguments, got %q", rest)}
	}
	if err := sc.validate(); err != nil {
		return err
	}
	if p := eval.Pool(*pool); p != eval.PoolGraph && p != eval.PoolAll {
		return usageError{fmt.Sprintf("-pool: must be %s or %s, got %q", eval.PoolGraph, eval.PoolAll, *pool)}
	}
	proto := eval.Protocol(*protocol)
	if !slices.Contains(eval.Protocols, proto) {
		return usageError{fmt.Sprintf("-protocol: must be one of %v, got %q", eval.Protocols, *protocol)}
	}
	if proto != eval.ProtocolLeaveOneOut {
		// A hidden partner may have no partnership in the graph it is
		// ranked on.
		*pool = string(eval.PoolAll)
	}
	if *folds < 0 {
		return usageError{fmt.Sprintf("-folds: must be 0 or more, got %d", *folds)}
	}
	if !score.ValidDiversity(*diversity) {
		return usageError{fmt.Sprintf("-diversity: must be between 0 (off) and 1, got %v", *diversity)}
	}
	models := []eval.NamedModel{
		{Label: "engine, " + score.DefaultModel().Version + " (hand-set)", Model: score.DefaultModel()},
		{Label: "engine, " + score.LearnedModel().Version + " (shipped)", Model: score.LearnedModel()},
	}
	if *modelPath != "" {
		m, err := loadModel(*modelPath)
		if err != nil {
			return err
		}
		models = append(models, eval.NamedModel{Label: "engine, " + m.Version + " (" + *modelPath + ")", Model: m})
	}

	start := time.Now()
	d, err := loadDataset(ctx, &sc, proto, eval.Pool(*pool), stderr)
	if err != nil {
		return err
	}
	if len(d.Cases) == 0 {
		if proto != eval.ProtocolLeaveOneOut {
			return fmt.Errorf("no cases: %s holds no Ukraine-Europe partnership that the %s protocol hides (import the registers: see the README's Open data)", sc.describe(), proto)
		}
		return errors.New("no cases: no Ukrainian municipality has two European partners in " + sc.describe())
	}
	fmt.Fprintf(stderr, "twinning: read the graph in %v\n", time.Since(start).Round(time.Millisecond))
	d.AssignFolds(*folds, *seed)
	opts := eval.Options{Folds: *folds, Train: eval.DefaultTrainOptions(), Models: models, Diversity: *diversity}
	opts.Train.Seed = *seed
	rep, err := eval.Run(ctx, d, opts)
	if err != nil {
		return err
	}
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "twinning: eval took %v\n", time.Since(start).Round(time.Millisecond))
	if *jsonPath != "" {
		if err := writeFileAtomically(*jsonPath, func(w io.Writer) error { return writeJSON(w, rep) }); err != nil {
			return err
		}
	}
	if *casesPath != "" {
		if err := writeFileAtomically(*casesPath, func(w io.Writer) error { return rep.WriteCases(w, d) }); err != nil {
			return err
		}
	}
	return nil
}

// loadDataset opens the configured store, reads the graph into an
// evaluation dataset and closes the store.
func loadDataset(ctx context.Context, sc *storeConfig, protocol eval.Protocol, pool eval.Pool, stderr io.Writer) (*eval.Dataset, error) {
	store, err := sc.openSaying(ctx, stderr)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	d, err := graph.ReadDump(ctx, store)
	ms, ps := d.Municipalities, d.Partnerships
	if err != nil {
		return nil, fmt.Errorf("read the graph from %s: %w", sc.describe(), err)
	}
	known, targets, err := eval.Split(ps, protocol)
	if err != nil {
		return nil, err
	}
	if protocol == eval.ProtocolLeaveOneOut {
		return eval.NewDataset(ms, known, pool)
	}
	return eval.NewTargetDataset(ms, known, targets, protocol)
}
