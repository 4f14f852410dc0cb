package embedded

import (
	"bytes"
	"sort"
	"strings"
)

// textIndex finds the records whose name keys contain a string. All keys
// live in one byte slice, each preceded by a 0 byte (which no key holds),
// grouped by record into segments; a query is then a few calls of
// bytes.Index over contiguous memory rather than one string comparison per
// name. An update appends a new segment and marks the old one dead; dead
// segments are dropped when they make up half of the bytes.
type textIndex struct {
	blob   []byte
	starts []int     // the offset of each segment in blob, ascending
	owners []*record // the record of each segment; nil when dead
	seg    map[string]int
	dead   int // bytes held by dead segments
}

func newTextIndex() textIndex {
	return textIndex{seg: map[string]int{}}
}

// segmentEnd returns the offset just past segment i.
func (x *textIndex) segmentEnd(i int) int {
	if i+1 < len(x.starts) {
		return x.starts[i+1]
	}
	return len(x.blob)
}

// add indexes r, replacing the record of the same id.
func (x *textIndex) add(r *record) {
	x.remove(r.m.ID)
	x.seg[r.m.ID] = len(x.owners)
	x.starts = append(x.starts, len(x.blob))
	x.owners = append(x.owners, r)
	for _, k := range r.keys {
		x.blob = append(x.blob, 0)
		x.blob = append(x.blob, k...)
	}
}

// remove drops the record with the given id, if indexed.
func (x *textIndex) remove(id string) {
	i, ok := x.seg[id]
	if !ok {
		return
	}
	delete(x.seg, id)
	x.owners[i] = nil
	x.dead += x.segmentEnd(i) - x.starts[i]
	if x.dead > 1<<16 && x.dead > len(x.blob)/2 {
		x.compact()
	}
}

// compact rebuilds the index from its live records.
func (x *textIndex) compact() {
	live := make([]*record, 0, len(x.seg))
	for _, r := range x.owners {
		if r != nil {
			live = append(live, r)
		}
	}
	size := len(x.blob) - x.dead
	*x = textIndex{
		blob:   make([]byte, 0, size+size/4),
		starts: make([]int, 0, len(live)),
		owners: make([]*record, 0, len(live)),
		seg:    make(map[string]int, len(live)),
	}
	for _, r := range live {
		x.add(r)
	}
}

// find calls fn once for every record with a key that contains key, which
// must be a non-empty graph.NameKey, in no particular order. fn returns
// false to stop.
func (x *textIndex) find(key string, fn func(r *record) bool) {
	pattern := []byte(key)
	for pos := 0; pos < len(x.blob); {
		i := bytes.Index(x.blob[pos:], pattern)
		if i < 0 {
			return
		}
		at := pos + i
		s := sort.SearchInts(x.starts, at+1) - 1 // the last segment starting at or before at
		pos = x.segmentEnd(s)
		if r := x.owners[s]; r != nil && !fn(r) {
			return
		}
	}
}

// Ranks of a text match, best first.
const (
	rankExact     = 0
	rankPrefix    = 1
	rankSubstring = 2
)

// rank returns how well the best of keys matches key, assuming one of them
// contains it.
func rank(keys []string, key string) uint8 {
	best := uint8(rankSubstring)
	for _, k := range keys {
		if k == key {
			return rankExact
		}
		if strings.HasPrefix(k, key) {
			best = rankPrefix
		}
	}
	return best
}
