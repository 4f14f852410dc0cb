package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/samber/lo"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/score"
	"github.com/twinning/twinning/internal/workflow"
)

// requestUsage lists the actions of "twinning request".
const requestUsage = `create | list | show REQUEST | update REQUEST | suggest REQUEST |
  shortlist REQUEST CANDIDATE | move REQUEST CANDIDATE STATUS | stalled | unanswered | audit`

// profileUsage lists the actions of "twinning profile".
const profileUsage = "set MUNICIPALITY | show MUNICIPALITY | list"

// flowCommand is what every action of "request", "profile" and "themes"
// shares: the flag set, the store flags, -json and -as.
type flowCommand struct {
	fs     *flag.FlagSet
	sc     storeConfig
	asJSON *bool
	as     *string
	model  *string
	stdout io.Writer
}

// newFlowCommand returns the flag set of an action, with the flags that
// every action shares.
func newFlowCommand(name, arguments string, stdout, stderr io.Writer) *flowCommand {
	c := &flowCommand{fs: newFlagSet(name, arguments, stderr), stdout: stdout}
	c.asJSON = c.fs.Bool("json", false, "print the result as JSON")
	c.as = c.fs.String("as", defaultActor(), "who makes the change, for the audit log (env TWINNING_AS)")
	c.model = registerModel(c.fs)
	c.sc.register(c.fs)
	return c
}

// defaultActor names the user running the command.
func defaultActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}

// parse parses args and checks the store flags.
func (c *flowCommand) parse(args []string) ([]string, error) {
	rest, err := parseFlags(c.fs, args, c.sc.envs(map[string]string{"as": "TWINNING_AS", "model": "TWINNING_MODEL"}))
	if err != nil {
		return nil, err
	}
	return rest, c.sc.validate()
}

// service opens the store and returns a workflow Service on it; with
// engine, the scoring engine is loaded too (for suggestions). The caller
// closes the store.
func (c *flowCommand) service(ctx context.Context, stderr io.Writer, engine bool) (*workflow.Service, graph.Store, error) {
	store, err := c.sc.openSaying(ctx, stderr)
	if err != nil {
		return nil, nil, err
	}
	var e *score.Engine
	if engine {
		model, err := loadModel(*c.model)
		if err != nil {
			store.Close()
			return nil, nil, err
		}
		e = score.NewEngine(model)
		if err := e.Load(ctx, store); err != nil {
			store.Close()
			return nil, nil, fmt.Errorf("load the scoring engine from %s: %w", c.sc.describe(), err)
		}
	}
	return workflow.New(store, e), store, nil
}

// actor is who the command acts as.
func (c *flowCommand) actor() graph.Actor { return graph.Actor{Name: *c.as} }

// print writes v as JSON with -json, else calls text.
func (c *flowCommand) print(v any, text func(w io.Writer) error) error {
	if *c.asJSON {
		return writeJSON(c.stdout, v)
	}
	return text(c.stdout)
}

// wantArgs checks the number of positional arguments.
func wantArgs(rest []string, names ...string) error {
	if len(rest) != len(names) {
		return usageError{fmt.Sprintf("want %s, got %d argument(s) %q", strings.Join(names, " "), len(rest), rest)}
	}
	return nil
}

// runThemes prints the taxonomy of cooperation themes.
func runThemes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("themes", "[-json]", stderr)
	asJSON := fs.Bool("json", false, "print the taxonomy as JSON")
	rest, err := parseFlags(fs, args, nil)
	if err != nil {
		return err
	}
	if err := wantArgs(rest); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, map[string]any{"version": graph.TaxonomyVersion, "themes": graph.CooperationThemes})
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "CODE\tENGLISH\tУКРАЇНСЬКОЮ\n")
	for _, t := range graph.CooperationThemes {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Code, t.LabelEN, t.LabelUK)
	}
	fmt.Fprintf(tw, "\ntaxonomy %s\n", graph.TaxonomyVersion)
	return tw.Flush()
}

// runRequest runs the actions on partner requests (requestActions).
func runRequest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runFlowAction(ctx, "request", requestUsage, requestActions, args, stdout, stderr)
}

// workflowFlags maps the fields the workflow's errors name to the flags
// or arguments of the command line that set them.
var workflowFlags = map[string]string{
	"countries": "-country", "languages": "-language", "needs": "-needs", "offers": "-offers", "seeks": "-seeks",
	"title": "-title", "text": "-text", "min_population": "-min-population", "max_population": "-max-population",
	"status": "-status", "note": "-note", "kind": "-kind", "municipality": "-municipality", "candidate": "CANDIDATE",
	"days": "-days", "body": "the flags",
}

// requestFlagError turns the workflow's errors into messages for the
// command line, naming the flag or argument at fault; a stale version
// names -if-version.
func requestFlagError(err error) error {
	switch graph.ErrorCode(err) {
	case graph.EPRECONDITION, graph.EPRECONDITIONREQUIRED:
		return usageError{"-if-version: " + graph.ErrorMessage(err)}
	case graph.EINVALID:
		if name, ok := workflowFlags[graph.ErrorField(err)]; ok {
			return usageError{name + ": " + graph.ErrorMessage(err)}
		}
	}
	return flagError(err, "")
}

// runProfile runs the actions on the profiles of European municipalities
// (profileActions).
func runProfile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runFlowAction(ctx, "profile", profileUsage, profileActions, args, stdout, stderr)
}

// A flowAction is one action of "twinning request" or "twinning profile":
// its arguments, whether it ranks suggestions, and setup, which registers
// its own flags and returns what it does once they are parsed.
type flowAction struct {
	args   []string
	engine bool
	setup  func(c *flowCommand) flowStep
}

// A flowStep is an action with its flags registered: check runs once they
// are parsed, before the store opens (nil: nothing to check); run does the
// action on the workflow service, with the positional arguments.
type flowStep struct {
	check func() error
	run   func(ctx context.Context, svc *workflow.Service, rest []string) error
}

// runFlowAction runs the action args[0] of command from actions: its
// flags, its arguments, the store and the workflow service.
func runFlowAction(ctx context.Context, command, usage string, actions map[string]flowAction, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{command + " needs an action: " + usage}
	}
	name, args := args[0], args[1:]
	action, ok := actions[name]
	if !ok {
		return usageError{fmt.Sprintf("%s: unknown action %q; want %s", command, name, usage)}
	}
	c := newFlowCommand(command+" "+name, strings.TrimSpace("[flags] "+strings.Join(action.args, " ")), stdout, stderr)
	step := action.setup(c)
	rest, err := c.parse(args)
	if err != nil {
		return err
	}
	if err := wantArgs(rest, action.args...); err != nil {
		return err
	}
	if step.check != nil {
		if err := step.check(); err != nil {
			return err
		}
	}
	svc, store, err := c.service(ctx, stderr, action.engine)
	if err != nil {
		return err
	}
	defer store.Close()
	return step.run(ctx, svc, rest)
}

// upper returns the values in upper case (country and region codes).
func upper(vs []string) []string {
	return lo.Map(vs, func(v string, _ int) string { return strings.ToUpper(v) })
}

func printRequest(w io.Writer, r graph.Request, list []graph.ShortlistEntry) error {
	fmt.Fprintf(w, "%s  %s  [%s, version %d]\n", r.ID, r.Title, r.Status, r.Version)
	fmt.Fprintf(w, "  municipality: %s\n  needs:        %s\n  offers:       %s\n", r.Municipality, orDash(strings.Join(r.Needs, ", ")), orDash(strings.Join(r.Offers, ", ")))
	fmt.Fprintf(w, "  countries:    %s\n  languages:    %s\n", orDash(strings.Join(r.Countries, ", ")), orDash(strings.Join(r.Languages, ", ")))
	if r.MinPopulation > 0 || r.MaxPopulation > 0 {
		fmt.Fprintf(w, "  population:   %s to %s\n", formatPopulation(r.MinPopulation), formatPopulation(r.MaxPopulation))
	}
	if r.Text != "" {
		fmt.Fprintf(w, "  text:         %s\n", r.Text)
	}
	fmt.Fprintf(w, "  created %s by %s; updated %s by %s\n", r.Created.Format(time.RFC3339), r.CreatedBy.Name, r.Updated.Format(time.RFC3339), r.UpdatedBy.Name)
	for _, e := range list {
		if err := printEntry(w, e); err != nil {
			return err
		}
	}
	return nil
}

func printEntry(w io.Writer, e graph.ShortlistEntry) error {
	fmt.Fprintf(w, "  %s on %s: %s (version %d)\n", e.Candidate, e.Request, e.Status, e.Version)
	for _, t := range e.History {
		from := "-"
		if t.From != "" {
			from = string(t.From)
		}
		fmt.Fprintf(w, "    %s  %s → %s  by %s", t.At.Format(time.RFC3339), from, t.To, t.By.Name)
		if t.Note != "" {
			fmt.Fprintf(w, ": %s", t.Note)
		}
		fmt.Fprintln(w)
	}
	return nil
}

func printRequestList(w io.Writer, items []workflow.RequestSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "REQUEST\tSTATUS\tMUNICIPALITY\tREGION\tNEEDS\tOFFERS\tOUTREACH\tTITLE\n")
	for _, s := range items {
		var outreach []string
		for _, st := range graph.OutreachStatuses {
			if n := s.Outreach[st]; n > 0 {
				outreach = append(outreach, fmt.Sprintf("%d %s", n, st))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Status, s.MunicipalityName, orDash(s.Region.Code),
			orDash(strings.Join(s.Needs, ",")), orDash(strings.Join(s.Offers, ",")), orDash(strings.Join(outreach, ", ")), s.Title)
	}
	fmt.Fprintf(tw, "\n%d request(s)\n", len(items))
	return tw.Flush()
}

func printRequestSuggestions(w io.Writer, res workflow.Suggestions) error {
	r := res.Request
	fmt.Fprintf(w, "Partner suggestions for %s (%s): needs %s; offers %s\n", r.ID, r.Municipality,
		orDash(strings.Join(r.Needs, ", ")), orDash(strings.Join(r.Offers, ", ")))
	fmt.Fprintf(w, "%d candidates scored, %d shown; model %s, taxonomy %s\n\n", res.Candidates, len(res.Suggestions), res.ModelVersion, res.TaxonomyVersion)
	for _, s := range res.Suggestions {
		m := s.Municipality
		mark := ""
		if s.Outreach != "" {
			mark = "  [shortlisted: " + string(s.Outreach) + "]"
		}
		fmt.Fprintf(w, "%3d  %-30s %-28s %s  %12s  score %.3f%s\n", s.Rank, m.DisplayName(), m.ID, m.Country, formatPopulation(m.Population), s.Score, mark)
		for _, x := range s.Matches {
			fmt.Fprintf(w, "       %s\n", x.Reason)
		}
		fmt.Fprintf(w, "       %s\n", s.Reason)
	}
	return nil
}

func printProfiles(w io.Writer, ps []graph.Profile) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "MUNICIPALITY\tOFFERS\tSEEKS\tLANGUAGES\tVERSION\tUPDATED\n")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s by %s\n", p.Municipality, orDash(strings.Join(p.Offers, ",")), orDash(strings.Join(p.Seeks, ",")),
			orDash(strings.Join(p.Languages, ",")), p.Version, p.Updated.Format(time.DateOnly), p.UpdatedBy.Name)
	}
	return tw.Flush()
}
