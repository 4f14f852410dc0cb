package neo4j

import (
	"context"
	"fmt"
	"strings"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/twinning/twinning/graph"
)

// schema lists the constraints and indexes the store relies on. Each is
// created only when missing, so Open is idempotent and cheap on a database
// set up before.
var schema = []string{
	// Identity, and the unique external codes (a constraint ignores nodes
	// without the property, so unset codes never clash).
	"CREATE CONSTRAINT municipality_id IF NOT EXISTS FOR (m:Municipality) REQUIRE m.id IS UNIQUE",
	"CREATE CONSTRAINT municipality_katottg IF NOT EXISTS FOR (m:Municipality) REQUIRE m.katottg IS UNIQUE",
	"CREATE CONSTRAINT municipality_lau IF NOT EXISTS FOR (m:Municipality) REQUIRE m.lau IS UNIQUE",
	"CREATE CONSTRAINT municipality_geonames IF NOT EXISTS FOR (m:Municipality) REQUIRE m.geonames IS UNIQUE",
	"CREATE CONSTRAINT municipality_wikidata IF NOT EXISTS FOR (m:Municipality) REQUIRE m.wikidata IS UNIQUE",
	// The structure nodes: unique keys also make concurrent MERGEs of the
	// same country, region or theme safe.
	"CREATE CONSTRAINT country_code IF NOT EXISTS FOR (c:Country) REQUIRE c.code IS UNIQUE",
	"CREATE CONSTRAINT region_code IF NOT EXISTS FOR (r:Region) REQUIRE r.code IS UNIQUE",
	"CREATE CONSTRAINT theme_name IF NOT EXISTS FOR (t:Theme) REQUIRE t.name IS UNIQUE",
	// The workflow's records (workflow.go): one key each. The counter's
	// constraint makes the MERGE that creates it safe under concurrency;
	// the audit log is read newest first (seq) and by request.
	"CREATE CONSTRAINT request_id IF NOT EXISTS FOR (r:PartnerRequest) REQUIRE r.id IS UNIQUE",
	"CREATE CONSTRAINT profile_municipality IF NOT EXISTS FOR (p:Profile) REQUIRE p.municipality IS UNIQUE",
	"CREATE CONSTRAINT shortlist_entry IF NOT EXISTS FOR (e:ShortlistEntry) REQUIRE (e.request, e.candidate) IS UNIQUE",
	"CREATE CONSTRAINT audit_seq IF NOT EXISTS FOR (a:AuditEntry) REQUIRE a.seq IS UNIQUE",
	"CREATE CONSTRAINT workflow_counter IF NOT EXISTS FOR (c:WorkflowCounter) REQUIRE c.name IS UNIQUE",
	// The store's version (Store.Version), one node that every write moves.
	"CREATE CONSTRAINT store_version IF NOT EXISTS FOR (v:StoreVersion) REQUIRE v.name IS UNIQUE",
	// The version of the search keys' rules (refreshSearchKeys).
	"CREATE CONSTRAINT search_keys_version IF NOT EXISTS FOR (k:SearchKeys) REQUIRE k.name IS UNIQUE",
	"CREATE RANGE INDEX audit_request IF NOT EXISTS FOR (a:AuditEntry) ON (a.request)",
	// Search: CONTAINS on the joined name keys and loose keys, Lucene's
	// fuzzy query on the loose keys for typos (each key one token), and the
	// filters.
	"CREATE TEXT INDEX municipality_search_keys IF NOT EXISTS FOR (m:Municipality) ON (m.search_keys)",
	"CREATE TEXT INDEX municipality_loose_text IF NOT EXISTS FOR (m:Municipality) ON (m.loose_text)",
	"CREATE FULLTEXT INDEX municipality_loose IF NOT EXISTS FOR (m:Municipality) ON EACH [m.loose_text] OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
	"CREATE RANGE INDEX municipality_search_version IF NOT EXISTS FOR (m:Municipality) ON (m.search_version)",
	"CREATE RANGE INDEX municipality_country IF NOT EXISTS FOR (m:Municipality) ON (m.country)",
	"CREATE RANGE INDEX municipality_population IF NOT EXISTS FOR (m:Municipality) ON (m.population)",
	// Free-text search over every name for graph queries and tools
	// (db.index.fulltext.queryNodes("municipality_names", "Lemberg~")):
	// Lucene's analysis is not graph.NameKey, so Search does not use it.
	"CREATE FULLTEXT INDEX municipality_names IF NOT EXISTS FOR (m:Municipality) ON EACH [m.name, m.name_latin, m.alt_names]",
}

// constraintNames are the names of the uniqueness constraints in schema.
var constraintNames = []string{
	"municipality_id", "municipality_katottg", "municipality_lau", "municipality_geonames",
	"municipality_wikidata", "country_code", "region_code", "theme_name",
	"request_id", "profile_municipality", "shortlist_entry", "audit_seq", "workflow_counter", "store_version",
	"search_keys_version",
}

// setupSchema creates the missing constraints and indexes and waits until
// they are online, within SchemaTimeout. Schema statements run in
// auto-commit transactions of their own, as Neo4j requires.
func (s *Store) setupSchema(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SchemaTimeout)
	defer cancel()
	session := s.driver.NewSession(ctx, driver.SessionConfig{AccessMode: driver.AccessModeWrite, DatabaseName: s.cfg.Database})
	defer session.Close(context.Background())
	exec := func(stmt string, params map[string]any) ([]*driver.Record, error) {
		res, err := session.Run(ctx, stmt, params)
		if err != nil {
			return nil, fmt.Errorf("running %q: %w", stmt, err)
		}
		recs, err := res.Collect(ctx)
		if err != nil {
			return nil, fmt.Errorf("running %q: %w", stmt, err)
		}
		return recs, nil
	}
	// The common case, a database set up before: one round trip instead
	// of one per statement.
	recs, err := exec("SHOW INDEXES YIELD name, state, owningConstraint RETURN name, state, owningConstraint", nil)
	if err != nil {
		return err
	}
	online := map[string]bool{}
	for _, r := range recs {
		name, _ := r.Values[0].(string)
		state, _ := r.Values[1].(string)
		owner, _ := r.Values[2].(string)
		if state != "ONLINE" {
			continue
		}
		if owner != "" {
			name = owner // a constraint's index is named after the constraint
		}
		online[name] = true
	}
	ready := true
	for _, stmt := range schema {
		if !online[schemaName(stmt)] {
			ready = false
			break
		}
	}
	if ready {
		return nil
	}
	// A constraint whose creation was interrupted (the client went away
	// while its index was populating) can leave its index behind without
	// the constraint, under the constraint's name, which then blocks
	// CREATE CONSTRAINT ... IF NOT EXISTS. Drop such leftovers first.
	recs, err = exec("SHOW INDEXES YIELD name, owningConstraint WHERE name IN $names AND owningConstraint IS NULL RETURN name",
		map[string]any{"names": constraintNames})
	if err != nil {
		return err
	}
	for _, r := range recs {
		name, _ := r.Values[0].(string)
		if _, err := exec("DROP INDEX $name IF EXISTS", map[string]any{"name": name}); err != nil {
			return fmt.Errorf("dropping the index %s left by an interrupted constraint creation: %w", name, err)
		}
	}
	for _, stmt := range schema {
		if _, err := exec(stmt, nil); err != nil {
			return err
		}
	}
	_, err = exec("CALL db.awaitIndexes($seconds)", map[string]any{"seconds": int64(s.cfg.SchemaTimeout.Seconds())})
	return err
}

// schemaName returns the name a schema statement gives its constraint or
// index: the word after CONSTRAINT or INDEX.
func schemaName(stmt string) string {
	f := strings.Fields(stmt)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "CONSTRAINT" || f[i] == "INDEX" {
			return f[i+1]
		}
	}
	return ""
}

// refreshSearchKeys computes the search properties (searchProps) again for
// the municipalities whose keys follow the rules of another
// graph.SearchKeysVersion (a database written by an earlier release), a
// batch at a time, so that Search finds them as the embedded store does.
// A node (:SearchKeys) remembers the version every node is at, so that a
// database up to date costs one read.
func (s *Store) refreshSearchKeys(ctx context.Context) error {
	version := int64(graph.SearchKeysVersion)
	current := false
	err := s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		recs, err := run(ctx, tx, "MATCH (k:SearchKeys {name: 'keys'}) RETURN k.version = $v", map[string]any{"v": version})
		current = err == nil && len(recs) == 1 && recs[0].Values[0] == true
		return err
	})
	if err != nil || current {
		return err
	}
	for {
		var rows []map[string]any
		err := s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
			recs, err := run(ctx, tx, `MATCH (m:Municipality) WHERE m.id IS NOT NULL AND (m.search_version IS NULL OR m.search_version <> $v)
RETURN m `+municipalityProjection+` AS m LIMIT 2000`, map[string]any{"v": version})
			rows = nil
			for _, r := range recs {
				m, err := toMunicipality(r.Values[0])
				if err != nil {
					return err
				}
				rows = append(rows, map[string]any{"id": m.ID, "props": searchProps(&m)})
			}
			return err
		})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		if err := s.write(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
			_, err := run(ctx, tx, "UNWIND $rows AS r MATCH (m:Municipality {id: r.id}) SET m += r.props", map[string]any{"rows": rows})
			return err
		}); err != nil {
			return err
		}
	}
	return s.write(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		_, err := run(ctx, tx, "MERGE (k:SearchKeys {name: 'keys'}) SET k.version = $v", map[string]any{"v": version})
		return err
	})
}
