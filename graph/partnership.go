package graph

import (
	"slices"
	"time"
)

// PartnershipKind is the form of a partnership.
type PartnershipKind string

// The kinds of partnership.
const (
	KindTwinning    PartnershipKind = "twinning"    // a formal twin-town or sister-city agreement
	KindCooperation PartnershipKind = "cooperation" // a cooperation agreement short of twinning
	KindFriendship  PartnershipKind = "friendship"  // a declaration of friendship
)

// PartnershipKinds lists every valid PartnershipKind.
var PartnershipKinds = []PartnershipKind{KindTwinning, KindCooperation, KindFriendship}

// Valid reports whether k is one of PartnershipKinds.
func (k PartnershipKind) Valid() bool { return slices.Contains(PartnershipKinds, k) }

// Status is the state of a partnership.
type Status string

// The statuses of a partnership.
const (
	StatusActive    Status = "active"    // in force and alive
	StatusDormant   Status = "dormant"   // in force on paper, no recent activity
	StatusSuspended Status = "suspended" // suspended, as Ukrainian partnerships with Russian and Belarusian cities were in 2014/2022
	StatusProposed  Status = "proposed"  // proposed, not yet signed
)

// Statuses lists every valid Status.
var Statuses = []Status{StatusActive, StatusDormant, StatusSuspended, StatusProposed}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// SuspendedCountries are the countries whose partnerships with Ukrainian
// municipalities are suspended, and which suggestions leave out by default.
var SuspendedCountries = []string{"RU", "BY"}

// Partnership links two municipalities. It is undirected: A and B are kept
// in order (A < B) by Normalize, and one pair has at most one partnership.
type Partnership struct {
	A      string          `json:"a"`
	B      string          `json:"b"`
	Kind   PartnershipKind `json:"kind"`
	Status Status          `json:"status"`
	// Since is the year the partnership began, 0 when unknown.
	Since int `json:"since,omitempty"`
	// Source says where the record comes from (a URL, "wikipedia", ...).
	Source string `json:"source,omitempty"`
}

// Normalize puts A and B in order so that the same pair always has the same
// key.
func (p *Partnership) Normalize() {
	if p.B < p.A {
		p.A, p.B = p.B, p.A
	}
}

// Key returns the ordered pair of ids that identifies the partnership.
func (p Partnership) Key() [2]string {
	if p.B < p.A {
		return [2]string{p.B, p.A}
	}
	return [2]string{p.A, p.B}
}

// Other returns the id at the other end from id.
func (p Partnership) Other(id string) string {
	if p.A == id {
		return p.B
	}
	return p.A
}

// Validate returns an EINVALID *Error naming the first field that breaks a
// rule, or nil. It does not check that the municipalities exist: stores do.
func (p *Partnership) Validate() error {
	switch {
	case !ValidID(p.A):
		return FieldErrorf("a", "%q is not a valid municipality id", p.A)
	case !ValidID(p.B):
		return FieldErrorf("b", "%q is not a valid municipality id", p.B)
	case p.A == p.B:
		return FieldErrorf("b", "a municipality cannot partner with itself (%s)", p.A)
	case !p.Kind.Valid():
		return FieldErrorf("kind", "partnership %s-%s: %q is not one of %v", p.A, p.B, p.Kind, PartnershipKinds)
	case !p.Status.Valid():
		return FieldErrorf("status", "partnership %s-%s: %q is not one of %v", p.A, p.B, p.Status, Statuses)
	case p.Since != 0 && (p.Since < 1900 || p.Since > time.Now().Year()+1):
		return FieldErrorf("since", "partnership %s-%s: year %d is out of range 1900-%d", p.A, p.B, p.Since, time.Now().Year()+1)
	}
	return nil
}

// Partner is one partnership seen from one of its municipalities: the
// municipality at the other end and the partnership itself.
type Partner struct {
	Municipality Municipality `json:"municipality"`
	Partnership  Partnership  `json:"partnership"`
}
