package importer

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/twinning/twinning/graph"
)

// MergeRadiusKm is how far apart a record and an existing municipality of
// another source may lie and still be merged into one (see the package
// documentation for the whole rule).
const MergeRadiusKm = 15.0

// DefaultBatchSize is the number of municipalities or partnerships written
// per store call when Options.BatchSize is 0.
const DefaultBatchSize = 5000

// Options configure an Importer.
type Options struct {
	// Strict aborts an import at its first bad row, before anything is
	// written. Without it bad rows are left out and reported.
	Strict bool
	// BatchSize is the number of records per store call (0: DefaultBatchSize).
	BatchSize int
	// Progress follows the stages of an import (nil: none).
	Progress Progress
	// OnBatch, when set, is called after every batch is written (so
	// committed: it survives a crash), with what was written
	// ("municipalities", "partnerships") and its number of rows.
	OnBatch func(what string, rows int)
}

// Importer imports files into a store. It keeps an in-memory Index of the
// store's municipalities, loaded on first use, so it assumes that nothing
// else writes municipalities to the store while it runs. An Importer is not
// safe for concurrent use.
type Importer struct {
	store graph.Store
	opts  Options
	idx   *Index
}

// New returns an Importer writing to store.
func New(store graph.Store, opts Options) *Importer {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Progress == nil {
		opts.Progress = NopProgress{}
	}
	return &Importer{store: store, opts: opts}
}

// Index returns the importer's index of the store, loading it on first use.
func (im *Importer) Index(ctx context.Context) (*Index, error) {
	if im.idx == nil {
		im.opts.Progress.Start("reading the store", 0)
		ix, err := LoadIndex(ctx, im.store)
		if err == nil {
			im.opts.Progress.Add(ix.Len()) // the municipalities read
		}
		im.opts.Progress.Done()
		if err != nil {
			return nil, err
		}
		im.idx = ix
	}
	return im.idx, nil
}

// Record is one municipality read from a source file, with the row it
// comes from.
type Record struct {
	Municipality graph.Municipality
	Pos          Pos
	// AddOnly marks a record of a source too thin to rewrite what the
	// store holds (GeoNames' reduced cities1000 layout): it creates a
	// place that the store lacks, and otherwise only lends its name to
	// the municipality it belongs to (see importMunicipalities).
	AddOnly bool
}

// strictError returns the error that aborts a strict import at a bad row.
func strictError(rep *Report) error {
	if rep.BadCount == 0 {
		return nil
	}
	return fmt.Errorf("strict mode: nothing written, first bad row: %w", rep.BadRows[0])
}

// importMunicipalities resolves parsed records against the index (by the
// source's code, then by the merge rule), validates the results and writes
// the changed ones in batches.
func (im *Importer) importMunicipalities(ctx context.Context, rep *Report, source, codeName string, recs []Record) error {
	if im.opts.Strict {
		if err := strictError(rep); err != nil {
			return err
		}
	}
	ix, err := im.Index(ctx)
	if err != nil {
		return err
	}
	pending := newPendingWrites(ix)
	seen := map[string]bool{}
	im.opts.Progress.Start("resolving "+rep.Kind, len(recs))
	for i, rec := range recs {
		if i%1024 == 0 {
			im.opts.Progress.Add(min(1024, len(recs)-i))
			if err := ctx.Err(); err != nil {
				im.idx = nil
				return fmt.Errorf("interrupted before writing: %w", err)
			}
		}
		code := rec.Municipality.Codes.Get(codeName)
		if seen[code] {
			rep.skip("duplicate " + codeName + " code in the input (the first row wins)")
			continue
		}
		seen[code] = true
		target, found := ix.ByCode(codeName, code)
		if !found {
			target, found = ix.Get(rec.Municipality.ID)
		}
		var next graph.Municipality
		if rec.AddOnly {
			var how addOnlyOutcome
			next, how = addOnly(ix, rec.Municipality, codeName, found)
			if how != addOnlyNew {
				if countAddOnly(ix, rep, next, how) {
					pending.keep(next)
				}
				continue
			}
		} else {
			if !found {
				target, found = mergeCandidate(ix, rec.Municipality, codeName)
			}
			next = rec.Municipality
			if found {
				next = mergeInto(target, rec.Municipality, source)
			}
		}
		if err := next.Validate(); err != nil {
			rep.bad(rowErrorf(rec.Pos, graph.ErrorField(err), "%s", graph.ErrorMessage(err)))
			continue
		}
		switch {
		case !found:
			rep.Created++
		case sameMunicipality(target, next):
			rep.Unchanged++
			continue
		case owner(target.Source) == source:
			rep.Updated++
		default:
			rep.Merged++
		}
		pending.keep(next)
	}
	im.opts.Progress.Done()
	if im.opts.Strict {
		if err := strictError(rep); err != nil {
			im.idx = nil // the index holds decisions that are not written
			return err
		}
	}
	return im.writeMunicipalities(ctx, pending.ms)
}

// countAddOnly counts what an add-only record that is not new did (known
// already, skipped, or a name lent to a municipality) and says whether
// next, the municipality it changed, is to be written.
func countAddOnly(ix *Index, rep *Report, next graph.Municipality, how addOnlyOutcome) bool {
	switch how {
	case addOnlyKnown:
		rep.Unchanged++
		return false
	case addOnlySkip:
		rep.skip("already stored under another GeoNames id (a place of the same name within 5 km)")
		return false
	}
	if sameMunicipality(ix.muns[ix.byID[next.ID]], next) {
		rep.Unchanged++
		return false
	}
	if how == addOnlyMerged {
		rep.Merged++
	} else {
		rep.Localities++
	}
	return true
}

// pendingWrites are the municipalities an import will write, each once,
// in the order first kept, and the index that already holds them.
type pendingWrites struct {
	ix *Index
	ms []graph.Municipality
	at map[string]int // the position of each in ms
}

func newPendingWrites(ix *Index) *pendingWrites { return &pendingWrites{ix: ix, at: map[string]int{}} }

// keep puts m in the index and among the municipalities to write (in
// place of an earlier version of it).
func (w *pendingWrites) keep(m graph.Municipality) {
	w.ix.Put(m)
	if i, ok := w.at[m.ID]; ok {
		w.ms[i] = m
		return
	}
	w.at[m.ID] = len(w.ms)
	w.ms = append(w.ms, m)
}

// writeMunicipalities writes ms in batches, checking ctx between batches.
func (im *Importer) writeMunicipalities(ctx context.Context, ms []graph.Municipality) error {
	err := writeBatches(ctx, im.opts, "municipalities", ms, func(ctx context.Context, batch []graph.Municipality) error {
		_, err := im.store.UpsertMunicipalities(ctx, batch)
		return err
	})
	if err != nil {
		im.idx = nil // the index may hold what was not written
	}
	return err
}

// MinRetryBatch is the smallest batch that a batch write which failed as
// unavailable is split into before the import gives up.
const MinRetryBatch = 250

// writeBatches writes xs through write in all-or-none batches of
// opts.BatchSize, in order, checking ctx between batches. A batch that
// fails with graph.EUNAVAILABLE (the database timed out or dropped the
// connection: on a slow or busy server a large batch can outlast its
// timeout) is written again in two halves, and so on down to
// MinRetryBatch rows; writes are idempotent, so a batch that did commit
// before its answer was lost is written again harmlessly. Any other error,
// or a batch of MinRetryBatch that still fails, ends the import with an
// error that says which rows failed and how many are written.
func writeBatches[T any](ctx context.Context, opts Options, what string, xs []T, write func(context.Context, []T) error) error {
	opts.Progress.Start("writing "+what, len(xs))
	defer opts.Progress.Done()
	written, retried := 0, false
	var put func(batch []T) error
	put = func(batch []T) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted after writing %d of %d %s (whole batches only): %w", written, len(xs), what, err)
		}
		err := write(ctx, batch)
		if err == nil {
			written += len(batch)
			opts.Progress.Add(len(batch))
			if opts.OnBatch != nil {
				opts.OnBatch(what, len(batch))
			}
			return nil
		}
		if graph.ErrorCode(err) != graph.EUNAVAILABLE || len(batch) <= MinRetryBatch || ctx.Err() != nil {
			how := ""
			if retried {
				how = fmt.Sprintf(", after retrying timed-out batches in smaller ones, down to %d rows", MinRetryBatch)
			}
			return fmt.Errorf("write %s %d-%d of %d (the first %d are written%s): %w", what, written+1, written+len(batch), len(xs), written, how, err)
		}
		retried = true
		half := len(batch) / 2
		if err := put(batch[:half]); err != nil {
			return err
		}
		return put(batch[half:])
	}
	for start := 0; start < len(xs); start += opts.BatchSize {
		if err := put(xs[start:min(len(xs), start+opts.BatchSize)]); err != nil {
			return err
		}
	}
	return nil
}

// mergeCandidate returns the nearest municipality that m may be merged
// into by the rule of the package documentation.
func mergeCandidate(ix *Index, m graph.Municipality, codeName string) (graph.Municipality, bool) {
	if m.Location == nil {
		return graph.Municipality{}, false
	}
	best, bestDist := -1, MergeRadiusKm+1
	consider := func(cs []candidate) {
		for _, c := range cs {
			if c.distKm < 0 || c.distKm > MergeRadiusKm || c.distKm >= bestDist {
				continue
			}
			if ix.muns[c.slot].Codes.Get(codeName) != "" || !plausibleUnit(m, ix.muns[c.slot]) {
				continue
			}
			best, bestDist = c.slot, c.distKm
		}
	}
	for _, name := range m.Names() {
		k := graph.NameKey(name)
		if k == "" {
			continue
		}
		consider(ix.named(k, false, m.Country, m.Location))
		consider(ix.named(graph.LooseKey(k), true, m.Country, m.Location))
	}
	if best < 0 && m.Population >= WideMergeMinPopulation {
		// A city whose unit's point lies far off (the KSE table puts
		// Luhansk's centre at Stanytsia Luhanska, 16 km away): the only
		// unit of the city's own name within WideMergeRadiusKm.
		var found []candidate
		for _, c := range ix.named(graph.NameKey(m.Name), false, m.Country, m.Location) {
			if c.distKm >= 0 && c.distKm <= WideMergeRadiusKm && !c.alt {
				found = append(found, c)
			}
		}
		if len(found) == 1 && ix.muns[found[0].slot].Codes.Get(codeName) == "" && plausibleUnit(m, ix.muns[found[0].slot]) {
			best = found[0].slot
		}
	}
	if best < 0 {
		return graph.Municipality{}, false
	}
	return ix.muns[best], true
}

// WideMergeRadiusKm and WideMergeMinPopulation widen the merge rule for a
// city of WideMergeMinPopulation people or more: it merges with the only
// municipality of its own name (not an alternative one) within
// WideMergeRadiusKm, as a unit's point can lie far from the city.
const (
	WideMergeRadiusKm      = 50.0
	WideMergeMinPopulation = 50000
)

// addOnlyOutcome is what becomes of an AddOnly record.
type addOnlyOutcome int

const (
	addOnlyNew      addOnlyOutcome = iota // a place of its own, created
	addOnlyKnown                          // its code or id is stored: left as it is
	addOnlySkip                           // the same place under another id of its source
	addOnlyMerged                         // the municipality of its name: the name is lent
	addOnlyLocality                       // a place within a municipality: the name is lent
)

// SameSourceRadiusKm is how near a stored GeoNames place of the same name
// must lie for an AddOnly record to be taken as that place under another
// id (cities1000.tsv comes from an older dump than cities15000.txt).
const SameSourceRadiusKm = 5.0

// addOnly decides what an AddOnly record m adds to the store, in order:
// nothing when its code or id is stored (found); its name, as an
// alternative name, to the municipality the merge rule would merge it
// into (no code, no values: the record is too thin to rewrite a unit);
// nothing when a place of its source and name lies within
// SameSourceRadiusKm; its name to the administrative unit (a LAU unit, a
// hromada) whose area, as a circle of the same area around the unit's
// point widened by a quarter, holds it, the nearest first (a village that
// is part of a municipality); else a municipality of its own. The
// municipality it returns is the one to write.
func addOnly(ix *Index, m graph.Municipality, codeName string, found bool) (graph.Municipality, addOnlyOutcome) {
	if found {
		return graph.Municipality{}, addOnlyKnown
	}
	lend := func(unit graph.Municipality) graph.Municipality {
		if len(unit.AltNames) >= maxAltNames {
			return unit
		}
		unit.AltNames = addAltNames(graph.Municipality{Name: unit.Name, NameLatin: unit.NameLatin, AltNames: slices.Clone(unit.AltNames)}, []string{m.Name, m.NameLatin})
		return unit
	}
	if unit, ok := mergeCandidate(ix, m, codeName); ok {
		return lend(unit), addOnlyMerged
	}
	if m.Location == nil {
		return m, addOnlyNew
	}
	for _, name := range m.Names() {
		for _, c := range ix.named(graph.NameKey(name), false, m.Country, m.Location) {
			if c.distKm >= 0 && c.distKm <= SameSourceRadiusKm && owner(ix.muns[c.slot].Source) == owner(m.Source) {
				return graph.Municipality{}, addOnlySkip
			}
		}
	}
	for _, c := range ix.near(*m.Location, 60, m.Country) {
		unit := ix.muns[c.slot]
		if unit.AreaKm2 <= 0 || owner(unit.Source) == owner(m.Source) {
			continue
		}
		if c.distKm <= 1.25*math.Sqrt(unit.AreaKm2/math.Pi) {
			return lend(unit), addOnlyLocality
		}
	}
	return m, addOnlyNew
}

// MinUnitShare is the least share of a GeoNames place's population that
// an administrative unit (a LAU unit, a hromada) must hold to be merged
// with the place: a unit contains the place it is named after, so it has
// at least about as many inhabitants (the figures differ in year), while
// the rural gmina that surrounds a Polish city and bears its name has a
// fraction of them (Przemyśl: the city 60,689, gmina Przemyśl 10,650).
const MinUnitShare = 0.6

// UrbanDensity is the population density (people per km²) from which an
// administrative unit is urban: the town's own unit, not the rural gmina
// around it (Chełm's rural gmina has 75 a km², Preston's district 1,000).
// UrbanMinShare is the least share of the place's population that an urban
// unit must still hold (the suburban rural gmina of Tarnów has 317 a km²
// but 22% of the city's people).
const (
	UrbanDensity  = 300.0
	UrbanMinShare = 0.35
)

// plausibleUnit reports whether a and b may be one place as far as their
// populations tell: when one is a GeoNames place and the other an
// administrative unit of another source, both with a population, the unit
// holds at least MinUnitShare of the place's, or is urban (UrbanDensity)
// and holds UrbanMinShare of it: GeoNames counts some cities by their
// urban area (Preston 313,332, its district 141,818), never a rural gmina
// by the town in it.
func plausibleUnit(a, b graph.Municipality) bool {
	place, unit := a, b
	if owner(b.Source) == SourceGeoNames {
		place, unit = b, a
	}
	if owner(place.Source) != SourceGeoNames || owner(unit.Source) == SourceGeoNames ||
		place.Population <= 0 || unit.Population <= 0 {
		return true
	}
	share := float64(unit.Population) / float64(place.Population)
	if unit.Density() >= UrbanDensity && share >= UrbanMinShare {
		return true
	}
	return share >= MinUnitShare
}

// owner returns the source that created a municipality: the first of the
// "+"-separated sources.
func owner(source string) string {
	o, _, _ := strings.Cut(source, "+")
	return o
}

// mergeInto returns dst updated by rec of the given source. The source
// that created dst owns its names, kind, unit, population, area, location
// and region and overwrites them; another source only fills empty fields. Codes
// fill empty ones, names that dst lacks become alternative names, and the
// source is added to dst's "+"-separated sources.
func mergeInto(dst, rec graph.Municipality, source string) graph.Municipality {
	out := dst
	out.AltNames = slices.Clone(dst.AltNames)
	out.Themes = slices.Clone(dst.Themes)
	if owner(dst.Source) == source {
		// The owner's values win, but a value it lacks (NA) keeps what
		// another source filled in, so that re-imports do not flip-flop.
		out.Name, out.NameLatin, out.Kind = rec.Name, rec.NameLatin, rec.Kind
		if rec.Unit != nil {
			out.Unit = rec.Unit
		}
		if rec.Population > 0 {
			out.Population, out.PopulationYear = rec.Population, rec.PopulationYear
		}
		if rec.AreaKm2 > 0 {
			out.AreaKm2 = rec.AreaKm2
		}
		if rec.Location != nil {
			out.Location = rec.Location
		}
		if rec.Region.Code != "" {
			out.Region = rec.Region
		}
	} else {
		if out.NameLatin == "" && out.Name != rec.NameLatin {
			out.NameLatin = rec.NameLatin
		}
		if out.Unit == nil {
			out.Unit = rec.Unit
		}
		if out.Population == 0 && rec.Population > 0 {
			out.Population, out.PopulationYear = rec.Population, rec.PopulationYear
		}
		if out.AreaKm2 == 0 {
			out.AreaKm2 = rec.AreaKm2
		}
		if out.Location == nil {
			out.Location = rec.Location
		}
		if out.Region.Code == "" {
			out.Region = rec.Region
		}
	}
	if owner(dst.Source) == source || rec.War != nil {
		out.War = rec.War // only the KSE table knows it
	}
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&out.Codes.KATOTTG, rec.Codes.KATOTTG)
	fill(&out.Codes.LAU, rec.Codes.LAU)
	fill(&out.Codes.NUTS3, rec.Codes.NUTS3)
	fill(&out.Codes.GeoNames, rec.Codes.GeoNames)
	fill(&out.Codes.Wikidata, rec.Codes.Wikidata)
	out.AltNames = addAltNames(out, append([]string{rec.Name, rec.NameLatin}, rec.AltNames...))
	for _, t := range rec.Themes {
		if !slices.Contains(out.Themes, t) {
			out.Themes = append(out.Themes, t)
		}
	}
	if source != "" && !slices.Contains(strings.Split(out.Source, "+"), source) {
		if out.Source == "" {
			out.Source = source
		} else {
			out.Source += "+" + source
		}
	}
	return out
}

// addAltNames returns m's alternative names with those of names whose
// graph.NameKey none of m's names has yet.
func addAltNames(m graph.Municipality, names []string) []string {
	have := map[string]bool{}
	for _, n := range m.Names() {
		have[graph.NameKey(n)] = true
	}
	out := m.AltNames
	for _, n := range names {
		n = strings.TrimSpace(n)
		k := graph.NameKey(n)
		if k == "" || have[k] {
			continue
		}
		have[k] = true
		out = append(out, n)
	}
	return out
}

// tidyNames drops alternative names that repeat another name of m after
// graph.NameKey.
func tidyNames(m *graph.Municipality) {
	alts := m.AltNames
	m.AltNames = nil
	m.AltNames = addAltNames(*m, alts)
}

// sameMunicipality reports whether a and b hold the same data, reading nil
// and empty lists alike.
func sameMunicipality(a, b graph.Municipality) bool {
	norm := func(m graph.Municipality) graph.Municipality {
		if len(m.AltNames) == 0 {
			m.AltNames = nil
		}
		if len(m.Themes) == 0 {
			m.Themes = nil
		}
		return m
	}
	return reflect.DeepEqual(norm(a), norm(b))
}
