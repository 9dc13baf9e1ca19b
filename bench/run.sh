#!/bin/sh
# Builds an optimised moderatord (no sanitizers, no tests) and runs the
# throughput benchmark. Arguments go to bench/throughput.py.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
# PyYAML edits rules (--normalize).
for p in python3-yaml; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
	sudo=""
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DMODERATORD_TESTS=OFF >/dev/null
cmake --build build/bench -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
# bench/run.sh engine ...: the in-process micro-benchmarks instead;
# bench/run.sh matrix ...: the rule-count matrix (bench/matrix.py).
if [ "${1:-}" = engine ]; then
	shift
	exec build/bench/engine_bench "$@"
fi
if [ "${1:-}" = matrix ]; then
	shift
	exec /usr/bin/python3 bench/matrix.py "$@"
fi
exec /usr/bin/python3 bench/throughput.py "$@"
