#!/bin/sh
# cmake --install into a DESTDIR with --prefix /usr, as a Debian package
# build does: every file lands where the unit, the man pages and the docs
# say; the unit names the prefix installed to; the man pages render
# without a warning; the installed daemon checks the installed config and
# rules; a second install keeps what the admin edited.
# Usage: check-install.sh BUILD_DIR
set -eu
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

DESTDIR=$dest cmake --install "$build" --prefix /usr >/dev/null
for f in usr/bin/moderatord usr/bin/moderatorctl \
    lib/systemd/system/moderatord.service \
    lib/systemd/system/moderatord@.service etc/moderatord/moderatord.conf \
    etc/moderatord/redis-password etc/moderatord/rules.d/20-spam.yaml \
    usr/share/doc/moderatord/RULES.md \
    usr/share/doc/moderatord/moderatord.conf.example \
    usr/share/doc/moderatord/examples/moderatord-alerts.yml \
    usr/share/doc/moderatord/examples/rules/20-spam.yaml \
    usr/share/man/man8/moderatord.8 usr/share/man/man1/moderatorctl.1 \
    usr/share/man/man5/moderatord.conf.5 \
    usr/share/man/man5/moderatord-rules.5; do
	[ -e "$dest/$f" ] || fail "$f was not installed"
done

unit=$dest/lib/systemd/system/moderatord.service
grep -q '^ExecStart=/usr/bin/moderatord$' "$unit" ||
    fail "the unit does not run /usr/bin/moderatord"
grep -q '^Documentation=file:///usr/share/doc/moderatord/RULES.md$' "$unit" ||
    fail "the unit's Documentation= does not follow the prefix"
sh "$(dirname "$0")/check-unit.sh" "$unit" >/dev/null ||
    fail "the installed unit does not pass check-unit.sh"
template=$dest/lib/systemd/system/moderatord@.service
grep -q '^ExecStart=/usr/bin/moderatord --consumer %H-%i$' "$template" ||
    fail "the template unit does not name its consumer %H-%i"
sh "$(dirname "$0")/check-unit.sh" "$template" >/dev/null ||
    fail "the installed template unit does not pass check-unit.sh"
[ "$(stat -c %a "$dest/etc/moderatord/redis-password")" = 600 ] ||
    fail "redis-password is not mode 600"

for page in "$dest"/usr/share/man/man*/*; do
	mandoc -T lint -W warning "$page" || fail "mandoc warns on $page"
	out=$(groff -mdoc -ww -z "$page" 2>&1) || fail "groff fails on $page"
	[ -z "$out" ] || fail "groff warns on $page: $out"
done

"$dest/usr/bin/moderatord" -t -c "$dest/etc/moderatord/moderatord.conf" \
    -r "$dest/etc/moderatord/rules.d" >/dev/null ||
    fail "the installed daemon refuses the installed config and rules"
"$dest/usr/bin/moderatorctl" --version | grep -q '^moderatorctl ' ||
    fail "moderatorctl --version"

# A reinstall keeps the admin's config, rules and password.
echo "# edited" >>"$dest/etc/moderatord/moderatord.conf"
echo "# edited" >>"$dest/etc/moderatord/rules.d/20-spam.yaml"
echo "s3cret" >"$dest/etc/moderatord/redis-password"
DESTDIR=$dest cmake --install "$build" --prefix /usr >/dev/null
tail -1 "$dest/etc/moderatord/moderatord.conf" | grep -q edited ||
    fail "a reinstall overwrote moderatord.conf"
tail -1 "$dest/etc/moderatord/rules.d/20-spam.yaml" | grep -q edited ||
    fail "a reinstall overwrote the rules"
grep -q s3cret "$dest/etc/moderatord/redis-password" ||
    fail "a reinstall wiped the password"
echo "install OK"
