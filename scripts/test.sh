#!/bin/sh
# The test command: installs what is missing, then builds and runs the
# whole suite twice, a normal build and an AddressSanitizer +
# UndefinedBehaviorSanitizer build; runs the integration tests once more
# with every daemon under valgrind; and fuzzes the rule loader and the
# entry decoder for a fixed time each. Every integration test starts and
# stops its own redis-server, so tests run two at a time. Usage:
# scripts/test.sh
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
	ctest --test-dir "build/ci-$name" --output-on-failure -j "$jobs"
}

run release -DCMAKE_BUILD_TYPE=RelWithDebInfo
run sanitize -DCMAKE_BUILD_TYPE=Debug -DMODERATORD_ASAN=ON -DMODERATORD_UBSAN=ON

# Under valgrind (for reads of uninitialised memory, which the sanitizers
# do not see) all but the fault and signal tests: those kill and restart
# daemons and Redis for minutes under valgrind, and ran under ASan above.
echo "=== integration tests under valgrind (release build)"
MODERATORD_VALGRIND=1 ctest --test-dir build/ci-release -L integration \
    -E 'integration_(faults|signals)|prefilter_diff_generated' \
    --output-on-failure

echo "=== fuzzing (clang, libFuzzer, ASan+UBSan), ${FUZZ_SECONDS:=30} s a target"
CC=clang cmake -S . -B build/ci-fuzz -DMODERATORD_FUZZ=ON -DMODERATORD_TESTS=OFF \
    -DMODERATORD_ASAN=ON -DMODERATORD_UBSAN=ON -DMODERATORD_WERROR=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/ci-fuzz -j "$jobs"
for t in rules entry; do
	# A scratch corpus: the seeds in tests/fuzz/corpus stay as committed.
	scratch=$(mktemp -d)
	build/ci-fuzz/fuzz_$t -max_total_time="$FUZZ_SECONDS" -max_len=8192 \
	    -print_final_stats=1 -artifact_prefix=build/ci-fuzz/ \
	    "$scratch" "tests/fuzz/corpus/$t" >build/ci-fuzz/fuzz_$t.log 2>&1 || {
		tail -40 build/ci-fuzz/fuzz_$t.log
		echo "fuzz_$t found a crash: see build/ci-fuzz/" >&2
		exit 1
	}
	rm -rf "$scratch"
	echo "fuzz_$t: $(sed -n 's/^stat::number_of_executed_units: //p' \
	    build/ci-fuzz/fuzz_$t.log) runs, no crash"
done
echo "=== all tests passed: plain, ASan+UBSan, valgrind, fuzzing"
