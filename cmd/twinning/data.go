package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"text/tabwriter"
	"time"

	"github.com/twinning/twinning/internal/datafetch"
	"github.com/twinning/twinning/internal/importer"
)

// runData manages a folder of open data: "twinning data fetch DIR"
// downloads every source that "twinning import all DIR" reads.
func runData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "fetch" {
		return usageError{"data needs an action: fetch (download the open data into a folder, for twinning import all)"}
	}
	fs := newFlagSet("data fetch", "DIR", stderr)
	only := fs.String("only", "", "fetch only these sources, comma-separated (a name ending in - takes every source it begins: lau-); see -list")
	list := fs.Bool("list", false, "list the sources, their addresses and files, and fetch nothing")
	mirror := fs.String("mirror", "", "ask this address in place of the publishers: a source at https://HOST/PATH is read from MIRROR/HOST/PATH")
	retries := fs.Int("retries", 4, "tries after the first when a publisher is busy (429, 5xx) or the connection drops; each resumes where the last stopped")
	timeout := fs.Duration("timeout", 10*time.Minute, "longest one try of one source may take (each retry has as long again)")
	rest, err := parseFlags(fs, args[1:], nil)
	if err != nil {
		return err
	}
	srcs, err := datafetch.Select(datafetch.Sources(), *only)
	if err != nil {
		return usageError{err.Error()}
	}
	if *list {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tFILE\tADDRESS\tCREDIT")
		for _, s := range srcs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.File, s.URL, s.Credit)
		}
		return tw.Flush()
	}
	if err := wantArgs(rest, "DIR"); err != nil {
		return err
	}
	if *retries < 0 || *timeout <= 0 {
		return usageError{"-retries must be 0 or more and -timeout more than 0"}
	}
	dir := rest[0]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("data fetch: %w", err)
	}
	f := &datafetch.Fetcher{
		Client:    &http.Client{Timeout: *timeout},
		UserAgent: "twinning/" + versionLine()[len("twinning "):] + " (twinning partner finder; twinning data fetch)",
		Retries:   *retries,
		Mirror:    *mirror,
		Progress:  importer.NewProgress(stderr),
		Log:       stderr,
	}
	start := time.Now()
	results, err := f.Fetch(ctx, dir, srcs)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tFILE\tSTATUS\tBYTES\tRECORDS\tSHA256")
	counts := map[string]int{}
	for _, r := range results {
		status, records := r.Status, fmt.Sprint(r.Records)
		if r.Err != nil {
			status = "failed"
		}
		if r.Records < 0 || r.Err != nil {
			records = "-"
		}
		counts[status]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%.12s\n", r.Source, r.File, status, r.Size, records, r.SHA256)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "data fetch: %d sources into %s in %v: %d new, %d updated, %d unchanged, %d failed; manifest %s\n",
		len(results), dir, time.Since(start).Round(time.Millisecond), counts[datafetch.StatusNew], counts[datafetch.StatusUpdated],
		counts[datafetch.StatusUnchanged], counts["failed"], datafetch.ManifestFile)
	if err != nil {
		return fmt.Errorf("data fetch: %w", err)
	}
	fmt.Fprintf(stdout, "import it with: twinning import all %s\n", dir)
	return nil
}
