#!/bin/sh
# Whatever libhs runs underneath, no rule match is lost. With Debian 12's
# Vectorscan 5.4.9 (unpacked, never installed, by scripts/deps.sh) in
# place of the Hyperscan the build links: where its known-answer check
# fails, the prefilter is off (said by -t), word lists are refused with
# file:line:col and exit 1, and issue 14's reproducers decide right; where
# it passes (another CPU), the differential test must pass on it instead.
# Usage: libhs_check.sh MODERATORD PREFILTER_DIFF PROJECT_DIR WORKDIR
set -eu
moderatord=$1
diff=$2
top=$3
work=$4
lib=$top/build/debdata/usr/lib/x86_64-linux-gnu
fail() {
	echo "$0: FAILED: $*" >&2
	exit 1
}
[ -f "$lib/libhs.so.5.4.9" ] ||
    fail "$lib/libhs.so.5.4.9 is missing: run scripts/deps.sh"
rm -rf "$work"
mkdir -p "$work/fm" "$work/list"
printf -- "- name: fm\n  match: 'free.*money'\n  action: flag\n" \
    >"$work/fm/1.yaml"
printf -- "- name: listed\n  words_file: words.txt\n  action: flag\n" \
    >"$work/list/1.yaml"
printf 'money\nfree money\n' >"$work/list/words.txt"
text='free years done fine job with the local coverage, especially the council stories, so money'

for hs in linked vectorscan; do
	if [ $hs = vectorscan ]; then
		LD_LIBRARY_PATH=$lib
		export LD_LIBRARY_PATH
	fi
	out=$(echo "$text" | "$moderatord" --explain -r "$work/fm")
	echo "$out" | grep -qx 'decision: flag' ||
	    fail "libhs $hs: issue 14's reproducer: $out"
	out=$(echo "guaranteed kill that send the 496 raw to home your free idiot хохлы mail" |
	    "$moderatord" --explain -r "$top/rules")
	echo "$out" | grep -qx 'rules: slurs.*' ||
	    fail "libhs $hs: the slur reproducer: $out"
done

unset LD_LIBRARY_PATH
check=$("$moderatord" -t -r "$top/rules")
echo "linked libhs: $(echo "$check" | grep '^prefilter')"
echo "$check" | grep -q '^prefilter: [0-9]* rules on the automaton' ||
    fail "the linked libhs must pass its check: $check"

LD_LIBRARY_PATH=$lib
export LD_LIBRARY_PATH
check=$("$moderatord" -t -r "$top/rules")
if echo "$check" | grep -q '^prefilter: off: libhs 5.4.9 drops literal'; then
	echo "Vectorscan 5.4.9: $(echo "$check" | grep '^prefilter')"
	if out=$("$moderatord" -t -r "$work/list" 2>&1); then
		fail "a word list was accepted on Vectorscan 5.4.9: $out"
	fi
	echo "$out" | grep -q "^$work/list/1.yaml:2:[0-9]*: a word list cannot be matched here: libhs 5.4.9" ||
	    fail "word list refusal: $out"
	echo "Vectorscan 5.4.9: $out"
	out=$("$diff" "$top/rules" --random 10 2>&1) &&
	    fail "prefilter_diff compared with the prefilter off: $out"
	echo "$out" | grep -q 'nothing to compare' ||
	    fail "prefilter_diff with the prefilter off: $out"
else
	echo "Vectorscan 5.4.9 passes its check on this CPU: the differential test runs on it"
	"$diff" "$top/rules" --random 20000 --moderatord "$moderatord"
fi
echo "libhs_check: passed"
