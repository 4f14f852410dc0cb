// Package workflow is the partner-request workflow of twinning: city halls
// post requests (needs and offers from graph.CooperationThemes), European
// municipalities declare profiles, candidates are suggested with their
// complementarity, shortlisted and followed from proposal to a signed
// agreement, which becomes an active partnership in the graph. Every change
// is checked against the version it was made from (optimistic concurrency)
// and written with its audit entry in one transaction of the store
// (graph.Workflow).
//
// The API and the command line both go through a Service; who may do what
// (key roles and scopes) is the API's business, not this package's.
package workflow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/score"
)

// Service runs the workflow on a store.
type Service struct {
	store  graph.Store
	engine *score.Engine
	// now gives the time of changes; newID the id of a new request.
	now   func() time.Time
	newID func() string
}

// Option changes a Service made by New.
type Option func(*Service)

// WithClock makes the Service take the time of changes from now (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithIDs makes the Service take the ids of new requests from newID (tests).
func WithIDs(newID func() string) Option { return func(s *Service) { s.newID = newID } }

// New returns a Service on store that ranks suggestions with engine.
func New(store graph.Store, engine *score.Engine, opts ...Option) *Service {
	s := &Service{store: store, engine: engine, now: time.Now, newID: randomID}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Flow returns the store's workflow, for reads that need no rules.
func (s *Service) Flow() graph.Workflow { return s.store }

// randomID returns "req-" and 12 random hex digits.
func randomID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "req-" + hex.EncodeToString(b[:])
}

// time returns the current time in UTC, to the microsecond, without a
// monotonic reading, so that it survives every store's round trip.
func (s *Service) time() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// RequestInput is what a city hall says in a new request.
type RequestInput struct {
	// Municipality is the id of the Ukrainian municipality that asks.
	Municipality  string   `json:"municipality"`
	Title         string   `json:"title"`
	Needs         []string `json:"needs"`
	Offers        []string `json:"offers"`
	Countries     []string `json:"countries"`
	MinPopulation int64    `json:"min_population"`
	MaxPopulation int64    `json:"max_population"`
	Languages     []string `json:"languages"`
	Text          string   `json:"text"`
}

// orEmpty returns ss, or an empty slice for nil, so that lists read as []
// rather than null.
func orEmpty(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return slices.Clone(ss)
}

// ukrainian returns the municipality id, which must exist and be
// Ukrainian: EINVALID naming field otherwise.
func (s *Service) ukrainian(ctx context.Context, field, id string) (graph.Municipality, error) {
	m, err := s.municipality(ctx, field, id)
	if err == nil && m.Country != "UA" {
		err = graph.FieldErrorf(field, "%s is in %s; partner requests are posted by Ukrainian municipalities", id, m.Country)
	}
	return m, err
}

// municipality returns the municipality id, EINVALID naming field when it
// does not exist.
func (s *Service) municipality(ctx context.Context, field, id string) (graph.Municipality, error) {
	if err := graph.CheckID(field, id); err != nil {
		return graph.Municipality{}, err
	}
	m, err := s.store.Municipality(ctx, id)
	if graph.ErrorCode(err) == graph.ENOTFOUND {
		return m, graph.FieldErrorf(field, "municipality %q does not exist", id)
	}
	return m, err
}

// CreateRequest posts a new, open request of in.Municipality, which must
// be Ukrainian.
// Errors: EINVALID naming the field at fault.
func (s *Service) CreateRequest(ctx context.Context, in RequestInput, by graph.Actor) (graph.Request, error) {
	municipality := in.Municipality
	if _, err := s.ukrainian(ctx, "municipality", municipality); err != nil {
		return graph.Request{}, err
	}
	now := s.time()
	r := graph.Request{
		ID: s.newID(), Municipality: municipality, Title: strings.TrimSpace(in.Title),
		Needs: orEmpty(in.Needs), Offers: orEmpty(in.Offers), Countries: orEmpty(in.Countries),
		MinPopulation: in.MinPopulation, MaxPopulation: in.MaxPopulation,
		Languages: orEmpty(in.Languages), Text: in.Text, Status: graph.RequestOpen,
		Version: 1, Created: now, Updated: now, CreatedBy: by, UpdatedBy: by,
	}
	if err := r.Validate(); err != nil {
		return graph.Request{}, err
	}
	audit := graph.AuditEntry{
		At: now, By: by, Action: "request.create", Subject: r.ID, Request: r.ID,
		Municipalities: []string{municipality},
		Detail:         fmt.Sprintf("%s posted %q: needs %s; offers %s", municipality, r.Title, themeList(r.Needs), themeList(r.Offers)),
	}
	if err := s.store.CreateRequest(ctx, r, audit); err != nil {
		return graph.Request{}, err
	}
	return r, nil
}

// RequestPatch changes some fields of a request; nil fields stay as they
// are.
type RequestPatch struct {
	Title         *string              `json:"title,omitempty"`
	Needs         *[]string            `json:"needs,omitempty"`
	Offers        *[]string            `json:"offers,omitempty"`
	Countries     *[]string            `json:"countries,omitempty"`
	MinPopulation *int64               `json:"min_population,omitempty"`
	MaxPopulation *int64               `json:"max_population,omitempty"`
	Languages     *[]string            `json:"languages,omitempty"`
	Text          *string              `json:"text,omitempty"`
	Status        *graph.RequestStatus `json:"status,omitempty"`
}

// checkVersion returns EPRECONDITIONREQUIRED when no version was given and
// EPRECONDITION when the stored one is another.
func checkVersion(what string, given, stored int64) error {
	switch {
	case given <= 0:
		return graph.Errorf(graph.EPRECONDITIONREQUIRED, "changing %s needs the version it was read at (If-Match: \"%d\" for the current one)", what, stored)
	case given != stored:
		return graph.Errorf(graph.EPRECONDITION, "%s changed since it was read: it is at version %d, not %d; read it again", what, stored, given)
	}
	return nil
}

// UpdateRequest applies patch to the request, which must still be at
// version. Errors: ENOTFOUND, EPRECONDITIONREQUIRED (version 0),
// EPRECONDITION (stale version), ECONFLICT when the request is closed
// (closed is final), EINVALID naming the field at fault.
func (s *Service) UpdateRequest(ctx context.Context, id string, version int64, patch RequestPatch, by graph.Actor) (graph.Request, error) {
	now := s.time()
	return s.store.UpdateRequest(ctx, id, func(r *graph.Request) (graph.AuditEntry, error) {
		if err := checkVersion("request "+id, version, r.Version); err != nil {
			return graph.AuditEntry{}, err
		}
		if r.Status == graph.RequestClosed {
			return graph.AuditEntry{}, graph.Errorf(graph.ECONFLICT, "request %s is closed; a closed request is final", id)
		}
		before := *r
		var changed []string
		set := func(field string, differs bool, apply func()) {
			if differs {
				apply()
				changed = append(changed, field)
			}
		}
		if p := patch.Title; p != nil {
			set("title", strings.TrimSpace(*p) != r.Title, func() { r.Title = strings.TrimSpace(*p) })
		}
		for _, f := range []struct {
			name  string
			value *[]string
			field *[]string
		}{{"needs", patch.Needs, &r.Needs}, {"offers", patch.Offers, &r.Offers}, {"countries", patch.Countries, &r.Countries}, {"languages", patch.Languages, &r.Languages}} {
			if f.value != nil {
				set(f.name, !slices.Equal(*f.value, *f.field), func() { *f.field = orEmpty(*f.value) })
			}
		}
		if p := patch.MinPopulation; p != nil {
			set("min_population", *p != r.MinPopulation, func() { r.MinPopulation = *p })
		}
		if p := patch.MaxPopulation; p != nil {
			set("max_population", *p != r.MaxPopulation, func() { r.MaxPopulation = *p })
		}
		if p := patch.Text; p != nil {
			set("text", *p != r.Text, func() { r.Text = *p })
		}
		if p := patch.Status; p != nil {
			if !p.Valid() {
				return graph.AuditEntry{}, graph.FieldErrorf("status", "%q is not one of %v", *p, graph.RequestStatuses)
			}
			set("status", *p != r.Status, func() { r.Status = *p })
		}
		if len(changed) == 0 {
			return graph.AuditEntry{}, graph.FieldErrorf("body", "the patch changes nothing")
		}
		if err := r.Validate(); err != nil {
			return graph.AuditEntry{}, err
		}
		r.Version++
		r.Updated, r.UpdatedBy = now, by
		return graph.AuditEntry{
			At: now, By: by, Action: "request.update", Subject: id, Request: id,
			Municipalities: []string{r.Municipality}, Detail: describeChanges(before, *r, changed),
		}, nil
	})
}

// describeChanges says what changed between two versions of a request.
func describeChanges(before, after graph.Request, fields []string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		var from, to any
		switch f {
		case "title":
			from, to = fmt.Sprintf("%q", before.Title), fmt.Sprintf("%q", after.Title)
		case "needs":
			from, to = themeList(before.Needs), themeList(after.Needs)
		case "offers":
			from, to = themeList(before.Offers), themeList(after.Offers)
		case "countries":
			from, to = list(before.Countries), list(after.Countries)
		case "languages":
			from, to = list(before.Languages), list(after.Languages)
		case "min_population":
			from, to = before.MinPopulation, after.MinPopulation
		case "max_population":
			from, to = before.MaxPopulation, after.MaxPopulation
		case "text":
			parts[i] = "text changed"
			continue
		case "status":
			from, to = before.Status, after.Status
		}
		parts[i] = fmt.Sprintf("%s: %v → %v", f, from, to)
	}
	return strings.Join(parts, "; ")
}

// list joins ss, or says "none".
func list(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, ", ")
}

// themeList names the themes of the codes in English.
func themeList(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = graph.CooperationThemeLabel(c, graph.LangEnglish)
	}
	return list(names)
}

// ProfileInput is what a European municipality declares in its profile.
type ProfileInput struct {
	Offers    []string `json:"offers"`
	Seeks     []string `json:"seeks"`
	Languages []string `json:"languages"`
	Text      string   `json:"text"`
}

// PutProfile creates the municipality's profile (version 0: it must have
// none) or replaces it (version: the one it was read at). It reports
// whether the profile is new. Errors: ENOTFOUND for an unknown
// municipality, EINVALID naming the field at fault (a Ukrainian
// municipality has requests, not a profile),
// EPRECONDITIONREQUIRED when a profile exists and version is 0,
// EPRECONDITION when version is stale or there is no profile to replace.
func (s *Service) PutProfile(ctx context.Context, municipality string, version int64, in ProfileInput, by graph.Actor) (graph.Profile, bool, error) {
	m, err := s.store.Municipality(ctx, municipality)
	if err != nil {
		return graph.Profile{}, false, err
	}
	if m.Country == "UA" {
		return graph.Profile{}, false, graph.FieldErrorf("municipality", "%s is Ukrainian: Ukrainian municipalities post partner requests; profiles are for their European partners", municipality)
	}
	now := s.time()
	created := false
	p, err := s.store.PutProfile(ctx, municipality, func(p *graph.Profile, exists bool) (graph.AuditEntry, error) {
		created = !exists
		switch {
		case exists:
			if err := checkVersion("the profile of "+municipality, version, p.Version); err != nil {
				return graph.AuditEntry{}, err
			}
		case version > 0:
			return graph.AuditEntry{}, graph.Errorf(graph.EPRECONDITION, "%s has no profile to replace (version %d was given); create it without If-Match", municipality, version)
		}
		*p = graph.Profile{
			Municipality: municipality, Offers: orEmpty(in.Offers), Seeks: orEmpty(in.Seeks),
			Languages: orEmpty(in.Languages), Text: in.Text, Version: p.Version + 1, Updated: now, UpdatedBy: by,
		}
		if err := p.Validate(); err != nil {
			return graph.AuditEntry{}, err
		}
		action := "declared"
		if exists {
			action = "updated"
		}
		return graph.AuditEntry{
			At: now, By: by, Action: "profile.put", Subject: "profile:" + municipality,
			Municipalities: []string{municipality},
			Detail:         fmt.Sprintf("%s %s its profile: offers %s; seeks %s", municipality, action, themeList(p.Offers), themeList(p.Seeks)),
		}, nil
	})
	return p, created, err
}

// AddCandidate puts a municipality on the request's shortlist as proposed.
// Errors: ENOTFOUND (request), EINVALID naming "candidate" (unknown, or in
// the request's own country), ECONFLICT when the request is not open or
// the candidate is already on the shortlist.
func (s *Service) AddCandidate(ctx context.Context, request, candidate, note string, by graph.Actor) (graph.ShortlistEntry, error) {
	r, err := s.store.Request(ctx, request)
	if err != nil {
		return graph.ShortlistEntry{}, err
	}
	if err := s.checkCandidate(ctx, r, candidate); err != nil {
		return graph.ShortlistEntry{}, err
	}
	if err := graph.ValidateNote(note); err != nil {
		return graph.ShortlistEntry{}, err
	}
	now := s.time()
	return s.store.ChangeShortlist(ctx, request, candidate, func(r graph.Request, e *graph.ShortlistEntry, exists bool) (graph.ShortlistChange, error) {
		switch {
		case r.Status != graph.RequestOpen:
			return graph.ShortlistChange{}, graph.Errorf(graph.ECONFLICT, "request %s is %s; reopen it to shortlist candidates", r.ID, r.Status)
		case exists:
			return graph.ShortlistChange{}, graph.Errorf(graph.ECONFLICT, "%s is already on the shortlist of %s (%s)", candidate, r.ID, e.Status)
		}
		*e = graph.ShortlistEntry{
			Request: r.ID, Candidate: candidate, Status: graph.OutreachProposed, Note: note,
			History: []graph.Transition{{To: graph.OutreachProposed, At: now, By: by, Note: note}},
			Version: 1, Created: now, Updated: now,
		}
		return graph.ShortlistChange{Audit: graph.AuditEntry{
			At: now, By: by, Action: "shortlist.add", Subject: r.ID + "/" + candidate, Request: r.ID,
			Municipalities: []string{r.Municipality, candidate},
			Detail:         fmt.Sprintf("%s proposed as a partner of %s", candidate, r.Municipality),
		}}, nil
	})
}

// signedPartnership returns the partnership a signing writes: the pair's
// own, active, when it has one, else a new one of kind (twinning by
// default). Its Since is 0 for a new one, for the caller to set.
func (s *Service) signedPartnership(ctx context.Context, request, candidate string, kind graph.PartnershipKind) (graph.Partnership, error) {
	r, err := s.store.Request(ctx, request)
	if err != nil {
		return graph.Partnership{}, err
	}
	partners, err := s.store.Partners(ctx, candidate)
	if err != nil {
		return graph.Partnership{}, err
	}
	p := graph.Partnership{A: r.Municipality, B: candidate, Kind: graph.KindTwinning, Source: "twinning request " + r.ID}
	for _, x := range partners {
		if x.Municipality.ID == r.Municipality {
			p = x.Partnership
		}
	}
	if kind != "" {
		p.Kind = kind
	}
	p.Status = graph.StatusActive
	p.Normalize()
	return p, nil
}

// checkCandidate refuses an unknown candidate and one in the request's own
// country: EINVALID naming "candidate".
func (s *Service) checkCandidate(ctx context.Context, r graph.Request, candidate string) error {
	c, err := s.municipality(ctx, "candidate", candidate)
	if err != nil {
		return err
	}
	src, err := s.store.Municipality(ctx, r.Municipality)
	if err != nil {
		return err
	}
	if c.Country == src.Country {
		return graph.FieldErrorf("candidate", "%s is in %s, like %s: partners come from other countries", candidate, c.Country, r.Municipality)
	}
	return nil
}

// MoveInput is a change of an outreach's status.
type MoveInput struct {
	// Status is where the outreach goes.
	Status graph.OutreachStatus `json:"status"`
	// Note says why or what happened.
	Note string `json:"note"`
	// Kind is the kind of the partnership a signed agreement creates;
	// empty means twinning, or the kind of the pair's partnership when it
	// has one.
	Kind graph.PartnershipKind `json:"kind"`
}

// CandidateMoves are the statuses the candidate's own side may move its
// outreach to: it answers (in talks) or declines. Proposing, contacting
// and signing are the request's side's, or an officer's.
var CandidateMoves = []graph.OutreachStatus{graph.OutreachInTalks, graph.OutreachDeclined}

// MoveCandidate moves the outreach to a shortlisted candidate, which must
// still be at version. candidateSide says that the caller acts for the
// candidate, which may only answer or decline (CandidateMoves). Signing
// writes an active partnership between the two municipalities in the same
// transaction: a pair that already has one keeps its year and source and
// becomes active (and of in.Kind, when given). Errors: ENOTFOUND (request,
// candidate or entry), EFORBIDDEN, EPRECONDITIONREQUIRED, EPRECONDITION,
// EINVALID naming "status" for a transition the workflow does not allow or
// "kind", ECONFLICT when the request is closed, or not open for a
// proposal.
func (s *Service) MoveCandidate(ctx context.Context, request, candidate string, version int64, in MoveInput, by graph.Actor, candidateSide bool) (graph.ShortlistEntry, error) {
	if in.Kind != "" && !in.Kind.Valid() {
		return graph.ShortlistEntry{}, graph.FieldErrorf("kind", "%q is not one of %v", in.Kind, graph.PartnershipKinds)
	}
	if candidateSide && !slices.Contains(CandidateMoves, in.Status) {
		return graph.ShortlistEntry{}, graph.Errorf(graph.EFORBIDDEN, "the candidate's side may move its outreach only to %v; %s is for the requesting city hall or an officer", CandidateMoves, in.Status)
	}
	if _, err := s.store.Municipality(ctx, candidate); err != nil {
		return graph.ShortlistEntry{}, err
	}
	var partnership graph.Partnership
	if in.Status == graph.OutreachSigned {
		var err error
		if partnership, err = s.signedPartnership(ctx, request, candidate, in.Kind); err != nil {
			return graph.ShortlistEntry{}, err
		}
	}
	now := s.time()
	return s.store.ChangeShortlist(ctx, request, candidate, func(r graph.Request, e *graph.ShortlistEntry, exists bool) (graph.ShortlistChange, error) {
		if !exists {
			return graph.ShortlistChange{}, graph.Errorf(graph.ENOTFOUND, "%s is not on the shortlist of %s", candidate, request)
		}
		if err := checkVersion("the outreach to "+candidate, version, e.Version); err != nil {
			return graph.ShortlistChange{}, err
		}
		switch {
		case r.Status == graph.RequestClosed:
			return graph.ShortlistChange{}, graph.Errorf(graph.ECONFLICT, "request %s is closed; its outreach cannot change", r.ID)
		case r.Status != graph.RequestOpen && in.Status == graph.OutreachProposed:
			return graph.ShortlistChange{}, graph.Errorf(graph.ECONFLICT, "request %s is %s; reopen it to propose candidates again", r.ID, r.Status)
		}
		from := e.Status
		if err := e.Move(in.Status, in.Note, by, now); err != nil {
			return graph.ShortlistChange{}, err
		}
		c := graph.ShortlistChange{Audit: graph.AuditEntry{
			At: now, By: by, Action: "shortlist.move", Subject: r.ID + "/" + candidate, Request: r.ID,
			Municipalities: []string{r.Municipality, candidate},
			Detail:         fmt.Sprintf("outreach to %s: %s → %s", candidate, from, in.Status),
		}}
		if in.Status == graph.OutreachSigned {
			p := partnership
			if p.Since == 0 {
				p.Since = now.Year()
			}
			c.Partnership = &p
			c.Audit.Detail += fmt.Sprintf("; %s partnership %s–%s is active", p.Kind, r.Municipality, candidate)
		}
		return c, nil
	})
}
