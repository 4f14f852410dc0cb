package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/score"
	"github.com/twinning/twinning/internal/workflow"
)

// requestActions are the actions of "twinning request", each with its own
// flags.
var requestActions = map[string]flowAction{
	"create":     {setup: requestCreate},
	"list":       {setup: requestList},
	"show":       {args: []string{"REQUEST"}, setup: requestShow},
	"update":     {args: []string{"REQUEST"}, setup: requestUpdate},
	"suggest":    {args: []string{"REQUEST"}, engine: true, setup: requestSuggest},
	"shortlist":  {args: []string{"REQUEST", "CANDIDATE"}, setup: requestShortlist},
	"move":       {args: []string{"REQUEST", "CANDIDATE", "STATUS"}, setup: requestMove},
	"stalled":    {setup: requestStalled},
	"unanswered": {setup: requestUnanswered},
	"audit":      {setup: requestAudit},
}

// profileActions are the actions of "twinning profile".
var profileActions = map[string]flowAction{
	"set":  {args: []string{"MUNICIPALITY"}, setup: profileSet},
	"show": {args: []string{"MUNICIPALITY"}, setup: profileShow},
	"list": {setup: profileList},
}

// requestFields are the flags of a request's contents, which create and
// update share.
type requestFields struct {
	needs, offers, countries, languages listFlag
	title, text                         *string
	minPop, maxPop                      *int64
}

// register adds the fields' flags to fs.
func (f *requestFields) register(fs *flag.FlagSet) {
	fs.Var(&f.needs, "needs", "themes needed (codes from 'twinning themes'; repeatable or comma-separated)")
	fs.Var(&f.offers, "offers", "themes offered (repeatable or comma-separated)")
	fs.Var(&f.countries, "country", "preferred partner countries, ISO 3166-1 alpha-2 (repeatable or comma-separated)")
	fs.Var(&f.languages, "language", "working languages, ISO 639-1 (repeatable or comma-separated)")
	f.title = fs.String("title", "", "the request in a line")
	f.text = fs.String("text", "", "more, in the city hall's words")
	f.minPop = fs.Int64("min-population", 0, "smallest partner population (0: no bound)")
	f.maxPop = fs.Int64("max-population", 0, "largest partner population (0: no bound)")
}

func requestCreate(c *flowCommand) flowStep {
	var f requestFields
	f.register(c.fs)
	var in workflow.RequestInput
	c.fs.StringVar(&in.Municipality, "municipality", "", "id of the Ukrainian municipality that asks, e.g. ua-lviv (required)")
	return flowStep{run: func(ctx context.Context, svc *workflow.Service, _ []string) error {
		in.Title, in.Text, in.Needs, in.Offers, in.Countries, in.Languages = *f.title, *f.text, f.needs, f.offers, upper(f.countries), f.languages
		in.MinPopulation, in.MaxPopulation = *f.minPop, *f.maxPop
		r, err := svc.CreateRequest(ctx, in, c.actor())
		if err != nil {
			return requestFlagError(err)
		}
		return c.print(r, func(w io.Writer) error { return printRequest(w, r, nil) })
	}}
}

func requestList(c *flowCommand) flowStep {
	var statuses, regions, themes listFlag
	c.fs.Var(&statuses, "status", "keep requests in these statuses (open, paused, closed)")
	c.fs.Var(&regions, "region", "keep requests of municipalities in these regions, e.g. UA-46")
	c.fs.Var(&themes, "theme", "keep requests that need or offer these themes")
	municipality := c.fs.String("municipality", "", "keep the requests of this municipality")
	return flowStep{run: func(ctx context.Context, svc *workflow.Service, _ []string) error {
		filter := workflow.RequestFilter{Regions: upper(regions), Themes: themes, Municipality: *municipality}
		for _, s := range statuses {
			filter.Statuses = append(filter.Statuses, graph.RequestStatus(s))
		}
		items, err := svc.Requests(ctx, filter)
		if err != nil {
			return requestFlagError(err)
		}
		return c.print(items, func(w io.Writer) error { return printRequestList(w, items) })
	}}
}

func requestShow(c *flowCommand) flowStep {
	return flowStep{run: func(ctx context.Context, svc *workflow.Service, rest []string) error {
		r, err := svc.Flow().Request(ctx, rest[0])
		if err != nil {
			return err
		}
		list, err := svc.Flow().Shortlist(ctx, r.ID)
		if err != nil {
			return err
		}
		return c.print(map[string]any{"request": r, "shortlist": list}, func(w io.Writer) error { return printRequest(w, r, list) })
	}}
}

func requestUpdate(c *flowCommand) flowStep {
	var f requestFields
	f.register(c.fs)
	status := c.fs.String("status", "", "open, paused or closed")
	ifVersion := c.fs.Int64("if-version", 0, "change only if the record is still at this version (0: the current one)")
	return flowStep{run: func(ctx context.Context, svc *workflow.Service, rest []string) error {
		patch := f.patch(c.fs)
		if setFlags(c.fs)["status"] {
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
		return c.print(r, func(w io.Writer) error { return printRequest(w, r, nil) })
	}}
}

// patch returns the change that the fields' flags given on the command
// line make (the others are left out).
func (f *requestFields) patch(fs *flag.FlagSet) workflow.RequestPatch {
	set := setFlags(fs)
	var patch workflow.RequestPatch
	if set["title"] {
		patch.Title = f.title
	}
	if set["text"] {
		patch.Text = f.text
	}
	for name, l := range map[string]struct {
		v   listFlag
		dst **[]string
	}{"needs": {f.needs, &patch.Needs}, "offers": {f.offers, &patch.Offers}, "country": {upper(f.countries), &patch.Countries}, "language": {f.languages, &patch.Languages}} {
		if set[name] {
			v := []string(l.v)
			*l.dst = &v
		}
	}
	if set["min-population"] {
		patch.MinPopulation = f.minPop
	}
	if set["max-population"] {
		patch.MaxPopulation = f.maxPop
	}
	return patch
}

// setFlags are the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

func requestSuggest(c *flowCommand) flowStep {
	limit := c.fs.Int("limit", score.DefaultLimit, fmt.Sprintf("number of suggestions (1-%d)", score.MaxLimit))
	lang := c.fs.String("lang", score.LangEnglish, langUsage)
	return flowStep{
		check: func() error {
			if *limit < 1 || *limit > score.MaxLimit {
				return usageError{fmt.Sprintf("-limit: must be between 1 and %d, got %d", score.MaxLimit, *limit)}
			}
			return nil
		},
		run: func(ctx context.Context, svc *workflow.Service, rest []string) error {
			res, err := svc.Suggest(ctx, rest[0], *limit, *lang)
			if err != nil {
				return err
			}
			return c.print(res, func(w io.Writer) error { return printRequestSuggestions(w, res) })
		},
	}
}

func requestShortlist(c *flowCommand) flowStep {
	note := c.fs.String("note", "", "a note on the outreach")
	return flowStep{run: func(ctx context.Context, svc *workflow.Service, rest []string) error {
		e, err := svc.AddCandidate(ctx, rest[0], rest[1], *note, c.actor())
		if err != nil {
			return requestFlagError(err)
		}
		return c.print(e, func(w io.Writer) error { return printEntry(w, e) })
	}}
}

func requestMove(c *flowCommand) flowStep {
	ifVersion := c.fs.Int64("if-version", 0, "change only if the record is still at this version (0: the current one)")
	note := c.fs.String("note", "", "a note on the outreach")
	kind := c.fs.String("kind", "", "kind of the partnership a signed agreement creates: twinning (default), cooperation or friendship")
	return flowStep{run: func(ctx context.Context, svc *workflow.Service, rest []string) error {
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
		return c.print(e, func(w io.Writer) error { return printEntry(w, e) })
	}}
}

func requestStalled(c *flowCommand) flowStep {
	days := c.fs.Int("days", 30, "outreach idle for at least this many days")
	return flowStep{run: func(ctx context.Context, svc *workflow.Service, _ []string) error {
		items, err := svc.Stalled(ctx, *days)
		if err != nil {
			return requestFlagError(err)
		}
		return c.print(items, func(w io.Writer) error {
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "REQUEST\tMUNICIPALITY\tCANDIDATE\tSTATUS\tIDLE\tLAST CHANGE\n")
			for _, s := range items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d days\t%s\n", s.Request, s.Municipality, s.Candidate, s.Status, s.DaysIdle, s.Updated.Format(time.DateOnly))
			}
			fmt.Fprintf(tw, "\n%d outreach idle for %d days or more\n", len(items), *days)
			return tw.Flush()
		})
	}}
}

func requestUnanswered(c *flowCommand) flowStep {
	return flowStep{run: func(ctx context.Context, svc *workflow.Service, _ []string) error {
		items, err := svc.UnansweredOffers(ctx)
		if err != nil {
			return err
		}
		return c.print(items, func(w io.Writer) error {
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "KIND\tMUNICIPALITY\tREQUEST\tOFFERS\tSINCE\tWANTED BY\n")
			for _, u := range items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Kind, u.Municipality, orDash(u.Request), strings.Join(u.Offers, ", "),
					u.Since.Format(time.DateOnly), orDash(strings.Join(u.Wanted, ", ")))
			}
			return tw.Flush()
		})
	}}
}

func requestAudit(c *flowCommand) flowStep {
	var q graph.AuditQuery
	c.fs.StringVar(&q.Request, "request", "", "the entries of this request")
	c.fs.StringVar(&q.Municipality, "municipality", "", "the entries that concern this municipality")
	c.fs.IntVar(&q.Limit, "limit", graph.DefaultLimit, fmt.Sprintf("number of entries (1-%d)", graph.MaxLimit))
	c.fs.Int64Var(&q.Before, "before", 0, "entries before this sequence number (paging)")
	return flowStep{
		check: func() error {
			if q.Limit < 1 || q.Limit > graph.MaxLimit {
				return usageError{fmt.Sprintf("-limit: must be between 1 and %d, got %d", graph.MaxLimit, q.Limit)}
			}
			return nil
		},
		run: func(ctx context.Context, svc *workflow.Service, _ []string) error {
			items, err := svc.Flow().Audit(ctx, q)
			if err != nil {
				return err
			}
			return c.print(items, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintf(tw, "SEQ\tAT\tBY\tACTION\tSUBJECT\tDETAIL\n")
				for _, a := range items {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", a.Seq, a.At.Format(time.RFC3339), a.By.Name, a.Action, a.Subject, a.Detail)
				}
				return tw.Flush()
			})
		},
	}
}

func profileSet(c *flowCommand) flowStep {
	var in workflow.ProfileInput
	var offers, seeks, languages listFlag
	c.fs.Var(&offers, "offers", "themes offered (codes from 'twinning themes'; repeatable or comma-separated)")
	c.fs.Var(&seeks, "seeks", "themes sought (repeatable or comma-separated)")
	c.fs.Var(&languages, "language", "working languages, ISO 639-1 (repeatable or comma-separated)")
	c.fs.StringVar(&in.Text, "text", "", "more, in the municipality's words")
	ifVersion := c.fs.Int64("if-version", 0, "replace only if the profile is still at this version (0: the current one, if any)")
	return flowStep{run: func(ctx context.Context, svc *workflow.Service, rest []string) error {
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
		return c.print(p, func(w io.Writer) error { return printProfiles(w, []graph.Profile{p}) })
	}}
}

func profileShow(c *flowCommand) flowStep {
	return flowStep{run: func(ctx context.Context, svc *workflow.Service, rest []string) error {
		p, err := svc.Flow().Profile(ctx, rest[0])
		if err != nil {
			return err
		}
		return c.print(p, func(w io.Writer) error { return printProfiles(w, []graph.Profile{p}) })
	}}
}

func profileList(c *flowCommand) flowStep {
	return flowStep{run: func(ctx context.Context, svc *workflow.Service, _ []string) error {
		ps, err := svc.Flow().Profiles(ctx)
		if err != nil {
			return err
		}
		return c.print(ps, func(w io.Writer) error { return printProfiles(w, ps) })
	}}
}
