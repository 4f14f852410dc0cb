package neo4j

import (
	"context"
	"fmt"
	"os"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

func TestZZQuery(t *testing.T) {
	d, err := driver.NewDriverWithContext(os.Getenv("TWINNING_NEO4J_URI"), driver.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	res, err := driver.ExecuteQuery(context.Background(), d, os.Getenv("CY"), nil, driver.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Records {
		fmt.Println(r.Values)
	}
}
