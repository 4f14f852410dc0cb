// Package datafetch downloads the open data that the importers read, from
// its publishers' addresses, into a folder laid out as "twinning import
// all" expects. A download resumes where an earlier one stopped, is tried
// again with backoff when the publisher is busy or the connection drops,
// and replaces the old file only once it reads whole in the importer's
// format; a manifest in the folder records every file's source, address,
// date, size and SHA-256.
package datafetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/twinning/twinning/internal/importer"
)

// ManifestFile is the manifest's name in the data folder.
const ManifestFile = "manifest.tsv"

// partDir holds the downloads under way, in the data folder.
const partDir = ".fetch"

// A Fetcher downloads sources into a data folder.
type Fetcher struct {
	// Client sends the requests (http.DefaultClient when nil).
	Client *http.Client
	// UserAgent says who asks.
	UserAgent string
	// Retries is how many times a download is tried again after a busy
	// answer (429, 5xx) or a dropped connection.
	Retries int
	// Backoff is the first wait before trying again; it doubles, up to a
	// minute, unless the publisher's Retry-After says otherwise.
	Backoff time.Duration
	// Mirror, when set, is asked in place of the publishers: a source at
	// https://HOST/PATH is read from Mirror/HOST/PATH.
	Mirror string
	// Progress follows each download (importer.NopProgress when nil).
	Progress importer.Progress
	// Log receives a line for every retry (nothing when nil).
	Log io.Writer
	// Now is the clock of the manifest's dates (time.Now when nil).
	Now func() time.Time
}

// An Entry is one file of the manifest.
type Entry struct {
	Source       string    // the Source's name
	File         string    // the file in the folder, slash-separated
	Address      string    // where it was downloaded from
	Fetched      time.Time // when it was downloaded
	Size         int64     // the size of the download, in bytes
	SHA256       string    // the SHA-256 of the download, in hex
	FileSize     int64     // the size of File, as converted (= Size when not)
	FileSHA256   string    // the SHA-256 of File, in hex
	ETag         string    // the publisher's ETag, if any
	LastModified string    // the publisher's Last-Modified, if any
}

// The statuses of a Result.
const (
	StatusNew       = "new"       // the file was not in the folder
	StatusUpdated   = "updated"   // the file was replaced by a different one
	StatusUnchanged = "unchanged" // the publisher has the same file
)

// A Result is what Fetch did with one source.
type Result struct {
	Entry
	Status  string // StatusNew, StatusUpdated or StatusUnchanged
	Records int    // the records the file holds, by its importer's count
	Err     error  // why the source failed (the old file is left as it was)
}

// Fetch downloads every source into dir, one at a time, and returns what
// it did with each. A source that fails leaves its old file and manifest
// entry as they were and does not stop the others; the error returned
// names every source that failed. The manifest is rewritten (atomically)
// after every file that changes, so it always describes the folder.
func (f *Fetcher) Fetch(ctx context.Context, dir string, srcs []Source) ([]Result, error) {
	manifest, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	var results []Result
	var failed []error
	for i, src := range srcs {
		if ctx.Err() != nil {
			return results, fmt.Errorf("interrupted after %d of %d sources (a download under way is kept, to resume): %w", i, len(srcs), ctx.Err())
		}
		res := f.fetchOne(ctx, dir, src, manifest[src.Name])
		results = append(results, res)
		if res.Err != nil {
			failed = append(failed, fmt.Errorf("%s (%s): %w", src.Name, res.Address, res.Err))
			continue
		}
		if res.Status != StatusUnchanged || manifest[src.Name] != res.Entry {
			manifest[src.Name] = res.Entry
			if err := WriteManifest(dir, manifest); err != nil {
				return results, err
			}
		}
	}
	os.Remove(filepath.Join(dir, partDir)) // kept only while it holds a download to resume
	if len(failed) > 0 {
		return results, fmt.Errorf("%d of %d sources failed, their old files are left as they were:\n%w", len(failed), len(srcs), errors.Join(failed...))
	}
	return results, nil
}

// address is where src is asked for: its URL, or the mirror's copy.
func (f *Fetcher) address(raw string) (string, error) {
	if f.Mirror == "" {
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(f.Mirror, "/") + "/" + u.Host + u.EscapedPath(), nil
}

// fetchOne downloads, converts, checks and puts in place one source.
func (f *Fetcher) fetchOne(ctx context.Context, dir string, src Source, prev Entry) Result {
	res := Result{Entry: Entry{Source: src.Name, File: src.File}}
	address, err := f.address(src.URL)
	if err != nil {
		res.Err = err
		return res
	}
	res.Address = address
	target := filepath.Join(dir, filepath.FromSlash(src.File))
	_, statErr := os.Stat(target)
	exists := statErr == nil
	if !exists || prev.Address != address {
		prev = Entry{} // no validators to send: the file must come whole
	}
	if err := os.MkdirAll(filepath.Join(dir, partDir), 0o755); err != nil {
		res.Err = err
		return res
	}
	part := filepath.Join(dir, partDir, src.Name+".part")
	got, err := f.download(ctx, address, part, prev)
	if err != nil {
		res.Err = err
		return res
	}
	if got.notModified {
		res.Entry = prev
		res.Status = StatusUnchanged
		res.Records = -1
		return res
	}
	defer os.Remove(part)
	defer os.Remove(part + ".validator")
	size, sum, err := fileSum(part)
	if err != nil {
		res.Err = err
		return res
	}
	res.Fetched = f.now().UTC().Truncate(time.Second)
	res.Size, res.SHA256, res.ETag, res.LastModified = size, sum, got.etag, got.lastModified
	switch {
	case !exists:
		res.Status = StatusNew
	case prev.SHA256 == sum:
		res.Status = StatusUnchanged
	default:
		res.Status = StatusUpdated
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		res.Err = err
		return res
	}
	res.Records, res.FileSize, res.FileSHA256, res.Err = install(part, target, src)
	return res
}

// install converts the download at part into the importer's layout in a
// temporary file beside target, checks it, and only then renames it over
// target. It returns the check's count of records and the file's size and
// SHA-256.
func install(part, target string, src Source) (int, int64, string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*")
	if err != nil {
		return 0, 0, "", err
	}
	defer os.Remove(tmp.Name())
	if src.Convert != nil {
		err = src.Convert(part, tmp)
	} else {
		var in *os.File
		if in, err = os.Open(part); err == nil {
			_, err = io.Copy(tmp, in)
			in.Close()
		}
	}
	err = errors.Join(err, tmp.Chmod(0o644), tmp.Close())
	if err != nil {
		return 0, 0, "", fmt.Errorf("%s: %w", src.File, err)
	}
	n := 0
	if src.Check != nil {
		in, err := os.Open(tmp.Name())
		if err != nil {
			return 0, 0, "", err
		}
		n, err = src.Check(in, filepath.Base(target))
		in.Close()
		if err != nil {
			return 0, 0, "", fmt.Errorf("the download is not in the format that the importer reads, so %s is left as it was: %w", src.File, err)
		}
	}
	size, sum, err := fileSum(tmp.Name())
	if err != nil {
		return 0, 0, "", err
	}
	return n, size, sum, os.Rename(tmp.Name(), target)
}

// fetched is what a download got.
type fetched struct {
	notModified        bool
	etag, lastModified string
}

// request is the GET of address: resuming after have bytes if the file is
// still the one validator names, else asking whether the one of the
// manifest (prev) changed.
func (f *Fetcher) request(ctx context.Context, address string, have int64, validator string, prev Entry) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
	if err != nil {
		return nil, err
	}
	if f.UserAgent != "" {
		req.Header.Set("User-Agent", f.UserAgent)
	}
	switch {
	case have > 0:
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
		req.Header.Set("If-Range", validator) // the whole file again if it changed since
	case prev.ETag != "":
		req.Header.Set("If-None-Match", prev.ETag)
	case prev.LastModified != "":
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	return req, nil
}

// finalError is an answer that trying again will not change.
type finalError struct{ error }

// Unwrap returns the error.
func (e finalError) Unwrap() error { return e.error }

// download gets address into the file part, resuming a download that an
// earlier try or run left there, and trying again after busy answers and
// dropped connections.
func (f *Fetcher) download(ctx context.Context, address, part string, prev Entry) (fetched, error) {
	var got fetched
	err := Retry(ctx, f.Retries, f.backoff(), f.Log, func() (time.Duration, error) {
		var after time.Duration
		var err error
		got, after, err = f.get(ctx, address, part, prev)
		return after, err
	})
	return got, err
}

func (f *Fetcher) backoff() time.Duration {
	if f.Backoff > 0 {
		return f.Backoff
	}
	return time.Second
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// Retry calls try until it succeeds, fails with an error that trying again
// will not change (one wrapped by Final), or has been tried retries times
// after the first; between tries it waits first, doubling up to a minute,
// or as long as try asks (a Retry-After). Each retry is logged to log.
func Retry(ctx context.Context, retries int, first time.Duration, log io.Writer, try func() (time.Duration, error)) error {
	wait := first
	for n := 0; ; n++ {
		after, err := try()
		if err == nil {
			return nil
		}
		var final finalError
		if errors.As(err, &final) || n >= retries || ctx.Err() != nil {
			return err
		}
		if after > 0 {
			wait = after
		}
		if log != nil {
			fmt.Fprintf(log, "twinning: %v; trying again in %v (%d of %d)\n", err, wait, n+1, retries)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// Final marks err as one that trying again will not change, for Retry.
func Final(err error) error { return finalError{err} }

// get sends one request for address and appends or writes its body to
// part. It returns how long the publisher asks to wait (Retry-After) with
// an error worth trying again.
func (f *Fetcher) get(ctx context.Context, address, part string, prev Entry) (fetched, time.Duration, error) {
	var got fetched
	have := int64(0)
	if fi, err := os.Stat(part); err == nil {
		have = fi.Size()
	}
	saved, _ := os.ReadFile(part + ".validator")
	validator := strings.TrimSpace(string(saved))
	if have > 0 && (validator == "" || strings.HasPrefix(validator, "W/")) {
		// Without a strong validator a resumed download could join two
		// versions of the file: start again.
		os.Remove(part)
		have = 0
	}
	req, err := f.request(ctx, address, have, validator, prev)
	if err != nil {
		return got, 0, Final(err)
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return got, 0, err
	}
	defer resp.Body.Close()
	got.etag, got.lastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	var out *os.File
	switch resp.StatusCode {
	case http.StatusNotModified:
		got.notModified = true
		return got, 0, nil
	case http.StatusOK:
		v := got.etag
		if v == "" {
			v = got.lastModified
		}
		if err = os.WriteFile(part+".validator", []byte(v), 0o644); err == nil {
			out, err = os.Create(part)
		}
		have = 0
	case http.StatusPartialContent:
		start, _ := contentRange(resp.Header.Get("Content-Range"))
		if start != have {
			os.Remove(part)
			return got, 0, fmt.Errorf("%s resumed at byte %d, not %d; starting again", address, start, have)
		}
		out, err = os.OpenFile(part, os.O_WRONLY|os.O_APPEND, 0)
	case http.StatusRequestedRangeNotSatisfiable:
		if _, total := contentRange(resp.Header.Get("Content-Range")); total == have {
			// An earlier try got it all; the validator is the one it saved.
			got.etag, got.lastModified = "", ""
			if strings.HasPrefix(validator, `"`) {
				got.etag = validator
			} else {
				got.lastModified = validator
			}
			return got, 0, nil
		}
		os.Remove(part)
		return got, 0, fmt.Errorf("%s has no byte %d; starting again", address, have)
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		after, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return got, time.Duration(after) * time.Second, fmt.Errorf("%s answered %s", address, resp.Status)
	default:
		return got, 0, Final(fmt.Errorf("%s answered %s", address, resp.Status))
	}
	if err != nil {
		return got, 0, Final(err)
	}
	p := f.Progress
	if p == nil {
		p = importer.NopProgress{}
	}
	total := int64(0)
	if resp.ContentLength >= 0 {
		total = have + resp.ContentLength
	}
	p.StartBytes("download "+filepath.Base(strings.TrimSuffix(part, ".part")), total)
	p.Add(int(have))
	n, err := io.Copy(progressWriter{out, p}, resp.Body)
	defer p.Done()
	if err = errors.Join(err, out.Close()); err != nil {
		return got, 0, fmt.Errorf("%s: the connection dropped after %d bytes (kept, to resume): %w", address, have+n, err)
	}
	if resp.ContentLength >= 0 && n < resp.ContentLength {
		return got, 0, fmt.Errorf("%s: the connection dropped after %d of %d bytes (kept, to resume): %w", address, have+n, total, io.ErrUnexpectedEOF)
	}
	return got, 0, nil
}
