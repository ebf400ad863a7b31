#!/usr/bin/env bash
# Installs the Debian 12 packages bubblesim needs to build and test, and only those missing
# (with --mpi, also OpenMPI; with --fuzz, clang 14 and libFuzzer), then the browser test's npm
# packages (tests/web, from its lock file).
# Runs apt-get through sudo when not root. Safe to run repeatedly: it does nothing when all
# packages are present.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config python3
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev librandom123-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev libcpp-httplib-dev
  # The Python package (pybind11 over the library) and its example notebook's charts.
  python3-dev pybind11-dev python3-numpy python3-pandas python3-matplotlib
  # The playground's browser test: Debian's Chromium driven by playwright-core.
  chromium
)

# --mpi adds OpenMPI, for builds with BSIM_MPI=ON (make test-mpi).
if [ "${1:-}" = "--mpi" ]; then
  packages+=(libopenmpi-dev openmpi-bin)
fi

# --fuzz adds clang 14 with its runtime libraries (libFuzzer, the sanitizers), for make fuzz.
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi

# Node.js and npm for the browser test, from Debian unless a node with npm is already there.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The browser test's packages, exactly as locked; again only when the lock file changed.
root="$(cd "$(dirname "$0")/.." && pwd)"
web_tests="$root/tests/web"
if [ -f "$web_tests/package-lock.json" ]; then
  stamp="$web_tests/node_modules/.installed-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$web_tests/package-lock.json" "$stamp"; then
    echo "install-deps: npm ci in tests/web"
    (cd "$web_tests" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    cp "$web_tests/package-lock.json" "$stamp"
  fi
fi
