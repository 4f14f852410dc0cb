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

// requestArgs names the positional arguments of each action of "twinning
// request".
var requestArgs = map[string][]string{
	"create": nil, "list": nil, "show": {"REQUEST"}, "update": {"REQUEST"}, "suggest": {"REQUEST"},
	"shortlist": {"REQUEST", "CANDIDATE"}, "move": {"REQUEST", "CANDIDATE", "STATUS"},
	"stalled": nil, "unanswered": nil, "audit": nil,
}

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
}

func newFlowCommand(name, arguments string, stderr io.Writer) *flowCommand {
	c := &flowCommand{fs: newFlagSet(name, arguments, stderr)}
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
func (c *flowCommand) print(stdout io.Writer, v any, text func() error) error {
	if *c.asJSON {
		return writeJSON(stdout, v)
	}
	return text()
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

// runRequest runs the actions on partner requests.
func runRequest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"request needs an action: " + requestUsage}
	}
	action, args := args[0], args[1:]
	argNames, ok := requestArgs[action]
	if !ok {
		return usageError{fmt.Sprintf("request: unknown action %q; want %s", action, requestUsage)}
	}
	c := newFlowCommand("request "+action, "[flags] "+strings.Join(argNames, " "), stderr)
	fs := c.fs
	var in workflow.RequestInput
	var needs, offers, countries, languages listFlag
	var status, title, text *string
	var minPop, maxPop *int64
	switch action {
	case "create", "update":
		fs.Var(&needs, "needs", "themes needed (codes from 'twinning themes'; repeatable or comma-separated)")
		fs.Var(&offers, "offers", "themes offered (repeatable or comma-separated)")
		fs.Var(&countries, "country", "preferred partner countries, ISO 3166-1 alpha-2 (repeatable or comma-separated)")
		fs.Var(&languages, "language", "working languages, ISO 639-1 (repeatable or comma-separated)")
		title = fs.String("title", "", "the request in a line")
		text = fs.String("text", "", "more, in the city hall's words")
		minPop = fs.Int64("min-population", 0, "smallest partner population (0: no bound)")
		maxPop = fs.Int64("max-population", 0, "largest partner population (0: no bound)")
		if action == "create" {
			fs.StringVar(&in.Municipality, "municipality", "", "id of the Ukrainian municipality that asks, e.g. ua-lviv (required)")
		} else {
			status = fs.String("status", "", "open, paused or closed")
		}
	}
	var ifVersion *int64
	if action == "update" || action == "move" {
		ifVersion = fs.Int64("if-version", 0, "change only if the record is still at this version (0: the current one)")
	}
	var note, kind *string
	if action == "shortlist" || action == "move" {
		note = fs.String("note", "", "a note on the outreach")
	}
	if action == "move" {
		kind = fs.String("kind", "", "kind of the partnership a signed agreement creates: twinning (default), cooperation or friendship")
	}
	limit := score.DefaultLimit
	lang := score.LangEnglish
	if action == "suggest" {
		fs.IntVar(&limit, "limit", score.DefaultLimit, fmt.Sprintf("number of suggestions (1-%d)", score.MaxLimit))
		fs.StringVar(&lang, "lang", score.LangEnglish, langUsage)
	}
	var filter workflow.RequestFilter
	var statuses, regions, themes listFlag
	var filterMunicipality *string
	if action == "list" {
		fs.Var(&statuses, "status", "keep requests in these statuses (open, paused, closed)")
		fs.Var(&regions, "region", "keep requests of municipalities in these regions, e.g. UA-46")
		fs.Var(&themes, "theme", "keep requests that need or offer these themes")
		filterMunicipality = fs.String("municipality", "", "keep the requests of this municipality")
	}
	days := 30
	if action == "stalled" {
		fs.IntVar(&days, "days", 30, "outreach idle for at least this many days")
	}
	var aq graph.AuditQuery
	if action == "audit" {
		fs.StringVar(&aq.Request, "request", "", "the entries of this request")
		fs.StringVar(&aq.Municipality, "municipality", "", "the entries that concern this municipality")
		fs.IntVar(&aq.Limit, "limit", graph.DefaultLimit, fmt.Sprintf("number of entries (1-%d)", graph.MaxLimit))
		fs.Int64Var(&aq.Before, "before", 0, "entries before this sequence number (paging)")
	}
	rest, err := c.parse(args)
	if err != nil {
		return err
	}
	if err := wantArgs(rest, argNames...); err != nil {
		return err
	}
	switch {
	case action == "suggest" && (limit < 1 || limit > score.MaxLimit):
		return usageError{fmt.Sprintf("-limit: must be between 1 and %d, got %d", score.MaxLimit, limit)}
	case action == "audit" && (aq.Limit < 1 || aq.Limit > graph.MaxLimit):
		return usageError{fmt.Sprintf("-limit: must be between 1 and %d, got %d", graph.MaxLimit, aq.Limit)}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	svc, store, err := c.service(ctx, stderr, action == "suggest")
	if err != nil {
		return err
	}
	defer store.Close()

	switch action {
	case "create":
		in.Title, in.Text, in.Needs, in.Offers, in.Countries, in.Languages = *title, *text, needs, offers, upper(countries), languages
		in.MinPopulation, in.MaxPopulation = *minPop, *maxPop
		r, err := svc.CreateRequest(ctx, in, c.actor())
		if err != nil {
			return requestFlagError(err)
		}
		return c.print(stdout, r, func() error { return printRequest(stdout, r, nil) })
	case "list":
		filter = workflow.RequestFilter{Regions: upper(regions), Themes: themes, Municipality: *filterMunicipality}
		for _, s := range statuses {
			filter.Statuses = append(filter.Statuses, graph.RequestStatus(s))
		}
		items, err := svc.Requests(ctx, filter)
		if err != nil {
			return requestFlagError(err)
		}
		return c.print(stdout, items, func() error { return printRequestList(stdout, items) })
	case "show":
		r, err := svc.Flow().Request(ctx, rest[0])
		if err != nil {
			return err
		}
		list, err := svc.Flow().Shortlist(ctx, r.ID)
		if err != nil {
			return err
		}
		return c.print(stdout, map[string]any{"request": r, "shortlist": list}, func() error { return printRequest(stdout, r, list) })
	case "update":
		var patch workflow.RequestPatch
		if set["title"] {
			patch.Title = title
		}
		if set["text"] {
			patch.Text = text
		}
		for name, f := range map[string]struct {
			v   listFlag
			dst **[]string
		}{"needs": {needs, &patch.Needs}, "offers": {offers, &patch.Offers}, "country": {upper(countries), &patch.Countries}, "language": {languages, &patch.Languages}} {
			if set[name] {
				v := []string(f.v)
				*f.dst = &v
			}
		}
		if set["min-population"] {
			patch.MinPopulation = minPop
		}
		if set["max-population"] {
			patch.MaxPopulation = maxPop
		}
		if set["status"] {
			st := graph.RequestStatus(*status)
			patch.Status = &st
		}
		version := *ifVersion
		if version == 0 {
			cur, err := svc.Flow().Request(ctx, rest[0])
			if err != nil {
				return err
			}
			version = cur.Version
		}
		r, err := svc.UpdateRequest(ctx, rest[0], version, patch, c.actor())
		if err != nil {
			return requestFlagError(err)
		}
		return c.print(stdout, r, func() error { return printRequest(stdout, r, nil) })
	case "suggest":
		res, err := svc.Suggest(ctx, rest[0], limit, lang)
		if err != nil {
			return err
		}
		return c.print(stdout, res, func() error { return printRequestSuggestions(stdout, res) })
	case "shortlist":
		e, err := svc.AddCandidate(ctx, rest[0], rest[1], *note, c.actor())
		if err != nil {
			return requestFlagError(err)
		}
		return c.print(stdout, e, func() error { return printEntry(stdout, e) })
	case "move":
		version := *ifVersion
		if version == 0 {
			list, err := svc.Flow().Shortlist(ctx, rest[0])
			if err != nil {
				return err
			}
			for _, e := range list {
				if e.Candidate == rest[1] {
					version = e.Version
				}
			}
			if version == 0 {
				return fmt.Errorf("%s is not on the shortlist of %s", rest[1], rest[0])
			}
		}
		e, err := svc.MoveCandidate(ctx, rest[0], rest[1], version,
			workflow.MoveInput{Status: graph.OutreachStatus(rest[2]), Note: *note, Kind: graph.PartnershipKind(*kind)}, c.actor(), false)
		if err != nil {
			if graph.ErrorField(err) == "status" {
				return usageError{"STATUS: " + graph.ErrorMessage(err)}
			}
			return requestFlagError(err)
		}
		return c.print(stdout, e, func() error { return printEntry(stdout, e) })
	case "stalled":
		items, err := svc.Stalled(ctx, days)
		if err != nil {
			return requestFlagError(err)
		}
		return c.print(stdout, items, func() error {
			tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "REQUEST\tMUNICIPALITY\tCANDIDATE\tSTATUS\tIDLE\tLAST CHANGE\n")
			for _, s := range items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d days\t%s\n", s.Request, s.Municipality, s.Candidate, s.Status, s.DaysIdle, s.Updated.Format(time.DateOnly))
			}
			fmt.Fprintf(tw, "\n%d outreach idle for %d days or more\n", len(items), days)
			return tw.Flush()
		})
	case "unanswered":
		items, err := svc.UnansweredOffers(ctx)
		if err != nil {
			return err
		}
		return c.print(stdout, items, func() error {
			tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "KIND\tMUNICIPALITY\tREQUEST\tOFFERS\tSINCE\tWANTED BY\n")
			for _, u := range items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Kind, u.Municipality, orDash(u.Request), strings.Join(u.Offers, ", "),
					u.Since.Format(time.DateOnly), orDash(strings.Join(u.Wanted, ", ")))
			}
			return tw.Flush()
		})
	case "audit":
		items, err := svc.Flow().Audit(ctx, aq)
		if err != nil {
			return err
		}
		return c.print(stdout, items, func() error {
			tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "SEQ\tAT\tBY\tACTION\tSUBJECT\tDETAIL\n")
			for _, a := range items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", a.Seq, a.At.Format(time.RFC3339), a.By.Name, a.Action, a.Subject, a.Detail)
			}
			return tw.Flush()
		})
	}
	return fmt.Errorf("request %s: no handler for this action (a bug)", action)
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

// runProfile runs the actions on the profiles of European municipalities.
func runProfile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"profile needs an action: " + profileUsage}
	}
	action, args := args[0], args[1:]
	c := newFlowCommand("profile "+action, "[flags]", stderr)
	var in workflow.ProfileInput
	var offers, seeks, languages listFlag
	var ifVersion *int64
	if action == "set" {
		c.fs.Var(&offers, "offers", "themes offered (codes from 'twinning themes'; repeatable or comma-separated)")
		c.fs.Var(&seeks, "seeks", "themes sought (repeatable or comma-separated)")
		c.fs.Var(&languages, "language", "working languages, ISO 639-1 (repeatable or comma-separated)")
		c.fs.StringVar(&in.Text, "text", "", "more, in the municipality's words")
		ifVersion = c.fs.Int64("if-version", 0, "replace only if the profile is still at this version (0: the current one, if any)")
	}
	rest, err := c.parse(args)
	if err != nil {
		return err
	}
	switch action {
	case "set", "show":
	case "list":
	default:
		return usageError{fmt.Sprintf("profile: unknown action %q; want %s", action, profileUsage)}
	}
	svc, store, err := c.service(ctx, stderr, false)
	if err != nil {
		return err
	}
	defer store.Close()
	switch action {
	case "set":
		in.Offers, in.Seeks, in.Languages = offers, seeks, languages
		version := *ifVersion
		if version == 0 {
			if cur, err := svc.Flow().Profile(ctx, rest[0]); err == nil {
				version = cur.Version
			} else if graph.ErrorCode(err) != graph.ENOTFOUND {
				return err
			}
		}
		p, _, err := svc.PutProfile(ctx, rest[0], version, in, c.actor())
		if err != nil {
			if graph.ErrorField(err) == "municipality" {
				return usageError{"MUNICIPALITY: " + graph.ErrorMessage(err)}
			}
			return requestFlagError(err)
		}
		return c.print(stdout, p, func() error { return printProfiles(stdout, []graph.Profile{p}) })
	case "show":
		p, err := svc.Flow().Profile(ctx, rest[0])
		if err != nil {
			return err
		}
		return c.print(stdout, p, func() error { return printProfiles(stdout, []graph.Profile{p}) })
	}
	ps, err := svc.Flow().Profiles(ctx)
	if err != nil {
		return err
	}
	return c.print(stdout, ps, func() error { return printProfiles(stdout, ps) })
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
