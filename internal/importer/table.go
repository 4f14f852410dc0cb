package importer

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/samber/lo"
)

// bom is the UTF-8 byte-order mark some tools put at the start of a file.
const bom = "\ufeff"

// csvTable reads a CSV file with a header line and gives access to fields
// by column name.
type csvTable struct {
	file   string
	r      *csv.Reader
	header []string
	col    map[string]int
}

// newCSVTable reads the header and checks that every required column is
// there.
func newCSVTable(r io.Reader, file string, required ...string) (*csvTable, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if head, err := br.Peek(len(bom)); err == nil && string(head) == bom {
		_, _ = br.Discard(len(bom))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // rows are checked one by one, to report and go on
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &RowError{File: file, Line: 1, Message: "the file is empty, expected a header line"}
	}
	if err != nil {
		return nil, &RowError{File: file, Line: 1, Message: fmt.Sprintf("unreadable header: %v", csvCause(err))}
	}
	t := &csvTable{file: file, r: cr, header: header, col: make(map[string]int, len(header))}
	for i, h := range header {
		t.col[strings.TrimSpace(h)] = i
	}
	missing := lo.Reject(required, func(name string, _ int) bool { _, ok := t.col[name]; return ok })
	if len(missing) > 0 {
		return nil, &RowError{File: file, Line: 1, Message: fmt.Sprintf("header lacks column(s) %s (expected at least %s)", strings.Join(missing, ", "), strings.Join(required, ","))}
	}
	return t, nil
}

// next returns the next row and its line, a *RowError for a row that
// cannot be read or has the wrong number of fields, or io.EOF.
func (t *csvTable) next() (row csvRow, err error) {
	fields, err := t.r.Read()
	if err == io.EOF {
		return csvRow{}, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return csvRow{}, &RowError{File: t.file, Line: pe.StartLine, Message: fmt.Sprintf("unreadable CSV: %v", csvCause(err))}
	}
	if err != nil {
		return csvRow{}, fmt.Errorf("read %s: %w", t.file, err)
	}
	line, _ := t.r.FieldPos(0)
	row = csvRow{t: t, fields: fields, pos: Pos{File: t.file, Line: line}}
	if len(fields) != len(t.header) {
		return row, rowErrorf(row.pos, "", "has %d columns, expected %d as in the header", len(fields), len(t.header))
	}
	return row, nil
}

func csvCause(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// csvRow is one data row of a csvTable.
type csvRow struct {
	t      *csvTable
	fields []string
	pos    Pos
}

// get returns the trimmed value of the named column, "" when the table
// has no such column.
func (r csvRow) get(name string) string {
	i, ok := r.t.col[name]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// isMissing reports whether a value marks a missing value.
func isMissing(s string) bool { return s == "" || s == "NA" || s == "N/A" || s == "NaN" }

// parseFloat parses a finite number.
func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// fieldReader collects the first error met while reading the fields of one
// row, so that a parser can read every field and check once.
type fieldReader struct {
	pos Pos
	err *RowError
}

func (f *fieldReader) fail(column, format string, args ...any) {
	if f.err == nil {
		f.err = rowErrorf(f.pos, column, format, args...)
	}
}

// required returns the value, or records an error when it is missing.
func (f *fieldReader) required(column, value string) string {
	if isMissing(value) {
		f.fail(column, "is empty, expected a value")
	}
	return value
}

// float returns the number in value, 0 when it is missing and optional.
func (f *fieldReader) float(column, value string, optional bool) float64 {
	if isMissing(value) {
		if !optional {
			f.fail(column, "is empty, expected a number")
		}
		return 0
	}
	v, ok := parseFloat(value)
	if !ok {
		f.fail(column, "%q is not a number", value)
	}
	return v
}

// flag reads a 0/1 column; an absent column or a missing value reads as
// false.
func (f *fieldReader) flag(column, value string) bool {
	switch {
	case value == "1":
		return true
	case value == "0" || isMissing(value):
		return false
	}
	f.fail(column, "%q is not 0 or 1", value)
	return false
}

// count returns the non-negative whole number in value, 0 when missing.
// Whole numbers written as floats ("1234.0") are accepted.
func (f *fieldReader) count(column, value string) int64 {
	if isMissing(value) {
		return 0
	}
	if n, err := strconv.ParseInt(value, 10, 64); err == nil {
		if n < 0 {
			f.fail(column, "%q is negative, expected a count", value)
		}
		return n
	}
	v, ok := parseFloat(value)
	if !ok || v < 0 || v != math.Trunc(v) || v > 1e12 {
		f.fail(column, "%q is not a whole number of 0 or more", value)
		return 0
	}
	return int64(v)
}

// area returns a non-negative area, 0 when missing.
func (f *fieldReader) area(column, value string) float64 {
	v := f.float(column, value, true)
	if v < 0 {
		f.fail(column, "%q is negative, expected an area in km²", value)
		return 0
	}
	return v
}

// latLon returns a position checked against the WGS 84 ranges.
func (f *fieldReader) latLon(latCol, lat, lonCol, lon string) (float64, float64) {
	la := f.float(latCol, lat, false)
	lo := f.float(lonCol, lon, false)
	if f.err == nil && !(la >= -90 && la <= 90) {
		f.fail(latCol, "%q is not a latitude in [-90, 90]", lat)
	}
	if f.err == nil && !(lo >= -180 && lo <= 180) {
		f.fail(lonCol, "%q is not a longitude in [-180, 180]", lon)
	}
	return la, lo
}

// readCSV reads a CSV file whose header has the required columns and
// turns each data row into a T with parse: it returns the rows that
// parse, a RowError per row that does not (or that the CSV reader
// rejects), and the number of data rows read. An error is returned only
// when the file cannot be read at all or lacks a required column.
func readCSV[T any](r io.Reader, file string, columns []string, parse func(csvRow) (T, *RowError)) ([]T, []*RowError, int, error) {
	t, err := newCSVTable(r, filepath.Base(file), columns...)
	if err != nil {
		return nil, nil, 0, err
	}
	var out []T
	var bad []*RowError
	n := 0
	for {
		row, err := t.next()
		if err == io.EOF {
			break
		}
		n++
		var re *RowError
		if errors.As(err, &re) {
			bad = append(bad, re)
			continue
		}
		if err != nil {
			return nil, nil, n, err
		}
		v, re := parse(row)
		if re != nil {
			bad = append(bad, re)
			continue
		}
		out = append(out, v)
	}
	return out, bad, n, nil
}
