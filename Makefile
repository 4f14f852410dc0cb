# twinning — build, test and run targets. `make help` lists them.

GO        ?= go
PORT      ?= 17687
SHARED    ?= $(abspath ../shared/data)
export TWINNING_SHARED_DATA ?= $(SHARED)

.PHONY: help build run test test-browser test-neo4j vet neo4j-start neo4j-stop bench bench-stores fmt web web-check

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/twinning
	$(GO) build -o bin/twinning ./cmd/twinning

run: ## serve the web page and the API on the embedded store with the bundled sample (http://127.0.0.1:8080/)
	$(GO) run ./cmd/twinning serve

test: vet ## all tests: vet; race-checked unit and contract tests; the real-data tests; the web page in Chromium; the Neo4j store against the project's server
	@date +'== %T race-checked tests'
	$(GO) test -race -count=1 -timeout 45m -skip 'RealData|TestBrowser' ./...
	@date +'== %T real-data tests'
	$(GO) test -count=1 -timeout 20m -run 'RealData' ./...
	@date +'== %T web page in Chromium'
	$(MAKE) test-browser
	@date +'== %T Neo4j store'
	$(MAKE) test-neo4j
	@date +'== %T all tests passed'

# The web page, served by `twinning serve`, driven in headless Chromium
# (Debian's chromium package, or TWINNING_CHROMIUM); screenshots go to
# out/screenshots. Without Chromium it skips, unless TWINNING_REQUIRE_BROWSER
# is set, as CI does.
test-browser: ## the web page's end-to-end test in headless Chromium
	$(GO) test -count=1 -timeout 45m -run 'TestBrowser' ./cmd/twinning/

# The Neo4j store's tests (contract suite, cancelled batch, outage) and
# the replica test (two serve processes' indexes on one database) against
# the project's own server, started (or reused) by scripts/neo4j.
# The real-data test (all of the open data imported into Neo4j and into
# the embedded store, held to the same answer) runs without the race
# detector, which would make the import ten times slower.
test-neo4j: neo4j-start ## the Neo4j store's tests against the project's Neo4j
	TWINNING_NEO4J_URI=bolt://127.0.0.1:$(PORT) TWINNING_REQUIRE_NEO4J=1 \
	  $(GO) test -race -count=1 -timeout 120m -skip RealData ./graph/neo4j/
	TWINNING_NEO4J_URI=bolt://127.0.0.1:$(PORT) \
	  $(GO) test -race -count=1 -timeout 10m -run 'TestReplicasAgree' ./cmd/twinning/
	TWINNING_NEO4J_URI=bolt://127.0.0.1:$(PORT) TWINNING_REQUIRE_NEO4J=1 \
	  $(GO) test -count=1 -timeout 60m -run RealData -v ./graph/neo4j/

vet:
	$(GO) vet ./...

neo4j-start: ## start (or reuse) the project's Neo4j 5.26 on 127.0.0.1:$(PORT)
	TWINNING_NEO4J_PORT=$(PORT) scripts/neo4j start

neo4j-stop: ## stop the project's Neo4j
	TWINNING_NEO4J_PORT=$(PORT) scripts/neo4j stop

bench: ## benchmarks of the stores, the engine and the API
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# The same operations (import of the sample, searches, partners, the scan
# behind a suggestion) on both stores: graph/storetest.Bench.
bench-stores: neo4j-start ## the store benchmark on the embedded store and on the project's Neo4j
	$(GO) test -run='^$$' -bench=BenchmarkStore -benchtime=20x -benchmem ./graph/embedded/
	TWINNING_NEO4J_URI=bolt://127.0.0.1:$(PORT) \
	  $(GO) test -run='^$$' -bench=BenchmarkStore -benchtime=20x -benchmem -timeout 120m ./graph/neo4j/

fmt:
	gofmt -w $$(git ls-files '*.go')

# The web page's third-party files (web/static/vendor: Leaflet and the
# basemap of Europe) are committed, so that building the binary needs no
# Node.js. These targets rebuild them from web/package-lock.json.
web: ## rebuild web/static/vendor from the pinned npm packages (needs Node.js and npm)
	cd web && npm ci --no-audit --no-fund && node build.mjs

web-check: ## check that web/static/vendor is what the pinned npm packages build
	cd web && npm ci --no-audit --no-fund && rm -rf ../out/web-vendor && node build.mjs ../out/web-vendor
	diff -r web/static/vendor out/web-vendor && echo "web/static/vendor is what web/package-lock.json builds"
