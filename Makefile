# LockBridge: `make run` starts a live demo, `make test` runs every test.
SHELL := /bin/bash
APT_PACKAGES := mosquitto mosquitto-clients libmosquitto-dev libjson-c-dev libsqlite3-dev \
                openssl valgrind python3 python3-venv ca-certificates docker-compose
SWIFT_BUILD_FLAGS ?=

.PHONY: deps build test test-ha run bench bench-transport leakcheck clean

deps:
	@scripts/install-deps.sh $(APT_PACKAGES)

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

test: deps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	swift test --skip-build $(SWIFT_BUILD_FLAGS)
	scripts/json-leakcheck.sh

# Home Assistant's own discovery schemas on every config the bridge publishes (cached venv in .venv-ha).
test-ha: deps
	scripts/test-ha.sh

leakcheck: deps
	scripts/json-leakcheck.sh

run: deps
	swift build $(SWIFT_BUILD_FLAGS)
	@scripts/run-demo.sh

# The bridge against a minimal C relay, 1,000 and 10,000 locks (release builds; see docs/benchmarks.md).
bench: deps
	swift build -c release --product lockbridge
	swift build -c release --product lock-emulator
	swift build -c release --product relay-bench-c
	swift build -c release --product bridge-bench
	.build/release/bridge-bench

bench-transport: deps
	swift build -c release --product transport-bench
	swift build -c release --product transport-bench-c
	.build/release/transport-bench

clean:
	rm -rf .build .run
