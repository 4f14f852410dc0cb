package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/twinning/twinning/internal/score"
)

// DefaultSuggestionCache is the number of suggestion answers a Server keeps
// when Config.SuggestionCache is 0.
const DefaultSuggestionCache = 4096

// suggestionCache keeps encoded suggestion answers, so that asking again
// for the same municipality with the same options costs a map lookup
// instead of a ranking. An answer is only valid for the engine index it
// was computed on: an entry made on an older index (before a reload after
// an import or a write) is a miss and is replaced. The least recently used
// entries go first when the cache is full.
type suggestionCache struct {
	entries *lru.Cache[string, cachedAnswer]
}

// cachedAnswer is one encoded answer and the index it was computed on.
type cachedAnswer struct {
	index *score.Index
	body  []byte
	etag  string
}

// newSuggestionCache returns a cache of size entries, or nil (no caching)
// when size is negative.
func newSuggestionCache(size int) *suggestionCache {
	if size < 0 {
		return nil
	}
	if size == 0 {
		size = DefaultSuggestionCache
	}
	entries, err := lru.New[string, cachedAnswer](size)
	if err != nil { // only for a size below 1, excluded above
		panic(err)
	}
	return &suggestionCache{entries: entries}
}

// get returns the answer for key computed on index ix.
func (c *suggestionCache) get(key string, ix *score.Index) (cachedAnswer, bool) {
	if c == nil {
		return cachedAnswer{}, false
	}
	a, ok := c.entries.Get(key)
	if !ok || a.index != ix {
		return cachedAnswer{}, false
	}
	return a, true
}

// put keeps a.
func (c *suggestionCache) put(key string, a cachedAnswer) {
	if c != nil {
		c.entries.Add(key, a)
	}
}

// suggestionKey is the cache key of a suggestion request: the id and every
// option, in the order given (the answer echoes nothing of the order, but
// the key does not need to know that).
func suggestionKey(id string, o score.Options) string {
	var b strings.Builder
	b.Grow(len(id) + 64)
	b.WriteString(id)
	b.WriteByte(0)
	b.WriteString(strings.Join(o.Countries, ","))
	b.WriteByte(0)
	b.WriteString(strings.Join(o.Themes, ","))
	b.WriteByte(0)
	b.WriteString(strconv.FormatInt(o.MinPopulation, 10))
	b.WriteByte(0)
	b.WriteString(strconv.FormatInt(o.MaxPopulation, 10))
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(o.Limit))
	b.WriteByte(0)
	b.WriteString(strconv.FormatBool(o.IncludePartners))
	b.WriteString(strconv.FormatBool(o.IncludeSuspended))
	return b.String()
}

// encodeAnswer encodes res as writeJSON would and tags it with a strong
// ETag: the first 16 bytes of the body's SHA-256, in hex.
func encodeAnswer(ix *score.Index, res score.Result) (cachedAnswer, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		return cachedAnswer{}, err
	}
	sum := sha256.Sum256(buf.Bytes())
	return cachedAnswer{index: ix, body: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:16]) + `"`}, nil
}

// writeAnswer answers 200 with a, or 304 without a body when the request's
// If-None-Match already names a's ETag.
func writeAnswer(w http.ResponseWriter, r *http.Request, a cachedAnswer) {
	h := w.Header()
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "no-cache")
	if etagMatches(r.Header.Values("If-None-Match"), a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.body) // the client has gone; nothing to do
}

// etagMatches reports whether the If-None-Match header values name etag
// or are "*" (RFC 9110, section 13.1.2: weak comparison, so W/"x" matches
// "x").
func etagMatches(values []string, etag string) bool {
	for _, v := range values {
		for tag := range strings.SplitSeq(v, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
				return true
			}
		}
	}
	return false
}
