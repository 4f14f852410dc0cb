// Package fetchtest serves small fixture copies of every open data source
// at the paths of its publisher's address, for tests of "twinning data
// fetch" that touch no network beyond the loopback. The copies are made
// from the importers' fixtures in testdata/import, in the publishers' own
// formats (zipped GeoNames dumps, the register's JSON, the map's JSON
// Lines).
package fetchtest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/internal/datafetch"
	"github.com/twinning/twinning/internal/importer"
)

// A Server is a local HTTP server standing for every publisher: a source
// at https://HOST/PATH is at URL/HOST/PATH (the Fetcher's Mirror). It
// answers Range, If-Range and If-None-Match as the publishers' servers do,
// and can be told to fail.
type Server struct {
	// URL is the server's address, for Fetcher.Mirror.
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	files    map[string]file
	fail     map[string]int   // answers of 503 still to give, by path
	cut      map[string]int64 // bytes after which the next answer breaks off
	requests map[string][]http.Header
	noValid  bool // answers carry no ETag and no Last-Modified
}

// WithoutValidators makes the server answer without ETag and
// Last-Modified, as some publishers do.
func (s *Server) WithoutValidators() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noValid = true
}

type file struct {
	body []byte
	mod  time.Time
}

// NewServer starts a server with a fixture copy of every source of
// datafetch.Sources, read from the importers' fixtures in testdata (the
// repository's testdata folder); it stops with the test.
func NewServer(t testing.TB, testdata string) *Server {
	s := &Server{files: map[string]file{}, fail: map[string]int{}, cut: map[string]int64{}, requests: map[string][]http.Header{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(testdata, "import", name))
		require.NoError(t, err)
		return b
	}
	geonames := read("geonames.txt")
	lau := lauByCountry(t, read("lau.csv"))
	for _, src := range datafetch.Sources() {
		var body []byte
		switch base := src.URL[strings.LastIndex(src.URL, "/")+1:]; {
		case base == "cities15000.zip":
			body = zipped(t, "cities15000.txt", geonames)
		case base == "cities1000.zip":
			body = zipped(t, "cities1000.txt", geonames)
		case base == "countryInfo.txt":
			body = read("countryInfo.txt")
		case base == "admin1CodesASCII.txt": // the publisher's file has no header line
			_, rest, _ := bytes.Cut(read("admin1.tsv"), []byte("\n"))
			body = rest
		case base == "full_dataset.csv":
			body = read("hromadas.csv")
		case base == "LICENSE":
			body = []byte("MIT License\n\nCopyright (c) the fixture's authors\n")
		case strings.HasSuffix(src.File, ".csv") && strings.HasPrefix(src.File, "eu-lau/"):
			body = lau[base[:2]]
		case base == "twin_cities.csv":
			body = read("twins.csv")
		case strings.HasSuffix(base, ".jsonl"):
			body = uleadJSONL(t, read("ulead.csv"))
		case base == "partnership-map.json":
			body = []byte(PartnershipMapJSON)
		case base == "intl-agreements.json":
			body = []byte(IntlAgreementsJSON)
		default:
			t.Fatalf("fetchtest has no fixture for %s", src.URL)
		}
		s.Set(t, src.URL, body)
	}
	return s
}

// path is the server's path of a publisher's address.
func path(t testing.TB, address string) string {
	u, err := url.Parse(address)
	require.NoError(t, err)
	return "/" + u.Host + u.EscapedPath()
}

// Set serves body at the publisher's address, as a file changed now.
func (s *Server) Set(t testing.TB, address string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path(t, address)] = file{body: body, mod: time.Now().UTC()}
}

// Body is what the server serves at the publisher's address.
func (s *Server) Body(t testing.TB, address string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[path(t, address)].body
}

// Fail makes the next n requests for address answer 503.
func (s *Server) Fail(t testing.TB, address string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[path(t, address)] = n
}

// Cut makes the next whole answer for address break off after n bytes.
func (s *Server) Cut(t testing.TB, address string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cut[path(t, address)] = n
}

// Requests are the headers of every request for address so far.
func (s *Server) Requests(t testing.TB, address string) []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path(t, address)]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.Path] = append(s.requests[r.URL.Path], r.Header.Clone())
	f, ok := s.files[r.URL.Path]
	failing := s.fail[r.URL.Path] > 0
	if failing {
		s.fail[r.URL.Path]--
	}
	noValid := s.noValid
	cut, cutting := s.cut[r.URL.Path]
	if cutting && r.Header.Get("Range") == "" {
		delete(s.cut, r.URL.Path)
	} else {
		cutting = false
	}
	s.mu.Unlock()
	switch {
	case !ok:
		http.NotFound(w, r)
		return
	case failing:
		w.Header().Set("Retry-After", "0")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	mod := f.mod
	if noValid {
		mod = time.Time{}
	} else {
		sum := sha256.Sum256(f.body)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	}
	if cutting {
		w.Header().Set("Content-Length", fmt.Sprint(len(f.body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(f.body[:cut])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection drops mid-body
	}
	http.ServeContent(w, r, "", mod, bytes.NewReader(f.body))
}

// zipped is a zip archive of one member.
func zipped(t testing.TB, name string, body []byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create(name)
	require.NoError(t, err)
	_, err = w.Write(body)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// lauByCountry splits the good rows of the LAU fixture (which has bad ones
// on purpose) into one file a country; a country the fixture lacks gets
// one municipality of its own, so that every file reads.
func lauByCountry(t testing.TB, all []byte) map[string][]byte {
	r := csv.NewReader(bytes.NewReader(all))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	require.NoError(t, err)
	good := func(row []string) bool {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.WriteAll([][]string{rows[0], row})
		recs, _, _, err := importer.ParseLAU(&b, "lau.csv")
		return err == nil && len(recs) == 1
	}
	out := map[string][]byte{}
	for _, cc := range datafetch.LAUCountries {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		require.NoError(t, w.Write(rows[0]))
		n := 0
		for _, r := range rows[1:] {
			if len(r) > 3 && r[3] == cc && good(r) {
				require.NoError(t, w.Write(r))
				n++
			}
		}
		if n == 0 {
			require.NoError(t, w.Write([]string{cc + "_0001", "15.5", "47.5", cc, cc + "01", cc + "011", "0001",
				"Fixtureville " + cc, "1200", "12.5", "2020", cc + "_0001", "official", "TRUE"}))
		}
		w.Flush()
		out[cc] = b.Bytes()
	}
	return out
}

// uleadJSONL is the U-LEAD map fixture as the harvest's JSON Lines, with
// one line of another layer that the conversion leaves out.
func uleadJSONL(t testing.TB, csvBody []byte) []byte {
	rows, err := csv.NewReader(bytes.NewReader(csvBody)).ReadAll()
	require.NoError(t, err)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range rows[1:] {
		var code any = r[0]
		if r[0] == "" {
			code = nil
		}
		require.NoError(t, enc.Encode(map[string]any{"layer": "twinning", "ua_name": r[1], "katottg": code, "partner_name": r[2],
			"partner_country": r[3], "partner_country_raw": r[4], "since": nil, "confidence": "directory", "skip_reason": nil}))
	}
	require.NoError(t, enc.Encode(map[string]any{"layer": "membership", "ua_name": "Львівська", "katottg": "UA46060250000025047",
		"partner_name": "Eurocities", "partner_country": nil, "skip_reason": nil}))
	return b.Bytes()
}

// PartnershipMapJSON is a fixture of the ministry's partnership map in the
// publisher's JSON: two hromadas of the importers' fixture, three partners.
const PartnershipMapJSON = `{
  "generatedAt": "2026-09-02T10:21:45+00:00",
  "hromadas": [
    {"name": "Львівська міська територіальна громада", "short": "Львівська", "katottg": "UA46060250000025047", "oblast": "Львівська область",
     "partners": [
       {"partner_name": "Краків", "partner_country": "PL", "partner_country_ua": "Польща", "source": "decentralization_ua", "confidence": "registry"},
       {"partner_name": "Вроцлав", "partner_country": "PL", "partner_country_ua": "Польща", "source": "decentralization_ua", "confidence": "registry"}
     ]},
    {"name": "Вінницька міська територіальна громада", "short": "Вінницька", "katottg": "UA05020030000031457", "oblast": "Вінницька область",
     "partners": [
       {"partner_name": "Кельце", "partner_country": "PL", "partner_country_ua": "Польща", "source": "decentralization_ua", "confidence": "registry"}
     ]}
  ]
}
`

// IntlAgreementsJSON is a fixture of the register of agreements in the
// publisher's JSON: whitespace runs and line breaks in cells, dates with
// the place after them, a year alone, a null, and an agreement whose
// Ukrainian party was not matched.
const IntlAgreementsJSON = `{
  "generatedAt": "2026-09-16T13:12:52+00:00",
  "hromadas": [
    {"name": "Львівська міська територіальна громада", "short": "Львівська", "katottg": "UA46060250000025047", "oblast": "Львівська область",
     "agreements": [
       {"title": "Угода про співпрацю між\nЛьвівською міською радою та містом Краків", "kind_id": "interterritorial", "theme_ids": ["culture", "economy"],
        "partner_name": "м.  Краків", "partner_country": "PL", "partner_country_ua": "Республіка Польща",
        "signed": "22.03.2017,                    м. Краків", "duration": "Безстрокова", "source": "law3668"},
       {"title": "Меморандум", "kind_id": "cbc", "theme_ids": [], "partner_name": "Місто Вроцлав", "partner_country": "PL",
        "partner_country_ua": "Республіка Польща", "signed": "2003", "duration": null, "source": "law3668"}
     ]}
  ],
  "unmatched": [
    {"title": "Угода про співробітництво", "ua_subject": "Хотешівська сільська рада (44512, Волинська обл.)", "ua_region": "Волинська область", "partner_country": "PL"}
  ]
}
`
