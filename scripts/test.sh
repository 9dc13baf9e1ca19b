#!/bin/sh
# The test command: installs what is missing, then builds and runs the
# whole suite twice, a normal build and an AddressSanitizer +
# UndefinedBehaviorSanitizer build; runs the integration tests and the
# prefilter's differential tests once more under valgrind; and fuzzes the
# rule loader and the entry decoder for a fixed time each. Every
# integration test starts and stops its own redis-server, so tests run two
# at a time.
#
# Every stage runs even when one before it failed (only the tests of a
# build that failed cannot), each stage's output goes to the terminal and
# to build/ci-logs/STAGE.log, and a summary at the end gives each stage's
# result and time, the tests that failed and the file:line their output
# names, then exits 1 if anything failed. Usage: scripts/test.sh
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
scripts/deps.sh || {
	echo "scripts/deps.sh failed: nothing can be built" >&2
	exit 1
}

jobs=$(nproc 2>/dev/null || echo 2)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# One automaton cache for every stage's daemons (tests/integration/
# harness.py): the databases do not depend on the build, and valgrind's
# CPU is the one they are built for, so each rule set compiles once.
export AUTOMATON_CACHE="$top/build/ci-hs-cache"
logs=$top/build/ci-logs
rm -rf "$logs"
mkdir -p "$logs"
: >"$logs/summary"
passed=0
failed=0

# stage NAME COMMAND...: runs COMMAND, its output also into NAME.log.
# (sh has no local variables: each function's own are prefixed.)
stage() {
	st_name=$1
	shift
	echo "=== $st_name"
	st_t0=$(date +%s)
	{ "$@"; echo $? >"$logs/$st_name.rc"; } 2>&1 | tee "$logs/$st_name.log"
	st_rc=$(cat "$logs/$st_name.rc")
	st_secs=$(($(date +%s) - st_t0))
	if [ "$st_rc" -eq 0 ]; then
		passed=$((passed + 1))
		printf '%-22s passed  %5d s\n' "$st_name" "$st_secs" \
		    >>"$logs/summary"
		return 0
	fi
	failed=$((failed + 1))
	printf '%-22s FAILED  %5d s   (exit %d; log %s)\n' "$st_name" \
	    "$st_secs" "$st_rc" "$logs/$st_name.log" >>"$logs/summary"
	return 1
}

# The tests of stage NAME that failed, and the file:line places their
# output names (as cmocka, Python, the shell tests and prefilter_diff
# print them: whole paths).
failures() {
	grep -E '^[[:space:]]+[0-9]+ - .* \((Failed|Timeout|SEGFAULT|Not Run|Subprocess aborted|Exception|Child aborted|ILLEGAL)' \
	    "$logs/$1.log" | sed 's/^[[:space:]]*[0-9]* - /    failed: /' \
	    >>"$logs/summary"
	grep -E '(^|[ "])/[^ :"]+(:[0-9]+|", line [0-9]+)' "$logs/$1.log" |
	    grep -vE '^(    Start|[0-9]+/[0-9]+ Test)' | cut -c1-300 |
	    sort -u | head -40 | sed 's/^/      /' >>"$logs/summary"
}

not_run() {
	printf '%-22s not run (%s)\n' "$1" "$2" >>"$logs/summary"
	failed=$((failed + 1))
}

build() {
	b_dir=build/ci-$1
	shift
	cmake -S . -B "$b_dir" -DMODERATORD_WERROR=ON "$@" >/dev/null &&
	    cmake --build "$b_dir" -j "$jobs"
}

tests() {
	ctest --test-dir "build/ci-$1" --output-on-failure -j "$jobs" \
	    -LE valgrind
}

suite() {
	su_name=$1
	shift
	if stage "$su_name-build" build "$su_name" "$@"; then
		eval "${su_name}_built=1"
		stage "$su_name-tests" tests "$su_name" ||
		    failures "$su_name-tests"
	else
		not_run "$su_name-tests" "its build failed"
	fi
}

suite release -DCMAKE_BUILD_TYPE=RelWithDebInfo
suite sanitize -DCMAKE_BUILD_TYPE=Debug -DMODERATORD_ASAN=ON \
    -DMODERATORD_UBSAN=ON

# Under valgrind (for reads of uninitialised memory, which the sanitizers
# do not see): the prefilter's differential tests, and all integration
# tests but the fault, signal and failover ones, which kill and restart daemons and
# Redis for minutes under valgrind and ran under ASan above.
valgrind_tests() {
	vg_rc=0
	ctest --test-dir build/ci-release --output-on-failure -j "$jobs" \
	    -L valgrind || vg_rc=1
	MODERATORD_VALGRIND=1 ctest --test-dir build/ci-release -L integration \
	    -E 'integration_(faults|signals|failover)|prefilter_diff_generated' \
	    --output-on-failure -j "$jobs" || vg_rc=1
	return $vg_rc
}
if [ "${release_built:-0}" -eq 1 ]; then
	stage valgrind valgrind_tests || failures valgrind
else
	not_run valgrind "the release build failed"
fi

echo "=== fuzzing (clang, libFuzzer, ASan+UBSan), ${FUZZ_SECONDS:=30} s a target"
fuzz_build() {
	CC=clang cmake -S . -B build/ci-fuzz -DMODERATORD_FUZZ=ON \
	    -DMODERATORD_TESTS=OFF -DMODERATORD_ASAN=ON -DMODERATORD_UBSAN=ON \
	    -DMODERATORD_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    >/dev/null && cmake --build build/ci-fuzz -j "$jobs"
}
fuzz() {
	# A scratch corpus: the seeds in tests/fuzz/corpus stay as committed.
	fz_scratch=$(mktemp -d)
	build/ci-fuzz/fuzz_$1 -max_total_time="$FUZZ_SECONDS" -max_len=8192 \
	    -print_final_stats=1 -artifact_prefix="$top/build/ci-fuzz/" \
	    "$fz_scratch" "tests/fuzz/corpus/$1" >"build/ci-fuzz/fuzz_$1.log" 2>&1
	fz_rc=$?
	rm -rf "$fz_scratch"
	if [ $fz_rc -ne 0 ]; then
		tail -40 "build/ci-fuzz/fuzz_$1.log"
		echo "fuzz_$1 found a crash: the input is in $top/build/ci-fuzz/"
		return 1
	fi
	echo "fuzz_$1: $(sed -n 's/^stat::number_of_executed_units: //p' \
	    "build/ci-fuzz/fuzz_$1.log") runs, no crash"
}
if stage fuzz-build fuzz_build; then
	for t in rules entry; do
		stage "fuzz-$t" fuzz "$t"
	done
else
	not_run fuzz "its build failed"
fi

echo "=== summary (logs in $logs)"
cat "$logs/summary"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
