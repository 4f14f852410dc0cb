package embedded

import (
	"slices"
	"strings"
	"sync"

	"github.com/twinning/twinning/graph"
)

// gramIndex finds records by their search keys (graph.SearchKeys): the
// ones with a key that holds a text, and the ones with a key within a few
// edits of it. It keeps every distinct key once, with the records that
// have it, and for each trigram of the keys (each key padded with a space
// at both ends) the keys that hold it, in the order they were added. A key
// that holds a text holds each of the text's trigrams, so the keys of the
// shortest trigram list are the only ones to test; a key within e edits
// of a text shares all but at most 4e of its trigrams (an edit touches
// three, a swap of two letters four), so only keys that share that many
// are measured.
type gramIndex struct {
	ids    map[string]int32
	keys   []string
	owners [][]*record
	grams  map[string][]int32
	// scratch holds counters, one per key, for near to reuse.
	scratch sync.Pool
}

func newGramIndex() gramIndex {
	return gramIndex{ids: map[string]int32{}, grams: map[string][]int32{}}
}

// add indexes r by keys.
func (x *gramIndex) add(r *record, keys []string) {
	for _, k := range keys {
		id, ok := x.ids[k]
		if !ok {
			id = int32(len(x.keys))
			x.ids[k] = id
			x.keys = append(x.keys, k)
			x.owners = append(x.owners, nil)
			for _, g := range trigrams(" " + k + " ") {
				x.grams[g] = append(x.grams[g], id)
			}
		}
		x.owners[id] = append(x.owners[id], r)
	}
}

// remove drops r, indexed by keys. A key left without records stays, and
// finds nothing.
func (x *gramIndex) remove(r *record, keys []string) {
	for _, k := range keys {
		if id, ok := x.ids[k]; ok {
			x.owners[id] = slices.DeleteFunc(x.owners[id], func(o *record) bool { return o == r })
		}
	}
}

// trigrams returns the distinct trigrams of s, byte by byte.
func trigrams(s string) []string {
	out := make([]string, 0, len(s))
	for i := 0; i+3 <= len(s); i++ {
		if g := s[i : i+3]; !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// contains calls fn once for every record with a key that holds text, a
// non-empty graph.NameKey or LooseKey, in no particular order; keys says
// which keys of a record the index holds. fn returns false to stop.
func (x *gramIndex) contains(text string, keys func(r *record) []string, fn func(r *record) bool) {
	visit := func(id int32) bool {
		k := x.keys[id]
		if !strings.Contains(k, text) {
			return true
		}
		for _, r := range x.owners[id] {
			// A record with several such keys is visited for its first.
			if first := slices.IndexFunc(keys(r), func(o string) bool { return strings.Contains(o, text) }); keys(r)[first] != k {
				continue
			}
			if !fn(r) {
				return false
			}
		}
		return true
	}
	if len(text) < 3 {
		for id := range x.keys {
			if !visit(int32(id)) {
				return
			}
		}
		return
	}
	var lists [][]int32
	for _, g := range trigrams(text) {
		l := x.grams[g]
		if len(l) == 0 {
			return
		}
		lists = append(lists, l)
	}
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	pos := make([]int, len(lists))
next:
	for _, id := range lists[0] {
		for i := 1; i < len(lists); i++ {
			l := lists[i]
			j, found := slices.BinarySearch(l[pos[i]:], id)
			pos[i] += j
			if !found {
				continue next
			}
		}
		if !visit(id) {
			return
		}
	}
}

// near calls fn for every record with a key within edits of text
// (graph.TypoDistance), once for each such key; fn returns false to stop.
func (x *gramIndex) near(text string, edits int, fn func(r *record) bool) {
	if edits <= 0 || text == "" {
		return
	}
	grams := trigrams(" " + text + " ")
	need := max(1, len(grams)-4*edits)
	var counts []uint8
	if sp, ok := x.scratch.Get().(*[]uint8); ok && len(*sp) >= len(x.keys) {
		counts = *sp
	} else {
		counts = make([]uint8, len(x.keys)+len(x.keys)/8)
	}
	defer x.scratch.Put(&counts)
	var touched []int32
	for _, g := range grams {
		for _, id := range x.grams[g] {
			if counts[id] == 0 {
				touched = append(touched, id)
			}
			if counts[id] < 255 {
				counts[id]++
			}
		}
	}
	stop := false
	for _, id := range touched {
		c := counts[id]
		counts[id] = 0
		if stop || int(c) < need {
			continue
		}
		k := x.keys[id]
		if d := len(k) - len(text); d > edits || -d > edits || graph.TypoDistance(k, text, edits) > edits {
			continue
		}
		for _, r := range x.owners[id] {
			if !fn(r) {
				stop = true
				break
			}
		}
	}
}
