#!/bin/sh
# The systemd unit as built: systemd-analyze's offline security review
# must rate it 1.5 or better (its --threshold is in tenths), and parse it
# without a warning (an unknown or misspelt directive).
# Usage: check-unit.sh UNIT
set -eu
unit=$1
out=$(systemd-analyze security --offline=true --no-pager --threshold=15 \
    "$unit" 2>&1) || {
	echo "$out"
	echo "FAIL: exposure above 1.5" >&2
	exit 1
}
echo "$out" | grep "Overall exposure"
if echo "$out" | grep -Ei "unknown|ignoring|invalid|failed to parse"; then
	echo "FAIL: systemd-analyze warned about the unit" >&2
	exit 1
fi
# What SPEC section 6 requires of the unit.
for want in '^Type=notify$' '^WatchdogSec=' '^ExecStartPre=.*moderatord -t$' \
    '^ExecReload=.*moderatord -t$' '^ExecReload=.*kill -HUP \$MAINPID$' \
    '^Restart=on-failure$' '^CacheDirectory=moderatord$' '^DynamicUser=yes$' '^ProtectSystem=strict$' \
    '^NoNewPrivileges=yes$' '^LoadCredential=redis-password:' \
    '^MemoryDenyWriteExecute=no$'; do
	grep -q "$want" "$unit" || {
		echo "FAIL: no line matching $want in $unit" >&2
		exit 1
	}
done
echo "unit OK"
