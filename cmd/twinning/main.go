// Command twinning finds twinning partners for Ukrainian municipalities
// among European ones and serves the partnership graph over HTTP.
//
// Usage:
//
//	twinning serve   [flags]            serve the HTTP API
//	twinning search  [flags] TEXT       search municipalities
//	twinning suggest [flags] NAME_OR_ID rank partner suggestions, with reasons
//	twinning import  KIND [flags] FILE  import open data (geonames, hromadas, lau, twins, wikidata, registry; all DIR)
//	twinning stats   [flags]            statistics of the partnership graph
//	twinning quality [flags]            the data-quality report: duplicates, districts, names
//	twinning export  [flags]            export the graph as GeoJSON, GraphML or CSV
//	twinning keys    create|list|revoke  manage the API keys (writes need one)
//	twinning request ACTION [flags]     post partner requests, shortlist, track outreach
//	twinning profile ACTION [flags]     a European municipality's offers and wishes
//	twinning themes                     the taxonomy of cooperation themes
//	twinning batch   [flags]            suggestions for every municipality of a country, as CSV or JSON
//	twinning eval    [flags]            measure suggestions against real partnerships
//	twinning train   [flags]            learn the scoring weights from the real partnerships
//	twinning version                    the version, the VCS revision and the Go release
//
// Run "twinning COMMAND -h" (or "twinning help COMMAND") for the flags of
// a command; an unknown command gets the nearest known one as a hint.
// Every flag has an environment-variable equivalent, named in its help
// text.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/twinning/twinning/graph"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
)

// command is one sub-command: it parses args and writes to stdout/stderr.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists the sub-commands; each lives in a file of its own.
var commands = map[string]command{
	"serve":   {"serve the HTTP API", runServe},
	"search":  {"search municipalities by name and filters", runSearch},
	"suggest": {"rank partner suggestions for a municipality, with reasons", runSuggest},
	"import":  {"import open data files into the store", runImport},
	"stats":   {"print statistics of the partnership graph", runStats},
	"quality": {"report suspected duplicates, missing Latin names, districts and created places", runQuality},
	"export":  {"export the graph as GeoJSON, GraphML or CSV", runExport},
	"batch":   {"rank suggestions for every municipality of a country, as CSV or JSON", runBatch},
	"eval":    {"measure suggestions against real partnerships, with baselines", runEval},
	"train":   {"learn the scoring weights from the real partnerships", runTrain},
	"keys":    {"create, list and revoke API keys", runKeys},
	"request": {"post and follow partner requests: suggestions, shortlist, outreach", runRequest},
	"profile": {"declare what a European municipality offers and seeks", runProfile},
	"themes":  {"list the taxonomy of cooperation themes", runThemes},
	"fetch":   {"download open data for the importers (wikidata: the twinned municipalities of Wikidata)", runFetch},
	"data":    {"download every open data source that import all reads (data fetch DIR), with a manifest", runData},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// TWINNING_CPUPROFILE=FILE writes a CPU profile of the whole command,
	// for `go tool pprof` (see README, "Measuring").
	var profile *os.File
	if path := os.Getenv("TWINNING_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "twinning: cannot write the CPU profile %s: %v\n", path, err)
		} else {
			profile = f
		}
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if profile != nil {
		pprof.StopCPUProfile()
		profile.Close()
	}
	stop()
	os.Exit(code)
}

// run executes the command line and returns the process exit code: 0 on
// success, 2 for a usage error, 1 for any other failure.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) >= 2 && args[0] == "help" {
		// "twinning help import" is "twinning import -h".
		args = []string{args[1], "-h"}
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "version" || args[0] == "--version" || args[0] == "-version" {
		fmt.Fprintln(stdout, versionLine())
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "twinning: unknown command %q", args[0])
		if near := nearestCommand(args[0]); near != "" {
			fmt.Fprintf(stderr, "; did you mean %q?", near)
		}
		fmt.Fprint(stderr, "\n\n")
		usage(stderr)
		return 2
	}
	if err := cmd.run(ctx, args[1:], stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "twinning %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(stderr, "twinning %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// usageError marks an error in how a command was called (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usage(w io.Writer) {
	fmt.Fprintln(w, "twinning finds twinning partners for Ukrainian municipalities among European ones.")
	fmt.Fprintln(w, "\nUsage: twinning COMMAND [flags] [args]\n\nCommands:")
	for _, name := range []string{"serve", "search", "suggest", "request", "profile", "themes", "import", "data", "fetch", "stats", "quality", "export", "batch", "eval", "train", "keys"} {
		fmt.Fprintf(w, "  %-8s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'twinning COMMAND -h' for a command's flags.")
}

// newFlagSet returns a flag set for a sub-command that reports errors
// instead of exiting, with a usage line naming the command's arguments.
func newFlagSet(name, arguments string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: twinning %s %s\n\nFlags:\n", name, arguments)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args with fs and returns the positional arguments.
// Flags may come after positional arguments ("search Lviv -country UA");
// "--" ends the flags. A flag that was not given takes its value from the
// environment variable envs names for it, if set, so that flags override
// the environment; an empty variable counts as unset. Every failure is a
// usageError naming the flag or the variable.
func parseFlags(fs *flag.FlagSet, args []string, envs map[string]string) ([]string, error) {
	var positional []string
	for {
		// The flag package prints an error and the whole usage; a bad
		// value gets one line here instead, and -h the usage.
		out, usage := fs.Output(), fs.Usage
		fs.SetOutput(io.Discard)
		fs.Usage = func() {}
		err := fs.Parse(args)
		fs.SetOutput(out)
		fs.Usage = usage
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.Usage()
				return nil, err
			}
			return nil, usageError{fmt.Sprintf("%v (run 'twinning %s -h' for the flags)", err, fs.Name())}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, env := range envs {
		v, ok := os.LookupEnv(env)
		if !ok || v == "" || set[name] {
			continue
		}
		if err := fs.Set(name, v); err != nil {
			// Secrets are string flags, whose Set never fails, so err
			// never shows one.
			return nil, usageError{fmt.Sprintf("environment variable %s (for -%s): %v", env, name, err)}
		}
	}
	return positional, nil
}

// listFlag is a flag that may be repeated or given comma-separated values
// ("-country PL -country DE" or "-country PL,DE").
type listFlag []string

// String returns the values joined by commas.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set adds the comma-separated values of s.
func (l *listFlag) Set(s string) error {
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// versionLine says which build this is: the module version and the VCS
// revision Go stamped into the binary, when it did.
func versionLine() string {
	version, revision, modified := "(devel)", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	line := "twinning " + version
	if revision != "" {
		line += " " + revision[:min(12, len(revision))]
		if modified {
			line += "+modified"
		}
	}
	return line + " " + runtime.Version()
}

// nearestCommand returns the command within two edits of name, or "".
func nearestCommand(name string) string {
	best, bestD := "", 3
	for c := range commands {
		if d := graph.EditDistance(name, c, 2); d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	return best
}
