package graph

import (
	"slices"
	"strings"
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
	// Source says where the record comes from (a URL, "wikipedia", ...):
	// the first source that gave it.
	Source string `json:"source,omitempty"`
	// Sources lists every source that lists the partnership, the first
	// import first (the Wikipedia list, the U-LEAD/GIZ map, the ministry's
	// map, the register of agreements), each with what it says of it; nil
	// for a partnership entered by hand.
	Sources []Reference `json:"sources,omitempty"`
}

// Reference is what one source says of a partnership.
type Reference struct {
	// Source names the source, as Partnership.Source does.
	Source string `json:"source"`
	// Since is the year the source gives (the register's signing date),
	// 0 when it gives none.
	Since int `json:"since,omitempty"`
	// Agreement is the kind of agreement as the source names it (the
	// register's "cbc", "interterritorial", "cbc_interterritorial"), "" when
	// it names none.
	Agreement string `json:"agreement,omitempty"`
	// Themes are the source's themes of the agreement, as it names them.
	Themes []string `json:"themes,omitempty"`
	// OffKm is how far the municipality an end resolved to lies from the
	// point the source gives for that end, the larger of the two ends, in
	// km to one decimal; 0 when the source gives no points (the
	// registers) or both ends lie on them.
	OffKm float64 `json:"off_km,omitempty"`
}

// SourceNames returns the names of the sources that list p, in order: of
// Sources, or Source alone when p has no Sources.
func (p Partnership) SourceNames() []string {
	if len(p.Sources) == 0 {
		if p.Source == "" {
			return nil
		}
		return []string{p.Source}
	}
	out := make([]string, len(p.Sources))
	for i, r := range p.Sources {
		out[i] = r.Source
	}
	return out
}

// Equal reports whether r and o say the same.
func (r Reference) Equal(o Reference) bool {
	return r.Source == o.Source && r.Since == o.Since && r.Agreement == o.Agreement && slices.Equal(r.Themes, o.Themes) && r.OffKm == o.OffKm
}

// Equal reports whether p and q hold the same data, reading nil and empty
// lists of sources alike.
func (p Partnership) Equal(q Partnership) bool {
	return p.A == q.A && p.B == q.B && p.Kind == q.Kind && p.Status == q.Status && p.Since == q.Since &&
		p.Source == q.Source && slices.EqualFunc(p.Sources, q.Sources, Reference.Equal)
}

// Cite returns p with ref among its sources, replacing what the same
// source said before, and with the earliest year a source gives when p has
// none. A partnership without sources but with a Source gets that one
// first, with its year.
func (p Partnership) Cite(ref Reference) Partnership {
	refs := slices.Clone(p.Sources)
	if len(refs) == 0 && p.Source != "" && p.Source != ref.Source {
		refs = append(refs, Reference{Source: p.Source, Since: p.Since})
	}
	if i := slices.IndexFunc(refs, func(r Reference) bool { return r.Source == ref.Source }); i >= 0 {
		refs[i] = ref
	} else {
		refs = append(refs, ref)
	}
	p.Sources = refs
	if p.Since == 0 {
		for _, r := range refs {
			if r.Since != 0 && (p.Since == 0 || r.Since < p.Since) {
				p.Since = r.Since
			}
		}
	}
	return p
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
	if err := CheckID("a", p.A); err != nil {
		return err
	}
	if err := CheckID("b", p.B); err != nil {
		return err
	}
	switch {
	case p.A == p.B:
		return FieldErrorf("b", "a municipality cannot partner with itself (%s)", p.A)
	case !p.Kind.Valid():
		return FieldErrorf("kind", "partnership %s-%s: %q is not one of %v", p.A, p.B, p.Kind, PartnershipKinds)
	case !p.Status.Valid():
		return FieldErrorf("status", "partnership %s-%s: %q is not one of %v", p.A, p.B, p.Status, Statuses)
	case p.Since != 0 && (p.Since < 1900 || p.Since > time.Now().Year()+1):
		return FieldErrorf("since", "partnership %s-%s: year %d is out of range 1900-%d", p.A, p.B, p.Since, time.Now().Year()+1)
	}
	seen := map[string]bool{}
	for i, r := range p.Sources {
		switch {
		case r.Source == "" || len(r.Source) > MaxNameLength:
			return FieldErrorf("sources", "partnership %s-%s: source %d has no name, or one longer than %d bytes", p.A, p.B, i+1, MaxNameLength)
		case seen[r.Source]:
			return FieldErrorf("sources", "partnership %s-%s: source %q is listed twice", p.A, p.B, r.Source)
		case r.Since != 0 && (r.Since < 1900 || r.Since > time.Now().Year()+1):
			return FieldErrorf("sources", "partnership %s-%s: source %q: year %d is out of range 1900-%d", p.A, p.B, r.Source, r.Since, time.Now().Year()+1)
		case len(r.Agreement) > MaxNameLength:
			return FieldErrorf("sources", "partnership %s-%s: source %q: agreement kind longer than %d bytes", p.A, p.B, r.Source, MaxNameLength)
		}
		for _, t := range r.Themes {
			if t == "" || len(t) > MaxNameLength || strings.ContainsRune(t, '|') {
				return FieldErrorf("sources", "partnership %s-%s: source %q: theme %q is empty, longer than %d bytes or holds a '|'", p.A, p.B, r.Source, t, MaxNameLength)
			}
		}
		seen[r.Source] = true
	}
	return nil
}

// Partner is one partnership seen from one of its municipalities: the
// municipality at the other end and the partnership itself.
type Partner struct {
	Municipality Municipality `json:"municipality"`
	Partnership  Partnership  `json:"partnership"`
}
