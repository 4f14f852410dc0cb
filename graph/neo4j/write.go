package neo4j

import (
	"context"
	"fmt"
	"reflect"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/twinning/twinning/graph"
)

// chunkSize is how many rows one UNWIND statement carries. Every chunk of a
// batch runs in the batch's one transaction.
const chunkSize = 1000

// chunks splits xs into slices of at most n.
func chunks[T any](xs []T, n int) [][]T {
	var out [][]T
	for len(xs) > n {
		out = append(out, xs[:n])
		xs = xs[n:]
	}
	if len(xs) > 0 {
		out = append(out, xs)
	}
	return out
}

// The statements of a municipality upsert. Each does one kind of work over
// a chunk of rows, with index seeks only, so that a chunk costs the same on
// an empty store and on a full one (BenchmarkUpsertBatches checks it):
//
//   - upsertDimensions merges, once per batch, the distinct countries,
//     regions and themes that the batch's rows link to, so that no row
//     MERGEs a dense Country or Region node or its relationship;
//   - upsertNodes merges each node by id and sets its properties;
//   - unlinkMunicipalities deletes the rows' links to regions, countries
//     and themes, which are replaced wholesale (a new node has none);
//   - linkRegions, linkCountries and linkThemes CREATE the new links, to
//     nodes that upsertDimensions made sure exist.
//
// PARTNER_OF relationships are left alone.
const (
	upsertDimensions = `UNWIND $countries AS code
MERGE (:Country {code: code})
WITH count(*) AS done
UNWIND $regions AS g
MERGE (r:Region {code: g.code})
ON CREATE SET r.name = g.name
WITH r, g
MATCH (c:Country {code: g.country}) USING INDEX SEEK c:Country(code)
MERGE (r)-[:IN_COUNTRY]->(c)
WITH count(*) AS done
UNWIND $themes AS t
MERGE (:Theme {name: t})
RETURN count(*) AS n`

	upsertNodes = `UNWIND $rows AS r
MERGE (m:Municipality {id: r.id})
SET m = r.props
SET m.location = CASE WHEN r.props.lat IS NULL THEN null ELSE point({latitude: r.props.lat, longitude: r.props.lon}) END
RETURN count(*) AS n`

	unlinkMunicipalities = `UNWIND $ids AS id
MATCH (m:Municipality {id: id})-[old:IN_REGION|IN_COUNTRY|HAS_THEME]->()
USING INDEX SEEK m:Municipality(id)
DELETE old
RETURN count(*) AS n`
)

// The link statements, one per kind of link.
var (
	linkRegions   = linkStatement("IN_REGION", "Region", "code", "region")
	linkCountries = linkStatement("IN_COUNTRY", "Country", "code", "country")
	linkThemes    = linkStatement("HAS_THEME", "Theme", "name", "theme")
)

// linkStatement returns the statement that CREATEs a rel relationship from
// each row's municipality (r.id) to the node of label whose key is the
// row's field, and counts them. Its arguments are constants of this file,
// never input.
func linkStatement(rel, label, key, field string) string {
	return fmt.Sprintf(`UNWIND $rows AS r
MATCH (m:Municipality {id: r.id}) USING INDEX SEEK m:Municipality(id)
MATCH (x:%[2]s {%[3]s: r.%[4]s}) USING INDEX SEEK x:%[2]s(%[3]s)
CREATE (m)-[:%[1]s]->(x)
RETURN count(*) AS n`, rel, label, key, field)
}

// dimensionParams returns the parameters of upsertDimensions for ms: the
// countries, regions (with the country they lie in and the name the first
// row gives) and themes that the rows name, each once.
func dimensionParams(ms []*graph.Municipality) map[string]any {
	countries, regions, themes := []any{}, []any{}, []any{}
	seen := map[string]bool{}
	once := func(kind, key string) bool {
		k := kind + "\x00" + key
		if seen[k] {
			return false
		}
		seen[k] = true
		return true
	}
	for _, m := range ms {
		if once("c", m.Country) {
			countries = append(countries, m.Country)
		}
		if m.Region.Code != "" && once("r", m.Region.Code) {
			regions = append(regions, map[string]any{"code": m.Region.Code, "name": str(m.Region.Name), "country": m.Country})
		}
		for _, t := range m.Themes {
			if once("t", t) {
				themes = append(themes, t)
			}
		}
	}
	return map[string]any{"countries": countries, "regions": regions, "themes": themes}
}

// writeMunicipalities writes a chunk of changed municipalities: their
// nodes, then their links, replaced.
func writeMunicipalities(ctx context.Context, tx driver.ManagedTransaction, chunk []*graph.Municipality) error {
	nodes := make([]map[string]any, len(chunk))
	ids := make([]string, len(chunk))
	var inRegion, inCountry, withTheme []map[string]any
	for i, m := range chunk {
		nodes[i] = map[string]any{"id": m.ID, "props": municipalityProps(m)}
		ids[i] = m.ID
		if m.Region.Code != "" {
			inRegion = append(inRegion, map[string]any{"id": m.ID, "region": m.Region.Code})
		} else {
			inCountry = append(inCountry, map[string]any{"id": m.ID, "country": m.Country})
		}
		for _, t := range m.Themes {
			withTheme = append(withTheme, map[string]any{"id": m.ID, "theme": t})
		}
	}
	steps := []struct {
		cypher string
		params map[string]any
		want   int
	}{
		{upsertNodes, map[string]any{"rows": nodes}, len(nodes)},
		{unlinkMunicipalities, map[string]any{"ids": ids}, -1},
		{linkRegions, map[string]any{"rows": inRegion}, len(inRegion)},
		{linkCountries, map[string]any{"rows": inCountry}, len(inCountry)},
		{linkThemes, map[string]any{"rows": withTheme}, len(withTheme)},
	}
	for _, st := range steps {
		if st.want == 0 {
			continue
		}
		recs, err := run(ctx, tx, st.cypher, st.params)
		if err != nil {
			return err
		}
		// Every link's ends were written earlier in this transaction, so a
		// short count is a bug, not bad input.
		if n, _ := recs[0].Values[0].(int64); st.want > 0 && int(n) != st.want {
			return fmt.Errorf("writing municipalities: %d of %d rows written by %.40q…", n, st.want, st.cypher)
		}
	}
	return nil
}

// Every batched statement forces a seek in the index of each node it
// looks up (USING INDEX SEEK). Left to itself, the server planned the
// look-up of LAU codes, on a new instance whose LAU index was still
// empty, as a scan of the whole index for every row; the project's server
// keeps a plan for an hour (scripts/neo4j), so each batch of the LAU
// import scanned more codes than the one before: 8 s per 1,000 rows with
// 15,000 codes stored, and the whole file 13 min instead of 15 s.
// A plain USING INDEX hint is not enough: the scan uses the index too.
//
// codeHolders finds, per unique code, the municipalities other than the
// row's own that hold the row's value. The code name picks the query.
var codeHolders = map[string]string{
	"katottg":  "UNWIND $rows AS r MATCH (m:Municipality {katottg: r.value}) USING INDEX SEEK m:Municipality(katottg) WHERE m.id <> r.id RETURN r.id AS id, m.id AS holder, r.value AS value",
	"lau":      "UNWIND $rows AS r MATCH (m:Municipality {lau: r.value}) USING INDEX SEEK m:Municipality(lau) WHERE m.id <> r.id RETURN r.id AS id, m.id AS holder, r.value AS value",
	"geonames": "UNWIND $rows AS r MATCH (m:Municipality {geonames: r.value}) USING INDEX SEEK m:Municipality(geonames) WHERE m.id <> r.id RETURN r.id AS id, m.id AS holder, r.value AS value",
	"wikidata": "UNWIND $rows AS r MATCH (m:Municipality {wikidata: r.value}) USING INDEX SEEK m:Municipality(wikidata) WHERE m.id <> r.id RETURN r.id AS id, m.id AS holder, r.value AS value",
}

// UpsertMunicipalities creates or replaces the given municipalities in one
// transaction, all or none: EINVALID (naming the field and the id) when one
// does not validate, ECONFLICT when an id or a unique code appears twice in
// the batch or a unique code is held by a municipality outside it.
// Replacing keeps the municipality's partnerships; a municipality equal to
// its stored self counts as unchanged and is not written.
func (s *Store) UpsertMunicipalities(ctx context.Context, ms []graph.Municipality) (graph.UpsertResult, error) {
	if len(ms) == 0 {
		return graph.UpsertResult{}, nil
	}
	rows := make([]graph.Municipality, len(ms))
	index := make(map[string]int, len(ms))
	codeOwner := map[[2]string]string{}
	for i := range ms {
		if err := ms[i].Validate(); err != nil {
			return graph.UpsertResult{}, err
		}
		m := normalize(ms[i])
		if j, dup := index[m.ID]; dup {
			return graph.UpsertResult{}, &graph.Error{Code: graph.ECONFLICT, Field: "id",
				Message: fmt.Sprintf("municipality %s appears twice in the batch (items %d and %d)", m.ID, j, i)}
		}
		index[m.ID] = i
		for _, kv := range m.Codes.UniqueCodes() {
			if other, dup := codeOwner[kv]; dup {
				return graph.UpsertResult{}, &graph.Error{Code: graph.ECONFLICT, Field: "codes." + kv[0],
					Message: fmt.Sprintf("municipalities %s and %s in the batch both have %s %q", other, m.ID, kv[0], kv[1])}
			}
			codeOwner[kv] = m.ID
		}
		rows[i] = m
	}

	var res graph.UpsertResult
	err := s.writeMunicipalityTx(ctx, len(rows), func(ctx context.Context, tx driver.ManagedTransaction) error {
		res = graph.UpsertResult{}
		existing, err := s.existingMunicipalities(ctx, tx, rows)
		if err != nil {
			return err
		}
		var changed []*graph.Municipality
		var release []string // ids whose unique codes change: freed first, so codes can move within the batch
		for i := range rows {
			m := &rows[i]
			old, ok := existing[m.ID]
			switch {
			case !ok:
				res.Created++
			case reflect.DeepEqual(old, *m):
				res.Unchanged++
				continue
			default:
				res.Updated++
				if !reflect.DeepEqual(old.Codes.UniqueCodes(), m.Codes.UniqueCodes()) {
					release = append(release, m.ID)
				}
			}
			changed = append(changed, m)
		}
		if err := checkCodes(ctx, tx, changed, index); err != nil {
			return err
		}
		for _, ids := range chunks(release, chunkSize) {
			if _, err := run(ctx, tx, `UNWIND $ids AS id MATCH (m:Municipality {id: id}) USING INDEX SEEK m:Municipality(id)
REMOVE m.katottg, m.lau, m.geonames, m.wikidata`, map[string]any{"ids": ids}); err != nil {
				return err
			}
		}
		if len(changed) > 0 {
			if _, err := run(ctx, tx, upsertDimensions, dimensionParams(changed)); err != nil {
				return err
			}
		}
		for _, chunk := range chunks(changed, chunkSize) {
			if err := writeMunicipalities(ctx, tx, chunk); err != nil {
				return err
			}
			if s.chunkWritten != nil {
				s.chunkWritten()
			}
		}
		return nil
	})
	if err != nil {
		return graph.UpsertResult{}, s.fail(err, "upserting %d municipalities", len(ms))
	}
	return res, nil
}

// existingMunicipalities reads the stored versions of rows, by id.
func (s *Store) existingMunicipalities(ctx context.Context, tx driver.ManagedTransaction, rows []graph.Municipality) (map[string]graph.Municipality, error) {
	out := make(map[string]graph.Municipality, len(rows))
	for _, chunk := range chunks(rows, chunkSize) {
		ids := make([]string, len(chunk))
		for i, m := range chunk {
			ids[i] = m.ID
		}
		recs, err := run(ctx, tx, "UNWIND $ids AS id MATCH (m:Municipality {id: id}) USING INDEX SEEK m:Municipality(id) RETURN m "+municipalityProjection+" AS m", map[string]any{"ids": ids})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			m, err := toMunicipality(r.Values[0])
			if err != nil {
				return nil, err
			}
			out[m.ID] = m
		}
	}
	return out, nil
}

// checkCodes returns ECONFLICT when a unique code of a changed row is held
// by a municipality outside the batch. A holder inside the batch is giving
// the code up (the batch has no code twice), so it is no conflict.
func checkCodes(ctx context.Context, tx driver.ManagedTransaction, changed []*graph.Municipality, batch map[string]int) error {
	byCode := map[string][]map[string]any{}
	for _, m := range changed {
		for _, kv := range m.Codes.UniqueCodes() {
			byCode[kv[0]] = append(byCode[kv[0]], map[string]any{"id": m.ID, "value": kv[1]})
		}
	}
	for _, code := range []string{"katottg", "lau", "geonames", "wikidata"} {
		for _, chunk := range chunks(byCode[code], chunkSize) {
			recs, err := run(ctx, tx, codeHolders[code], map[string]any{"rows": chunk})
			if err != nil {
				return err
			}
			for _, r := range recs {
				id, _ := r.Values[0].(string)
				holder, _ := r.Values[1].(string)
				value, _ := r.Values[2].(string)
				if _, inBatch := batch[holder]; !inBatch {
					return &graph.Error{Code: graph.ECONFLICT, Field: "codes." + code,
						Message: fmt.Sprintf("municipality %s: %s %q is already held by %s", id, code, value, holder)}
				}
			}
		}
	}
	return nil
}

// UpsertPartnerships creates or replaces the given partnerships (one per
// unordered pair) in one transaction, all or none: EINVALID when one does
// not validate or names a municipality that does not exist, ECONFLICT when
// a pair appears twice in the batch.
func (s *Store) UpsertPartnerships(ctx context.Context, ps []graph.Partnership) (graph.UpsertResult, error) {
	if len(ps) == 0 {
		return graph.UpsertResult{}, nil
	}
	rows := make([]graph.Partnership, len(ps))
	seen := make(map[[2]string]int, len(ps))
	var ids []string
	idSeen := map[string]bool{}
	for i := range ps {
		if err := ps[i].Validate(); err != nil {
			return graph.UpsertResult{}, err
		}
		p := ps[i]
		p.Normalize()
		if j, dup := seen[p.Key()]; dup {
			return graph.UpsertResult{}, graph.Errorf(graph.ECONFLICT, "partnership %s-%s appears twice in the batch (items %d and %d)", p.A, p.B, j, i)
		}
		seen[p.Key()] = i
		rows[i] = p
		for _, id := range []string{p.A, p.B} {
			if !idSeen[id] {
				idSeen[id] = true
				ids = append(ids, id)
			}
		}
	}

	var res graph.UpsertResult
	err := s.writeBatch(ctx, len(rows), func(ctx context.Context, tx driver.ManagedTransaction) error {
		res = graph.UpsertResult{}
		missing := map[string]bool{}
		for _, chunk := range chunks(ids, chunkSize) {
			recs, err := run(ctx, tx, `UNWIND $ids AS id OPTIONAL MATCH (m:Municipality {id: id}) USING INDEX SEEK m:Municipality(id)
WITH id, m WHERE m IS NULL RETURN id`, map[string]any{"ids": chunk})
			if err != nil {
				return err
			}
			for _, r := range recs {
				id, _ := r.Values[0].(string)
				missing[id] = true
			}
		}
		for _, p := range ps { // in batch order, naming the side as given
			for _, side := range [][2]string{{"a", p.A}, {"b", p.B}} {
				if missing[side[1]] {
					return graph.FieldErrorf(side[0], "partnership %s-%s: municipality %q does not exist", p.A, p.B, side[1])
				}
			}
		}

		existing := map[[2]string]graph.Partnership{}
		for _, chunk := range chunks(rows, chunkSize) {
			recs, err := run(ctx, tx, `UNWIND $rows AS r
MATCH (a:Municipality {id: r.a})-[p:PARTNER_OF]-(b:Municipality {id: r.b})
USING INDEX SEEK a:Municipality(id) USING INDEX SEEK b:Municipality(id)
RETURN r.a AS a, r.b AS b, p `+partnershipProjection+` AS p`, map[string]any{"rows": pairParams(chunk, false)})
			if err != nil {
				return err
			}
			for _, r := range recs {
				a, _ := r.Values[0].(string)
				b, _ := r.Values[1].(string)
				p, err := toPartnership(a, b, r.Values[2])
				if err != nil {
					return err
				}
				existing[p.Key()] = p
			}
		}
		var changed []graph.Partnership
		for _, p := range rows {
			old, ok := existing[p.Key()]
			switch {
			case !ok:
				res.Created++
			case old.Equal(p):
				res.Unchanged++
				continue
			default:
				res.Updated++
			}
			changed = append(changed, p)
		}
		for _, chunk := range chunks(changed, chunkSize) {
			recs, err := run(ctx, tx, mergePartnerships, map[string]any{"rows": pairParams(chunk, true)})
			if err != nil {
				return err
			}
			if n, _ := recs[0].Values[0].(int64); int(n) != len(chunk) {
				return graph.Errorf(graph.ECONFLICT, "a municipality of the batch was deleted while the partnerships were written; try again")
			}
		}
		return nil
	})
	if err != nil {
		return graph.UpsertResult{}, s.fail(err, "upserting %d partnerships", len(ps))
	}
	return res, nil
}

// mergePartnerships creates or replaces the PARTNER_OF relationships of
// pairParams rows (with their properties), from the lower id to the higher,
// and counts those written: fewer than the rows when a municipality is
// missing. UpsertPartnerships and a signed shortlist entry both use it, so
// a partnership reads the same whichever wrote it.
const mergePartnerships = `UNWIND $rows AS r
MATCH (a:Municipality {id: r.a}) USING INDEX SEEK a:Municipality(id)
MATCH (b:Municipality {id: r.b}) USING INDEX SEEK b:Municipality(id)
MERGE (a)-[p:PARTNER_OF]->(b)
SET p = r.props
RETURN count(p) AS n`

// pairParams returns the UNWIND rows of normalised partnerships, with their
// properties when withProps.
func pairParams(ps []graph.Partnership, withProps bool) []map[string]any {
	out := make([]map[string]any, len(ps))
	for i := range ps {
		row := map[string]any{"a": ps[i].A, "b": ps[i].B}
		if withProps {
			row["props"] = partnershipProps(&ps[i])
		}
		out[i] = row
	}
	return out
}

// DeleteMunicipality deletes the municipality and its partnerships, or
// returns ENOTFOUND.
func (s *Store) DeleteMunicipality(ctx context.Context, id string) error {
	var deleted int64
	err := s.writeMunicipalityTx(ctx, 1, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, "MATCH (m:Municipality {id: $id}) DETACH DELETE m RETURN count(*) AS n", map[string]any{"id": id})
		if err != nil {
			return err
		}
		deleted, _ = recs[0].Values[0].(int64)
		return nil
	})
	if err != nil {
		return s.fail(err, "deleting municipality %q", id)
	}
	if deleted == 0 {
		return graph.Errorf(graph.ENOTFOUND, "municipality %q not found", id)
	}
	return nil
}

// DeletePartnership deletes the partnership between a and b (in either
// order), or returns ENOTFOUND.
func (s *Store) DeletePartnership(ctx context.Context, a, b string) error {
	var deleted int64
	err := s.writeGraph(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, `MATCH (:Municipality {id: $a})-[p:PARTNER_OF]-(:Municipality {id: $b})
DELETE p RETURN count(*) AS n`, map[string]any{"a": a, "b": b})
		if err != nil {
			return err
		}
		deleted, _ = recs[0].Values[0].(int64)
		return nil
	})
	if err != nil {
		return s.fail(err, "deleting partnership %s-%s", a, b)
	}
	if deleted == 0 {
		return graph.Errorf(graph.ENOTFOUND, "no partnership between %q and %q", a, b)
	}
	return nil
}
