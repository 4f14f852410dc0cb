package graph

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the partner-request workflow: the taxonomy of cooperation
// themes, the requests that Ukrainian city halls post, the profiles that
// European municipalities declare, the shortlist of candidates per request
// with the outreach to each, and the audit log of every change. The rules
// (what is valid, which status may follow which) live here; stores keep the
// records and apply a change atomically (Workflow).

// TaxonomyVersion names the version of CooperationThemes. It changes when a
// theme is added, renamed or removed; a removed code is never reused.
const TaxonomyVersion = "2026-11"

// CooperationTheme is one theme of the taxonomy in which requests state
// needs and offers.
type CooperationTheme struct {
	// Code identifies the theme in requests and profiles ("water").
	Code string `json:"code"`
	// LabelEN and LabelUK name the theme in English and in Ukrainian.
	LabelEN string `json:"label_en"`
	LabelUK string `json:"label_uk"`
	// MunicipalityThemes are the Themes of a municipality that show
	// experience in this theme, for municipalities that have no profile.
	MunicipalityThemes []string `json:"municipality_themes"`
}

// CooperationThemes is the taxonomy, version TaxonomyVersion.
var CooperationThemes = []CooperationTheme{
	{"energy", "Energy and energy efficiency", "Енергетика та енергоефективність", []string{"energy"}},
	{"water", "Water and sanitation", "Водопостачання та водовідведення", []string{"water"}},
	{"health", "Health", "Охорона здоров’я", []string{"health"}},
	{"education", "Education", "Освіта", []string{"education", "university"}},
	{"culture_youth", "Culture and youth", "Культура та молодь", []string{"culture", "youth", "sport"}},
	{"social_services", "Displaced people and social services", "Внутрішньо переміщені особи та соціальні послуги", []string{"displaced_people"}},
	{"reconstruction", "Reconstruction and housing", "Відбудова та житло", []string{"reconstruction"}},
	{"local_economy", "Local economy and business", "Місцева економіка та підприємництво", []string{"economy", "industry", "tourism"}},
	{"governance", "Governance and digital services", "Врядування та цифрові послуги", []string{"governance"}},
	{"civil_protection", "Civil protection and demining", "Цивільний захист і розмінування", []string{"civil_protection"}},
	{"environment", "Environment and waste", "Довкілля та поводження з відходами", []string{"environment"}},
	{"transport", "Transport", "Транспорт", []string{"transport", "port"}},
	{"agriculture", "Agriculture", "Сільське господарство", []string{"agriculture"}},
}

// CooperationThemeByCode returns the theme of the taxonomy with the given
// code.
func CooperationThemeByCode(code string) (CooperationTheme, bool) {
	i := slices.IndexFunc(CooperationThemes, func(t CooperationTheme) bool { return t.Code == code })
	if i < 0 {
		return CooperationTheme{}, false
	}
	return CooperationThemes[i], true
}

// cooperationCodes returns the codes of the taxonomy, for messages.
func cooperationCodes() string {
	codes := make([]string, len(CooperationThemes))
	for i, t := range CooperationThemes {
		codes[i] = t.Code
	}
	return strings.Join(codes, ", ")
}

// RequestStatus is the state of a partner request.
type RequestStatus string

// The states of a partner request: open takes suggestions and outreach;
// paused keeps its shortlist but is left out of open lists; closed is
// final.
const (
	RequestOpen   RequestStatus = "open"
	RequestPaused RequestStatus = "paused"
	RequestClosed RequestStatus = "closed"
)

// RequestStatuses lists every RequestStatus.
var RequestStatuses = []RequestStatus{RequestOpen, RequestPaused, RequestClosed}

// Valid reports whether s is one of RequestStatuses.
func (s RequestStatus) Valid() bool { return slices.Contains(RequestStatuses, s) }

// Actor is who made a change: the key's id and name, or the command line.
type Actor struct {
	// Key is the id of the API key, empty for the command line.
	Key string `json:"key,omitempty"`
	// Name says who it is ("Lviv city hall", "cli:olena").
	Name string `json:"name"`
}

// Bounds of the workflow's text.
const (
	MaxRequestText = 4000 // characters of a request's or profile's free text
	MaxNote        = 2000 // characters of an outreach note
	MaxLanguages   = 10   // languages of one request or profile
	MaxCountries   = 50   // preferred countries of one request
)

var (
	languagePattern  = regexp.MustCompile(`^[a-z]{2}$`)
	requestIDPattern = regexp.MustCompile(`^req-[a-z0-9]{4,40}$`)
)

// ValidRequestID reports whether id has the form of a request id: "req-"
// and 4 to 40 of a-z 0-9.
func ValidRequestID(id string) bool { return requestIDPattern.MatchString(id) }

// Request is a partner request that a Ukrainian city hall posts: what it
// needs, what it can offer, and whom it would like as a partner.
type Request struct {
	// ID is "req-" and lower-case letters or digits, given by the server.
	ID string `json:"id"`
	// Municipality is the id of the municipality that asks.
	Municipality string `json:"municipality"`
	// Title sums the request up in a line.
	Title string `json:"title"`
	// Needs and Offers are codes of CooperationThemes.
	Needs  []string `json:"needs"`
	Offers []string `json:"offers"`
	// Countries are the preferred partner countries (ISO 3166-1 alpha-2);
	// empty means any.
	Countries []string `json:"countries"`
	// MinPopulation and MaxPopulation bound the partner's size, inclusive;
	// 0 leaves that side open.
	MinPopulation int64 `json:"min_population,omitempty"`
	MaxPopulation int64 `json:"max_population,omitempty"`
	// Languages are ISO 639-1 codes of the languages the city hall can work
	// in ("en", "pl", "de").
	Languages []string `json:"languages"`
	// Text says more, in the city hall's words.
	Text string `json:"text,omitempty"`
	// Status is open, paused or closed.
	Status RequestStatus `json:"status"`
	// Version counts the changes, from 1; it is the request's ETag.
	Version int64 `json:"version"`
	// Created and Updated are when the request was made and last changed;
	// CreatedBy and UpdatedBy who did it.
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	CreatedBy Actor     `json:"created_by"`
	UpdatedBy Actor     `json:"updated_by"`
}

// ChangeRequest applies change to r, a stored request, as a store's
// UpdateRequest does, and returns the audit entry change returns: change's
// error as it is, or an EINVALID error when change altered the request's
// id ("id") or municipality ("municipality"), which never change.
func ChangeRequest(r *Request, change func(*Request) (AuditEntry, error)) (AuditEntry, error) {
	id, municipality := r.ID, r.Municipality
	audit, err := change(r)
	switch {
	case err != nil:
		return audit, err
	case r.ID != id:
		return audit, FieldErrorf("id", "the id of request %s cannot change", id)
	case r.Municipality != municipality:
		return audit, FieldErrorf("municipality", "the municipality of request %s cannot change", id)
	}
	return audit, nil
}

// Validate returns an EINVALID *Error naming the first field that breaks a
// rule, or nil.
func (r *Request) Validate() error {
	switch {
	case !ValidRequestID(r.ID):
		return FieldErrorf("id", "%q is not a request id (req- and 4-40 of a-z 0-9)", r.ID)
	case !ValidID(r.Municipality):
		return CheckID("municipality", r.Municipality)
	case strings.TrimSpace(r.Title) == "":
		return FieldErrorf("title", "a request needs a title")
	case len(r.Needs) == 0 && len(r.Offers) == 0:
		return FieldErrorf("needs", "a request needs at least one need or one offer")
	case r.MinPopulation < 0:
		return FieldErrorf("min_population", "must be 0 or more, got %d", r.MinPopulation)
	case r.MaxPopulation < 0:
		return FieldErrorf("max_population", "must be 0 or more, got %d", r.MaxPopulation)
	case r.MaxPopulation != 0 && r.MinPopulation > r.MaxPopulation:
		return FieldErrorf("max_population", "the size range is upside down: min_population %d is above max_population %d", r.MinPopulation, r.MaxPopulation)
	case !r.Status.Valid():
		return FieldErrorf("status", "%q is not one of %v", r.Status, RequestStatuses)
	case len(r.Countries) > MaxCountries:
		return FieldErrorf("countries", "%d countries, at most %d allowed", len(r.Countries), MaxCountries)
	}
	for _, f := range []struct {
		field string
		codes []string
	}{{"needs", r.Needs}, {"offers", r.Offers}} {
		if err := validCodes(f.field, f.codes); err != nil {
			return err
		}
	}
	for i, c := range r.Countries {
		if !ValidCountry(c) {
			return FieldErrorf("countries", "%q is not an ISO 3166-1 alpha-2 code", c)
		}
		if slices.Contains(r.Countries[:i], c) {
			return FieldErrorf("countries", "%s is listed twice", c)
		}
	}
	if err := validLanguages(r.Languages); err != nil {
		return err
	}
	if err := validWorkflowText("title", r.Title, MaxNameLength); err != nil {
		return err
	}
	return validWorkflowText("text", r.Text, MaxRequestText)
}

// Profile is what a European municipality declares: what it offers and
// what it seeks, so that matching is two-sided.
type Profile struct {
	// Municipality is the id of the municipality the profile is of.
	Municipality string `json:"municipality"`
	// Offers and Seeks are codes of CooperationThemes.
	Offers []string `json:"offers"`
	Seeks  []string `json:"seeks"`
	// Languages are ISO 639-1 codes of the languages it can work in.
	Languages []string `json:"languages"`
	// Text says more, in its own words.
	Text string `json:"text,omitempty"`
	// Version counts the changes, from 1; it is the profile's ETag.
	Version   int64     `json:"version"`
	Updated   time.Time `json:"updated"`
	UpdatedBy Actor     `json:"updated_by"`
}

// Validate returns an EINVALID *Error naming the first field that breaks a
// rule, or nil.
func (p *Profile) Validate() error {
	if err := CheckID("municipality", p.Municipality); err != nil {
		return err
	}
	if len(p.Offers) == 0 && len(p.Seeks) == 0 {
		return FieldErrorf("offers", "a profile needs at least one offer or one sought theme")
	}
	if err := validCodes("offers", p.Offers); err != nil {
		return err
	}
	if err := validCodes("seeks", p.Seeks); err != nil {
		return err
	}
	if err := validLanguages(p.Languages); err != nil {
		return err
	}
	return validWorkflowText("text", p.Text, MaxRequestText)
}

// OutreachStatus is the state of the outreach to one shortlisted candidate.
type OutreachStatus string

// The states of outreach: proposed → contacted → in_talks → signed, or
// declined from any state before signed. A declined candidate may be
// proposed again; signed is final.
const (
	OutreachProposed  OutreachStatus = "proposed"
	OutreachContacted OutreachStatus = "contacted"
	OutreachInTalks   OutreachStatus = "in_talks"
	OutreachSigned    OutreachStatus = "signed"
	OutreachDeclined  OutreachStatus = "declined"
)

// OutreachStatuses lists every OutreachStatus in workflow order.
var OutreachStatuses = []OutreachStatus{OutreachProposed, OutreachContacted, OutreachInTalks, OutreachSigned, OutreachDeclined}

// outreachNext maps each status to the ones that may follow it.
var outreachNext = map[OutreachStatus][]OutreachStatus{
	OutreachProposed:  {OutreachContacted, OutreachDeclined},
	OutreachContacted: {OutreachInTalks, OutreachDeclined},
	OutreachInTalks:   {OutreachSigned, OutreachDeclined},
	OutreachSigned:    nil,
	OutreachDeclined:  {OutreachProposed},
}

// Valid reports whether s is one of OutreachStatuses.
func (s OutreachStatus) Valid() bool { return slices.Contains(OutreachStatuses, s) }

// Next returns the statuses that may follow s.
func (s OutreachStatus) Next() []OutreachStatus { return slices.Clone(outreachNext[s]) }

// Final reports whether nothing may follow s.
func (s OutreachStatus) Final() bool { return s.Valid() && len(outreachNext[s]) == 0 }

// Transition is one change of an outreach's status.
type Transition struct {
	// From is the status before, empty for the proposal.
	From OutreachStatus `json:"from,omitempty"`
	// To is the status after.
	To OutreachStatus `json:"to"`
	// At is when, By who.
	At time.Time `json:"at"`
	By Actor     `json:"by"`
	// Note says why or what happened.
	Note string `json:"note,omitempty"`
}

// ShortlistEntry is one candidate on a request's shortlist, with the
// outreach to it.
type ShortlistEntry struct {
	// Request is the id of the request.
	Request string `json:"request"`
	// Candidate is the id of the candidate municipality.
	Candidate string `json:"candidate"`
	// Status is where the outreach stands.
	Status OutreachStatus `json:"status"`
	// Note is the latest note.
	Note string `json:"note,omitempty"`
	// History lists every transition, oldest first; the first is the
	// proposal.
	History []Transition `json:"history"`
	// Version counts the changes, from 1; it is the entry's ETag.
	Version int64     `json:"version"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Move changes the entry's status to next, recording the transition. It
// returns an EINVALID error naming "status" for a transition the workflow
// does not allow, and for a note that is too long.
func (e *ShortlistEntry) Move(next OutreachStatus, note string, by Actor, at time.Time) error {
	if !next.Valid() {
		return FieldErrorf("status", "%q is not one of %v", next, OutreachStatuses)
	}
	if !slices.Contains(outreachNext[e.Status], next) {
		allowed := "nothing: it is final"
		if n := outreachNext[e.Status]; len(n) > 0 {
			allowed = strings.Join(statusNames(n), ", ")
		}
		return FieldErrorf("status", "outreach to %s cannot go from %s to %s; from %s it may go to %s", e.Candidate, e.Status, next, e.Status, allowed)
	}
	if err := ValidateNote(note); err != nil {
		return err
	}
	e.History = append(e.History, Transition{From: e.Status, To: next, At: at, By: by, Note: note})
	e.Status, e.Note, e.Updated = next, note, at
	e.Version++
	return nil
}

// ValidateNote returns an EINVALID error naming "note" when an outreach
// note is not valid UTF-8 or longer than MaxNote characters.
func ValidateNote(note string) error { return validWorkflowText("note", note, MaxNote) }

// statusNames returns the statuses as strings.
func statusNames(ss []OutreachStatus) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// AuditEntry is one change in the workflow's audit log.
type AuditEntry struct {
	// Seq orders the log; stores give it, from 1, increasing.
	Seq int64 `json:"seq"`
	// At is when the change was made; By who made it.
	At time.Time `json:"at"`
	By Actor     `json:"by"`
	// Action names the change: "request.create", "request.update",
	// "profile.put", "shortlist.add", "shortlist.move".
	Action string `json:"action"`
	// Subject is what changed: a request id, "profile:" and a municipality
	// id, or a request id, "/" and a candidate id.
	Subject string `json:"subject"`
	// Request is the request the change concerns, when there is one.
	Request string `json:"request,omitempty"`
	// Municipalities are the municipalities the change concerns.
	Municipalities []string `json:"municipalities"`
	// Detail says what changed ("status: open → paused").
	Detail string `json:"detail"`
}

// AuditQuery selects entries of the audit log, newest first.
type AuditQuery struct {
	// Request keeps the entries of one request (its own and its
	// shortlist's); Municipality those that concern one municipality.
	Request      string
	Municipality string
	// Before keeps entries with a Seq below it (0: no bound), for paging.
	Before int64
	// Limit caps the entries (0 means DefaultLimit, at most MaxLimit).
	Limit int
}

// Matches reports whether e passes the filters of q (not Limit).
func (q *AuditQuery) Matches(e *AuditEntry) bool {
	return (q.Request == "" || e.Request == q.Request) &&
		(q.Municipality == "" || slices.Contains(e.Municipalities, q.Municipality)) &&
		(q.Before == 0 || e.Seq < q.Before)
}

// EffectiveLimit returns Limit, or DefaultLimit when Limit is 0.
func (q *AuditQuery) EffectiveLimit() int {
	if q.Limit <= 0 {
		return DefaultLimit
	}
	return min(q.Limit, MaxLimit)
}

// ShortlistChange is what a change of a shortlist entry writes besides the
// entry: its audit entry and, when an agreement is signed, the partnership
// to create or make active.
type ShortlistChange struct {
	// Audit is the change's entry in the audit log.
	Audit AuditEntry
	// Partnership, when set, is written in the same transaction.
	Partnership *Partnership
}

// Workflow stores partner requests, profiles, shortlists and the audit log.
// Every change is one transaction: the record, its audit entry and (for a
// signed agreement) the partnership are written together or not at all.
// The change functions hold the rules; a store calls one with the current
// record inside its transaction, may call it more than once (a retried
// transaction), and writes nothing when it returns an error, which the
// store returns as it is. Implementations are safe for concurrent use, and
// two changes of the same record never both apply to the same version.
//
// Stores do not validate the records (Request.Validate, Profile.Validate):
// the change functions do. They do refuse, with EINVALID, a change that
// alters what identifies a record: a request's id or municipality
// ("id", "municipality"), a profile's municipality ("municipality"), a
// shortlist entry's request or candidate ("candidate"); and a partnership
// that does not validate (its own error). Deleting a municipality leaves
// the workflow's records that name it: they are the history of the
// outreach, and readers tolerate the missing municipality.
type Workflow interface {
	// CreateRequest stores a new request with its audit entry: ECONFLICT
	// when the id exists, EINVALID naming "municipality" when that
	// municipality does not exist.
	CreateRequest(ctx context.Context, r Request, audit AuditEntry) error

	// Request returns the request with the given id, or ENOTFOUND.
	Request(ctx context.Context, id string) (Request, error)

	// Requests returns every request, in id order.
	Requests(ctx context.Context) ([]Request, error)

	// UpdateRequest applies change to the stored request and writes the
	// result with the audit entry change returns: ENOTFOUND when the
	// request does not exist, EINVALID when the change alters the id
	// ("id") or the municipality ("municipality"), which never change.
	UpdateRequest(ctx context.Context, id string, change func(*Request) (AuditEntry, error)) (Request, error)

	// Profile returns the profile of the municipality, or ENOTFOUND.
	Profile(ctx context.Context, municipality string) (Profile, error)

	// Profiles returns every profile, in municipality id order.
	Profiles(ctx context.Context) ([]Profile, error)

	// PutProfile applies change to the municipality's profile (a zero
	// Profile and exists false when it has none) and writes the result
	// with the audit entry change returns: EINVALID naming "municipality"
	// when that municipality does not exist.
	PutProfile(ctx context.Context, municipality string, change func(p *Profile, exists bool) (AuditEntry, error)) (Profile, error)

	// Shortlist returns the entries of a request, in candidate id order:
	// ENOTFOUND when the request does not exist.
	Shortlist(ctx context.Context, request string) ([]ShortlistEntry, error)

	// Shortlists returns the entries of every request, in request then
	// candidate id order.
	Shortlists(ctx context.Context) ([]ShortlistEntry, error)

	// ChangeShortlist applies change to the entry of the candidate on the
	// request's shortlist (a zero entry and exists false when there is
	// none) and writes the result, the audit entry and the partnership
	// change returns: ENOTFOUND when the request does not exist, EINVALID
	// naming "candidate" when that municipality does not exist.
	ChangeShortlist(ctx context.Context, request, candidate string, change func(r Request, e *ShortlistEntry, exists bool) (ShortlistChange, error)) (ShortlistEntry, error)

	// Audit returns the entries of the audit log that q selects, newest
	// first, at most q.EffectiveLimit().
	Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
}

// validCodes checks that codes are distinct codes of CooperationThemes.
func validCodes(field string, codes []string) error {
	for i, c := range codes {
		if _, ok := CooperationThemeByCode(c); !ok {
			return FieldErrorf(field, "unknown theme %q (taxonomy %s: %s)", c, TaxonomyVersion, cooperationCodes())
		}
		if slices.Contains(codes[:i], c) {
			return FieldErrorf(field, "theme %q is listed twice", c)
		}
	}
	return nil
}

// validLanguages checks a list of ISO 639-1 codes.
func validLanguages(langs []string) error {
	if len(langs) > MaxLanguages {
		return FieldErrorf("languages", "%d languages, at most %d allowed", len(langs), MaxLanguages)
	}
	for i, l := range langs {
		if !languagePattern.MatchString(l) {
			return FieldErrorf("languages", "%q is not an ISO 639-1 code (two lower-case letters, e.g. en)", l)
		}
		if slices.Contains(langs[:i], l) {
			return FieldErrorf("languages", "%s is listed twice", l)
		}
	}
	return nil
}

// validWorkflowText checks that a text is valid UTF-8 within limit
// characters.
func validWorkflowText(field, value string, limit int) error {
	switch {
	case !utf8.ValidString(value):
		return FieldErrorf(field, "is not valid UTF-8")
	case utf8.RuneCountInString(value) > limit:
		return FieldErrorf(field, "%d characters, at most %d allowed", utf8.RuneCountInString(value), limit)
	}
	return nil
}
