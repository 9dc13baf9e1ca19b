#!/usr/bin/env python3
"""Rate limits and duplicate detection against a real Redis."""

import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IN  # noqa: E402

RULES = """
- name: flood
  rate_limit: { key: author, max: %(max)d, per: 60s }
  action: flag
  reason: posting too fast
- name: copy-paste
  match: '(?:\\S\\s*){20}'
  rate_limit: { key: text, max: 3, per: 10m }
  action: flag
- name: new-links
  match: 'https?://'
  when: { author_age_days: '< 2' }
  action: flag
- name: spam
  words: [viagra]
  action: reject
- name: trusted
  when: { author: '^staff-' }
  action: approve
  final: true
"""


WINDOW_CASES = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "window_cases.txt")


def window_cases():
    """tests/window_cases.txt: [(name, max, per_ms, distinct, [(t, value,
    over)])], the cases the C copy of the script is tested with too."""
    cases = []
    with open(WINDOW_CASES) as f:
        for line in f:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            if w[0] == "case":
                cases.append((w[1], int(w[2]), int(w[3]), w[4] == "1", []))
            else:
                cases[-1][4].append((int(w[0]), w[1], w[2] == "1"))
    return cases


# The field that makes a period hash a hash table from the start.
MARK = b"~"


def window(r, rule, per_ms, field, prefix="moderatord:rl:", width=8):
    """The times a short window holds, as decide.lua keeps it: the field in
    the newest of its rule's period hashes that has it."""
    hashes = "%s%s:p%d:" % (prefix, rule, per_ms)
    periods = sorted((int(p) for p in r.zrange(hashes + "periods", 0, -1)),
                     reverse=True)
    for p in periods:
        v = r.hget(hashes + str(p), field)
        if v is not None:
            return [struct.unpack_from("<q", v, i)[0]
                    for i in range(0, len(v), width)]
    return []


class RateLimitTest(harness.TestCase):

    appendonly = True

    def rules(self, max_=2):
        d = os.path.join(self.tmp, "rules")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "rules.yaml"), "w") as f:
            f.write(RULES % {"max": max_})
        return d

    def xadd_at(self, ms, fields, seq=0):
        self.r.xadd(IN, fields, id="%d-%d" % (ms, seq))

    def test_window_boundaries(self):
        # max 2 per 60 s. The window of a comment at t is (t - 60 s, t]:
        # a comment exactly 60 s older no longer counts. Flagged comments
        # count too.
        times = [1000, 2000, 61000, 61999, 62001, 121999, 122001]
        want = ["approve", "approve", "approve", "flag", "flag", "approve",
                "approve"]
        for i, t in enumerate(times):
            self.xadd_at(t, {"id": "w%d" % i, "author": "alice",
                             "text": "hi %d" % i})
            # Another author in between: a key of its own.
            self.xadd_at(t, {"id": "o%d" % i, "author": "bob", "text": "yo"},
                         seq=1)
        d = self.daemon(rules=self.rules())
        self.assertTrue(harness.wait_decided(self.r, 14, daemon=d))
        self.assertEqual(d.stop(), 0)
        got = self.by_id()
        self.assertEqual([got["w%d" % i]["decision"] for i in range(7)], want)
        self.assertEqual(got["w3"]["rules"], "flood")
        self.assertEqual(got["w3"]["reason"], "posting too fast")
        # bob: 2 within 60 s, then a gap... the same pattern, same result.
        self.assertEqual([got["o%d" % i]["decision"] for i in range(7)], want)

    def test_window_cases(self):
        # The window cases the C copy (--replay) is tested with, through
        # the decide script itself, each comment counted in the order
        # given (which no single stream allows: each comment is an entry
        # of a stream of its own, at its time, pending for this consumer):
        # the script says over exactly where the table does.
        script = open(os.environ.get("DECIDE_LUA",
                                     "daemon/decide.lua")).read()
        layout = int([l for l in script.splitlines()
                      if l.startswith("local LAYOUT = ")][0].split("=")[1])
        sha = self.r.script_load(script)
        wrong, n = [], 0
        for name, m, per, distinct, comments in window_cases():
            short = m <= 64
            window = "case:" + name if short else "rl:%s:case" % name
            for t, value, over in comments:
                n += 1
                stream = "in:%d" % n
                sid = "%d-%d" % (t, n)
                self.r.xadd(stream, {"id": "c"}, id=sid)
                self.r.xgroup_create(stream, "g", id="0")
                self.r.xreadgroup("g", "me", {stream: ">"})
                limit = [name, "flag", 10, 0, m, per, "over",
                         "rl:%s:p%d:" % (name, per) if short else "",
                         int(distinct), 1, t // per, 0, ""]
                check = [0, 0, 1] + ([value.ljust(16, "_")[:16]]
                                     if distinct else [])
                got = self.r.evalsha(
                    sha, 4, stream, "out", "dead", window, layout, 1, 1, 1,
                    len(check) - 2, "g", "me", 1000, 600000, 5, "r", "",
                    0, "", *limit, sid, "c%d" % n, "approve", "", "", "",
                    "", len(check) - 2, *check)
                said = isinstance(got[0], list)
                if said != over:
                    wrong.append((name, t, value, said, over))
        self.assertEqual(wrong, [])
        self.assertGreater(n, 100)

    def test_window_layouts_agree(self):
        # Short windows (max up to 64: period hashes) and long ones (sorted
        # sets) count alike, at the edge of the window too.
        d = os.path.join(self.tmp, "layouts")
        os.makedirs(d)
        with open(os.path.join(d, "r.yaml"), "w") as f:
            for m in (3, 64, 65):
                f.write("- name: flood%d\n  when: { author: '^m%d$' }\n"
                        "  rate_limit: { key: author, max: %d, per: 60s }\n"
                        "  action: flag\n" % (m, m, m))
        want, events = {}, []
        for m in (3, 64, 65):
            times = [1000 + i for i in range(m)] + [61000, 61000, 200000]
            want[m] = ["approve"] * (m + 1) + ["flag", "approve"]
            events += [(t, m, i) for i, t in enumerate(times)]
        seq = {}
        for t, m, i in sorted(events):
            seq[t] = seq.get(t, -1) + 1
            self.xadd_at(t, {"id": "m%d-%d" % (m, i), "author": "m%d" % m,
                             "text": "x"}, seq=seq[t])
        daemon = self.daemon(rules=d)
        n = sum(len(w) for w in want.values())
        self.assertTrue(harness.wait_decided(self.r, n, daemon=daemon))
        self.assertEqual(daemon.stop(), 0)
        got = self.by_id()
        for m, w in want.items():
            self.assertEqual([got["m%d-%d" % (m, i)]["decision"]
                              for i in range(len(w))], w, m)
        self.assertEqual(len(window(self.r, "flood64", 60000, "3:m64")), 65)
        self.assertEqual(self.r.type("moderatord:rl:flood65:3:m65"), b"zset")
        self.assertEqual(self.r.zcard("moderatord:rl:flood65:3:m65"), 66)

    def test_two_daemons_one_limit(self):
        # 1,000 comments by one author within 10 s of event time, max 5 per
        # 60 s, decided by two daemons at once: exactly 5 approved. Both
        # are reading before the comments come (under valgrind one would
        # otherwise decide everything before the other starts).
        rules = self.rules(max_=5)
        conf = "redis:\n  batch_size: 50\n"
        a = self.daemon(consumer="a", rules=rules, conf=conf)
        b = self.daemon(consumer="b", rules=rules, conf=conf)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if len(self.r.xinfo_consumers(IN, harness.GROUP)) == 2:
                    break
            except harness.redis.ResponseError:
                pass        # no stream or group yet
            time.sleep(0.1)
        p = self.r.pipeline(transaction=False)
        for i in range(1000):
            p.xadd(IN, {"id": "f%d" % i, "author": "flooder",
                        "text": "flood %d" % i}, id="%d-0" % (10**6 + 10 * i))
        for i in range(3):
            p.xadd(IN, {"id": "q%d" % i, "author": "quiet",
                        "text": "calm %d" % i}, id="%d-0" % (2 * 10**6 + i))
        p.execute()
        self.assertTrue(harness.wait_decided(self.r, 1003, daemon=a))
        self.assertEqual(a.stop(), 0)
        self.assertEqual(b.stop(), 0)
        got = self.by_id()
        self.assertEqual(len(got), 1003)
        approved = [k for k, o in got.items() if k.startswith("f") and
                    o["decision"] == "approve"]
        self.assertEqual(len(approved), 5, sorted(approved, key=lambda k: int(k[1:])))
        self.assertTrue(all(got["q%d" % i]["decision"] == "approve"
                            for i in range(3)))
        self.assertEqual(harness.pending(self.r), 0)
        # Both daemons took part.
        names = {c["name"].decode(): c for c in
                 self.r.xinfo_consumers(IN, harness.GROUP)}
        self.assertEqual(set(names), {"a", "b"})

    def test_copy_paste(self):
        variants = ["Sign the petition to stop the car ban NOW!!!",
                    "sign the petition to stop the car ban now",
                    "Sign  the petition, to stop the car-ban now."]
        for i in range(50):
            self.r.xadd(IN, {"id": "p%02d" % i, "author": "user%d" % i,
                             "text": variants[i % 3]})
        # Short texts never count as copies.
        for i in range(6):
            self.r.xadd(IN, {"id": "s%d" % i, "author": "u%d" % i,
                             "text": "I agree!"})
        d = self.daemon(rules=self.rules())
        self.assertTrue(harness.wait_decided(self.r, 56, daemon=d))
        self.assertEqual(d.stop(), 0)
        got = self.by_id()
        for i in range(50):
            o = got["p%02d" % i]
            if i < 3:
                self.assertEqual(o["decision"], "approve", o)
            else:
                self.assertEqual((o["decision"], o["rules"]),
                                 ("flag", "copy-paste"), o)
        self.assertTrue(all(got["s%d" % i]["decision"] == "approve"
                            for i in range(6)))
        # No comment text is stored in the windows: their keys are digests.
        fields = [f.decode() for h in self.r.scan_iter(
            "moderatord:rl:copy-paste:p600000:[0-9]*") for f in self.r.hkeys(h)
            if f != MARK]
        self.assertEqual(len(set(fields)), 1)
        self.assertRegex(fields[0], r"^#:[0-9a-f]{32}$")

    def test_conditions_and_final(self):
        rows = [
            ("c1", {"author": "newbie", "author_age_days": "1",
                    "text": "see http://x.org"}, "flag", "new-links"),
            ("c2", {"author": "old", "author_age_days": "400",
                    "text": "see http://x.org"}, "approve", ""),
            ("c3", {"author": "odd", "author_age_days": "unknown",
                    "text": "see http://x.org"}, "approve", ""),
            ("c4", {"author": "staff-jo", "text": "viagra study"},
             "approve", "trusted"),
            ("c5", {"author": "bob", "text": "buy viagra"}, "reject", "spam"),
        ]
        for cid, f, _, _ in rows:
            self.r.xadd(IN, dict(f, id=cid))
        d = self.daemon(rules=self.rules())
        self.assertTrue(harness.wait_decided(self.r, len(rows), daemon=d))
        self.assertEqual(d.stop(), 0)
        got = self.by_id()
        for cid, _, decision, rules in rows:
            self.assertEqual((got[cid]["decision"], got[cid]["rules"]),
                             (decision, rules), cid)

    def test_final_comments_still_count(self):
        # Staff comments are approved by a final rule, yet count toward
        # the flood limit: decisions never reset a window.
        for i in range(4):
            self.xadd_at(5000 + i, {"id": "t%d" % i, "author": "staff-jo",
                                    "text": "note %d" % i})
        d = self.daemon(rules=self.rules())
        self.assertTrue(harness.wait_decided(self.r, 4, daemon=d))
        self.assertEqual(d.stop(), 0)
        self.assertTrue(all(o["decision"] == "approve" and
                            o["rules"] == "trusted"
                            for o in harness.decisions(self.r)))
        self.assertEqual(window(self.r, "flood", 60000, "8:staff-jo"),
                         [5001, 5002, 5003])      # max + 1 kept

    def test_script_flush_and_redis_restart(self):
        rules = self.rules()
        d = self.daemon(rules=rules)
        self.r.xadd(IN, {"id": "r1", "author": "alice", "text": "one"})
        self.assertTrue(harness.wait_decided(self.r, 1, daemon=d))
        self.r.script_flush()
        self.r.xadd(IN, {"id": "r2", "author": "alice", "text": "two"})
        self.assertTrue(harness.wait_decided(self.r, 2, daemon=d))
        self.assertTrue(d.wait_log("decide script was gone"))
        self.assertEqual(d.stop(), 0)

        # A real restart: windows survive (appendonly), the script does
        # not. This version exits when Redis goes away (systemd restarts
        # it); reconnecting in place is a later issue.
        self.redis.restart()
        self.r = self.redis.client()
        self.r.xadd(IN, {"id": "r3", "author": "alice", "text": "three"})
        d = self.daemon(rules=rules, consumer="test-2")
        self.assertTrue(harness.wait_decided(self.r, 3, daemon=d))
        self.assertEqual(d.stop(), 0)
        got = self.by_id()
        self.assertEqual([got["r%d" % i]["decision"] for i in (1, 2, 3)],
                         ["approve", "approve", "flag"])

    def test_redelivery_counts_once(self):
        # Entries read and never acknowledged by a consumer that died are
        # decided by its successor and counted once: the approved count is
        # exact however often the daemon is killed.
        p = self.r.pipeline(transaction=False)
        for i in range(3000):
            p.xadd(IN, {"id": "k%d" % i, "author": "flooder",
                        "text": "again %d" % i}, id="%d-0" % (10**6 + i))
        p.execute()
        rules = self.rules(max_=5)
        # Every daemon rereads the pending entries, and under valgrind one
        # is killed before it decides any: the first ones are delivered six
        # times, past the default limit, which would dead-letter them.
        conf = "redis:\n  batch_size: 20\n  max_deliveries: 20\n"
        pend = self.kill_four(rules, conf)
        sys.stderr.write("pending after each SIGKILL: %s\n" % pend)
        d = self.daemon(rules=rules, conf=conf)
        self.assertTrue(harness.wait_decided(self.r, 3000, daemon=d))
        self.assertEqual(d.stop(), 0)
        out = harness.decisions(self.r)
        self.assertEqual(len(out), 3000)
        self.assertEqual(len({o["id"] for o in out}), 3000)
        self.assertEqual(sum(o["decision"] == "approve" for o in out), 5)
        self.assertEqual([o["id"] for o in out if o["decision"] ==
                          "approve"], ["k0", "k1", "k2", "k3", "k4"])

    def distinct_rules(self):
        d = os.path.join(self.tmp, "distinct")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "r.yaml"), "w") as f:
            for name, thread, m in (("swarm", "short", 3),
                                    ("swarm-long", "long", 70),
                                    ("swarm-kill", "kill", 5)):
                f.write("- name: %s\n  when: { thread: '^%s$' }\n"
                        "  rate_limit: { key: thread, max: %d, per: 1h, "
                        "distinct: author }\n  action: flag\n"
                        % (name, thread, m))
        return d

    def test_distinct_values(self):
        # A thread counts its distinct authors: one author posting again
        # and again is one, an anonymous comment none. A short window and
        # a long one (sorted set) alike.
        rows = []
        for m, thread in ((3, "short"), (70, "long")):
            authors = ["a0"] * 5 + ["a%d" % i for i in range(1, m)]
            authors += [None, "a%d" % m, "a0"]
            want = ["approve"] * (5 + m) + ["flag", "flag"]
            rows += [(thread, a, w) for a, w in zip(authors, want)]
        for i, (thread, a, _) in enumerate(rows):
            f = {"id": "d%d" % i, "thread": thread, "text": "x"}
            if a is not None:
                f["author"] = a
            self.r.xadd(IN, f)
        d = self.daemon(rules=self.distinct_rules())
        self.assertTrue(harness.wait_decided(self.r, len(rows), daemon=d))
        self.assertEqual(d.stop(), 0)
        got = self.by_id()
        self.assertEqual([got["d%d" % i]["decision"] for i in range(len(rows))],
                         [w for _, _, w in rows])
        self.assertEqual(got["d%d" % (5 + 3 + 1)]["rules"], "swarm")
        # Each author once, with its newest time: the window of 3 keeps 4.
        self.assertEqual(len(window(self.r, "swarm", 3600000, "d:5:short",
                                    width=24)), 4)
        self.assertEqual(self.r.zcard("moderatord:rl:swarm-long:d:4:long"),
                         71)
        p = subprocess.run([harness.MODERATORD, "--explain", "-r",
                            self.distinct_rules(), "--redis", self.redis.sock,
                            "thread=short", "author=a1"], input=b"again",
                           capture_output=True, timeout=30)
        self.assertIn("counts this comment under thread=short, counting "
                      "distinct author; 4 in the window now, over the limit",
                      p.stdout.decode())

    def test_distinct_through_kills(self):
        # Ten authors in turn on one thread, max 5 distinct: exactly five
        # comments are approved, of five different authors, however often
        # a daemon is killed and its entries redelivered, and with two
        # daemons at the end. (Which five depends on the order they are
        # decided in: the dead consumer's entries are claimed late, and a
        # comment counted after later ones counts them too.)
        p = self.r.pipeline(transaction=False)
        for i in range(600):
            p.xadd(IN, {"id": "k%d" % i, "author": "a%d" % (i % 10),
                        "thread": "kill", "text": "x"},
                   id="%d-0" % (10**6 + i))
        p.execute()
        out = self.decide_through_kills(self.distinct_rules(), 600)
        approved = [int(o["id"][1:]) for o in out
                    if o["decision"] == "approve"]
        self.assertEqual(len(approved), 5, approved)
        self.assertEqual(len({i % 10 for i in approved}), 5, approved)

    def test_explain_reads_windows(self):
        rules = self.rules()
        for i in range(3):
            self.r.xadd(IN, {"id": "e%d" % i, "author": "alice",
                             "text": "note %d" % i})
        d = self.daemon(rules=rules)
        self.assertTrue(harness.wait_decided(self.r, 3, daemon=d))
        self.assertEqual(d.stop(), 0)
        before = window(self.r, "flood", 60000, "5:alice")
        self.assertEqual(len(before), 3)
        p = subprocess.run([harness.MODERATORD, "--explain", "-r", rules,
                            "--redis", self.redis.sock, "author=alice"],
                           input=b"hello again", capture_output=True,
                           timeout=30)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(out, r"rate limit: flood \(flag, max 2 per 60000ms\) "
                         r".*: counts this comment under author=alice; 3 in "
                         r"the window now, over the limit with this one")
        self.assertIn("rate limit: copy-paste", out)
        self.assertIn("does not apply (conditions not met)", out)
        # Read, not counted.
        self.assertEqual(window(self.r, "flood", 60000, "5:alice"), before)
        p = subprocess.run([harness.MODERATORD, "--explain", "-r", rules,
                            "--redis", self.redis.sock, "author=carol"],
                           input=b"first", capture_output=True, timeout=30)
        self.assertIn("0 in the window now, within it", p.stdout.decode())

    def window_rules(self, name, per):
        d = os.path.join(self.tmp, name)
        os.makedirs(d)
        with open(os.path.join(d, "r.yaml"), "w") as f:
            f.write("- name: flood\n  rate_limit: { key: author, max: 5, "
                    "per: %s }\n  action: flag\n" % per)
        return d

    def test_many_authors_bounded(self):
        """100,000 authors: a window each, of a small fixed size, in period
        hashes dropped per + slack after their last write (expiring twice
        that after it, if no comment comes to drop them), and short windows
        really do go."""
        n = 100000
        p = self.r.pipeline(transaction=False)
        for i in range(n):
            p.xadd(IN, {"id": "a%d" % i, "author": "author-%d" % i,
                        "text": "hello %d" % i})
            if i % 5000 == 4999:
                p.execute()
        p.execute()
        # Windows long enough to outlast the slowest (valgrind) run.
        d = self.daemon(rules=self.window_rules("long", "10m"),
                        conf="redis:\n  rate_limit_slack: 1s\n"
                        "log:\n  stdout_decisions: none\n")
        self.assertTrue(harness.wait_decided(self.r, n, timeout=300,
                                             daemon=d))
        self.assertEqual(d.stop(), 0)
        hashes = [h for h in self.r.scan_iter("moderatord:rl:flood:p600000:*",
                                              count=1000)
                  if not h.endswith(b"periods")]
        windows = sum(self.r.hlen(h) - self.r.hexists(h, MARK) for h in hashes)
        used = sum(self.r.memory_usage(h, samples=0) for h in hashes)
        sys.stderr.write("%d windows in %d period hashes, %.0f bytes each "
                         "(MEMORY USAGE)\n" % (windows, len(hashes),
                                                used / windows))
        self.assertEqual(windows, n)
        self.assertLessEqual(len(hashes), 2)
        for h in hashes:
            self.assertTrue(0 < self.r.pttl(h) <= 2 * (600000 + 1000), h)
            for f, v in self.r.hscan(h, count=1000)[1].items():
                if f != MARK:
                    self.assertLessEqual(len(v), 6 * 8)     # max + 1 times
        self.assertLess(used / windows, 200)

        # Short windows under another prefix: gone after per + slack.
        p = self.r.pipeline(transaction=False)
        for i in range(1000):
            p.xadd(IN, {"id": "s%d" % i, "author": "short-%d" % i,
                        "text": "hi"})
        p.execute()
        d = self.daemon(rules=self.window_rules("short", "1s"),
                        consumer="test-2",
                        conf="redis:\n  rate_limit_slack: 1s\n"
                        "  rate_limit_prefix: 'short:'\n")
        self.assertTrue(harness.wait_decided(self.r, n + 1000, daemon=d))
        self.assertEqual(d.stop(), 0)
        deadline = time.time() + 60
        while list(self.r.scan_iter("short:*", count=1000)):
            self.assertLess(time.time(), deadline, "short windows stayed")
            time.sleep(0.2)


if __name__ == "__main__":
    harness.main()
