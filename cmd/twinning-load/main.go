// Command twinning-load puts a running twinning API under load and reports
// throughput, latency percentiles and errors. It only talks to a loopback
// address, and it stops by itself: after -n requests or -duration,
// whichever comes first.
//
// Usage:
//
//	twinning-load [flags] -url http://127.0.0.1:8080
//
// Modes:
//
//	suggestions  GET /v1/municipalities/{id}/suggestions for Ukrainian ids
//	             read from the API itself (round robin); every answer must
//	             be 200.
//	malformed    hostile and malformed requests (bad ids, bad numbers,
//	             unknown parameters, Cypher fragments, quotes, control and
//	             bidirectional characters, very long values: those of
//	             internal/hostile.Requests); every answer must be a 4xx.
//	             Afterwards the server must still answer /healthz.
//
// A 5xx, a transport error, (in suggestions mode) any non-200 answer and
// (in malformed mode) a 429, which no handler saw, count as errors, and the
// exit status is 1 when there was any; the report says when the server's
// rate limit refused requests. -rate holds a given load (requests per
// second) instead of the most the server answers.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/samber/lo"
	"golang.org/x/time/rate"

	"github.com/twinning/twinning/internal/hostile"
)

// Bounds of a run, so that a mistyped flag cannot make a runaway load.
const (
	maxRequests = 10_000_000
	maxDuration = 10 * time.Minute
	maxWorkers  = 1024
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	var help helpError
	if errors.As(err, &help) {
		fmt.Print(help.usage)
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "twinning-load:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is an error in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// config is a parsed command line.
type config struct {
	base     *url.URL
	mode     string
	n        int
	duration time.Duration
	timeout  time.Duration
	workers  int
	limit    int
	jsonOut  bool
	rate     float64 // requests per second, 0 for no pacing
}

func parse(args []string) (config, error) {
	fs := flag.NewFlagSet("twinning-load", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	rawURL := fs.String("url", "http://127.0.0.1:8080", "base URL of the API; must be a loopback address")
	mode := fs.String("mode", "suggestions", "suggestions or malformed")
	n := fs.Int("n", 20000, fmt.Sprintf("number of requests, at most %d", maxRequests))
	duration := fs.Duration("duration", 60*time.Second, fmt.Sprintf("stop after this long, at most %v", maxDuration))
	timeout := fs.Duration("timeout", 10*time.Second, fmt.Sprintf("longest wait for one answer, at most %v; a request that takes longer counts as an error", maxDuration))
	workers := fs.Int("c", 8, "concurrent connections")
	limit := fs.Int("limit", 10, "suggestions per request (suggestions mode)")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	perSecond := fs.Float64("rate", 0, "requests per second to hold, all connections together (0: as fast as the server answers); below the server's -rate, none is refused with 429")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, helpError{usage: usageText(fs)}
		}
		return config{}, usageError{err.Error() + " (run twinning-load -h for the flags)"}
	}
	if fs.NArg() > 0 {
		return config{}, usageError{fmt.Sprintf("unexpected arguments %q", fs.Args())}
	}
	c := config{mode: *mode, n: *n, duration: *duration, timeout: *timeout, workers: *workers, limit: *limit, jsonOut: *jsonOut, rate: *perSecond}
	u, err := url.Parse(*rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return config{}, usageError{fmt.Sprintf("-url: want http://HOST:PORT, got %q", *rawURL)}
	}
	if !loopback(u.Hostname()) {
		return config{}, usageError{fmt.Sprintf("-url: %q is not a loopback address; twinning-load only loads a server on this machine", u.Hostname())}
	}
	c.base = u
	switch {
	case c.mode != "suggestions" && c.mode != "malformed":
		return config{}, usageError{fmt.Sprintf("-mode: want suggestions or malformed, got %q", c.mode)}
	case c.n < 1 || c.n > maxRequests:
		return config{}, usageError{fmt.Sprintf("-n: must be between 1 and %d, got %d", maxRequests, c.n)}
	case c.duration <= 0 || c.duration > maxDuration:
		return config{}, usageError{fmt.Sprintf("-duration: must be positive and at most %v, got %v", maxDuration, c.duration)}
	case c.timeout <= 0 || c.timeout > maxDuration:
		return config{}, usageError{fmt.Sprintf("-timeout: must be positive and at most %v, got %v", maxDuration, c.timeout)}
	case c.workers < 1 || c.workers > maxWorkers:
		return config{}, usageError{fmt.Sprintf("-c: must be between 1 and %d, got %d", maxWorkers, c.workers)}
	case c.limit < 1 || c.limit > 100:
		return config{}, usageError{fmt.Sprintf("-limit: must be between 1 and 100, got %d", c.limit)}
	case c.rate < 0 || c.rate > 1e6 || c.rate != c.rate:
		return config{}, usageError{fmt.Sprintf("-rate: must be 0 (as fast as possible) or a number of requests per second up to 1000000, got %v", c.rate)}
	}
	return c, nil
}

// helpError carries the usage text that -h asks for (exit status 0).
type helpError struct{ usage string }

func (e helpError) Error() string { return e.usage }

// usageText is the command's usage: the package doc's gist and the flags.
func usageText(fs *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString("Usage: twinning-load [flags]\n\nPuts a running twinning API on this machine under load and reports throughput,\nlatency and errors (modes: suggestions, malformed). Flags:\n")
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return b.String()
}

// loopback reports whether host is localhost or a loopback IP address.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Report is the outcome of a run.
type Report struct {
	Mode        string         `json:"mode"`
	Requests    int            `json:"requests"`
	Seconds     float64        `json:"seconds"`
	PerSecond   float64        `json:"requests_per_second"`
	P50Ms       float64        `json:"p50_ms"`
	P90Ms       float64        `json:"p90_ms"`
	P99Ms       float64        `json:"p99_ms"`
	MaxMs       float64        `json:"max_ms"`
	ByStatus    map[string]int `json:"by_status"`
	Errors      int            `json:"errors"`
	FirstErrors []string       `json:"first_errors,omitempty"`
	// AliveAfter says whether /healthz answered 200 after the run.
	AliveAfter bool `json:"alive_after"`
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	c, err := parse(args)
	if err != nil {
		return err
	}
	client := &http.Client{
		Timeout: c.timeout,
		Transport: &http.Transport{
			MaxIdleConns:        c.workers,
			MaxIdleConnsPerHost: c.workers,
			IdleConnTimeout:     30 * time.Second,
		},
	}
	var targets []string
	switch c.mode {
	case "suggestions":
		ids, err := ukrainianIDs(ctx, client, c.base)
		if err != nil {
			return err
		}
		for _, id := range ids {
			targets = append(targets, c.base.JoinPath("/v1/municipalities", id, "suggestions").String()+fmt.Sprintf("?limit=%d", c.limit))
		}
	case "malformed":
		targets = hostile.Requests(c.base)
	}
	rep := load(ctx, client, c, targets)
	rep.AliveAfter = alive(ctx, client, c.base)
	if c.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printReport(stdout, rep)
	}
	switch {
	case rep.Errors > 0:
		return fmt.Errorf("%d of %d requests failed", rep.Errors, rep.Requests)
	case !rep.AliveAfter:
		return errors.New("the server did not answer /healthz after the run")
	}
	return nil
}

// ukrainianIDs reads the ids of Ukrainian municipalities from the API.
func ukrainianIDs(ctx context.Context, client *http.Client, base *url.URL) ([]string, error) {
	u := base.JoinPath("/v1/municipalities")
	u.RawQuery = "country=UA&limit=200"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading Ukrainian municipalities from %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading Ukrainian municipalities from %s: status %s", u, resp.Status)
	}
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return nil, fmt.Errorf("reading Ukrainian municipalities from %s: %w", u, err)
	}
	var ids []string
	for _, it := range page.Items {
		ids = append(ids, it.ID)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s lists no Ukrainian municipality", u)
	}
	return ids, nil
}

// load sends the targets round robin from c.workers goroutines until
// c.n requests have been sent or c.duration has passed.
func load(ctx context.Context, client *http.Client, c config, targets []string) Report {
	ctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	var (
		next   atomic.Int64
		mu     sync.Mutex
		lat    = make([]time.Duration, 0, min(c.n, 1<<20))
		status = map[string]int{}
		errs   int
		first  []string
		wg     sync.WaitGroup
	)
	record := func(d time.Duration, code string, failure string) {
		mu.Lock()
		defer mu.Unlock()
		lat = append(lat, d)
		status[code]++
		if failure != "" {
			errs++
			if len(first) < 10 {
				first = append(first, failure)
			}
		}
	}
	var pace *rate.Limiter
	if c.rate > 0 {
		pace = rate.NewLimiter(rate.Limit(c.rate), 1)
	}
	start := time.Now()
	for range c.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if pace != nil && pace.Wait(ctx) != nil {
					return // the run's deadline
				}
				i := next.Add(1) - 1
				if i >= int64(c.n) {
					return
				}
				target := targets[int(i)%len(targets)]
				t0 := time.Now()
				code, failure := send(ctx, client, c.mode, target)
				if ctx.Err() != nil && code == "transport" {
					return // cut off by the deadline: not the server's fault
				}
				record(time.Since(t0), code, failure)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	rep := Report{Mode: c.mode, Requests: len(lat), Seconds: elapsed.Seconds(), ByStatus: status, Errors: errs, FirstErrors: first}
	if len(lat) > 0 {
		rep.PerSecond = float64(len(lat)) / elapsed.Seconds()
		rep.P50Ms = ms(percentile(lat, 0.50))
		rep.P90Ms = ms(percentile(lat, 0.90))
		rep.P99Ms = ms(percentile(lat, 0.99))
		rep.MaxMs = ms(lat[len(lat)-1])
	}
	return rep
}

// send makes one request and returns its status ("200", ..., or
// "transport") and a description of the failure, "" when it is not one.
func send(ctx context.Context, client *http.Client, mode, target string) (string, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return "transport", err.Error()
	}
	resp, err := client.Do(req)
	if err != nil {
		return "transport", err.Error()
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	code := fmt.Sprint(resp.StatusCode)
	short := target
	if len(short) > 160 {
		short = short[:160] + "…"
	}
	switch {
	case resp.StatusCode >= 500:
		return code, fmt.Sprintf("%s: %s", short, resp.Status)
	case mode == "suggestions" && resp.StatusCode != http.StatusOK:
		return code, fmt.Sprintf("%s: %s", short, resp.Status)
	case mode == "malformed" && resp.StatusCode == http.StatusTooManyRequests:
		// Refused by the rate limit: the hostile request never reached a
		// handler, so it proves nothing.
		return code, fmt.Sprintf("%s: %s, refused by the rate limit before any handler saw it", short, resp.Status)
	case mode == "malformed" && resp.StatusCode < 400:
		return code, fmt.Sprintf("%s: %s, want a 4xx", short, resp.Status)
	}
	return code, ""
}

// alive reports whether the server answers /healthz with 200.
func alive(ctx context.Context, client *http.Client, base *url.URL) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath("/healthz").String(), nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// percentile returns the q-quantile of sorted (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func printReport(w io.Writer, r Report) {
	fmt.Fprintf(w, "mode %s: %d requests in %.2f s: %.0f requests/s\n", r.Mode, r.Requests, r.Seconds, r.PerSecond)
	fmt.Fprintf(w, "latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", r.P50Ms, r.P90Ms, r.P99Ms, r.MaxMs)
	codes := lo.Keys(r.ByStatus)
	slices.Sort(codes)
	parts := lo.Map(codes, func(k string, _ int) string { return fmt.Sprintf("%s: %d", k, r.ByStatus[k]) })
	fmt.Fprintf(w, "statuses %s\n", strings.Join(parts, ", "))
	if n := r.ByStatus["429"]; n > 0 {
		fmt.Fprintf(w, "the server's rate limit refused %d of %d requests (429): start it with -rate 0, or hold a rate below its limit with -rate here\n", n, r.Requests)
	}
	fmt.Fprintf(w, "errors %d; server alive after the run: %v\n", r.Errors, r.AliveAfter)
	for _, e := range r.FirstErrors {
		fmt.Fprintf(w, "  %s\n", e)
	}
}
