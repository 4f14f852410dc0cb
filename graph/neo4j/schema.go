package neo4j

import (
	"context"
	"fmt"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
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
	// Search: CONTAINS on the joined name keys, and the filters.
	"CREATE TEXT INDEX municipality_search_keys IF NOT EXISTS FOR (m:Municipality) ON (m.search_keys)",
	"CREATE RANGE INDEX municipality_country IF NOT EXISTS FOR (m:Municipality) ON (m.country)",
	"CREATE RANGE INDEX municipality_population IF NOT EXISTS FOR (m:Municipality) ON (m.population)",
	// Free-text search over every name for graph queries and tools
	// (db.index.fulltext.queryNodes("municipality_names", "Lemberg~")):
	// Lucene's analysis is not graph.NameKey, so Search does not use it.
	"CREATE FULLTEXT INDEX municipality_names IF NOT EXISTS FOR (m:Municipality) ON EACH [m.name, m.name_latin, m.alt_names]",
}

// setupSchema creates the missing constraints and indexes and waits until
// they are online. Schema statements run in auto-commit transactions of
// their own, as Neo4j requires.
func (s *Store) setupSchema(ctx context.Context) error {
	session := s.driver.NewSession(ctx, driver.SessionConfig{AccessMode: driver.AccessModeWrite, DatabaseName: s.cfg.Database})
	defer session.Close(context.Background())
	for _, stmt := range append(schema, "CALL db.awaitIndexes($seconds)") {
		res, err := session.Run(ctx, stmt, map[string]any{"seconds": int64(s.cfg.CallTimeout.Seconds())})
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			return fmt.Errorf("running %q: %w", stmt, err)
		}
	}
	return nil
}
