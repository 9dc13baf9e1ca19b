#!/bin/sh
# Each rule file in bad/ must fail `moderatord -t` with exactly the messages
# in its .expected file (the directory part of paths shown as DIR); each
# file in good/ must pass. Usage: check.sh MODERATORD TESTS_RULES_DIR
set -u
bin=$1
here=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

for f in "$here"/good/*.yaml; do
	rm -rf "$tmp/rules" && mkdir "$tmp/rules" && cp "$f" "$tmp/rules/"
	if "$bin" -t -r "$tmp/rules" >"$tmp/out" 2>&1; then
		pass=$((pass + 1))
	else
		echo "FAIL good/$(basename "$f"):"; cat "$tmp/out"
		fail=$((fail + 1))
	fi
done

for f in "$here"/bad/*.yaml; do
	name=$(basename "$f" .yaml)
	rm -rf "$tmp/rules" && mkdir "$tmp/rules" && cp "$f" "$tmp/rules/"
	"$bin" -t -r "$tmp/rules" >/dev/null 2>"$tmp/err"
	rc=$?
	sed "s|$tmp/rules|DIR|g" "$tmp/err" >"$tmp/got"
	if [ $rc -ne 1 ]; then
		echo "FAIL bad/$name.yaml: exit $rc, want 1"
		fail=$((fail + 1))
	elif ! diff -u "$here/bad/$name.expected" "$tmp/got"; then
		echo "FAIL bad/$name.yaml: messages differ (above)"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
