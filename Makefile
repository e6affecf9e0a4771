# LockBridge: `make run` starts a live demo, `make test` runs every test.
SHELL := /bin/bash
APT_PACKAGES := mosquitto mosquitto-clients libmosquitto-dev libjson-c-dev libsqlite3-dev postgresql \
                openssl valgrind python3 python3-venv ca-certificates docker-compose
SWIFT_BUILD_FLAGS ?=

.PHONY: deps build test test-cluster bench-cluster test-ha test-tsan test-asan fuzz chaos run bench bench-transport leakcheck clean

deps:
	@scripts/install-deps.sh $(APT_PACKAGES)

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

# The cluster tests (two bridges, PostgreSQL, 200 locks under load) run on their own after the
# rest: beside the timing-sensitive suites on two cores they would make both noisy.
test: deps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	swift test --skip-build --skip ClusterFlowTests $(SWIFT_BUILD_FLAGS)
	swift test --skip-build --filter ClusterFlowTests $(SWIFT_BUILD_FLAGS)
	scripts/json-leakcheck.sh

# Only the cluster tests (spec 8): two bridges on a private PostgreSQL and mosquitto.
test-cluster: deps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	swift test --skip-build --filter ClusterFlowTests $(SWIFT_BUILD_FLAGS)

# The whole suite under ThreadSanitizer / AddressSanitizer, each in its own build directory
# (TSan does not stop at a report, so the tests still stop what they started; a report from any
# process fails the target);
# the bridge, emulator and helpers the tests start are built with the same sanitizer. Every process
# runs several times slower there, so deadlines stretch (TestTime.scale) and at most 4 tests run
# at once: all of them starting together on two cores made the first bridges miss their 20 s,
# and 8 at once still left a run 3.7 times slower than another (docs/reliability.md).
SANITIZED_TESTS := LOCKBRIDGE_TEST_TIME_SCALE=3 SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=4
test-tsan: deps
	swift build --build-tests --sanitize=thread --scratch-path .build-tsan $(SWIFT_BUILD_FLAGS)
	rm -rf .build-tsan/reports && mkdir -p .build-tsan/reports
	$(SANITIZED_TESTS) TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 log_path=$(CURDIR)/.build-tsan/reports/tsan" swift test --skip-build --sanitize=thread --scratch-path .build-tsan --skip ClusterFlowTests $(SWIFT_BUILD_FLAGS)
	$(SANITIZED_TESTS) TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 log_path=$(CURDIR)/.build-tsan/reports/tsan" swift test --skip-build --sanitize=thread --scratch-path .build-tsan --filter ClusterFlowTests $(SWIFT_BUILD_FLAGS)
	@if ls .build-tsan/reports/tsan.* >/dev/null 2>&1; then cat .build-tsan/reports/tsan.*; echo "ThreadSanitizer reported the races above"; exit 1; fi

test-asan: deps
	swift build --build-tests --sanitize=address --scratch-path .build-asan $(SWIFT_BUILD_FLAGS)
	$(SANITIZED_TESTS) ASAN_OPTIONS="detect_leaks=0:halt_on_error=1" swift test --skip-build --sanitize=address --scratch-path .build-asan $(SWIFT_BUILD_FLAGS)

# Real processes under faults: broker SIGKILL/SIGTERM, bridge and emulator kill -9, CHAOS_S
# seconds in all (default 120; docs/reliability.md). A short run is part of `make test`.
chaos: deps
	swift build --product lockbridge $(SWIFT_BUILD_FLAGS)
	swift build --product lock-emulator $(SWIFT_BUILD_FLAGS)
	swift build --product chaos $(SWIFT_BUILD_FLAGS)
	.build/debug/chaos

# libFuzzer on every fuzz target, FUZZ_RUNS executions each (default 10^6; docs/reliability.md).
FUZZ_FLAGS := -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xlinker --allow-multiple-definition
fuzz: deps
	swift build --product lockbridge-fuzz --scratch-path .build-fuzz $(FUZZ_FLAGS)
	scripts/fuzz.sh

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

# One bridge on SQLite (the baseline), then one and two on PostgreSQL, on one broker; then the
# takeover time after a kill -9 (docs/scaling.md). BENCH_COUNTS=1000 by default.
bench-cluster: deps
	swift build -c release --product lockbridge
	swift build -c release --product lock-emulator
	swift build -c release --product bridge-bench
	BENCH_COUNTS=$${BENCH_COUNTS:-1000} .build/release/bridge-bench cluster

bench-transport: deps
	swift build -c release --product transport-bench
	swift build -c release --product transport-bench-c
	.build/release/transport-bench

clean:
	rm -rf .build .build-tsan .build-asan .build-fuzz .run
