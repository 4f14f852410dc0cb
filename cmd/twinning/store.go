package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
	"github.com/twinning/twinning/graph/neo4j"
	"github.com/twinning/twinning/internal/sample"
)

// Store back ends a command can open.
const (
	backendEmbedded = "embedded"
	backendNeo4j    = "neo4j"
)

// storeConfig says which store a command opens and how. Every field has a
// flag and an environment variable; the flag wins.
type storeConfig struct {
	backend       string
	dataPath      string
	neo4jURI      string
	neo4jUser     string
	neo4jPassword string // never printed, logged or shown as a flag default
	neo4jDatabase string
	noSample      bool
	// creates says that the command may create the embedded store file
	// (serve and import); the others open an existing one, but for the
	// default file, which they create with the sample as serve does.
	creates bool
}

// defaultDataPath is the embedded store file when -data is not given.
const defaultDataPath = "twinning.db"

// storeEnv maps each store flag to its environment variable.
var storeEnv = map[string]string{
	"store":          "TWINNING_STORE",
	"data":           "TWINNING_DATA",
	"neo4j-uri":      "NEO4J_URI",
	"neo4j-user":     "NEO4J_USERNAME",
	"neo4j-password": "NEO4J_PASSWORD",
	"neo4j-database": "NEO4J_DATABASE",
	"no-sample":      "TWINNING_NO_SAMPLE",
}

// register adds the store flags to fs.
func (c *storeConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.backend, "store", backendEmbedded, "store: embedded or neo4j (env TWINNING_STORE)")
	fs.StringVar(&c.dataPath, "data", defaultDataPath, "embedded store file (env TWINNING_DATA)")
	fs.StringVar(&c.neo4jURI, "neo4j-uri", "bolt://127.0.0.1:7687", "Neo4j Bolt URI (env NEO4J_URI)")
	fs.StringVar(&c.neo4jUser, "neo4j-user", "neo4j", "Neo4j user name (env NEO4J_USERNAME)")
	fs.StringVar(&c.neo4jPassword, "neo4j-password", "", "Neo4j password (env NEO4J_PASSWORD; prefer the variable, flags show in process lists)")
	fs.StringVar(&c.neo4jDatabase, "neo4j-database", "neo4j", "Neo4j database (env NEO4J_DATABASE)")
	fs.BoolVar(&c.noSample, "no-sample", false, "do not load the bundled sample into an empty store (env TWINNING_NO_SAMPLE)")
}

// envs returns the flag-to-variable map of the store flags plus extra.
func (c *storeConfig) envs(extra map[string]string) map[string]string {
	out := make(map[string]string, len(storeEnv)+len(extra))
	for k, v := range storeEnv {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// validate checks the values once flags and environment are parsed.
func (c *storeConfig) validate() error {
	switch c.backend {
	case backendEmbedded:
		if c.dataPath == "" {
			return usageError{"-data: the embedded store needs a file path"}
		}
	case backendNeo4j:
		if c.neo4jURI == "" {
			return usageError{"-neo4j-uri: the neo4j store needs a Bolt URI, e.g. bolt://127.0.0.1:7687"}
		}
	default:
		return usageError{fmt.Sprintf("-store: must be %s or %s, got %q", backendEmbedded, backendNeo4j, c.backend)}
	}
	return nil
}

// describe names the store for messages and logs, without the password.
func (c *storeConfig) describe() string {
	if c.backend == backendNeo4j {
		return fmt.Sprintf("neo4j %s (database %s, user %s)", c.neo4jURI, c.neo4jDatabase, c.neo4jUser)
	}
	return "embedded " + c.dataPath
}

// openSaying opens the store as open does and, when it loaded the bundled
// sample, says so on stderr: what a command that works on the store does
// first.
func (c *storeConfig) openSaying(ctx context.Context, stderr io.Writer) (graph.Store, error) {
	store, loaded, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	if loaded {
		fmt.Fprintf(stderr, "twinning: loaded the bundled sample into the empty store (%s)\n", c.describe())
	}
	return store, nil
}

// open opens the configured store and, unless noSample, loads the bundled
// sample into it when it is empty. It reports whether the sample was
// loaded. The caller closes the store.
func (c *storeConfig) open(ctx context.Context) (store graph.Store, sampleLoaded bool, err error) {
	switch c.backend {
	case backendEmbedded:
		if !c.creates && c.dataPath != defaultDataPath {
			if _, err := os.Stat(c.dataPath); errors.Is(err, os.ErrNotExist) {
				return nil, false, fmt.Errorf("no store at %s: this command reads an existing store (twinning serve or twinning import creates one); check -data or TWINNING_DATA", c.dataPath)
			}
		}
		s, err := embedded.Open(c.dataPath)
		if err != nil {
			return nil, false, fmt.Errorf("open %s: %w", c.describe(), err)
		}
		store = s
	case backendNeo4j:
		s, err := neo4j.Open(ctx, neo4j.Config{
			URI:      c.neo4jURI,
			Username: c.neo4jUser,
			Password: c.neo4jPassword,
			Database: c.neo4jDatabase,
		})
		if err != nil {
			if graph.ErrorField(err) == "uri" {
				return nil, false, usageError{"-neo4j-uri: " + graph.ErrorMessage(err)}
			}
			return nil, false, fmt.Errorf("open %s: %w", c.describe(), err)
		}
		store = s
	default:
		return nil, false, usageError{fmt.Sprintf("-store: must be %s or %s, got %q", backendEmbedded, backendNeo4j, c.backend)}
	}
	if c.noSample {
		return store, false, nil
	}
	loaded, err := sample.LoadIfEmpty(ctx, store)
	if err != nil {
		return nil, false, errors.Join(fmt.Errorf("load the bundled sample into %s: %w", c.describe(), err), store.Close())
	}
	return store, loaded, nil
}
