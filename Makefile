# Targets: `make demo` (the main job), `make test` (what CI runs), `make serve` (the offline API alone),
# and their parts.
# Each target installs what it needs: npm packages from tools/package-lock.json and Go modules from go.sum.

# Node 20 makes jsii print an end-of-life banner; this documented variable silences it.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

# The module's packages.
PKGS := ./...
ADDR ?= 127.0.0.1:8080
DATA ?= .facerec

.PHONY: setup test bench synth demo serve clean

# npm's files live in tools/ (a Go module of its own, so ./... never enters
# tools/node_modules); CDK is the CLI they install, run from the root.
CDK := npx --prefix tools cdk

tools/node_modules/.package-lock.json: tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund

setup: tools/node_modules/.package-lock.json
	go mod download

# Vet, check formatting and run every test (the construct tests synthesize once per package).
test: setup
	@test -z "$$(gofmt -l $$(go list -f "{{.Dir}}" ./...))" || { gofmt -l $$(go list -f "{{.Dir}}" ./...); echo "gofmt needed"; exit 1; }
	go vet $(PKGS)
	go test -count=1 -timeout 60m $(PKGS)
	@# The engine's other matrix-product path (gonum), which machines without vek's AVX2 take.
	GODEBUG=cpu.avx2=off go test -count=1 -run 'Gemm|Golden|Determinism|DetectSamplePhotos|FaceFillingTheFrame|SmallFace' ./faceengine

bench: setup
	go test -run '^$$' -bench . -benchmem ./internal/service ./lambdas/handler ./faceengine ./internal/imageio

# Synthesize the sample app (examples/basic) into cdk.out with the CDK CLI of tools/package.json.
synth: setup
	$(CDK) synth --quiet

# The main job: synthesize the sample app, then bring up the offline API on $(ADDR),
# index the sample photos with their persons, search one, and keep serving until Ctrl-C.
demo: synth
	go build -o bin/facerec ./cmd/facerec
	@mkdir -p $(DATA) && : >$(DATA)/serve.out
	@echo "facerec serve logs to $(DATA)/serve.log"
	@# Wait for this server's own "serving on" line, not for any server on
	@# $(ADDR): if it exits (the port is taken), show its error and stop.
	@bin/facerec serve --addr $(ADDR) --data $(DATA) >$(DATA)/serve.out 2>>$(DATA)/serve.log & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid; exit 0' INT TERM; \
	for i in $$(seq 150); do \
		grep -q 'serving on' $(DATA)/serve.out && break; \
		if ! kill -0 $$pid 2>/dev/null; then tail -n 1 $(DATA)/serve.log >&2; exit 1; fi; \
		sleep 0.2; \
	done; \
	grep -q 'serving on' $(DATA)/serve.out || { echo "facerec serve did not start within 30 s; see $(DATA)/serve.log" >&2; kill $$pid 2>/dev/null; exit 1; }; \
	cat $(DATA)/serve.out; \
	export FACEREC_ENDPOINT=http://$(ADDR); \
	bin/facerec index --wait --person "Barack Obama" examples/photos/obama_1.jpg && \
	bin/facerec index --wait --person "Joe Biden" examples/photos/biden_2.jpg && \
	bin/facerec index --wait --person "Eileen Collins" examples/photos/collins_1.png && \
	echo && echo "Search examples/photos/obama_2.jpg:" && \
	bin/facerec search examples/photos/obama_2.jpg && \
	echo && echo "The offline API is up on http://$(ADDR) (try the curl calls in README.md); Ctrl-C stops it." && \
	echo "The web console: open http://$(ADDR)/ in a browser." || \
	{ kill $$pid 2>/dev/null; wait $$pid; exit 1; }; \
	wait $$pid

# Build the CLI and run the offline API on $(ADDR) over $(DATA) in the foreground until Ctrl-C:
# no synth, no npm, no AWS; only Go and its modules.
serve:
	go build -o bin/facerec ./cmd/facerec
	bin/facerec serve --addr $(ADDR) --data $(DATA)

clean:
	rm -rf cdk.out bin $(DATA)
