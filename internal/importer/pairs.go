package importer

import (
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/twinning/twinning/graph"
)

// PairOptions configure the import of a partnership list.
type PairOptions struct {
	// CreateMissing creates a municipality for every place that does not
	// resolve and has a known country, instead of leaving its rows out.
	CreateMissing bool
	// UnresolvedFile is where the unresolved places are written as CSV
	// for a person to check; "" writes nothing.
	UnresolvedFile string
	// Source is the Source of the partnerships; the importer sets it.
	Source string
}

// placeKey identifies a distinct place of a list.
func placeKey(p Place) string {
	var b strings.Builder
	b.WriteString(graph.NameKey(p.Name))
	b.WriteString("|" + p.Country + "|" + p.Wikidata + "|" + p.KATOTTG + "|")
	if p.Location != nil {
		fmt.Fprintf(&b, "%.4f,%.4f", p.Location.Lat, p.Location.Lon)
	}
	return b.String()
}

var slugUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

// createdID returns the id of a municipality created for an unresolved
// place: "tw-" (or "wd-" with a Wikidata id), the country, a slug of the
// name and the point to two decimals, a minus sign written "m".
func createdID(p Place, prefix string) string {
	if p.Wikidata != "" {
		return "wd-" + strings.ToLower(p.Wikidata)
	}
	slug := strings.Trim(slugUnsafe.ReplaceAllString(graph.NameKey(p.Name), "-"), "-")
	if slug == "" {
		slug = "place"
	}
	if len(slug) > 60 {
		slug = strings.TrimRight(slug[:60], "-")
	}
	id := prefix + "-" + strings.ToLower(p.Country) + "-" + slug
	if p.Location != nil {
		coord := func(v float64) string { return strings.Replace(strconv.FormatFloat(v, 'f', 2, 64), "-", "m", 1) }
		id += "-" + coord(p.Location.Lat) + "-" + coord(p.Location.Lon)
	}
	return id
}

// createdMunicipality is the municipality created for an unresolved place.
// Its kind is city: partnership lists name towns and cities far more often
// than villages, and nothing better is known.
func createdMunicipality(p Place, source string) graph.Municipality {
	m := graph.Municipality{
		ID:         createdID(p, "tw"),
		Name:       strings.TrimSpace(p.Name),
		Country:    p.Country,
		Kind:       graph.KindCity,
		Population: p.Population,
		Location:   p.Location,
		Codes:      graph.Codes{Wikidata: p.Wikidata},
		Source:     source,
	}
	if isLatin(m.Name) {
		m.NameLatin = m.Name
	}
	return m
}

// importPairs resolves both sides of every row, creates the missing places
// when asked, and writes the partnerships that changed.
func (im *Importer) importPairs(ctx context.Context, rep *Report, rows []PairRow, opts PairOptions) error {
	if im.opts.Strict {
		if err := strictError(rep); err != nil {
			return err
		}
	}
	pi, err := im.newPairImport(ctx, rep, opts)
	if err != nil {
		return err
	}
	// With CreateMissing, a place created for one row can be what another
	// row, resolved earlier, should have resolved to ("Taitō (Tokyo)"
	// before "Tokyo"), so one pass over the rows depends on their order
	// and a second import of the same file would still change things.
	// The rows are resolved again, against the index with every place
	// created so far, until a pass creates nothing new: the last pass sees
	// exactly the index that a re-import reads from the store, so a
	// re-import changes nothing. The counts of skipped and bad rows are
	// those of the last pass.
	base := *rep
	base.Skipped = maps.Clone(rep.Skipped)
	base.BadRows = slices.Clone(rep.BadRows)
	var p *pairPass
	for n := 1; p == nil || p.newPlaces > 0; n++ {
		rep.Skipped, rep.BadRows, rep.BadCount, rep.Partnerships = maps.Clone(base.Skipped), slices.Clone(base.BadRows), base.BadCount, base.Partnerships
		if p, err = pi.pass(ctx, rows, n); err != nil {
			im.idx = nil
			return err
		}
	}
	return pi.finish(ctx, p)
}

// pairImport is the state of one import of pairs that lasts across its
// passes: the index with the places created so far, and what will be
// written.
type pairImport struct {
	im       *Importer
	rep      *Report
	opts     PairOptions
	ix       *Index
	resolver *Resolver
	held     map[string]bool                 // the countries the store holds
	existing map[[2]string]graph.Partnership // the store's partnerships, by key
	muns     *pendingWrites                  // to write: created, or given a Wikidata id
	created  map[string]bool                 // the ids of the places created
}

// pairPass is one pass over the rows: how each place resolved, and the
// partnerships to write.
type pairPass struct {
	rr *ResolutionReport
	ps []graph.Partnership
	// learned maps a Wikidata item resolved by name to its municipality:
	// remembered on the municipality after the last pass only, so that no
	// pass resolves by an item that an earlier pass's resolution gave it.
	learned   map[string]string
	learnedBy map[string]bool
	newPlaces int
	cache     map[string]int // the index in rr.Places of each place seen
	inFile    map[[2]string]bool
}

// newPairImport reads the store's index and partnerships.
func (im *Importer) newPairImport(ctx context.Context, rep *Report, opts PairOptions) (*pairImport, error) {
	ix, err := im.Index(ctx)
	if err != nil {
		return nil, err
	}
	existing := map[[2]string]graph.Partnership{}
	if err := im.store.ScanPartnerships(ctx, func(p graph.Partnership) error {
		existing[p.Key()] = p
		return nil
	}); err != nil {
		return nil, graph.Wrap(graph.ErrorCode(err), err, "read the partnerships in the store")
	}
	return &pairImport{im: im, rep: rep, opts: opts, ix: ix, resolver: NewResolver(ix), held: ix.Countries(),
		existing: existing, muns: newPendingWrites(ix), created: map[string]bool{}}, nil
}

// pass resolves every row (pass n) and decides what each writes.
func (pi *pairImport) pass(ctx context.Context, rows []PairRow, n int) (*pairPass, error) {
	rep := pi.rep
	p := &pairPass{rr: &ResolutionReport{ByMethod: map[Method]int{}}, learned: map[string]string{}, learnedBy: map[string]bool{},
		cache: map[string]int{}, inFile: map[[2]string]bool{}}
	rep.Resolution = p.rr
	rep.InScope, rep.ResolvedRows = 0, 0
	what := "resolving " + rep.Kind
	if n > 1 {
		what = fmt.Sprintf("resolving %s again with the %d places created (pass %d)", rep.Kind, len(pi.created), n)
	}
	progress := pi.im.opts.Progress
	progress.Start(what, len(rows))
	defer progress.Done()
	for i, row := range rows {
		if i%512 == 0 {
			progress.Add(min(512, len(rows)-i))
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("interrupted before writing: %w", err)
			}
		}
		pi.row(p, row)
	}
	return p, nil
}

// row resolves one row's two places and, when it makes a partnership,
// counts it and keeps it to write.
func (pi *pairImport) row(p *pairPass, row PairRow) {
	rep := pi.rep
	if row.A.Regional || row.B.Regional {
		rep.skip("the partner is a county or region, not a municipality")
		return
	}
	a, b := pi.resolve(p, row.A, row.Pos, 1), pi.resolve(p, row.B, row.Pos, 2)
	away := func(pl Place, res Resolution) bool { return res.ID == "" && pl.Country != "" && !pi.held[pl.Country] }
	if away(row.A, a) || away(row.B, b) {
		rep.skip("a side's country has no municipality in the store")
		return
	}
	rep.InScope++
	switch {
	case a.ID == "" || b.ID == "":
		rep.skip("a side is unresolved")
		return
	case a.ID == b.ID:
		rep.ResolvedRows++
		rep.skip("both sides resolve to the same municipality")
		return
	}
	rep.ResolvedRows++
	ref := graph.Reference{Source: pi.opts.Source, Since: row.Since, Agreement: row.Agreement, Themes: row.Themes,
		OffKm: math.Round(max(a.DistKm, b.DistKm, 0)*10) / 10}
	ps := graph.Partnership{A: a.ID, B: b.ID, Kind: graph.KindTwinning, Status: graph.StatusActive, Since: row.Since, Source: pi.opts.Source, Sources: []graph.Reference{ref}}
	if slices.Contains(graph.SuspendedCountries, row.A.Country) || slices.Contains(graph.SuspendedCountries, row.B.Country) {
		ps.Status = graph.StatusSuspended
	}
	ps.Normalize()
	if err := ps.Validate(); err != nil {
		rep.bad(rowErrorf(row.Pos, graph.ErrorField(err), "%s", graph.ErrorMessage(err)))
		return
	}
	if p.inFile[ps.Key()] {
		rep.skip("pair listed more than once (repeated or the other way round)")
		return
	}
	p.inFile[ps.Key()] = true
	if next, write := pi.merge(ps, ref); write {
		p.ps = append(p.ps, next)
	}
}

// merge returns what the store's partnership of the same pair becomes
// with p (of the import's source, citing ref), and whether it changes: one
// partnership per pair, citing every source that lists it; the source that
// created it owns its kind and status, another only adds itself (and a
// year, where the pair has none). It counts the outcome.
func (pi *pairImport) merge(p graph.Partnership, ref graph.Reference) (graph.Partnership, bool) {
	counts := &pi.rep.Partnerships
	old, ok := pi.existing[p.Key()]
	if !ok {
		counts.Created++
		return p, true
	}
	next := old.Cite(ref)
	if old.Source == pi.opts.Source {
		next = p
		next.Sources = old.Sources
		if next.Since == 0 {
			next.Since = old.Since
		}
		next = next.Cite(ref)
	}
	if next.Equal(old) {
		counts.Unchanged++
		return old, false
	}
	counts.Updated++
	return next, true
}

// resolve finds the municipality of place pl, once a pass: with
// CreateMissing, a place that does not resolve is created; a Wikidata item
// resolved by name is remembered to learn.
func (pi *pairImport) resolve(p *pairPass, pl Place, pos Pos, side int) Resolution {
	k := placeKey(pl)
	if i, ok := p.cache[k]; ok {
		return p.rr.Places[i].Resolution
	}
	res := pi.resolver.Resolve(pl)
	if res.Method == Unresolved && pl.Country != "" && !pi.held[pl.Country] {
		res.Reason = "no municipality of this country in the store"
	} else if res.Method == Unresolved && pi.opts.UnresolvedFile != "" {
		res.Candidates = pi.resolver.Candidates(pl)
	}
	if res.Method == Unresolved && pi.opts.CreateMissing && pl.Country != "" {
		m := createdMunicipality(pl, pi.opts.Source)
		if err := m.Validate(); err == nil {
			if _, taken := pi.ix.Get(m.ID); !taken {
				pi.muns.keep(m)
				pi.rep.Created++
				p.newPlaces++
				pi.created[m.ID] = true
				res = Resolution{ID: m.ID, Method: Created, DistKm: 0}
			}
		}
	}
	if pi.created[res.ID] {
		res.Method = Created
	}
	if pl.Wikidata != "" && res.ID != "" && res.Method != ByCode && res.Method != Created {
		// Remember the item on the municipality (after the last pass) so
		// that the next import resolves it by code.
		if m, ok := pi.ix.Get(res.ID); ok && m.Codes.Wikidata == "" && !p.learnedBy[res.ID] {
			if _, held := pi.ix.ByCode("wikidata", pl.Wikidata); !held && p.learned[pl.Wikidata] == "" {
				p.learned[pl.Wikidata] = res.ID
				p.learnedBy[res.ID] = true
			}
		}
	}
	p.cache[k] = len(p.rr.Places)
	p.rr.Places = append(p.rr.Places, PlaceResolution{Place: pl, Resolution: res, Pos: pos, Side: side})
	p.rr.ByMethod[res.Method]++
	return res
}

// finish writes what the last pass decided: the Wikidata items learned,
// the unresolved places' file, the municipalities, then the partnerships.
func (pi *pairImport) finish(ctx context.Context, p *pairPass) error {
	im := pi.im
	for _, item := range slices.Sorted(maps.Keys(p.learned)) {
		m, _ := pi.ix.Get(p.learned[item])
		m.Codes.Wikidata = item // learned only for municipalities without one
		pi.muns.keep(m)
		pi.rep.Merged++
	}
	if im.opts.Strict {
		if err := strictError(pi.rep); err != nil {
			im.idx = nil
			return err
		}
	}
	if pi.opts.UnresolvedFile != "" {
		if err := writeUnresolved(pi.opts.UnresolvedFile, p.rr); err != nil {
			im.idx = nil
			return err
		}
		p.rr.UnresolvedFile = pi.opts.UnresolvedFile
	}
	if err := im.writeMunicipalities(ctx, pi.muns.ms); err != nil {
		return err
	}
	return writeBatches(ctx, im.opts, "partnerships", p.ps, func(ctx context.Context, batch []graph.Partnership) error {
		_, err := im.store.UpsertPartnerships(ctx, batch)
		return err
	})
}

// writeUnresolved writes the unresolved places of rr as CSV.
func writeUnresolved(path string, rr *ResolutionReport) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("unresolved places file: %w", err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"file", "line", "side", "name", "country", "country_iso", "lat", "lon", "wikidata", "reason", "candidates"})
	for _, p := range rr.Places {
		if p.Method != Unresolved {
			continue
		}
		lat, lon := "", ""
		if p.Location != nil {
			lat, lon = strconv.FormatFloat(p.Location.Lat, 'f', -1, 64), strconv.FormatFloat(p.Location.Lon, 'f', -1, 64)
		}
		_ = w.Write([]string{p.Pos.File, strconv.Itoa(p.Pos.Line), strconv.Itoa(p.Side), p.Name, p.CountryRaw, p.Country, lat, lon, p.Wikidata, p.Reason,
			strings.Join(p.Candidates, "; ")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
