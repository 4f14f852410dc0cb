package importer

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/twinning/twinning/graph"
)

// RowError says what is wrong with one row of an input file.
type RowError struct {
	// File is the base name of the file.
	File string
	// Line is the 1-based line number of the row.
	Line int
	// Column names the column at fault; empty when the row as a whole is
	// wrong (wrong number of columns, unreadable CSV).
	Column string
	// Message says what was found and what was expected.
	Message string
}

// Error returns `file line N, column C: message`.
func (e *RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s line %d", e.File, e.Line)
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %s", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap returns the row error as an EINVALID *graph.Error naming the
// column, so that graph.ErrorCode classifies it.
func (e *RowError) Unwrap() error {
	return &graph.Error{Code: graph.EINVALID, Field: e.Column, Message: e.Error()}
}

// rowErrorf returns a RowError at pos.
func rowErrorf(pos Pos, column, format string, args ...any) *RowError {
	return &RowError{File: pos.File, Line: pos.Line, Column: column, Message: fmt.Sprintf(format, args...)}
}

// Pos is where a record comes from.
type Pos struct {
	File string // base name of the file
	Line int    // 1-based line number
}

// MaxListedBadRows is how many bad rows a Report lists; the rest are
// counted.
const MaxListedBadRows = 20

// Report is what one import did. Counts of municipalities and of
// partnerships are kept apart.
type Report struct {
	// Kind is the importer ("geonames", "hromadas", ...).
	Kind string
	// Files are the files read.
	Files []string
	// Read is the number of data rows read, bad ones included.
	Read int
	// Created, Updated, Merged and Unchanged count municipalities: created
	// new, changed by the source that created them, changed by merging a
	// record of another source in, and found identical.
	Created, Updated, Merged, Unchanged int
	// InScope counts the rows of a partnership list whose places can be
	// in the store (neither a county or region, nor in a country of which
	// the store holds nothing); ResolvedRows those of them whose two sides
	// both resolved, whatever became of the pair afterwards.
	InScope, ResolvedRows int
	// Localities counts municipalities that gained the name of a place
	// lying within them (a village or town of GeoNames' reduced layout that
	// is not a municipality of its own), as an alternative name.
	Localities int
	// Partnerships counts the partnerships created, updated and unchanged.
	Partnerships graph.UpsertResult
	// Skipped counts rows left out on purpose, by reason.
	Skipped map[string]int
	// BadRows lists the first MaxListedBadRows bad rows; BadCount counts
	// them all.
	BadRows  []*RowError
	BadCount int
	// Resolution is the name-resolution report of the twins and wikidata
	// importers, nil for the others.
	Resolution *ResolutionReport
	// Elapsed is the wall time of the import; WriteSummary uses the time
	// since the report was made when it is 0.
	Elapsed time.Duration

	started time.Time
}

func newReport(kind string, files ...string) *Report {
	return &Report{Kind: kind, Files: files, Skipped: map[string]int{}, started: time.Now()}
}

// skip counts a row left out for reason.
func (r *Report) skip(reason string) { r.Skipped[reason]++ }

// bad records a bad row.
func (r *Report) bad(e *RowError) {
	r.BadCount++
	if len(r.BadRows) < MaxListedBadRows {
		r.BadRows = append(r.BadRows, e)
	}
}

// WriteSummary writes the report for a person to read.
func (r *Report) WriteSummary(w io.Writer) {
	files := strings.Join(r.Files, ", ")
	if len(r.Files) > 3 {
		files = fmt.Sprintf("%d files (%s, ..., %s)", len(r.Files), r.Files[0], r.Files[len(r.Files)-1])
	}
	elapsed := r.Elapsed
	if elapsed == 0 && !r.started.IsZero() {
		elapsed = time.Since(r.started)
	}
	fmt.Fprintf(w, "import %s: read %d rows from %s in %v\n", r.Kind, r.Read, files, elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  municipalities: %d created, %d updated, %d merged, %d unchanged\n", r.Created, r.Updated, r.Merged, r.Unchanged)
	if r.InScope > 0 {
		fmt.Fprintf(w, "  rows whose places can be in the store: %d, both sides resolved: %d (%.1f%%)\n", r.InScope, r.ResolvedRows, 100*float64(r.ResolvedRows)/float64(r.InScope))
	}
	if r.Localities > 0 {
		fmt.Fprintf(w, "  localities:     %d municipalities gained the name of a place within them\n", r.Localities)
	}
	if r.Kind == "twins" || r.Kind == "wikidata" || r.Partnerships != (graph.UpsertResult{}) {
		fmt.Fprintf(w, "  partnerships:   %d created, %d updated, %d unchanged\n", r.Partnerships.Created, r.Partnerships.Updated, r.Partnerships.Unchanged)
	}
	if n := sumCounts(r.Skipped); n > 0 {
		fmt.Fprintf(w, "  skipped %d rows:\n", n)
		for _, reason := range slices.Sorted(maps.Keys(r.Skipped)) {
			fmt.Fprintf(w, "    %7d  %s\n", r.Skipped[reason], reason)
		}
	}
	if r.BadCount > 0 {
		fmt.Fprintf(w, "  %d bad rows (left out):\n", r.BadCount)
		for _, e := range r.BadRows {
			fmt.Fprintf(w, "    %v\n", e)
		}
		if more := r.BadCount - len(r.BadRows); more > 0 {
			fmt.Fprintf(w, "    ... and %d more\n", more)
		}
	}
	if r.Resolution != nil {
		r.Resolution.write(w)
	}
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// parseFile starts the report of an import of kind from file and parses
// r with parse, counting the rows read and listing the bad ones in the
// report. The error is parse's: the file could not be read at all.
func parseFile[T any](im *Importer, kind string, r io.Reader, file string, parse func(io.Reader, string) ([]T, []*RowError, int, error)) (*Report, []T, error) {
	rep := newReport(kind, filepath.Base(file))
	r, inBytes := startReading(im.opts.Progress, r, file)
	rows, bad, n, err := parse(r, file)
	if !inBytes {
		im.opts.Progress.Add(n) // the rows read, for "done, 1,469 in 60ms"
	}
	im.opts.Progress.Done()
	if err != nil {
		return rep, nil, err
	}
	rep.Read = n
	for _, e := range bad {
		rep.bad(e)
	}
	return rep, rows, nil
}
