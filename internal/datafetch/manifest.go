package datafetch

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/samber/lo"

	"github.com/twinning/twinning/internal/importer"
)

// manifestHeader are the manifest's columns.
// size and sha256 are the download's, as the publisher serves it (a zip,
// a JSON); file_size and file_sha256 the file's, as the importer reads it.
var manifestHeader = []string{"source", "file", "address", "fetched", "size", "sha256", "file_size", "file_sha256", "etag", "last_modified"}

// ReadManifest reads the manifest of the data folder dir, by source name;
// a folder without one has an empty manifest.
func ReadManifest(dir string) (map[string]Entry, error) {
	path := filepath.Join(dir, ManifestFile)
	out := map[string]Entry{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if line == 1 {
			if !slices.Equal(cols, manifestHeader) {
				return nil, fmt.Errorf("%s:1: the header is not %s", path, strings.Join(manifestHeader, "<TAB>"))
			}
			continue
		}
		if len(cols) != len(manifestHeader) {
			return nil, fmt.Errorf("%s:%d: %d columns, expected %d", path, line, len(cols), len(manifestHeader))
		}
		fetched, err := time.Parse(time.RFC3339, cols[3])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: field fetched: %q is not an RFC 3339 time", path, line, cols[3])
		}
		var sizes [2]int64
		for i, col := range []int{4, 6} {
			if sizes[i], err = strconv.ParseInt(cols[col], 10, 64); err != nil || sizes[i] < 0 {
				return nil, fmt.Errorf("%s:%d: field %s: %q is not a number of bytes", path, line, manifestHeader[col], cols[col])
			}
		}
		out[cols[0]] = Entry{Source: cols[0], File: cols[1], Address: cols[2], Fetched: fetched, Size: sizes[0], SHA256: cols[5],
			FileSize: sizes[1], FileSHA256: cols[7], ETag: cols[8], LastModified: cols[9]}
	}
	return out, sc.Err()
}

// WriteManifest writes the manifest of dir, one line a source in the order
// of their names, replacing the old one atomically.
func WriteManifest(dir string, m map[string]Entry) error {
	tmp, err := os.CreateTemp(dir, "."+ManifestFile+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	fmt.Fprintln(w, strings.Join(manifestHeader, "\t"))
	names := lo.Keys(m)
	slices.Sort(names)
	for _, name := range names {
		e := m[name]
		fmt.Fprintln(w, strings.Join([]string{e.Source, e.File, e.Address, e.Fetched.UTC().Format(time.RFC3339),
			strconv.FormatInt(e.Size, 10), e.SHA256, strconv.FormatInt(e.FileSize, 10), e.FileSHA256, clean(e.ETag), clean(e.LastModified)}, "\t"))
	}
	err = errors.Join(w.Flush(), tmp.Chmod(0o644), tmp.Close())
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, ManifestFile))
}

// clean keeps a header value on its manifest line.
func clean(s string) string { return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s) }

// fileSum returns the size and SHA-256 (hex) of the file at path.
func fileSum(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return n, hex.EncodeToString(h.Sum(nil)), err
}

// progressWriter writes to w and counts the bytes on p.
type progressWriter struct {
	w io.Writer
	p importer.Progress
}

// Write writes b to the file and advances the progress.
func (pw progressWriter) Write(b []byte) (int, error) {
	n, err := pw.w.Write(b)
	pw.p.Add(n)
	return n, err
}

// contentRange reads a Content-Range header ("bytes 100-199/200" or
// "bytes */200"): the first byte (-1 for "*") and the total (-1 if unknown).
func contentRange(h string) (start, total int64) {
	start, total = -1, -1
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes ")
	if !ok {
		return
	}
	rng, tot, _ := strings.Cut(spec, "/")
	if t, err := strconv.ParseInt(tot, 10, 64); err == nil {
		total = t
	}
	if first, _, ok := strings.Cut(rng, "-"); ok {
		if s, err := strconv.ParseInt(first, 10, 64); err == nil {
			start = s
		}
	}
	return
}
