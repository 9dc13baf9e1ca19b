#!/usr/bin/env python3
"""moderatorctl against two running daemons and a real redis-server:
every command, in both output modes where it has two."""

import glob
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

# Under valgrind the emulated CPU is another platform: the automaton's
# cache misses, and a reload compiles it again, fifty times slower.
RELOAD_TIMEOUT = "300" if harness.VALGRIND else "30"


def shipped_rules():
    """How many rules the shipped rules directory holds, as -t counts."""
    out = subprocess.run([os.environ["MODERATORD"], "-t", "-r",
                          os.environ["RULES_DIR"]], capture_output=True,
                         text=True, check=True).stdout
    return int(re.search(r"^(\d+) rules in ", out, re.M).group(1))
from harness import IN, GROUP  # noqa: E402

CTL = os.environ.get("MODERATORCTL", "build/moderatorctl")


class CtlTest(harness.TestCase):

    def ctl(self, *args, timeout=60):
        p = subprocess.run([CTL, "--redis", self.redis.sock] + list(args),
                           capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def ctl_pty(self, *args, timeout=30):
        """Runs moderatorctl on a terminal; returns what it printed."""
        master, slave = pty.openpty()
        p = subprocess.Popen([CTL, "--redis", self.redis.sock] + list(args),
                             stdout=slave, stderr=slave, stdin=slave,
                             env=dict(os.environ, TERM="xterm"))
        os.close(slave)
        out = b""
        deadline = time.time() + timeout
        while time.time() < deadline:
            r, _, _ = select.select([master], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            elif p.poll() is not None:
                break
        p.wait(timeout=10)
        os.close(master)
        return p.returncode, out.decode("utf-8", "replace")

    def rules_copy(self, name):
        d = os.path.join(self.tmp, name)
        shutil.copytree(harness.RULES_DIR, d,
                        ignore=shutil.ignore_patterns("*.md"))
        return d

    def two_daemons(self):
        self.rules_a = self.rules_copy("rules-a")
        self.rules_b = self.rules_copy("rules-b")
        conf = "log:\n  stdout_decisions: none\n"
        a = self.daemon(consumer="host-a", rules=self.rules_a, conf=conf)
        b = self.daemon(consumer="host-b", rules=self.rules_b, conf=conf)
        # Both have written their record once they show in status.
        deadline = time.time() + 30
        while time.time() < deadline:
            rc, out, _ = self.ctl("status")
            if "host-a" in out and "host-b" in out:
                return a, b
            time.sleep(0.2)
        self.fail("the daemons never showed in status: " + out)

    def push_thread(self):
        comments = ([{"id": "s%d" % i, "author": "spammer", "thread": "t1",
                      "text": "buy cheap viagra now"} for i in range(6)] +
                    [{"id": "g%d" % i, "author": "reader%d" % i,
                      "thread": "t2", "text": "a thoughtful comment %d" % i}
                     for i in range(4)])
        harness.push(self.r, comments)
        self.assertTrue(harness.wait_decided(self.r, 10))

    def test_hosts_with_skewed_clocks(self):
        """Instances on hosts an hour fast and an hour slow are listed by
        status with a beat a few seconds old, and none prunes the
        others from the instance set: every time a record holds is
        Redis's."""
        # Debian's faketime, wherever the architecture puts it.
        lib = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")[0]
        conf = "log:\n  stdout_decisions: none\n"
        self.daemon(consumer="host-now", conf=conf)
        for name, skew in (("host-fast", "+1h"), ("host-slow", "-1h")):
            # ASan wants to be the first library; libfaketime is.
            asan = os.environ.get("ASAN_OPTIONS", "")
            self.daemon(consumer=name, conf=conf, env={
                "LD_PRELOAD": lib, "FAKETIME": skew,
                "FAKETIME_DONT_FAKE_MONOTONIC": "1",
                "ASAN_OPTIONS": asan + (":" if asan else "") +
                "verify_asan_link_order=0"})
        names = ("host-now", "host-fast", "host-slow")
        deadline = time.time() + 60
        while time.time() < deadline:
            rc, out, _ = self.ctl("status")
            if all(n in out for n in names):
                break
            time.sleep(0.2)
        # Seen together, time and again: nobody prunes anybody.
        for _ in range(5):
            time.sleep(1.1)
            rc, out, err = self.ctl("status")
            self.assertEqual(rc, 0, err)
            for n in names:
                line = [l for l in out.splitlines() if l.startswith(n)]
                self.assertEqual(len(line), 1, out)
                beat = int(re.search(r"(\d+)s\s", line[0]).group(1))
                self.assertLess(beat, 15, line[0])
            for n in names:
                self.assertIsNotNone(self.r.zscore(
                    "moderatord:%s:instances" % GROUP, n))

    def test_reload_waits_for_a_reload_after_the_request(self):
        """A record that says it reloaded for a later request, but before
        this one was made (the counter started again when Redis lost its
        data), is not an answer: the reload times out."""
        t = self.r.time()
        now = t[0] * 1000 + t[1] // 1000
        key = "moderatord:%s:instance:ghost" % GROUP
        self.r.hset(key, mapping={
            "host": "h", "pid": "1", "started": now - 60000,
            "heartbeat": now, "reload_gen": "7", "reload_result": "ok",
            "reload_at": now - 30000})
        self.r.pexpire(key, 15000)
        self.r.zadd("moderatord:%s:instances" % GROUP, {"ghost": now})
        rc, out, err = self.ctl("reload", "--timeout", "2")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("request 1", out)

    def test_status_and_reload(self):
        a, b = self.two_daemons()
        rc, out, err = self.ctl("status")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("CONSUMER"))
        row = [l for l in lines if l.startswith("host-a")][0]
        self.assertIn(str(a.proc.pid), row)
        shipped = shipped_rules()
        self.assertRegex(row, r"\b%d\b" % shipped)       # rules loaded

        # A good reload: both answer ok, exit 0.
        rc, out, err = self.ctl("reload", "--timeout", RELOAD_TIMEOUT,
                                 timeout=int(RELOAD_TIMEOUT) + 30)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("asked 2 instances", out)
        self.assertRegex(out, r"host-a\s+\S+\s+ok")
        self.assertRegex(out, r"host-b\s+\S+\s+ok")
        self.assertTrue(a.wait_log("reload asked by moderatorctl"))

        # A broken file in b's rules: b refuses and names file:line, a
        # takes the new rule; exit 1.
        with open(os.path.join(self.rules_a, "80-new.yaml"), "w") as f:
            f.write("- name: fruit\n  match: 'tangerine'\n  action: reject\n")
        with open(os.path.join(self.rules_b, "80-new.yaml"), "w") as f:
            f.write("- name: fruit\n  match: 'tange(rine'\n  action: reject\n")
        rc, out, err = self.ctl("reload", "--timeout", RELOAD_TIMEOUT,
                                 timeout=int(RELOAD_TIMEOUT) + 30)
        self.assertEqual(rc, 1, out + err)
        self.assertRegex(out, r"host-a\s+\S+\s+ok")
        self.assertRegex(out, r"host-b\s+\S+\s+failed: .*80-new.yaml:2:\d+: "
                              r"bad regex")
        rc, out, _ = self.ctl("status")
        self.assertRegex([l for l in out.splitlines()
                          if l.startswith("host-a")][0],
                         r"\b%d\b" % (shipped + 1))
        self.assertRegex([l for l in out.splitlines()
                          if l.startswith("host-b")][0],
                         r"\b%d\b.*failed" % shipped)

        # A cleanly stopped instance leaves status at once (a killed one
        # when its record expires); with none left, reload says so and
        # fails.
        self.assertEqual(a.stop(), 0)
        rc, out, _ = self.ctl("status")
        self.assertNotIn("host-a", out)
        self.assertIn("host-b", out)
        self.assertEqual(b.stop(), 0)
        self.assertFalse(self.r.exists("moderatord:%s:instance:host-b"
                                       % GROUP))
        self.assertEqual(self.r.zcard("moderatord:%s:instances" % GROUP), 0)
        rc, out, _ = self.ctl("status")
        self.assertEqual(rc, 0)
        self.assertIn("no running instance", out)
        rc, out, err = self.ctl("reload")
        self.assertEqual(rc, 1)
        self.assertIn("no running instance", err)

    def test_quiet_stream_with_a_long_block(self):
        # No comments and a BLOCK longer than the record's 15 s life: the
        # record and the reload watch do not wait behind the read.
        d = self.daemon(consumer="quiet", conf="redis:\n  block_ms: 60000\n")
        self.assertTrue(d.wait_log("connected"), d.output())
        time.sleep(17)
        rc, out, _ = self.ctl("status")
        self.assertIn("quiet", out)
        t = time.monotonic()
        rc, out, err = self.ctl("reload", "--timeout", "10", timeout=40)
        self.assertEqual(rc, 0, out + err)
        self.assertLess(time.monotonic() - t, 10)
        self.assertEqual(d.stop(), 0)

    def test_tail_both_modes(self):
        self.two_daemons()
        # Piped: JSON lines, filtered, joined with author and thread.
        p = subprocess.Popen([CTL, "--redis", self.redis.sock, "tail",
                              "--count", "6", "--decision", "reject"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.5)
        self.push_thread()
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 0, err)
        lines = [json.loads(l) for l in out.decode().splitlines()]
        self.assertEqual(len(lines), 6)
        for l in lines:
            self.assertEqual(l["decision"], "reject")
            self.assertEqual(l["author"], "spammer")
            self.assertEqual(l["thread"], "t1")
            self.assertIn("pharma-spam", l["rules"].split(","))
            self.assertRegex(l["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

        rc, out, err = self.ctl("tail", "--since", "0", "--count", "1",
                                "--author", "reader1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["id"], "g1")
        rc, out, err = self.ctl("tail", "--since", "0", "--count", "4",
                                "--thread", "t2")
        self.assertEqual(rc, 0, err)
        self.assertEqual(sorted(json.loads(l)["id"] for l in out.splitlines()),
                         ["g0", "g1", "g2", "g3"])

        # On a terminal: aligned columns, the decision coloured.
        rc, out = self.ctl_pty("tail", "--since", "0", "--count", "10")
        self.assertEqual(rc, 0, out)
        rows = [l for l in out.splitlines() if l.strip()]
        self.assertEqual(len(rows), 10)
        self.assertIn("\033[1;31mreject ", out)
        self.assertIn("\033[32mapprove", out)
        # Every row's id column starts at the same place.
        plain = [re.sub(r"\033\[[0-9;]*m", "", r) for r in rows]
        self.assertEqual(len({re.search(r" ([sg]\d) ", p).start()
                              for p in plain}), 1, plain)
        rc, out = self.ctl_pty("--no-color", "tail", "--since", "0",
                               "--count", "1")
        self.assertNotIn("\033[", out)

        # Control bytes from outside never reach the terminal.
        harness.push(self.r, [{"id": "x\033[2Jy", "text": "fine"}])
        self.assertTrue(harness.wait_decided(self.r, 11))
        rc, out = self.ctl_pty("--no-color", "tail", "--since", "0",
                               "--count", "11")
        self.assertIn("x?[2Jy", out)
        self.assertNotIn("\033[2J", out)

    def test_stats_top_export(self):
        self.two_daemons()
        self.push_thread()
        rc, out, err = self.ctl("stats", "--minutes", "5")
        self.assertEqual(rc, 0, err)
        self.assertIn("10 decisions in the last 5 minutes", out)
        self.assertRegex(out, r"reject\s+6\s+60\.0%")
        self.assertRegex(out, r"approve\s+4\s+40\.0%")
        self.assertRegex(out, r"pharma-spam\s+6")
        self.assertRegex(out, r"authors flagged or rejected most\n\s+spammer\s+6")
        self.assertRegex(out, r"#{10,}=+\s+10\s+\(6\)")

        rc, out = self.ctl_pty("top", "--once")
        self.assertEqual(rc, 0, out)
        self.assertIn("\033[H\033[2J", out)
        self.assertIn("host-a", out)
        self.assertIn("host-b", out)
        self.assertRegex(out, r"decided\s+approve 4\s+flag 0\s+reject 6")
        self.assertRegex(out, r"backlog\s+lag \d+\s+pending \d+\s+dead letters 0")
        self.assertRegex(out, r"pharma-spam\s+6")

        rc, out, err = self.ctl("export", "--count", "3")
        self.assertEqual(rc, 0, err)
        rows = [json.loads(l) for l in out.splitlines()]
        self.assertEqual([r["id"] for r in rows], ["g1", "g2", "g3"])
        ids = [sid for sid, _ in self.r.xrange(IN)][-3:]
        self.assertEqual([r["ts"] for r in rows],
                         [int(i.split(b"-")[0]) for i in ids])
        rc, out, err = self.ctl("export", "--count", "1000000")
        self.assertEqual(len(out.splitlines()), 10)
        # Nothing consumed, no group touched.
        self.assertEqual(self.r.xlen(IN), 10)
        self.assertEqual(harness.pending(self.r), 0)

    def test_pending_and_requeue(self):
        # A poison entry: delivered past max_deliveries, dead-lettered.
        harness.push(self.r, [{"id": "x0", "author": "a", "text": "hello"},
                              {"id": "x1", "text": "world"}])
        self.r.xgroup_create(IN, GROUP, id="0")
        self.r.xreadgroup(GROUP, "host-a", {IN: ">"}, count=1)
        for _ in range(6):
            self.r.xreadgroup(GROUP, "host-a", {IN: "0"}, count=1)
        rc, out, err = self.ctl("pending")
        self.assertEqual(rc, 0, err)
        self.assertIn("lag 1, pending 1", out)
        self.assertRegex(out, r"host-a\s+1\s")

        d = self.daemon(consumer="host-a")
        self.assertTrue(harness.wait_decided(self.r, 1, daemon=d))
        self.assertTrue(d.wait_log("was delivered more than 5 times"))
        e = self.daemon(consumer="host-b")
        # A consumer exists once its first read reached Redis.
        deadline = time.time() + 60
        while time.time() < deadline and b"host-b" not in [
                c["name"] for c in self.r.xinfo_consumers(IN, GROUP)]:
            time.sleep(0.1)
        rc, out, err = self.ctl("pending")
        self.assertIn("dead letters (comments:dead): 1", out)
        self.assertIn("lag 0, pending 0", out)
        self.assertRegex(out, r"host-a\s+0\s")
        self.assertRegex(out, r"host-b\s+0\s")

        rc, out, err = self.ctl("requeue")
        self.assertEqual(rc, 0, err)
        self.assertIn("requeued 1 entry", out)
        self.assertEqual(self.r.xlen("comments:dead"), 0)
        # Back with its own fields only, and decided this time.
        last = self.r.xrevrange(IN, count=1)[0][1]
        self.assertEqual(last, {b"id": b"x0", b"author": b"a",
                                b"text": b"hello"})
        self.assertTrue(harness.wait_decided(self.r, 2, daemon=d))
        self.assertEqual(sorted(o["id"] for o in harness.decisions(self.r)),
                         ["x0", "x1"])
        rc, out, err = self.ctl("requeue")
        self.assertIn("requeued 0 entries", out)
        self.assertEqual(d.stop(), 0)
        self.assertEqual(e.stop(), 0)

    def test_requeue_past_a_dead_letter_without_fields(self):
        """A dead letter whose entry was deleted before it was decided has
        only the dead_ fields: it is left and said, and the others behind
        it are requeued, in one pass, each once."""
        dead = "comments:dead"
        self.r.xadd(dead, {"id": "a1", "text": "one", "dead_entry": "1-1",
                           "dead_deliveries": "6", "dead_reason": "x"})
        for i in range(150):
            self.r.xadd(dead, {"dead_entry": "2-%d" % i,
                               "dead_deliveries": "6",
                               "dead_reason": "deleted"})
        self.r.xadd(dead, {"id": "a2", "text": "two", "dead_entry": "3-1",
                           "dead_deliveries": "6", "dead_reason": "x"})
        rc, out, err = self.ctl("requeue")
        self.assertEqual(rc, 0, err)
        self.assertIn("requeued 2 entries to comments:in; 150 left in "
                      "comments:dead", out)
        self.assertEqual(err.count("has no fields of its own"), 150)
        self.assertEqual([f[b"id"] for _, f in self.r.xrange(IN)],
                         [b"a1", b"a2"])
        self.assertEqual(self.r.xlen(dead), 150)

    def test_errors_and_help(self):
        for cmd in ("tail", "stats", "top", "pending", "requeue", "status",
                    "reload", "export"):
            p = subprocess.run([CTL, cmd, "--help"], capture_output=True,
                               timeout=30)
            self.assertEqual(p.returncode, 0, cmd)
            self.assertIn("usage: moderatorctl " + cmd, p.stdout.decode())
        p = subprocess.run([CTL, "--help"], capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 0)
        for cmd in ("tail", "requeue", "export"):
            self.assertIn(cmd, p.stdout.decode())
        p = subprocess.run([CTL, "frobnicate"], capture_output=True,
                           timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown command 'frobnicate'", p.stderr.decode())
        # Redis unreachable: a clear message, exit 1, no password shown.
        p = subprocess.run([CTL, "--redis", "redis://:s3cret@127.0.0.1:1",
                            "status"], capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot connect to Redis at 127.0.0.1:1",
                      p.stderr.decode())
        self.assertNotIn("s3cret", p.stderr.decode())
        rc, out, err = self.ctl("export", "--count", "0")
        self.assertEqual(rc, 1)
        self.assertIn("--count must be 1 to", err)
        # A bad option is named, before any Redis is needed.
        for cmd in ("tail", "stats", "export", "strikes"):
            p = subprocess.run([CTL, "--redis", "/nonexistent", cmd,
                                "--bogus"], capture_output=True, timeout=30)
            self.assertEqual(p.returncode, 1, cmd)
            self.assertIn("--bogus", p.stderr.decode(), cmd)
            self.assertNotIn("cannot connect", p.stderr.decode(), cmd)


if __name__ == "__main__":
    harness.main()
