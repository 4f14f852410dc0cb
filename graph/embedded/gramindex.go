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
// are measured; for a text of four trigrams or fewer and one edit, every
// key of a length within one of its is.
type gramIndex struct {
	ids    map[string]int32
	keys   []string
	owners [][]*record
	grams  map[uint32][]int32
	// byLen lists the keys of each length in bytes, for the texts too short
	// for their trigrams to narrow a typo's candidates.
	byLen map[int][]int32
	// scratch holds counters, one per key, for near to reuse.
	scratch sync.Pool
}

func newGramIndex() gramIndex {
	return gramIndex{ids: map[string]int32{}, grams: map[uint32][]int32{}, byLen: map[int][]int32{}}
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
			x.byLen[len(k)] = append(x.byLen[len(k)], id)
			forTrigrams(" "+k+" ", func(g uint32) {
				if l := x.grams[g]; len(l) == 0 || l[len(l)-1] != id { // once per key
					x.grams[g] = append(l, id)
				}
			})
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

// forTrigrams calls fn with each trigram of s, byte by byte, as a number.
func forTrigrams(s string, fn func(g uint32)) {
	for i := 0; i+3 <= len(s); i++ {
		fn(uint32(s[i])<<16 | uint32(s[i+1])<<8 | uint32(s[i+2]))
	}
}

// trigrams returns the distinct trigrams of s (forTrigrams).
func trigrams(s string) []uint32 {
	var out []uint32
	forTrigrams(s, func(g uint32) {
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	})
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

// exact calls fn for every record with the key text; fn returns false to
// stop.
func (x *gramIndex) exact(text string, fn func(r *record) bool) {
	if id, ok := x.ids[text]; ok {
		for _, r := range x.owners[id] {
			if !fn(r) {
				return
			}
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
	need := len(grams) - 4*edits
	if need <= 0 && edits > 1 {
		// Two edits in a short text: the keys that share a trigram with
		// it, as a full scan of the keys of a length near its would cost
		// some 50 ms. A key two edits away that shares none (two swaps
		// in eight letters) is not found; Neo4j's fuzzy query finds it.
		need = 1
	}
	if need <= 0 {
		// A key one edit away may share no trigram with a text of four
		// letters or fewer ("smui" and "sumi"): measure every key of a
		// length near its.
		for n := len(text) - edits; n <= len(text)+edits; n++ {
			for _, id := range x.byLen[n] {
				if graph.TypoDistance(x.keys[id], text, edits) > edits {
					continue
				}
				for _, r := range x.owners[id] {
					if !fn(r) {
						return
					}
				}
			}
		}
		return
	}
	// A key that shares need of the text's trigrams is in at least one of
	// any len(grams)-need+1 of their lists: the rarest are counted in full,
	// the others only for the keys found so.
	lists := make([][]int32, len(grams))
	for i, g := range grams {
		lists[i] = x.grams[g]
	}
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	scan, rest := lists[:len(lists)-need+1], lists[len(lists)-need+1:]
	var counts []uint8
	if sp, ok := x.scratch.Get().(*[]uint8); ok && len(*sp) >= len(x.keys) {
		counts = *sp
	} else {
		counts = make([]uint8, len(x.keys)+len(x.keys)/8)
	}
	defer x.scratch.Put(&counts)
	var touched []int32
	for _, l := range scan {
		for _, id := range l {
			if counts[id] == 0 {
				touched = append(touched, id)
			}
			if counts[id] < 255 {
				counts[id]++
			}
		}
	}
	for _, id := range touched {
		if int(counts[id])+len(rest) < need {
			continue
		}
		for _, l := range rest {
			if _, found := slices.BinarySearch(l, id); found && counts[id] < 255 {
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
