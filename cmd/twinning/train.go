package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/twinning/twinning/internal/eval"
)

// runTrain fits the engine's weights on every real pair of the evaluation
// protocol and writes them as a model file that serve and suggest load
// with -model.
func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train", "[flags]", stderr)
	var sc storeConfig
	sc.register(fs)
	out := fs.String("o", "model.json", "model file to write")
	version := fs.String("version", "learned-2", "version of the model, shown in every result")
	seed := fs.Uint64("seed", 1, "seed of the sampling of non-partners")
	opt := eval.DefaultTrainOptions()
	fs.IntVar(&opt.Near, "near", opt.Near, "non-partners sampled per real pair among those the graph reaches")
	fs.IntVar(&opt.Far, "far", opt.Far, "non-partners sampled per real pair among the rest")
	fs.Float64Var(&opt.L2, "l2", opt.L2, "ridge penalty on the weights")
	rest, err := parseFlags(fs, args, sc.envs(nil))
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("train takes no arguments, got %q", rest)}
	}
	if err := sc.validate(); err != nil {
		return err
	}
	switch {
	case opt.Near < 0 || opt.Far < 0 || opt.Near+opt.Far == 0:
		return usageError{fmt.Sprintf("-near and -far: must be 0 or more and not both 0, got %d and %d", opt.Near, opt.Far)}
	case opt.L2 < 0:
		return usageError{fmt.Sprintf("-l2: must be 0 or more, got %v", opt.L2)}
	}
	opt.Seed = *seed
	start := time.Now()
	d, err := loadDataset(ctx, &sc, eval.ProtocolLeaveOneOut, eval.PoolGraph, stderr)
	if err != nil {
		return err
	}
	if len(d.Cases) == 0 {
		return errors.New("nothing to train on: no Ukrainian municipality has two European partners in " + sc.describe())
	}
	fit, err := d.Train(d.Index, d.Cases, opt)
	if err != nil {
		return err
	}
	m := fit.Model(*version)
	if err := m.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model %s written to %s: %d real pairs, %d sampled non-partners, loss %.4f after %d Newton steps, %v\n",
		m.Version, *out, fit.Cases, fit.Negatives, fit.Loss, fit.Iterations, time.Since(start).Round(time.Millisecond))
	for _, name := range m.Names() {
		fmt.Fprintf(stdout, "  %-22s %+.4f\n", name, m.Weights[name])
	}
	return nil
}
