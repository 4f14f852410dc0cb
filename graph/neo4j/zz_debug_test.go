package neo4j

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph/storetest"
)

func TestZZDebug(t *testing.T) {
	t0 := time.Now()
	s := openEmpty(t)
	fmt.Println("open+clear", time.Since(t0))
	ms, ps := storetest.Fixture()
	for i := 0; i < 3; i++ {
		t0 = time.Now()
		_, err := s.UpsertMunicipalities(context.Background(), ms)
		require.NoError(t, err)
		fmt.Println("upsert ms", time.Since(t0))
		t0 = time.Now()
		_, err = s.UpsertPartnerships(context.Background(), ps)
		require.NoError(t, err)
		fmt.Println("upsert ps", time.Since(t0))
		t0 = time.Now()
		require.NoError(t, clear(context.Background(), s))
		fmt.Println("clear", time.Since(t0))
	}
}
