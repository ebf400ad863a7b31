#!/usr/bin/env bash
# Installs the Debian 12 packages bubblesim needs to build and test, and only those missing
# (with --mpi, also OpenMPI).
# Runs apt-get through sudo when not root. Safe to run repeatedly: it does nothing when all
# packages are present.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config python3
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev librandom123-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev libcpp-httplib-dev
)

# --mpi adds OpenMPI, for builds with BSIM_MPI=ON (make test-mpi).
if [ "${1:-}" = "--mpi" ]; then
  packages+=(libopenmpi-dev openmpi-bin)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
