package api

import (
	"context"

	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/keys"
	"github.com/twinning/twinning/internal/score"
	"github.com/twinning/twinning/internal/workflow"
)

// workflowRoutes adds the partner-request workflow's routes: the taxonomy,
// requests, profiles, shortlists with outreach, the officers' lists and
// the audit log. Reads are open (unless reads need a key); writes need an
// editor key, and a key scoped to a municipality changes only what is its
// own.
func (s *Server) workflowRoutes(r chi.Router) {
	editor := s.require(keys.RoleEditor)
	r.Get("/themes", s.themes)
	r.Get("/requests", s.listRequests)
	r.With(editor).Post("/requests", s.createRequest)
	r.Get("/requests/{request}", s.getRequest)
	r.With(editor).Patch("/requests/{request}", s.patchRequest)
	r.Get("/requests/{request}/suggestions", s.requestSuggestions)
	r.Get("/requests/{request}/shortlist", s.getShortlist)
	r.With(editor).Post("/requests/{request}/shortlist", s.addCandidate)
	r.Get("/requests/{request}/shortlist/{candidate}", s.getShortlistEntry)
	r.With(editor).Patch("/requests/{request}/shortlist/{candidate}", s.moveCandidate)
	r.Get("/profiles", s.listProfiles)
	r.Get("/profiles/{municipality}", s.getProfile)
	r.With(editor).Put("/profiles/{municipality}", s.putProfile)
	r.Get("/outreach/stalled", s.stalledOutreach)
	r.Get("/offers/unanswered", s.unansweredOffers)
	r.Get("/audit", s.auditLog)
}

// actor returns who makes the request's change: its key.
func actor(ctx context.Context) graph.Actor {
	k, _ := keyFrom(ctx)
	return graph.Actor{Key: k.ID, Name: k.Name}
}

// reply answers with err's problem, or else with v as JSON.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, status, v)
}

// versionTag is the ETag of a record at a version.
func versionTag(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

// ifMatch returns the version that the If-Match header names: 0 when there
// is none, an EINVALID error naming If-Match when it is not one strong
// version tag.
func ifMatch(r *http.Request) (int64, error) {
	values := r.Header.Values("If-Match")
	if len(values) == 0 {
		return 0, nil
	}
	v := strings.TrimSpace(strings.Join(values, ","))
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || n < 1 || !strings.HasPrefix(v, `"`) || !strings.HasSuffix(v, `"`) || len(v) < 3 {
		return 0, graph.FieldErrorf("If-Match", "%q is not the ETag of a version (a quoted number such as \"3\", as read from ETag)", v)
	}
	return n, nil
}

// writeVersioned answers with a record and its ETag.
func (s *Server) writeVersioned(w http.ResponseWriter, status int, version int64, v any) {
	w.Header().Set("ETag", versionTag(version))
	w.Header().Set("Cache-Control", "no-cache")
	s.writeJSON(w, status, v)
}

// pathRequestID returns the {request} path parameter.
func pathRequestID(r *http.Request) (string, error) {
	id := r.PathValue("request")
	if !graph.ValidRequestID(id) {
		return "", graph.FieldErrorf("request", "%q is not a request id (req- and 4-40 of a-z 0-9)", id)
	}
	return id, nil
}

// logChange logs a change of the workflow with the key that made it.
func (s *Server) logChange(r *http.Request, what string, ids ...string) {
	k, _ := keyFrom(r.Context())
	s.logger.InfoContext(r.Context(), "workflow changed", "change", what, "ids", ids,
		"key", k.ID, "key_name", k.Name, "request_id", requestIDFrom(r.Context()))
}

// themesAnswer is the taxonomy.
type themesAnswer struct {
	Version string                   `json:"version"`
	Themes  []graph.CooperationTheme `json:"themes"`
}

// themes answers GET /v1/themes with the taxonomy of cooperation themes.
func (s *Server) themes(w http.ResponseWriter, r *http.Request) {
	if p := newParams(r); p.err != nil {
		s.writeError(w, r, p.err)
		return
	}
	s.writeJSON(w, http.StatusOK, themesAnswer{Version: graph.TaxonomyVersion, Themes: graph.CooperationThemes})
}

// call reads what a workflow route needs of its request, step by step:
// each step does nothing once one has failed, and err is the first
// failure, which the handler answers with.
type call struct {
	s   *Server
	r   *http.Request
	err error
}

// newCall begins reading r.
func (s *Server) newCall(r *http.Request) *call { return &call{s: s, r: r} }

// do runs step unless an earlier one failed.
func (c *call) do(step func() error) {
	if c.err == nil {
		c.err = step()
	}
}

// request returns the {request} path parameter.
func (c *call) request() (id string) {
	c.do(func() (err error) { id, err = pathRequestID(c.r); return err })
	return id
}

// municipality returns the municipality id path parameter name.
func (c *call) municipality(name string) (id string) {
	c.do(func() (err error) { id, err = pathMunicipality(c.r, name); return err })
	return id
}

// noParams checks that the query holds no parameter.
func (c *call) noParams() { c.do(func() error { return newParams(c.r).err }) }

// body decodes the JSON body into v.
func (c *call) body(v any) { c.do(func() error { return decodeJSON(c.r, v) }) }

// version returns the version that If-Match names (0 for none).
func (c *call) version() (v int64) {
	c.do(func() (err error) { v, err = ifMatch(c.r); return err })
	return v
}

// own checks that the caller's key may change request id (ownRequest).
func (c *call) own(id string, also ...string) {
	c.do(func() error { _, err := c.s.ownRequest(c.r.Context(), id, also...); return err })
}

// failed answers the first failure, if any, and says whether there was one.
func (c *call) failed(w http.ResponseWriter) bool {
	if c.err != nil {
		c.s.writeError(w, c.r, c.err)
	}
	return c.err != nil
}

// createRequest answers POST /v1/requests: 201 with the request, its// createRequest answers POST /v1/requests: 201 with the request, its
// Location and ETag.
func (s *Server) createRequest(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	c.noParams()
	var body workflow.RequestInput
	c.body(&body)
	c.do(func() error { return graph.CheckID("municipality", body.Municipality) })
	c.do(func() error { return checkScope(r.Context(), body.Municipality) })
	var req graph.Request
	c.do(func() (err error) {
		req, err = s.workflow.CreateRequest(r.Context(), body, actor(r.Context()))
		return err
	})
	if c.failed(w) {
		return
	}
	s.logChange(r, "create request", req.ID, req.Municipality)
	w.Header().Set("Location", "/v1/requests/"+req.ID)
	s.writeVersioned(w, http.StatusCreated, req.Version, req)
}

// getRequest answers GET /v1/requests/{request} with the request and its
// ETag.
func (s *Server) getRequest(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	id := c.request()
	c.noParams()
	var req graph.Request
	c.do(func() (err error) { req, err = s.workflow.Flow().Request(r.Context(), id); return err })
	if c.failed(w) {
		return
	}
	s.writeVersioned(w, http.StatusOK, req.Version, req)
}

// ownRequest returns the request, checking that the caller's key may
// change it: its scope, if any, must be the request's municipality (or
// one of also).
func (s *Server) ownRequest(ctx context.Context, id string, also ...string) (graph.Request, error) {
	req, err := s.workflow.Flow().Request(ctx, id)
	if err != nil {
		return req, err
	}
	return req, checkScope(ctx, append([]string{req.Municipality}, also...)...)
}

// patchRequest answers PATCH /v1/requests/{request}: the fields of the body
// change, If-Match must name the current version.
func (s *Server) patchRequest(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	id := c.request()
	c.noParams()
	c.own(id)
	version := c.version()
	var patch workflow.RequestPatch
	c.body(&patch)
	var req graph.Request
	c.do(func() (err error) {
		req, err = s.workflow.UpdateRequest(r.Context(), id, version, patch, actor(r.Context()))
		return err
	})
	if c.failed(w) {
		return
	}
	s.logChange(r, "update request", id)
	s.writeVersioned(w, http.StatusOK, req.Version, req)
}

// listAnswer is a list of records.
type listAnswer[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func newList[T any](items []T) listAnswer[T] {
	if items == nil {
		items = []T{}
	}
	return listAnswer[T]{Items: items, Total: len(items)}
}

// listRequests answers GET /v1/requests: the requests that the filters
// select, newest first, with their municipality's region and outreach.
func (s *Server) listRequests(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "status", "region", "theme", "municipality")
	f := workflow.RequestFilter{Regions: p.list("region"), Themes: p.list("theme"), Municipality: p.id("municipality")}
	for _, st := range p.list("status") {
		f.Statuses = append(f.Statuses, graph.RequestStatus(st))
	}
	c := s.newCall(r)
	c.err = p.err
	var items []workflow.RequestSummary
	c.do(func() (err error) { items, err = s.workflow.Requests(r.Context(), f); return err })
	s.reply(w, r, http.StatusOK, newList(items), c.err)
}

// requestSuggestions answers GET /v1/requests/{request}/suggestions:
// candidates ranked with their complementarity to the request.
func (s *Server) requestSuggestions(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	id := c.request()
	p := newParams(r, "limit", "lang")
	limit := p.intRange("limit", 10, 1, 100)
	lang := p.oneOf("lang", score.Langs)
	c.do(func() error { return p.err })
	var res workflow.Suggestions
	c.do(func() (err error) { res, err = s.workflow.Suggest(r.Context(), id, limit, lang); return err })
	s.reply(w, r, http.StatusOK, res, c.err)
}

// shortlistAnswer is a request's shortlist.
type shortlistAnswer struct {
	Request string                 `json:"request"`
	Items   []graph.ShortlistEntry `json:"items"`
}

// getShortlist answers GET /v1/requests/{request}/shortlist.
func (s *Server) getShortlist(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	id := c.request()
	c.noParams()
	var items []graph.ShortlistEntry
	c.do(func() (err error) { items, err = s.workflow.Flow().Shortlist(r.Context(), id); return err })
	if c.failed(w) {
		return
	}
	if items == nil {
		items = []graph.ShortlistEntry{}
	}
	s.writeJSON(w, http.StatusOK, shortlistAnswer{Request: id, Items: items})
}

// addCandidateBody is the body of POST /v1/requests/{request}/shortlist.
type addCandidateBody struct {
	Candidate string `json:"candidate"`
	Note      string `json:"note"`
}

// addCandidate answers POST /v1/requests/{request}/shortlist: 201 with the
// new entry, proposed.
func (s *Server) addCandidate(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	id := c.request()
	c.noParams()
	c.own(id)
	var body addCandidateBody
	c.body(&body)
	c.do(func() error { return graph.CheckID("candidate", body.Candidate) })
	var e graph.ShortlistEntry
	c.do(func() (err error) {
		e, err = s.workflow.AddCandidate(r.Context(), id, body.Candidate, body.Note, actor(r.Context()))
		return err
	})
	if c.failed(w) {
		return
	}
	s.logChange(r, "shortlist", id, body.Candidate)
	w.Header().Set("Location", "/v1/requests/"+id+"/shortlist/"+body.Candidate)
	s.writeVersioned(w, http.StatusCreated, e.Version, e)
}

// shortlistEntry returns the candidate's entry on the request's shortlist.
func (s *Server) shortlistEntry(ctx context.Context, id, candidate string) (graph.ShortlistEntry, error) {
	items, err := s.workflow.Flow().Shortlist(ctx, id)
	if err != nil {
		return graph.ShortlistEntry{}, err
	}
	k := slices.IndexFunc(items, func(e graph.ShortlistEntry) bool { return e.Candidate == candidate })
	if k < 0 {
		return graph.ShortlistEntry{}, graph.Errorf(graph.ENOTFOUND, "%s is not on the shortlist of %s", candidate, id)
	}
	return items[k], nil
}

// getShortlistEntry answers GET /v1/requests/{request}/shortlist/{candidate}
// with the entry, its history and its ETag.
func (s *Server) getShortlistEntry(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	id := c.request()
	candidate := c.municipality("candidate")
	c.noParams()
	var e graph.ShortlistEntry
	c.do(func() (err error) { e, err = s.shortlistEntry(r.Context(), id, candidate); return err })
	if c.failed(w) {
		return
	}
	s.writeVersioned(w, http.StatusOK, e.Version, e)
}

// moveCandidate answers PATCH /v1/requests/{request}/shortlist/{candidate}:
// the outreach moves to the body's status, If-Match must name the entry's
// current version. The request's city hall or an officer may make any
// move the workflow allows; the candidate's own key may answer or decline
// (workflow.CandidateMoves).
func (s *Server) moveCandidate(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	id := c.request()
	candidate := c.municipality("candidate")
	c.noParams()
	c.own(id, candidate)
	version := c.version()
	var body workflow.MoveInput
	c.body(&body)
	var e graph.ShortlistEntry
	c.do(func() (err error) {
		k, _ := keyFrom(r.Context())
		candidateSide := k.Scope == candidate
		e, err = s.workflow.MoveCandidate(r.Context(), id, candidate, version, body, actor(r.Context()), candidateSide)
		return err
	})
	if c.failed(w) {
		return
	}
	s.logChange(r, "outreach "+string(e.Status), id, candidate)
	if e.Status == graph.OutreachSigned {
		// A new partnership: the engine and the graph snapshot reload.
		s.wrote(r, "partnership signed", id, candidate)
	}
	s.writeVersioned(w, http.StatusOK, e.Version, e)
}

// listProfiles answers GET /v1/profiles.
func (s *Server) listProfiles(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	c.noParams()
	var items []graph.Profile
	c.do(func() (err error) { items, err = s.workflow.Flow().Profiles(r.Context()); return err })
	s.reply(w, r, http.StatusOK, newList(items), c.err)
}

// getProfile answers GET /v1/profiles/{municipality} with the profile and
// its ETag.
func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	id := c.municipality("municipality")
	c.noParams()
	var p graph.Profile
	c.do(func() (err error) { p, err = s.workflow.Flow().Profile(r.Context(), id); return err })
	if c.failed(w) {
		return
	}
	s.writeVersioned(w, http.StatusOK, p.Version, p)
}

// putProfile answers PUT /v1/profiles/{municipality}: 201 for a new
// profile (no If-Match), 200 for a replaced one (If-Match: its version).
func (s *Server) putProfile(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	id := c.municipality("municipality")
	c.noParams()
	c.do(func() error { return checkScope(r.Context(), id) })
	version := c.version()
	var body workflow.ProfileInput
	c.body(&body)
	var p graph.Profile
	var created bool
	c.do(func() (err error) {
		p, created, err = s.workflow.PutProfile(r.Context(), id, version, body, actor(r.Context()))
		return err
	})
	if c.failed(w) {
		return
	}
	s.logChange(r, "put profile", id)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/v1/profiles/"+id)
	}
	s.writeVersioned(w, status, p.Version, p)
}

// stalledOutreach answers GET /v1/outreach/stalled?days=N.
func (s *Server) stalledOutreach(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "days")
	days := p.intRange("days", 30, 1, 3650)
	c := s.newCall(r)
	c.err = p.err
	var items []workflow.StalledOutreach
	c.do(func() (err error) { items, err = s.workflow.Stalled(r.Context(), days); return err })
	s.reply(w, r, http.StatusOK, newList(items), c.err)
}

// unansweredOffers answers GET /v1/offers/unanswered.
func (s *Server) unansweredOffers(w http.ResponseWriter, r *http.Request) {
	c := s.newCall(r)
	c.noParams()
	var items []workflow.UnansweredOffer
	c.do(func() (err error) { items, err = s.workflow.UnansweredOffers(r.Context()); return err })
	s.reply(w, r, http.StatusOK, newList(items), c.err)
}

// auditAnswer is a page of the audit log.
type auditAnswer struct {
	Items []graph.AuditEntry `json:"items"`
	// NextBefore, when set, is the before parameter of the next page.
	NextBefore int64 `json:"next_before,omitempty"`
}

// auditLog answers GET /v1/audit: the log, newest first, filtered by
// request or municipality, paged with before and limit.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "request", "municipality", "before", "limit")
	q := graph.AuditQuery{
		Request: p.single("request"), Municipality: p.id("municipality"),
		Before: int64(p.intRange("before", 0, 1, 1<<62)), Limit: p.intRange("limit", graph.DefaultLimit, 1, graph.MaxLimit),
	}
	if q.Request != "" && !graph.ValidRequestID(q.Request) {
		p.fail("request", "%q is not a request id (req- and 4-40 of a-z 0-9)", q.Request)
	}
	c := s.newCall(r)
	c.err = p.err
	var items []graph.AuditEntry
	c.do(func() (err error) { items, err = s.workflow.Flow().Audit(r.Context(), q); return err })
	if c.failed(w) {
		return
	}
	if items == nil {
		items = []graph.AuditEntry{}
	}
	a := auditAnswer{Items: items}
	if len(items) == q.EffectiveLimit() {
		a.NextBefore = items[len(items)-1].Seq
	}
	s.writeJSON(w, http.StatusOK, a)
}
