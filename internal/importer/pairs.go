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
	ix, err := im.Index(ctx)
	if err != nil {
		return err
	}
	existing := map[[2]string]graph.Partnership{}
	if err := im.store.ScanPartnerships(ctx, func(p graph.Partnership) error {
		existing[p.Key()] = p
		return nil
	}); err != nil {
		return graph.Wrap(graph.ErrorCode(err), err, "read the partnerships in the store")
	}
	resolver := NewResolver(ix)
	held := ix.Countries()
	var muns []graph.Municipality
	munAt := map[string]int{}
	keepMun := func(m graph.Municipality) {
		ix.Put(m)
		if i, ok := munAt[m.ID]; ok {
			muns[i] = m
			return
		}
		munAt[m.ID] = len(muns)
		muns = append(muns, m)
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
	created := map[string]bool{}
	var (
		rr *ResolutionReport
		ps []graph.Partnership
		// learned maps a Wikidata item resolved by name to its
		// municipality: remembered on the municipality after the last
		// pass only, so that no pass resolves by an item that an earlier
		// pass's resolution gave it.
		learned map[string]string
	)
	for pass := 1; ; pass++ {
		rep.Skipped, rep.BadRows, rep.BadCount, rep.Partnerships = maps.Clone(base.Skipped), slices.Clone(base.BadRows), base.BadCount, base.Partnerships
		rr = &ResolutionReport{ByMethod: map[Method]int{}}
		rep.Resolution = rr
		ps = nil
		learned = map[string]string{}
		learnedBy := map[string]bool{}
		newPlaces := 0
		cache := map[string]int{}
		resolve := func(p Place, pos Pos, side int) Resolution {
			k := placeKey(p)
			if i, ok := cache[k]; ok {
				return rr.Places[i].Resolution
			}
			res := resolver.Resolve(p)
			if res.Method == Unresolved && p.Country != "" && !held[p.Country] {
				res.Reason = "no municipality of this country in the store"
			} else if res.Method == Unresolved && opts.UnresolvedFile != "" {
				res.Candidates = resolver.Candidates(p)
			}
			if res.Method == Unresolved && opts.CreateMissing && p.Country != "" {
				m := createdMunicipality(p, opts.Source)
				if err := m.Validate(); err == nil {
					if _, taken := ix.Get(m.ID); !taken {
						keepMun(m)
						rep.Created++
						newPlaces++
						created[m.ID] = true
						res = Resolution{ID: m.ID, Method: Created, DistKm: 0}
					}
				}
			}
			if created[res.ID] {
				res.Method = Created
			}
			if p.Wikidata != "" && res.ID != "" && res.Method != ByCode && res.Method != Created {
				// Remember the item on the municipality (after the last
				// pass) so that the next import resolves it by code.
				if m, ok := ix.Get(res.ID); ok && m.Codes.Wikidata == "" && !learnedBy[res.ID] {
					if _, held := ix.ByCode("wikidata", p.Wikidata); !held && learned[p.Wikidata] == "" {
						learned[p.Wikidata] = res.ID
						learnedBy[res.ID] = true
					}
				}
			}
			cache[k] = len(rr.Places)
			rr.Places = append(rr.Places, PlaceResolution{Place: p, Resolution: res, Pos: pos, Side: side})
			rr.ByMethod[res.Method]++
			return res
		}
		inFile := map[[2]string]bool{}
		rep.InScope, rep.ResolvedRows = 0, 0
		what := "resolving " + rep.Kind
		if pass > 1 {
			what = fmt.Sprintf("resolving %s again with the %d places created (pass %d)", rep.Kind, len(created), pass)
		}
		im.opts.Progress.Start(what, len(rows))
		for i, row := range rows {
			if i%512 == 0 {
				im.opts.Progress.Add(min(512, len(rows)-i))
				if err := ctx.Err(); err != nil {
					im.idx = nil
					return fmt.Errorf("interrupted before writing: %w", err)
				}
			}
			if row.A.Regional || row.B.Regional {
				rep.skip("the partner is a county or region, not a municipality")
				continue
			}
			a, b := resolve(row.A, row.Pos, 1), resolve(row.B, row.Pos, 2)
			away := func(p Place, res Resolution) bool { return res.ID == "" && p.Country != "" && !held[p.Country] }
			if away(row.A, a) || away(row.B, b) {
				rep.skip("a side's country has no municipality in the store")
				continue
			}
			rep.InScope++
			if a.ID != "" && b.ID != "" {
				rep.ResolvedRows++
			}
			if a.ID == "" || b.ID == "" {
				rep.skip("a side is unresolved")
				continue
			}
			if a.ID == b.ID {
				rep.skip("both sides resolve to the same municipality")
				continue
			}
			ref := graph.Reference{Source: opts.Source, Since: row.Since, Agreement: row.Agreement, Themes: row.Themes,
				OffKm: math.Round(max(a.DistKm, b.DistKm, 0)*10) / 10}
			p := graph.Partnership{A: a.ID, B: b.ID, Kind: graph.KindTwinning, Status: graph.StatusActive, Since: row.Since, Source: opts.Source, Sources: []graph.Reference{ref}}
			if slices.Contains(graph.SuspendedCountries, row.A.Country) || slices.Contains(graph.SuspendedCountries, row.B.Country) {
				p.Status = graph.StatusSuspended
			}
			p.Normalize()
			if err := p.Validate(); err != nil {
				rep.bad(rowErrorf(row.Pos, graph.ErrorField(err), "%s", graph.ErrorMessage(err)))
				continue
			}
			if inFile[p.Key()] {
				rep.skip("pair listed more than once (repeated or the other way round)")
				continue
			}
			inFile[p.Key()] = true
			old, ok := existing[p.Key()]
			if !ok {
				rep.Partnerships.Created++
				ps = append(ps, p)
				continue
			}
			// One partnership per pair, citing every source that lists it:
			// the source that created it owns its kind and status, another
			// only adds itself (and a year, where the pair has none).
			next := old.Cite(ref)
			if old.Source == opts.Source {
				next = p
				next.Sources = old.Sources
				if next.Since == 0 {
					next.Since = old.Since
				}
				next = next.Cite(ref)
			}
			if next.Equal(old) {
				rep.Partnerships.Unchanged++
				continue
			}
			rep.Partnerships.Updated++
			p = next
			ps = append(ps, p)
		}
		im.opts.Progress.Done()
		if newPlaces == 0 {
			break
		}
	}
	for _, item := range slices.Sorted(maps.Keys(learned)) {
		m, _ := ix.Get(learned[item])
		m.Codes.Wikidata = item // learned only for municipalities without one
		keepMun(m)
		rep.Merged++
	}
	if im.opts.Strict {
		if err := strictError(rep); err != nil {
			im.idx = nil
			return err
		}
	}
	if opts.UnresolvedFile != "" {
		if err := writeUnresolved(opts.UnresolvedFile, rr); err != nil {
			im.idx = nil
			return err
		}
		rr.UnresolvedFile = opts.UnresolvedFile
	}
	if err := im.writeMunicipalities(ctx, muns); err != nil {
		return err
	}
	return writeBatches(ctx, im.opts, "partnerships", ps, func(ctx context.Context, batch []graph.Partnership) error {
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
