package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/twinning/twinning/internal/score"
)

// DefaultSuggestionCacheBytes is the size of the cache of suggestion
// answers when Config.SuggestionCacheBytes is 0: 64 MiB, some 2,900
// answers of 10 suggestions (22 KB each on the sample) or 300 of 100.
const DefaultSuggestionCacheBytes = 64 << 20

// suggestionCache keeps encoded suggestion answers, so that asking again
// for the same municipality with the same options costs a map lookup
// instead of a ranking. An answer is only valid for the engine index it
// was computed on: an entry made on an older index (before a reload after
// an import or a write) is a miss and is replaced. The bodies kept add up
// to at most maxBytes; the least recently used go first.
type suggestionCache struct {
	mu       sync.Mutex
	entries  *simplelru.LRU[string, cachedAnswer]
	bytes    int64 // of the bodies and keys kept
	maxBytes int64
}

// cachedAnswer is one encoded answer, gzipped too, and the index it was
// computed on: a repeated request costs no encoding and no compression.
type cachedAnswer struct {
	index *score.Index
	body  []byte
	gz    []byte
	etag  string
}

// size is what an entry counts against the cache's budget.
func (a cachedAnswer) size(key string) int64 {
	return int64(len(a.body) + len(a.gz) + len(key) + len(a.etag))
}

// newSuggestionCache returns a cache of maxBytes (DefaultSuggestionCacheBytes
// when 0), or nil (no caching) when maxBytes is negative.
func newSuggestionCache(maxBytes int64) *suggestionCache {
	if maxBytes < 0 {
		return nil
	}
	if maxBytes == 0 {
		maxBytes = DefaultSuggestionCacheBytes
	}
	c := &suggestionCache{maxBytes: maxBytes}
	// The entry count is bounded by the byte budget, not by the LRU.
	entries, err := simplelru.NewLRU[string, cachedAnswer](math.MaxInt32, func(key string, a cachedAnswer) {
		c.bytes -= a.size(key)
	})
	if err != nil { // only for a size below 1
		panic(err)
	}
	c.entries = entries
	return c
}

// get returns the answer for key computed on index ix.
func (c *suggestionCache) get(key string, ix *score.Index) (cachedAnswer, bool) {
	if c == nil {
		return cachedAnswer{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.entries.Get(key)
	if !ok || a.index != ix {
		return cachedAnswer{}, false
	}
	return a, true
}

// put keeps a, evicting the least recently used answers until the budget
// holds; an answer larger than the whole budget is not kept.
func (c *suggestionCache) put(key string, a cachedAnswer) {
	if c == nil || a.size(key) > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries.Remove(key) // an older answer under the same key
	c.entries.Add(key, a)
	c.bytes += a.size(key)
	for c.bytes > c.maxBytes {
		c.entries.RemoveOldest()
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
	b.WriteString(strconv.FormatBool(o.IncludeDistricts))
	b.WriteByte(0)
	b.WriteString(strconv.FormatFloat(o.Diversity, 'g', -1, 64))
	b.WriteByte(0)
	b.WriteString(string(o.War))
	b.WriteByte(0)
	if o.Lang != score.LangEnglish { // "en" is the default, "": one entry
		b.WriteString(o.Lang)
	}
	return b.String()
}

// encodeAnswer encodes res as writeJSON would, gzipped too when zip says
// (an answer to cache), and tags it with a strong ETag: the first 16 bytes
// of the body's SHA-256, in hex.
func encodeAnswer(ix *score.Index, res score.Result, zip bool) (cachedAnswer, error) {
	body, err := encodeJSON(res)
	if err != nil {
		return cachedAnswer{}, err
	}
	sum := sha256.Sum256(body)
	a := cachedAnswer{index: ix, body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
	if zip {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, CompressionLevel) // a valid level: no error
		_, _ = zw.Write(body)                               // into memory: no error
		_ = zw.Close()
		a.gz = gz.Bytes()
	}
	return a, nil
}

// writeAnswer answers 200 with a, or 304 without a body when the request's
// If-None-Match already names a's ETag.
func writeAnswer(w http.ResponseWriter, r *http.Request, a cachedAnswer) {
	h := w.Header()
	body, etag := a.body, a.etag
	if a.gz != nil { // else the compression middleware decides, and says so
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			// Another coding, another strong validator (RFC 9110, 8.8.3).
			body, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gzip"`
			h.Set("Content-Encoding", "gzip") // so that the middleware passes it on
		}
	}
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	if etagMatches(r.Header.Values("If-None-Match"), etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeRaw(w, "application/json; charset=utf-8", http.StatusOK, body)
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
