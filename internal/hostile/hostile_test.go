package hostile

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
)

func TestMaxSearchRunesIsTheQueryLimit(t *testing.T) {
	q := graph.Query{Text: strings.Repeat("я", maxSearchRunes)}
	assert.NoError(t, q.Validate())
	q.Text += "я"
	assert.Equal(t, graph.EINVALID, graph.ErrorCode(q.Validate()))
}

func TestStringsIsAFreshSlice(t *testing.T) {
	s := Strings()
	s[0] = "changed"
	assert.NotEqual(t, "changed", Strings()[0])
}

func TestRequests(t *testing.T) {
	base, err := url.Parse("http://127.0.0.1:8080")
	require.NoError(t, err)
	reqs := Requests(base)
	// 21 requests for each value, 3 more.
	assert.Equal(t, 21*len(Strings())+3, len(reqs))
	for _, r := range reqs {
		u, err := url.Parse(r)
		require.NoError(t, err, r)
		assert.Equal(t, "127.0.0.1:8080", u.Host, r)
		assert.True(t, strings.HasPrefix(u.Path, "/v1/"), r)
	}
}

func TestSearchesAreValidRequests(t *testing.T) {
	base, err := url.Parse("http://127.0.0.1:8080")
	require.NoError(t, err)
	searches := Searches(base)
	require.Equal(t, 2*len(Strings()), len(searches))
	for _, s := range searches {
		u, err := url.Parse(s)
		require.NoError(t, err, s)
		assert.Equal(t, "/v1/municipalities", u.Path)
		assert.LessOrEqual(t, len(u.RawQuery), api.DefaultMaxQueryBytes, "%.80s", s)
		v := u.Query()
		require.Len(t, v, 1, s)
		q := graph.Query{Text: strings.TrimSpace(v.Get("q"))}
		assert.NoError(t, q.Validate(), "%.80s", s)
	}
}

func ExampleSearches() {
	base, _ := url.Parse("http://127.0.0.1:8080")
	for _, s := range Searches(base)[:4] {
		fmt.Println(s)
	}
	// Output:
	// http://127.0.0.1:8080/v1/municipalities?q=%27+OR+1%3D1+--
	// http://127.0.0.1:8080/v1/municipalities?region=%27+OR+1%3D1+--
	// http://127.0.0.1:8080/v1/municipalities?q=%22%29+RETURN+m+%2F%2F
	// http://127.0.0.1:8080/v1/municipalities?region=%22%29+RETURN+m+%2F%2F
}
