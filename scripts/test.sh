#!/bin/sh
# The test command: installs what is missing, then builds and runs the
# whole suite twice, a normal build and an AddressSanitizer +
# UndefinedBehaviorSanitizer build. Every integration test starts and stops
# its own redis-server. Usage: scripts/test.sh
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run() {
	name=$1
	shift
	echo "=== $name build"
	cmake -S . -B "build/ci-$name" -DMODERATORD_WERROR=ON "$@" >/dev/null
	cmake --build "build/ci-$name" -j "$jobs"
	echo "=== $name tests"
	ctest --test-dir "build/ci-$name" --output-on-failure
}

run release -DCMAKE_BUILD_TYPE=RelWithDebInfo
run sanitize -DCMAKE_BUILD_TYPE=Debug -DMODERATORD_ASAN=ON -DMODERATORD_UBSAN=ON
echo "=== all tests passed in both builds"
