# The two set-up commands of the README. Both install what is missing first.
#   make run   builds the release preset (the CLI and the Python package) and runs the default scenario
#   make test  builds the dev preset (sanitizers on) and the release Python package, and runs the
#              quick tests (the Python ones against the release build: README, "Python")
#   make python  builds the Python package into build/release/python (PYTHONPATH=build/release/python)
.PHONY: deps run test python build-release build-dev test-slow test-mpi fuzz bench docs soak clean

deps:
	@bash scripts/install-deps.sh

build-release: deps
	cmake --preset release >/dev/null
	cmake --build --preset release

build-dev: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev

run: build-release
	build/release/bubblesim run

python: build-release
	@echo "python: import bubblesim with PYTHONPATH=$(CURDIR)/build/release/python /usr/bin/python3"

test: build-dev python
	ctest --preset quick

test-slow: deps
	cmake --preset release >/dev/null
	cmake --build build/release
	ctest --test-dir build/release -L slow --output-on-failure

# MPI: installs OpenMPI, builds the release preset with BSIM_MPI=ON in build/mpi and runs the
# tests labelled mpi (mpirun -n 2 against one process).
test-mpi: deps
	@bash scripts/install-deps.sh --mpi
	cmake -S . -B build/mpi -G Ninja -DCMAKE_BUILD_TYPE=Release -DBSIM_MPI=ON >/dev/null
	cmake --build build/mpi --target bubblesim
	ctest --test-dir build/mpi -L mpi --output-on-failure

# Fuzzing: installs clang 14 and libFuzzer, builds the fuzz targets of fuzz/ with the sanitizers
# in build/fuzz (BSIM_FUZZ=ON) and runs each for FUZZ_SECONDS seconds on its corpus (tests
# labelled fuzz), then prints each target's executions, exec/s and seconds from the CTest log
# (scripts/fuzz-summary.sh), whether or not a target failed. Findings go to
# build/fuzz/fuzz/<target>/crash-*; docs/architecture.md, "Fuzzing".
FUZZ_SECONDS ?= 600
fuzz: deps
	@bash scripts/install-deps.sh --fuzz
	CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBSIM_FUZZ=ON \
	  -DBSIM_BUILD_TESTS=OFF -DBSIM_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	cmake --build build/fuzz --target fuzz_scenario_toml fuzz_scenario_set fuzz_uncertain_table fuzz_api_request
	@status=0; ctest --test-dir build/fuzz -L fuzz --output-on-failure || status=$$?; \
	  bash scripts/fuzz-summary.sh build/fuzz/Testing/Temporary/LastTest.log; exit $$status

# The soak (docs/montecarlo.md): SOAK_PATHS Monte Carlo paths of default on the release build,
# every month of every path checked (mc --check-paths); prints the time, paths and failures.
SOAK_PATHS ?= 1000000
soak: build-release
	bash scripts/soak.sh build/release/bubblesim $(SOAK_PATHS)

# Benchmarks (Google Benchmark) on the release build; results go in docs/performance.md.
bench: build-release
	cmake --build build/release --target bsim_bench
	build/release/bench/bsim_bench --benchmark_min_time=1

# Regenerates the key reference in docs/scenario.md from the validator's schema.
docs: build-release
	build/release/bubblesim schema --markdown > docs/scenario-keys.generated.md.tmp
	python3 scripts/splice_docs.py docs/scenario.md docs/scenario-keys.generated.md.tmp
	rm -f docs/scenario-keys.generated.md.tmp

clean:
	rm -rf build
