# Ward: build, test and benchmark. `make test` is what CI runs (.ci/run).
SWIFT ?= swift
# Debian packages the build needs: C libraries behind the Swift system-library targets, and
# pkg-config, through which SwiftPM finds them (SQLite for GRDB, ncursesw for ward's screen);
# tmux runs ward's screen in the end-to-end tests. Python 3 runs the Cedar reference engine.
APT_PACKAGES := pkg-config libsodium-dev libargon2-dev libssl-dev libsqlite3-dev libncurses-dev tmux
# From PyPI, as MODULE=PACKAGE: cedarpy (the Cedar reference engine, for the policy engine's
# differential test).
PYPI_PACKAGES := cedarpy=cedarpy
# What only the tests need (make test, not make run): for the web client, chromium and
# chromium-driver (a real browser, headless), tsc from node-typescript (type-checks the
# JavaScript), node (runs its units); from PyPI Selenium, which drives the browser, and
# selenium-axe-python, whose axe-core 4.9 checks WCAG 2.2 AA (axe-selenium-python's last release
# bundles axe-core 3.1, from 2018, which knows no WCAG 2.1 or 2.2 rule).
TEST_APT_PACKAGES := chromium chromium-driver node-typescript
TEST_PYPI_PACKAGES := selenium=selenium selenium_axe_python=selenium-axe-python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test-deps build release run test format bench bench-web clean

## deps: install the Debian packages that are missing (apt-get update runs once, only if needed)
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3 python3-pip"; \
	[ -z "$(NEED_NODE)" ] || command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@for pair in $(PYPI_PACKAGES); do \
	  module=$${pair%%=*}; package=$${pair#*=}; \
	  python3 -c "import $$module" 2>/dev/null && continue; \
	  python3 -m pip --version >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-pip; }; \
	  echo "installing: $$package (PyPI)"; \
	  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore $$package 2>/dev/null \
	    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages $$package || exit 1; \
	done

## test-deps: deps, and what only the tests need
test-deps:
	@$(MAKE) --no-print-directory deps APT_PACKAGES="$(APT_PACKAGES) $(TEST_APT_PACKAGES)" \
	  PYPI_PACKAGES="$(PYPI_PACKAGES) $(TEST_PYPI_PACKAGES)" NEED_NODE=1

## build: debug build of every target
build: deps
	$(SWIFT) build

## release: optimised build (benchmarks are measured with it)
release: deps
	$(SWIFT) build -c release

## run: install, build (release), initialise ./data on first run (prints the Admin's one-time
## password), then serve on https://127.0.0.1:8443 (the web client at that address) until Ctrl-C
run: deps
	$(SWIFT) build -c release
	@[ -f data/ward.sqlite ] || ./.build/release/ward-server init --data data
	./.build/release/ward-server serve --data data --policies policies --web Web --listen 127.0.0.1:8443

## test: install, build, run every test: the web client's JavaScript type-checked and its units
## under node, then Swift Testing (which drives the browser too)
test: test-deps
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests
	tsc -p Tests/Web/tsconfig.json
	node --test Tests/Web/
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest

## format: format the Swift sources as `make test` checks them (.swift-format: 4 spaces, 150 columns)
format:
	$(SWIFT) format format --in-place --recursive --parallel Sources Tests

## bench: release-build ward-bench and run the audit-log and policy benchmarks
bench: release
	@dir=$$(mktemp -d); \
	./.build/release/ward-bench audit-append --entries 200000 --writers 256 --dir $$dir/append && \
	./.build/release/ward-bench audit-generate --entries 1000000 --dir $$dir/verify >/dev/null && \
	./.build/release/ward-bench audit-verify --dir $$dir/verify/log --key $$dir/verify/log.vkey && \
	./.build/release/ward-bench audit-proof --entries 10000000 --dir $$dir/proof && \
	./.build/release/ward-bench key-share --devices 5 && \
	./.build/release/ward-bench policy --policies policies && \
	./.build/release/ward-bench login && \
	./.build/release/ward-bench idle && \
	./.build/release/ward-bench chat --clients 1000 --room-size 5 --rate 1000; \
	rc=$$?; rm -rf $$dir; exit $$rc

## bench-web: the web client's decryption in headless Chromium, against a served appliance
## (a throwaway data directory on a free loopback port)
bench-web: release test-deps
	@dir=$$(mktemp -d); \
	./.build/release/ward-server init --data $$dir/data --argon2-memory 1024 >/dev/null && \
	{ ./.build/release/ward-server serve --data $$dir/data --policies policies --web Web --listen 127.0.0.1:0 > $$dir/out & echo $$! > $$dir/pid; }; \
	for i in $$(seq 1 100); do grep -q "listening on" $$dir/out 2>/dev/null && break; sleep 0.1; done; \
	port=$$(sed -n 's|.*listening on https://127.0.0.1:\([0-9]*\).*|\1|p' $$dir/out); \
	(cd Tests/Web && python3 bench_scenario.py https://localhost:$$port/ 7); rc=$$?; \
	kill $$(cat $$dir/pid); wait 2>/dev/null; rm -rf $$dir; exit $$rc

clean:
	rm -rf .build
