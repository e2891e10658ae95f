# DeepestLearning: `make demo` and `make test` are the two commands a new user types.
SWIFT_BIN := $(firstword $(wildcard /opt/swift/usr/bin))
ifneq ($(SWIFT_BIN),)
export PATH := $(SWIFT_BIN):$(PATH)
endif
SWIFT ?= swift
PYTHON ?= python3
DEEPEST := .build/release/deepest
# Tests run on a release build (numerics are 10-50x slower in debug); -enable-testing keeps
# @testable imports working there.
TEST_FLAGS := -c release -Xswiftc -enable-testing

.PHONY: deps build release test demo clean bench-bvp

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product deepest

test: deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build

demo: release
	$(DEEPEST) demo

# Collocation against scipy.integrate.solve_bvp, side by side (Experiments/bench-bvp/bench.py).
bench-bvp: release
	@$(PYTHON) -c "import scipy, numpy" 2>/dev/null || $(PYTHON) -m pip install --user scipy numpy
	$(PYTHON) Experiments/bench-bvp/bench.py

clean:
	rm -rf .build
