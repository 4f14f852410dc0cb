package neo4j

import (
	"context"
	"fmt"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/twinning/twinning/graph"
)

// maxPathHops is the longest path ShortestPaths searches for.
const maxPathHops = graph.MaxPathHops

// shortestPathQueries[h] finds the shortest paths of at most h
// partnerships. Cypher takes no parameter for a variable length's bound, so
// there is one fixed query per bound, picked by number: nothing of the
// input is ever spliced into the text.
var shortestPathQueries = func() []string {
	qs := make([]string, maxPathHops+1)
	for h := 1; h <= maxPathHops; h++ {
		qs[h] = fmt.Sprintf(`MATCH (a:Municipality {id: $from}), (b:Municipality {id: $to})
MATCH p = allShortestPaths((a)-[:PARTNER_OF*..%d]-(b))
WITH p, [n IN nodes(p) | n.id] AS ids ORDER BY ids
WITH collect(p) AS ps
RETURN size(ps) AS count, [p IN ps[0..$limit] | {
  nodes: [n IN nodes(p) | {m: n `+municipalityProjection+`, degree: COUNT { (n)-[:PARTNER_OF]-() }}],
  rels: [r IN relationships(p) | {a: startNode(r).id, b: endNode(r).id, p: r `+partnershipProjection+`}]
}] AS paths`, h)
	}
	return qs
}()

// ShortestPaths answers graph.PathFinder with Cypher's allShortestPaths:
// the paths of at most maxHops (1 to 6) partnerships, ordered by their
// municipality ids, the first limit of them read back.
func (s *Store) ShortestPaths(ctx context.Context, from, to string, maxHops, limit int) (int, []graph.Path, error) {
	if err := graph.CheckPathBounds(maxHops, limit); err != nil {
		return 0, nil, err
	}
	for _, id := range []string{from, to} {
		if _, err := s.Municipality(ctx, id); err != nil {
			return 0, nil, err
		}
	}
	var (
		count int
		paths []graph.Path
	)
	err := s.read(ctx, func(ctx context.Context, tx driver.ManagedTransaction) error {
		count, paths = 0, nil
		recs, err := run(ctx, tx, shortestPathQueries[maxHops], map[string]any{"from": from, "to": to, "limit": int64(limit)})
		if err != nil || len(recs) == 0 {
			return err
		}
		n, _ := recs[0].Values[0].(int64)
		count = int(n)
		rows, _ := recs[0].Values[1].([]any)
		for _, row := range rows {
			p, err := toPath(row)
			if err != nil {
				return err
			}
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return 0, nil, s.fail(err, "finding the shortest paths from %q to %q", from, to)
	}
	return count, paths, nil
}

// toPath reads one path of the shortest-paths query back.
func toPath(v any) (graph.Path, error) {
	row, _ := v.(map[string]any)
	nodes, _ := row["nodes"].([]any)
	rels, _ := row["rels"].([]any)
	if len(nodes) != len(rels)+1 {
		return graph.Path{}, fmt.Errorf("path: %d municipalities for %d partnerships", len(nodes), len(rels))
	}
	var p graph.Path
	for _, n := range nodes {
		nm, _ := n.(map[string]any)
		m, err := toMunicipality(nm["m"])
		if err != nil {
			return graph.Path{}, err
		}
		deg, _ := nm["degree"].(int64)
		p.Municipalities = append(p.Municipalities, m)
		p.Degrees = append(p.Degrees, int(deg))
	}
	for _, r := range rels {
		rm, _ := r.(map[string]any)
		a, _ := rm["a"].(string)
		b, _ := rm["b"].(string)
		ps, err := toPartnership(a, b, rm["p"])
		if err != nil {
			return graph.Path{}, err
		}
		p.Partnerships = append(p.Partnerships, ps)
	}
	return p, nil
}

var _ graph.PathFinder = (*Store)(nil)
