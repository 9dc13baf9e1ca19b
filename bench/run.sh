#!/bin/sh
# Builds an optimised moderatord (no sanitizers, no tests) and runs the
# throughput benchmark. Arguments go to bench/throughput.py.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DMODERATORD_TESTS=OFF >/dev/null
cmake --build build/bench -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
exec /usr/bin/python3 bench/throughput.py "$@"
