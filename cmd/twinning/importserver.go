package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/internal/importer"
)

// importPoll is how often importToServer asks how an import goes.
var importPoll = 500 * time.Millisecond

// importToServer sends files to a running server's POST
// /v1/admin/imports, one import after another, and follows each until it
// ends, printing its progress to stderr and its report to stdout.
func importToServer(ctx context.Context, kind string, files []string, f *importFlags, stdout, stderr io.Writer) error {
	server, key := f.server, f.key
	if kind == "all" {
		return usageError{"import all reads a folder on this machine; with -server, send its files one kind at a time (see the README's Open data)"}
	}
	if key == "" {
		return usageError{"-server needs -key: an admin key of that server (twinning keys create -role admin)"}
	}
	base, err := url.Parse(strings.TrimSuffix(server, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return usageError{fmt.Sprintf("-server: %q is not http://HOST:PORT", server)}
	}
	if kind == "lau" {
		if files, err = importer.LAUFiles(files); err != nil {
			return err
		}
	} else if len(files) > 1 {
		return usageError{fmt.Sprintf("import %s reads one FILE, got %d", kind, len(files))}
	}
	for _, file := range files {
		st, err := sendImport(ctx, base, key, kind, file, f)
		if err != nil {
			return fmt.Errorf("import %s to %s: %w", kind, server, err)
		}
		fmt.Fprintf(stderr, "twinning: %s accepted as import %s (%d bytes); following it\n", file, st.ID, st.Bytes)
		if st, err = followImport(ctx, base, key, st, stderr); err != nil {
			return fmt.Errorf("import %s to %s: %w", kind, server, err)
		}
		fmt.Fprint(stdout, st.Report)
		fmt.Fprintf(stdout, "import %s: %s, %d batches (%d rows) written\n", st.ID, st.State, st.BatchesWritten, st.RowsWritten)
		if st.State != api.ImportDone {
			return fmt.Errorf("import %s of %s %s: %s", st.ID, file, st.State, st.Error)
		}
	}
	return nil
}

// sendImport posts one file, streamed: as the body, or as multipart parts
// when a geonames dump goes with its tables.
func sendImport(ctx context.Context, base *url.URL, key, kind, file string, opts *importFlags) (api.ImportStatus, error) {
	var st api.ImportStatus
	q := url.Values{"kind": {kind}, "name": {filepath.Base(file)}}
	if opts.strict {
		q.Set("strict", "true")
	}
	if opts.createMissing {
		q.Set("create_missing", "true")
	}
	if opts.batch > 0 {
		q.Set("batch", strconv.Itoa(opts.batch))
	}
	if opts.countries != "" {
		q.Set("countries", opts.countries)
	}
	parts := [][2]string{{"file", file}}
	if opts.countryInfo != "" {
		parts = append(parts, [2]string{"country_info", opts.countryInfo})
	}
	if opts.admin1 != "" {
		parts = append(parts, [2]string{"admin1", opts.admin1})
	}
	for _, p := range parts { // before anything is sent
		if _, err := os.Stat(p[1]); err != nil {
			return st, err
		}
	}
	var body io.Reader
	contentType := "application/octet-stream"
	var size int64 = -1
	if len(parts) == 1 {
		f, err := os.Open(file)
		if err != nil {
			return st, err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return st, err
		}
		body, size = f, fi.Size()
	} else {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		contentType = mw.FormDataContentType()
		go func() {
			var err error
			for _, p := range parts {
				if err != nil {
					break
				}
				var w io.Writer
				var f *os.File
				if w, err = mw.CreateFormFile(p[0], filepath.Base(p[1])); err == nil {
					if f, err = os.Open(p[1]); err == nil {
						_, err = io.Copy(w, f)
						f.Close()
					}
				}
			}
			if err == nil {
				err = mw.Close()
			}
			pw.CloseWithError(err)
		}()
		body = pr
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.String()+"/v1/admin/imports?"+q.Encode(), body)
	if err != nil {
		return st, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, decodeAnswer(resp, http.StatusAccepted, &st)
}

// followImport asks for the import's status until it ends, printing its
// stage to stderr when it changes.
func followImport(ctx context.Context, base *url.URL, key string, st api.ImportStatus, stderr io.Writer) (api.ImportStatus, error) {
	last := ""
	for st.Finished == nil {
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("stopped following import %s, which goes on on the server (DELETE /v1/admin/imports/%s cancels it): %w", st.ID, st.ID, ctx.Err())
		case <-time.After(importPoll):
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+"/v1/admin/imports/"+st.ID, nil)
		if err != nil {
			return st, err
		}
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return st, err
		}
		err = decodeAnswer(resp, http.StatusOK, &st)
		resp.Body.Close()
		if err != nil {
			return st, err
		}
		line := st.State
		if st.Stage != "" {
			line = fmt.Sprintf("%s: %s", st.State, st.Stage)
			if st.StageTotal > 0 {
				line += fmt.Sprintf(" %d%%", 100*st.StageDone/st.StageTotal)
			}
		}
		line += fmt.Sprintf(", %d batches written", st.BatchesWritten)
		if line != last {
			fmt.Fprintf(stderr, "twinning: import %s %s\n", st.ID, line)
			last = line
		}
	}
	return st, nil
}

// decodeAnswer decodes a JSON answer of status want into v, or returns the
// problem the server answered.
func decodeAnswer(resp *http.Response, want int, v any) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		var p api.Problem
		if json.Unmarshal(body, &p) == nil && p.Detail != "" {
			return fmt.Errorf("the server answered %s: %s", resp.Status, p.Detail)
		}
		return fmt.Errorf("the server answered %s: %s", resp.Status, bytes.TrimSpace(body[:min(len(body), 300)]))
	}
	return json.Unmarshal(body, v)
}
