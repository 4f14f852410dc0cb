package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/analytics"
)

// runStats prints the summary statistics of the partnership graph as a
// table or, with -json, as analytics.Stats.
func runStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runGraphReport(ctx, "stats", "the statistics", args, stdout, stderr, func(g *analytics.Graph, asJSON bool) error {
		st := g.Stats()
		if asJSON {
			return writeJSON(stdout, st)
		}
		return printStats(stdout, st)
	})
}

// runQuality prints the data-quality report of the store (see
// analytics.Quality).
func runQuality(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runGraphReport(ctx, "quality", "the report", args, stdout, stderr, func(g *analytics.Graph, asJSON bool) error {
		q := g.Quality()
		if asJSON {
			return writeJSON(stdout, q)
		}
		return printQuality(stdout, q)
	})
}

// runGraphReport runs a command that reads the store's analytics snapshot
// and prints a report of it (what), as text or with -json as JSON.
func runGraphReport(ctx context.Context, name, what string, args []string, stdout, stderr io.Writer, print func(g *analytics.Graph, asJSON bool) error) error {
	fs := newFlagSet(name, "[flags]", stderr)
	var sc storeConfig
	asJSON := fs.Bool("json", false, "print "+what+" as JSON")
	sc.register(fs)
	rest, err := parseFlags(fs, args, sc.envs(nil))
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("%s takes no arguments, got %q", name, rest)}
	}
	if err := sc.validate(); err != nil {
		return err
	}
	g, err := openGraph(ctx, &sc, stderr)
	if err != nil {
		return err
	}
	return print(g, *asJSON)
}

// openGraph opens the configured store, builds the analytics snapshot from
// it and closes the store.
func openGraph(ctx context.Context, sc *storeConfig, stderr io.Writer) (*analytics.Graph, error) {
	store, err := sc.openSaying(ctx, stderr)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	g, err := analytics.Build(ctx, store)
	if err != nil {
		return nil, fmt.Errorf("read the graph from %s: %w", sc.describe(), err)
	}
	return g, nil
}

// printStats prints st as two aligned tables.
func printStats(w io.Writer, st analytics.Stats) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "municipalities\t%d\t\n", st.Municipalities)
	fmt.Fprintf(tw, "partnerships\t%d\t\n", st.Partnerships)
	for _, s := range graph.Statuses {
		fmt.Fprintf(tw, "  %s\t%d\t\n", s, st.ByStatus[s])
	}
	for _, k := range graph.PartnershipKinds {
		fmt.Fprintf(tw, "  %s\t%d\t\n", k, st.ByKind[k])
	}
	r := "undefined"
	if st.Assortativity != nil {
		r = fmt.Sprintf("%+.3f", *st.Assortativity)
	}
	fmt.Fprintf(tw, "degree assortativity\t%s\t\n", r)
	fmt.Fprintf(tw, "transitivity (global clustering)\t%.3f\t\n", st.Transitivity)
	fmt.Fprintf(tw, "triangles\t%d\t\n", st.Triangles)
	fmt.Fprintln(tw, "\t\t")
	fmt.Fprintln(tw, "\tPARTNERED\tALL\t")
	row := func(name string, f func(analytics.Network) string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", name, f(st.Partnered), f(st.All))
	}
	row("nodes", func(n analytics.Network) string { return fmt.Sprint(n.Nodes) })
	row("mean degree", func(n analytics.Network) string { return fmt.Sprintf("%.2f", n.MeanDegree) })
	row("median degree", func(n analytics.Network) string { return fmt.Sprintf("%g", n.MedianDegree) })
	row("max degree", func(n analytics.Network) string { return fmt.Sprint(n.MaxDegree) })
	row("components", func(n analytics.Network) string { return fmt.Sprint(n.Components) })
	row("largest component", func(n analytics.Network) string { return fmt.Sprint(n.LargestComponent) })
	row("average clustering", func(n analytics.Network) string { return fmt.Sprintf("%.3f", n.Clustering) })
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\ndegree distribution of partnered municipalities (degree: count):")
	bins := st.Partnered.Degrees
	shown := bins[:min(len(bins), 15)]
	for _, b := range shown {
		fmt.Fprintf(w, "  %3d: %d\n", b.Degree, b.Count)
	}
	if rest := bins[len(shown):]; len(rest) > 0 {
		n := 0
		for _, b := range rest {
			n += b.Count
		}
		fmt.Fprintf(w, "  %d municipalities have %d to %d partnerships\n", n, rest[0].Degree, slices.MaxFunc(rest, func(a, b analytics.DegreeCount) int { return a.Degree - b.Degree }).Degree)
	}
	if _, err := fmt.Fprintf(w, "largest components: %v\n", st.All.TopComponents); err != nil {
		return err
	}
	if len(st.Sources) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nsources (a partnership listed by several counts for each):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  SOURCE\tPARTNERSHIPS\tONLY HERE\tUKRAINIAN\tDATED\tYEARS\t")
	shownSources := st.Sources[:min(len(st.Sources), 15)]
	for _, s := range shownSources {
		years := "-"
		if s.Dated > 0 {
			years = fmt.Sprintf("%d-%d", s.FirstYear, s.LatestYear)
		}
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%s\t\n", s.Source, s.Partnerships, s.Only, s.Ukrainian, s.Dated, years)
	}
	if rest := len(st.Sources) - len(shownSources); rest > 0 {
		fmt.Fprintf(tw, "  and %d more sources (-json lists them all)\t\t\t\t\t\t\n", rest)
	}
	return tw.Flush()
}
