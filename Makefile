# Thin wrapper around CMake: the two commands of the README, and a few more.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
PORT ?= 8640

.PHONY: all deps configure build demo check test bench install package fuzz mutants coverage repeat clean

all: build

deps:
	@scripts/deps

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(if $(CI),-DTONEWIRE_WERROR=ON) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

demo: build
	@scripts/demo $(BUILD) $(PORT)

check: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test: check

# Runs every benchmark and rewrites bench/RESULTS.md with the figures.
bench: build
	@scripts/bench-report $(BUILD)

# Plants each deliberate bug of tests/mutants.list, one at a time, in a copy of the tree
# (build-mutants/), runs the tests it names and lists the survivors; MUTANTS=a,b runs only those.
mutants: deps
	@scripts/mutants --jobs $(JOBS) $(if $(MUTANTS),--only $(MUTANTS))

# Line coverage of the product per folder: its own build (build-coverage/) with --coverage, the
# suite run once (-j1), then gcovr; fails below 90 % of product lines or 85 % of cli/.
coverage: deps
	@scripts/coverage build-coverage

# make check REPEAT times in a row on a clean build, with a tally of which tests failed in which run.
REPEAT ?= 20
repeat: deps
	@tests/repeat-check $(REPEAT)

# DESTDIR is honoured (cmake --install reads it from the environment).
install: build
	@cmake --install $(BUILD)

FUZZ_SECONDS ?= 60
fuzz: deps
	@scripts/fuzz $(BUILD) $(FUZZ_SECONDS)

# tonewire_VERSION_ARCH.deb and tonewire-sim_VERSION_ARCH.deb in $(BUILD); lintian checks them.
package: build
	@rm -f $(BUILD)/*.deb
	@cd $(BUILD) && cpack -G DEB > cpack.log 2>&1 || { cat cpack.log; exit 1; }
	@ls $(BUILD)/*.deb

clean:
	@rm -rf $(BUILD)
