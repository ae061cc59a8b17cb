# Thin wrapper around CMake: the two commands of the README, and a few more.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
PORT ?= 8640

.PHONY: all deps configure build demo check test bench install package fuzz clean

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
