package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/twinning/twinning/internal/datafetch"
	"github.com/twinning/twinning/internal/importer"
)

// WikidataEndpoint is the Wikidata Query Service's SPARQL endpoint.
const WikidataEndpoint = "https://query.wikidata.org/sparql"

// maxFetchBytes bounds an answer of the query service (the twinning pairs
// of Ukrainian municipalities are a few MB).
const maxFetchBytes = 256 << 20

// runFetch downloads open data that the importers read: "twinning fetch
// wikidata -o FILE".
func runFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "wikidata" {
		return usageError{"fetch needs a source: wikidata (the Wikidata query of twinned municipalities, for twinning import wikidata)"}
	}
	fs := newFlagSet("fetch wikidata", "-o FILE", stderr)
	out := fs.String("o", "wikidata.json", "the file to write the SPARQL JSON results to; replaced only once a new answer is read whole and parses")
	endpoint := fs.String("endpoint", WikidataEndpoint, "the SPARQL endpoint")
	timeout := fs.Duration("timeout", 5*time.Minute, "longest wait for one answer")
	retries := fs.Int("retries", 4, "tries after the first when the service is busy (429, 5xx) or unreachable, with backoff")
	rest, err := parseFlags(fs, args[1:], nil)
	if err != nil {
		return err
	}
	if err := wantArgs(rest); err != nil {
		return err
	}
	if *retries < 0 || *timeout <= 0 {
		return usageError{"-retries must be 0 or more and -timeout more than 0"}
	}
	start := time.Now()
	body, err := fetchSPARQL(ctx, *endpoint, importer.WikidataQuery, *timeout, *retries, stderr)
	if err != nil {
		return fmt.Errorf("fetch wikidata: %w", err)
	}
	rows, bad, n, err := importer.ParseWikidata(bytes.NewReader(body), *out)
	if err != nil {
		return fmt.Errorf("fetch wikidata: the answer is not what import wikidata reads, %s is left as it was: %w", *out, err)
	}
	if err := writeFileAtomically(*out, func(w io.Writer) error { _, err := w.Write(body); return err }); err != nil {
		return fmt.Errorf("fetch wikidata: %w", err)
	}
	fmt.Fprintf(stdout, "fetch wikidata: %d pairs (%d usable, %d bad) from %s in %v, written to %s; import them with: twinning import wikidata %s\n",
		n, len(rows), len(bad), *endpoint, time.Since(start).Round(time.Millisecond), *out, *out)
	return nil
}

// fetchSPARQL runs query at endpoint and returns the JSON results, trying
// again after a busy answer (429, 5xx, honouring Retry-After) or a failed
// connection, with a doubling backoff from a second.
func fetchSPARQL(ctx context.Context, endpoint, query string, timeout time.Duration, retries int, stderr io.Writer) ([]byte, error) {
	var body []byte
	err := datafetch.Retry(ctx, retries, time.Second, stderr, func() (time.Duration, error) {
		var after time.Duration
		var err error
		body, after, err = fetchOnce(ctx, endpoint, query, timeout)
		return after, err
	})
	return body, err
}

// fetchOnce sends the query once.
func fetchOnce(ctx context.Context, endpoint, query string, timeout time.Duration) ([]byte, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	form := url.Values{"query": {query}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewBufferString(form.Encode()))
	if err != nil {
		return nil, 0, datafetch.Final(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/sparql-results+json")
	// The query service asks every client to say who it is.
	req.Header.Set("User-Agent", "twinning/"+versionLine()[len("twinning "):]+" (twinning partner finder; twinning fetch wikidata)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchBytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("reading the answer of %s: %w", endpoint, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK && len(body) > maxFetchBytes:
		return nil, 0, datafetch.Final(fmt.Errorf("%s answered more than %d MB", endpoint, maxFetchBytes>>20))
	case resp.StatusCode == http.StatusOK:
		return body, 0, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		after, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return nil, time.Duration(after) * time.Second, fmt.Errorf("%s answered %s", endpoint, resp.Status)
	}
	return nil, 0, datafetch.Final(fmt.Errorf("%s answered %s: %s", endpoint, resp.Status, bytes.TrimSpace(body[:min(len(body), 300)])))
}
