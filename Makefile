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

.PHONY: deps build release test docs demo report clean bench-bvp bench-sde bench-spde bench-langevin bench-pgd bench-resnet bench-collocation bench-targets bench-mpi

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product deepest

# --build-tests builds every product, deepest-mpi included (Open MPI comes with deps); the explicit
# build of deepest-mpi only says so (a no-op after it). DEEPEST_MPI=0 leaves it out, and
# Tests/cli/test_mpi_cli.py then skips.
test: deps
	@scripts/install-deps.sh python pytest matplotlib hypothesis
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	@if [ "$${DEEPEST_MPI:-1}" != 0 ]; then $(SWIFT) build $(TEST_FLAGS) --product deepest-mpi; fi
	$(SWIFT) test $(TEST_FLAGS) --skip-build
	DEEPEST=$(DEEPEST) $(PYTHON) -m pytest -q Tests/cli

# The DocC catalogues of the four libraries (Sources/<Module>/<Module>.docc) into docs/<Module>, with
# warnings as errors, so a broken ``symbol link`` fails. The articles' Swift examples are run by
# Tests/<Module>Tests/GettingStartedExampleTests.swift; scripts/check-doc-examples.py checks that every
# example line is in that test. SWIFT_PACKAGE_FLAGS passes options such as -j 1 to the plugin's build.
DOC_TARGETS := NumericCore BoundaryValue Stochastic DeepestLearning
SWIFT_PACKAGE_FLAGS ?=
docs: deps
	$(PYTHON) scripts/check-doc-examples.py
	@mkdir -p docs
	@for target in $(DOC_TARGETS); do \
		echo "docs/$$target"; \
		$(SWIFT) package $(SWIFT_PACKAGE_FLAGS) --allow-writing-to-directory docs generate-documentation --target $$target \
			--warnings-as-errors --disable-indexing --output-path docs/$$target || exit 1; \
	done

# The default experiment: the two-spiral comparison of the boundary value method with SGD and Adam,
# written to results/demo (CSV, figures and report.md).
demo: release
	@scripts/install-deps.sh python matplotlib
	$(DEEPEST) compare --dataset spirals --out results/demo
	@echo "report: results/demo/report.md"

# Every study of trained networks (stability, adversarial, landscape, depth) at default sizes, with
# report.md beside the figures, in results/report (159 s on 2 cores, idle; 109 s of it the continuum stability study).
report: release
	@scripts/install-deps.sh python matplotlib
	$(DEEPEST) study all --out results/report
	@echo "report: results/report/report.md"

# Collocation against scipy.integrate.solve_bvp, side by side (Experiments/bench-bvp/bench.py).
bench-bvp: release
	@scripts/install-deps.sh python numpy scipy
	$(PYTHON) Experiments/bench-bvp/bench.py

clean:
	rm -rf .build docs

# One epoch of the Swift ResNet baseline against PyTorch on the CPU (NumPy if torch is missing), and
# the Schur-complement Newton solve's cost against the number of samples.
bench-resnet: deps
	@scripts/install-deps.sh python numpy torch || echo "torch could not be installed: comparing with NumPy" >&2
	cd Experiments/bench-resnet && $(SWIFT) build -c release && $(PYTHON) run.py && .build/release/BenchSchur

# Structured collocation of the training BVP, Hamiltonian and Lagrangian forms: one Newton iteration
# against the number of samples M = 64..4096 (spirals) with the fitted slope of log(time) vs log(M), and the dense-block collocation
# beside it for M <= 128 (Experiments/bench-resnet/Sources/BenchCollocation).
# The accuracy targets of every method at its defaults, beside SGD and Adam (Experiments/bench-targets).
bench-targets: release
	$(PYTHON) Experiments/bench-targets/run.py

bench-collocation: deps
	cd Experiments/bench-resnet && $(SWIFT) build -c release --product BenchCollocation && .build/release/BenchCollocation

# Stochastic engine: OU Euler–Maruyama (10,000 paths x 1,000 steps) against vectorised NumPy in the same
# run, the cost of our own normals, the stochastic heat equation (256 modes x 10,000 steps x 100 paths), and a
# closure-defined GBM through the public API against the built-in OU and NumPy.
bench-sde: deps
	@scripts/install-deps.sh python numpy
	cd Experiments/bench-sde && $(SWIFT) build -c release && $(PYTHON) run.py

# PGD (l-inf, 100 steps) on the digits test set against the same attack in PyTorch on the CPU, same
# network and weights from model.json (Experiments/bench-pgd).
bench-pgd: release
	@scripts/install-deps.sh python numpy torch
	cd Experiments/bench-pgd && $(SWIFT) build -c release && $(PYTHON) run.py

# The semilinear SPDE engine (deepest spde) against vectorised NumPy/SciPy (Experiments/bench-spde).
bench-spde: release
	@scripts/install-deps.sh python numpy scipy
	$(PYTHON) Experiments/bench-spde/run.py

# One Langevin step of the training action against a full-batch gradient and PyTorch's SGLD step
# (Experiments/bench-langevin).
bench-langevin: deps
	@scripts/install-deps.sh python numpy torch
	cd Experiments/bench-langevin && $(SWIFT) build -c release && $(PYTHON) run.py

# Span/MutableSpan against raw pointers in a user-facing field closure (Experiments/bench-span).
bench-span:
	@mkdir -p .build
	$(SWIFT)c -O -o .build/bench-span Experiments/bench-span/main.swift
	.build/bench-span

# Weak and strong scaling of deepest-mpi sde from 1 to 2 ranks, one thread per rank (Experiments/bench-mpi).
bench-mpi: deps
	$(SWIFT) build -c release --product deepest-mpi
	$(PYTHON) Experiments/bench-mpi/run.py
