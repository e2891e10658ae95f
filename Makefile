# DeepestLearning: `make demo` and `make test` are the two commands a new user types.
SWIFT_BIN := $(firstword $(wildcard /opt/swift/usr/bin))
ifneq ($(SWIFT_BIN),)
export PATH := $(SWIFT_BIN):$(PATH)
endif
SWIFT ?= swift
PYTHON ?= python3
RELEASE := $(SWIFT) build -c release --product deepest
DEEPEST := .build/release/deepest

.PHONY: deps build release test demo clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(RELEASE)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

demo: release
	$(DEEPEST) demo

clean:
	rm -rf .build
