package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromium returns the Chromium binary the browser tests drive: the
// TWINNING_CHROMIUM variable, or Debian's /usr/bin/chromium. Without one
// the tests skip, unless TWINNING_REQUIRE_BROWSER is set (CI sets it):
// then they fail.
func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("TWINNING_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		msg := fmt.Sprintf("no Chromium at %s (install Debian's chromium package, or set TWINNING_CHROMIUM): %v", path, err)
		if os.Getenv("TWINNING_REQUIRE_BROWSER") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// screenshotDir is where the browser tests save their screenshots:
// TWINNING_SCREENSHOTS, or out/screenshots at the top of the repository.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TWINNING_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "out", "screenshots")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// pageErrors collects what the page reports as an error, from the moment
// it is called: exceptions, console.error calls and the browser's own error
// entries (a failed load, a refused Content-Security-Policy).
func pageErrors(ctx context.Context) func() []string {
	var mu sync.Mutex
	var errs []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				errs = append(errs, m.String()+" "+m.URL)
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// stepWait bounds each step of the browser test. It only stops a hung step
// (a selector that never matches) with its name, well within the test's
// -timeout: a pass never depends on speed (a step takes seconds here).
const stepWait = 5 * time.Minute

// waitJS polls a JavaScript expression until it is true.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(stepWait), chromedp.WithPollingInterval(50*time.Millisecond))
}

// js runs a JavaScript statement in the page.
func js(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](expr)
}

// TestBrowser drives the web page that "twinning serve" (the README's
// first command) serves, in headless Chromium: it searches Львів, sees at
// least 10 suggestions on the map and in the list, opens one's explanation,
// switches the language, filters by country, walks the views by keyboard,
// reads the analyst view, and runs a partner request's outreach in the
// city-hall view with a key. Screenshots go to out/screenshots.
func TestBrowser(t *testing.T) {
	browser := chromium(t)
	shots := screenshotDir(t)
	clearEnv(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "keys.json")
	code, token, errOut := cli(t, "keys", "create", "-keys", keyFile, "-name", "browser test", "-role", "editor")
	require.Equal(t, 0, code, errOut)
	token = strings.TrimSpace(token)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "twinning.db"), "-keys", keyFile},
			&syncBuffer{}, &stderr)
	}()
	base := "http://" + servingAddr(t, &stderr, done)
	waitReady(t, base)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(filepath.Join(dir, "chromium")),
		chromedp.WindowSize(1440, 960),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.CombinedOutput(newTestLogWriter(t)),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	t.Log("browser: start Chromium")
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate("about:blank")), "Chromium starts")
	consoleErrors := pageErrors(bctx)

	// shot saves a screenshot: of the window for the map (a full-page
	// capture resizes the page, and Leaflet redraws it a moment later), of
	// the whole page for the other views.
	shot := func(name string, full bool) {
		t.Helper()
		capture := chromedp.CaptureScreenshot()
		if full {
			capture = chromedp.FullScreenshot(100)
		}
		png, err := chromedp.Run(bctx, capture)
		require.NoError(t, err)
		path := filepath.Join(shots, name)
		require.NoError(t, os.WriteFile(path, png, 0o644))
		t.Logf("screenshot: %s", path)
	}
	jsInt := func(expr string) int {
		t.Helper()
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](expr))
		require.NoError(t, err, expr)
		return n
	}
	jsString := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[string](expr))
		require.NoError(t, err, expr)
		return v
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		t.Logf("browser: %s", what)
		stepCtx, cancel := context.WithTimeout(bctx, stepWait)
		defer cancel()
		require.NoError(t, chromedp.Do(stepCtx, steps...), what)
	}

	// The page, in Ukrainian, with its offline basemap drawn.
	do("load the page in Ukrainian",
		chromedp.Navigate(base+"/?lang=uk"),
		waitJS(`document.body.dataset.ready === "1"`),
		waitJS(`document.querySelectorAll(".leaflet-overlay-pane path").length > 30`),
	)
	assert.Equal(t, "uk", jsString(`document.documentElement.lang`))
	assert.Equal(t, "Карта і пропозиції", jsString(`document.getElementById("tab-map").textContent`))
	assert.Zero(t, jsInt(`document.querySelectorAll(".leaflet-tile").length`), "no online tiles")

	// Search Львів: at least 10 suggestions in the list and on the map, and
	// its partners drawn as lines coloured by status.
	do("search Львів",
		chromedp.SetValue(chromedp.ID("q"), "Львів"), // SendKeys types Latin script only
		chromedp.Click(chromedp.CSS(`#search-form button[type=submit]`)),
		waitJS(`document.querySelectorAll("#suggestions > li").length >= 10`),
	)
	assert.Contains(t, jsString(`document.getElementById("selected").textContent`), "Львів")
	assert.Contains(t, jsString(`document.getElementById("selected").textContent`), "Львівська область · міська громада",
		"the card says what the municipality is in its country's words")
	list := jsInt(`document.querySelectorAll("#suggestions > li").length`)
	assert.GreaterOrEqual(t, list, 10)
	assert.Equal(t, list, jsInt(`document.querySelectorAll("#map .sugg-marker").length`), "every suggestion has its marker")
	partners := jsInt(`document.querySelectorAll("#partners > li").length`)
	assert.Positive(t, partners)
	assert.Equal(t, partners, jsInt(`document.querySelectorAll("#map path.partner-line").length`), "a line to each partner")
	assert.Positive(t, jsInt(`[...document.querySelectorAll("#map path.partner-line")].filter(p => p.getAttribute("stroke") === "#1f7a3f").length`),
		"active partnerships are green")
	assert.Contains(t, jsString(`location.hash`), "ua-lviv", "the selection is in the address, to share")

	// Open the explanation of the first suggestion: its factor bars.
	do("open the first explanation",
		chromedp.Click(chromedp.CSS(`#suggestions > li:first-child .sugg-head`)),
		waitJS(`document.querySelectorAll("#suggestions .explain .factor").length >= 5`),
	)
	assert.Equal(t, "true", jsString(`document.querySelector("#suggestions > li:first-child .sugg-head").getAttribute("aria-expanded")`))
	assert.Contains(t, jsString(`document.querySelector("#suggestions .explain").textContent`), "Схожий розмір")
	assert.Positive(t, jsInt(`[...document.querySelectorAll("#suggestions .explain .bar")].filter(b => b.getBoundingClientRect().width > 0).length`),
		"the bars are drawn")
	assert.Contains(t, jsString(`document.querySelector("#map .sugg-marker.current").textContent`), "1", "its marker stands out")
	shot("lviv-uk.png", false)

	// Switch the language: the interface, names and factors in English, the
	// explanation still open.
	assert.Contains(t, jsString(`document.querySelector("#suggestions .explain").textContent`), "Відстань: ", "the engine's reasons in Ukrainian")
	do("switch to English",
		chromedp.Click(chromedp.ID("lang")),
		waitJS(`document.documentElement.lang === "en"`),
		// The suggestions come again, with their reasons in English.
		waitJS(`(document.querySelector("#suggestions .explain")?.textContent ?? "").includes(" apart")`),
	)
	assert.Equal(t, "Map and suggestions", jsString(`document.getElementById("tab-map").textContent`))
	assert.Equal(t, "Українська", jsString(`document.getElementById("lang").textContent`))
	assert.Contains(t, jsString(`document.querySelector("#suggestions .explain h4").textContent`), "Why ")
	assert.Contains(t, jsString(`document.querySelector("#suggestions .explain").textContent`), "Similar size")
	assert.Contains(t, jsString(`document.getElementById("selected").textContent`), "Lviv")
	assert.Contains(t, jsString(`document.getElementById("selected").textContent`), "city hromada (міська громада)")
	shot("lviv-en.png", false)

	// Filter by country: Poland only.
	do("filter: Poland only",
		js(`document.getElementById("filters").open = true `),
		chromedp.SetAttributeValue(chromedp.CSS(`#f-countries option[value="PL"]`), "selected", ""),
		chromedp.Click(chromedp.CSS(`#filter-form button[type=submit]`)),
		waitJS(`[...document.querySelectorAll("#suggestions > li")].every(li => li.dataset.id.startsWith("pl-")) && document.querySelectorAll("#suggestions > li").length > 0`),
	)
	assert.Equal(t, jsInt(`document.querySelectorAll("#suggestions > li").length`), jsInt(`document.querySelectorAll("#map .sugg-marker").length`))

	// The war filter goes to the engine: no hromada of the sample lies in
	// the war zone, so none passes "affected"; "any" brings them back.
	do("filter: war-affected hromadas",
		js(`document.getElementById("f-war").value = "affected"`),
		chromedp.Click(chromedp.CSS(`#filter-form button[type=submit]`)),
		waitJS(`document.getElementById("sugg-summary").textContent.includes("No suggestion passes these filters") && document.querySelectorAll("#suggestions > li").length === 0`),
		js(`document.getElementById("f-war").value = ""`),
		chromedp.Click(chromedp.CSS(`#filter-form button[type=submit]`)),
		waitJS(`document.querySelectorAll("#suggestions > li[data-id]").length > 0`),
	)
	assert.Equal(t, "Front-line, de-occupied or occupied", jsString(`document.querySelector('#f-war option[value="affected"]').textContent`))

	// The keyboard: the arrow keys walk the tabs, Enter searches.
	do("keyboard: arrow right to the analyst view",
		chromedp.Focus(chromedp.ID("tab-map")),
		chromedp.KeyEvent(kb.ArrowRight),
		waitJS(`document.getElementById("tab-analyst").getAttribute("aria-selected") === "true" && document.activeElement.id === "tab-analyst"`),
		waitJS(`document.querySelectorAll("table.matrix tbody tr").length >= 5 && document.querySelectorAll("#gaps tbody tr").length >= 10`),
	)
	assert.Equal(t, 1, jsInt(`document.getElementById("view-map").hidden ? 1 : 0`), "the map view is hidden")
	assert.Contains(t, jsString(`document.getElementById("gaps-summary").textContent`), "no active European partner")
	shot("analyst-en.png", true)

	// The address keeps the view and its filters: a reload opens the
	// analyst view with the oblast of the gaps chosen.
	do("the address keeps the analyst view and its filters",
		js(`document.getElementById("g-oblast").value = document.getElementById("g-oblast").options[1].value`),
		chromedp.Click(chromedp.CSS(`#gaps-form button[type=submit]`)),
		waitJS(`new URLSearchParams(location.hash.slice(1)).get("tab") === "analyst" && new URLSearchParams(location.hash.slice(1)).get("goblast") !== null`),
		chromedp.Reload(),
		waitJS(`document.body.dataset.ready === "1" && !document.getElementById("view-analyst").hidden`),
		waitJS(`document.getElementById("g-oblast").value === new URLSearchParams(location.hash.slice(1)).get("goblast") && document.querySelectorAll("#gaps tbody tr").length >= 1`),
		// The page's own address asks for Ukrainian (?lang=uk): back to
		// English for the steps below.
		js(`if (document.documentElement.lang !== "en") document.getElementById("lang").click()`),
		waitJS(`document.documentElement.lang === "en"`),
	)

	// A gap opens on the map.
	gap := jsString(`document.querySelector("#gaps tbody tr:first-child").dataset.id`)
	require.NotEmpty(t, gap)
	do("open a gap on the map, search Lviv with Enter",
		chromedp.Click(chromedp.CSS(`#gaps tbody tr:first-child button`)),
		waitJS(`!document.getElementById("view-map").hidden && new URLSearchParams(location.hash.slice(1)).get("m") === "`+gap+`" && document.activeElement.id === "selected"`),
		chromedp.Focus(chromedp.ID("q")),
		js(`document.getElementById("q").value = "" `),
		chromedp.SendKeys(chromedp.ID("q"), "Lviv\r"),
		waitJS(`new URLSearchParams(location.hash.slice(1)).get("m") === "ua-lviv" && new URLSearchParams(location.hash.slice(1)).get("tab") === null`),
	)

	// A typo still finds the place, and the list says how it matched.
	do("search Lembreg",
		js(`document.getElementById("q").value = "" `),
		chromedp.SendKeys(chromedp.ID("q"), "Lembreg\r"),
		waitJS(`document.querySelectorAll("#results > li .match").length > 0`),
	)
	assert.Contains(t, jsString(`document.querySelector("#results > li:first-child").textContent`), "Lviv")
	assert.Contains(t, jsString(`document.querySelector("#results > li:first-child .match").textContent`), "did you mean Lemberg?")

	// The city hall: a key, a request, a candidate, an outreach moved.
	do("city hall: key, request, shortlist, outreach",
		chromedp.Click(chromedp.ID("tab-cityhall")),
		waitJS(`document.getElementById("ch-muni").textContent.includes("Lviv")`),
		chromedp.SendKeys(chromedp.ID("key"), token),
		chromedp.Click(chromedp.CSS(`#key-form button[type=submit]`)),
		js(`document.getElementById("new-request").open = true `),
		waitJS(`document.querySelectorAll("#r-needs input").length >= 10`),
		chromedp.SendKeys(chromedp.ID("r-title"), "Water and energy partners"),
		chromedp.Click(chromedp.CSS(`#r-needs input[value="water"]`)),
		chromedp.Click(chromedp.CSS(`#r-offers input[value="culture_youth"]`)),
		chromedp.Click(chromedp.CSS(`#request-form button[type=submit]`)),
		waitJS(`!document.getElementById("request-panel").hidden && document.querySelectorAll("#request-suggestions > li").length >= 5`),
		chromedp.Click(chromedp.CSS(`#request-suggestions > li:first-child .sugg-reason button`)),
		waitJS(`document.querySelectorAll("#shortlist tbody tr").length === 1`),
		chromedp.Click(chromedp.CSS(`#shortlist tbody tr:first-child button`)),
		waitJS(`document.querySelector("#shortlist tbody tr .outreach-status")?.textContent === "contacted"`),
		chromedp.Click(chromedp.CSS(`#request-suggestions > li:nth-child(2) .sugg-head`)),
		waitJS(`document.querySelectorAll("#request-suggestions .explain .factor").length >= 5`),
	)
	assert.Contains(t, jsString(`document.querySelector("#request-suggestions .explain").textContent`), "Needs and offers")
	assert.Contains(t, jsString(`document.getElementById("requests").textContent`), "Water and energy partners")
	shot("cityhall-en.png", true)

	do("city hall: close the request",
		js(`const s = document.getElementById("r-status"); s.value = "closed"; s.dispatchEvent(new Event("change"))`),
		chromedp.Click(chromedp.CSS(`#request-detail button`)),
		waitJS(`document.getElementById("request-detail").textContent.includes("The request is closed")`),
	)
	assert.Zero(t, jsInt(`document.querySelectorAll("#request-suggestions button.secondary, #shortlist button").length`),
		"nothing to add or move on a closed request")

	assert.Empty(t, consoleErrors(), "the page reports no error")
	cancelBrowser()
	cancel()
	assert.Equal(t, 0, <-done, stderr.String())
}

// testLogWriter writes Chromium's output to the test's log, but for its
// complaints of the missing D-Bus, until the test's cleanup: Chromium may
// still write while it stops, and logging after a test ends panics.
type testLogWriter struct {
	t       *testing.T
	mu      sync.Mutex
	stopped bool
}

func newTestLogWriter(t *testing.T) *testLogWriter {
	w := &testLogWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.stopped = true
		w.mu.Unlock()
	})
	return w
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return len(p), nil
	}
	for line := range strings.Lines(string(p)) {
		if !strings.Contains(line, "dbus") { // no system bus in a container: noise
			w.t.Logf("chromium: %s", strings.TrimRight(line, "\n"))
		}
	}
	return len(p), nil
}
