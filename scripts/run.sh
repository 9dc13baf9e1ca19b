#!/bin/sh
# The run command: installs what is missing, builds, starts a private
# redis-server on a unix socket in a temporary directory (unless
# MODERATORD_REDIS names a Redis to use), starts moderatord with the
# shipped rules/, feeds the sample comment threads (a local car ban, then
# an attack with rival claims about who is behind it; or the thread files
# given) and prints the decisions as they come. Everything started here
# is stopped on exit or Ctrl-C.
# It builds into build/run/. Usage: scripts/run.sh [thread.tsv ...]
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh --run || {
	echo "run.sh: the packages moderatord needs could not be installed" >&2
	exit 1
}
cmake -S . -B build/run -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMODERATORD_TESTS=OFF >/dev/null
cmake --build build/run -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

tmp=$(mktemp -d /tmp/moderatord-run.XXXXXX)
redis_pid=""
daemon_pid=""
cleanup() {
	trap - EXIT INT TERM
	[ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null &&
	    wait "$daemon_pid" 2>/dev/null
	[ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null &&
	    wait "$redis_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

redis=${MODERATORD_REDIS:-}
if [ -z "$redis" ]; then
	redis="$tmp/redis.sock"
	redis-server --port 0 --unixsocket "$redis" --unixsocketperm 700 \
	    --dir "$tmp" --save '' --appendonly no >"$tmp/redis.log" 2>&1 &
	redis_pid=$!
	i=0
	until redis-cli -s "$redis" ping >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "redis-server did not start" >&2; exit 1; }
		sleep 0.1
	done
	echo "private redis-server on $redis"
fi

cat >"$tmp/moderatord.conf" <<CONF
log:
  file: $tmp/moderatord.log
CONF
build/run/moderatord -c "$tmp/moderatord.conf" -r rules --redis "$redis" \
    --consumer demo >"$tmp/stdout.log" 2>&1 &
daemon_pid=$!
echo "moderatord running (pid $daemon_pid); its log: $tmp/moderatord.log"
/usr/bin/python3 scripts/demo.py "$redis" "$@"
