package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/analytics"
)

// runExport writes the partnership graph, or the part the filters select,
// as GeoJSON, GraphML or CSV to stdout or to a file.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "-format geojson|graphml|csv [flags]", stderr)
	var (
		countries, regions, statuses listFlag
		sc                           storeConfig
	)
	format := fs.String("format", "", "output format: "+strings.Join(analytics.Formats, ", ")+" (required)")
	fs.Var(&countries, "country", "export these ISO 3166-1 alpha-2 countries and their partners (repeatable, or comma-separated)")
	fs.Var(&regions, "region", "export these region codes, e.g. UA-46, and their partners (repeatable, or comma-separated)")
	fs.Var(&statuses, "status", fmt.Sprintf("keep partnerships of these statuses, of %v (repeatable, or comma-separated)", graph.Statuses))
	limit := fs.Int("limit", analytics.MaxExportLimit, fmt.Sprintf("fail when the export would hold more elements (municipalities plus partnerships), 1-%d", analytics.MaxExportLimit))
	out := fs.String("o", "", "write to this file instead of standard output")
	sc.register(fs)
	rest, err := parseFlags(fs, args, sc.envs(nil))
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("export takes no arguments, got %q", rest)}
	}
	if err := sc.validate(); err != nil {
		return err
	}
	opts := analytics.ExportOptions{Format: *format, Regions: regions, Limit: *limit}
	for _, c := range countries {
		opts.Countries = append(opts.Countries, strings.ToUpper(c))
	}
	for _, s := range statuses {
		opts.Statuses = append(opts.Statuses, graph.Status(strings.ToLower(s)))
	}
	if strings.TrimSpace(*format) == "" {
		return usageError{"-format: is required: one of " + strings.Join(analytics.Formats, ", ")}
	}
	// Check the options on an empty graph before opening the store, so
	// that a typo fails fast.
	empty, err := analytics.New(nil, nil)
	if err != nil {
		return err
	}
	if _, _, err := empty.ExportSize(opts); err != nil {
		return flagError(err, "")
	}

	g, err := openGraph(ctx, &sc, stderr)
	if err != nil {
		return err
	}
	nodes, edges, err := g.ExportSize(opts)
	if err != nil {
		return flagError(err, "")
	}
	if *out == "" {
		return g.Export(stdout, opts)
	}
	if err := writeFileAtomically(*out, func(w io.Writer) error { return g.Export(w, opts) }); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "twinning: wrote %d municipalities and %d partnerships to %s\n", nodes, edges, *out)
	return nil
}

// writeFileAtomically writes through fn to a temporary file beside path
// and renames it to path only when fn and the close succeed, so that a
// failed export never leaves half a file behind.
func writeFileAtomically(path string, fn func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("-o %s: %w", path, err)
	}
	err = f.Chmod(0o644) // CreateTemp makes the file private; an export is not
	if err == nil {
		err = fn(f)
	}
	err = errors.Join(err, f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return errors.Join(fmt.Errorf("write %s: %w", path, err), os.Remove(f.Name()))
	}
	return nil
}
