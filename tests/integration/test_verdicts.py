#!/usr/bin/env python3
"""Moderators' verdicts against a real Redis: each rule's counts, a
changed verdict, a redelivery after SIGKILL, unknown and malformed
verdicts, two daemons, demotion on both and its lift."""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_operations import PROMTOOL, get, samples  # noqa: E402

VERDICTS = "comments:verdicts"
COUNTS = "moderatord:v:counts"
DEMOTED = "moderatord:v:demoted"
TOTALS = "moderatord:v:totals"

RULES = """
- name: pills
  words: [viagra, cialis]
  action: reject
- name: noisy
  match: '\\bidiot'
  action: flag
  min_precision: 0.7
  min_verdicts: 10
- name: loud
  match: '!!!'
  action: reject
  min_precision: 0.8
  min_verdicts: 10
- name: trial
  match: 'moron'
  action: flag
  mode: shadow
"""


class VerdictTest(harness.TestCase):

    appendonly = True

    def rules(self):
        d = os.path.join(self.tmp, "rules")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "rules.yaml"), "w") as f:
            f.write(RULES)
        return d

    def counts(self):
        raw = self.r.hgetall(COUNTS)
        return {k.decode(): int(v) for k, v in raw.items()}

    def totals(self):
        return {k.decode(): int(v) for k, v in self.r.hgetall(TOTALS).items()}

    def verdict(self, cid, v, **kw):
        f = {"id": cid, "verdict": v}
        f.update(kw)
        return self.r.xadd(VERDICTS, f)

    def wait_acked(self, timeout=60):
        """Every verdict read and acknowledged by the group."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                g = [x for x in self.r.xinfo_groups(VERDICTS)
                     if x["name"] == harness.GROUP.encode()
                     or x["name"] == harness.GROUP]
            except Exception:
                g = []
            n = self.r.xlen(VERDICTS)
            if g and g[0]["pending"] == 0 and g[0].get("lag", 0) == 0 and \
                    g[0]["last-delivered-id"] == self.r.xrevrange(
                        VERDICTS, count=1)[0][0]:
                return n
            time.sleep(0.05)
        self.fail("verdicts not all acknowledged")

    def decide(self, comments, d):
        harness.push(self.r, comments)
        self.assertTrue(harness.wait_decided(self.r, len(comments), daemon=d))
        return {o["id"]: o for o in harness.decisions(self.r)}

    def test_counts_move_exactly(self):
        rules = self.rules()
        port = harness.free_port()
        d = self.daemon(rules=rules, conf="metrics:\n  listen: "
                        "\"127.0.0.1:%d\"\n" % port)
        out = self.decide([
            {"id": "c1", "text": "buy viagra, you idiot"},
            {"id": "c2", "text": "what a moron"},
            {"id": "c3", "text": "a fine comment"},
            {"id": "c4", "text": "idiot!!!"},
        ], d)
        self.assertEqual(out["c1"]["rules"], "pills,noisy")
        self.assertEqual(out["c2"]["shadow"], "trial")
        # decision_entry: the decision stream's entry the moderator saw.
        at = {f[b"id"].decode(): sid.decode()
              for sid, f in self.r.xrange(harness.OUT)}
        self.verdict("c1", "remove", decision_entry=at["c1"])
        self.verdict("c2", "approve")
        self.verdict("c3", "remove", decision_entry=at["c3"])
        self.verdict("nobody", "remove")
        self.verdict("", "remove")
        self.verdict("c4", "maybe")
        self.r.xadd(VERDICTS, {"verdict": "remove"})
        self.wait_acked()
        c = self.counts()
        self.assertEqual((c.get("pills|a"), c.get("noisy|a")), (1, 1))
        self.assertEqual(c.get("trial|d"), 1)
        self.assertNotIn("pills|d", c)
        t = self.totals()
        self.assertEqual((t["remove"], t["approve"], t["miss"],
                          t["unmatched"], t["malformed"]), (1, 1, 1, 1, 3))

        # A changed verdict moves the counts; the same one again, nothing.
        self.verdict("c1", "approve")
        self.verdict("c1", "approve")
        self.wait_acked()
        c = self.counts()
        self.assertEqual((c["pills|a"], c["pills|d"], c["noisy|a"],
                          c["noisy|d"]), (0, 1, 0, 1))
        t = self.totals()
        self.assertEqual((t["remove"], t["approve"], t["changed"]), (0, 2, 1))

        # The metrics say it too: this instance's counts, and precision
        # and demotion as Redis holds them (polled each second).
        deadline = time.time() + 30
        while True:
            body = get(port, "/metrics")[1]
            got = samples(body)
            if got.get('moderatord_rule_precision{rule="pills"}') == 0.0 or \
                    time.time() > deadline:
                break
            time.sleep(0.2)
        p = harness.subprocess.run([PROMTOOL, "check", "metrics"],
                                   input=body.encode(), capture_output=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(got['moderatord_rule_precision{rule="pills"}'], 0.0)
        self.assertEqual(got['moderatord_rule_verdicts_total{rule="pills",'
                             'outcome="agreed"}'], 1)
        self.assertEqual(got['moderatord_rule_verdicts_total{rule="pills",'
                             'outcome="disagreed"}'], 1)
        self.assertEqual(got['moderatord_rule_demoted{rule="noisy"}'], 0)
        for v, n in (("approve", 2), ("remove", 1), ("same", 1), ("miss", 1),
                     ("unmatched", 1), ("malformed", 3)):
            self.assertEqual(got['moderatord_verdicts_total{verdict="%s"}'
                                 % v], n, v)
        self.assertEqual(d.stop(), 0)
        self.assertIn("verdict entry", d.output())

    def test_join_record_of_an_older_daemon(self):
        """A comment decided before an upgrade, whose join record is the
        hash older daemons wrote, is still counted, and a changed
        verdict on it still moves."""
        rules = self.rules()
        d = self.daemon(rules=rules)
        out = self.decide([{"id": "n1", "text": "you idiot"}], d)
        self.assertEqual(out["n1"]["rules"], "noisy")
        t, e, dec, a, r, s = self.r.get("moderatord:v:j:n1").decode() \
            .split(" ")
        self.assertEqual((dec, a, r, s), ("flag", "f", "noisy", ""))
        self.r.hset("moderatord:v:j:o1", mapping={
            "r": "pills,noisy", "s": "trial", "a": "rff", "d": "reject",
            "t": t, "e": e})
        self.verdict("o1", "remove")
        self.verdict("n1", "approve")
        self.wait_acked()
        self.verdict("o1", "approve")
        self.verdict("n1", "remove")
        self.wait_acked()
        c = self.counts()
        self.assertEqual((c["pills|a"], c["pills|d"], c["trial|a"],
                          c["trial|d"]), (0, 1, 0, 1))
        self.assertEqual((c["noisy|a"], c["noisy|d"]), (1, 1))
        self.assertEqual(self.r.hget("moderatord:v:j:o1", "v"), b"approve")
        self.assertEqual(self.r.get("moderatord:v:j:n1").decode()
                         .split(" ")[6], "remove")
        self.assertGreater(self.r.pttl("moderatord:v:j:n1"), 0)
        self.assertEqual(self.totals()["changed"], 2)
        self.assertEqual(d.stop(), 0)

    def test_redelivery_after_sigkill_counts_once(self):
        rules = self.rules()
        d = self.daemon(rules=rules)
        out = self.decide([{"id": "k%d" % i, "text": "idiot %d" % i}
                           for i in range(50)], d)
        self.assertEqual(len(out), 50)
        # Verdicts read but not yet counted when the daemon dies: they
        # stay pending for its consumer, and are counted once after.
        self.r.xgroup_create(VERDICTS, harness.GROUP, id="0", mkstream=True) \
            if not self.r.exists(VERDICTS) else None
        for i in range(50):
            self.verdict("k%d" % i, "remove")
        d.proc.send_signal(signal.SIGKILL)
        d.wait()
        d2 = self.daemon(rules=rules)
        self.wait_acked()
        self.assertEqual(self.counts()["noisy|a"], 50)
        self.assertEqual(self.totals()["remove"], 50)
        self.assertEqual(d2.stop(), 0)

    def test_verdicts_wait_while_comments_do(self):
        """While the comments come in full batches, verdicts are counted
        at busy_rate a second at most (a daemon starting is taken to
        have a backlog until its first read says); once the comments
        are caught up, the rest are counted."""
        rules = self.rules()
        self.r.xgroup_create(VERDICTS, harness.GROUP, id="0", mkstream=True)
        p = self.r.pipeline(transaction=False)
        for i in range(600):
            p.xadd(VERDICTS, {"id": "nobody-%d" % i, "verdict": "remove"})
        p.execute()
        n = 10000
        harness.push(self.r, [{"id": "b%d" % i, "text": "idiot %d" % i}
                              for i in range(n)])
        t0 = time.monotonic()
        d = self.daemon(rules=rules, conf="redis:\n  batch_size: 10\n"
                        "verdicts:\n  busy_rate: 2\n")
        while self.r.xlen(harness.OUT) < n * 9 // 10:
            self.assertIsNone(d.proc.poll())
            time.sleep(0.01)
        counted = self.totals().get("unmatched", 0)
        bound = 2 * (time.monotonic() - t0 + 2)
        self.assertLessEqual(counted, bound)
        self.assertLess(counted, 600)
        self.assertTrue(harness.wait_decided(self.r, n, daemon=d))
        self.wait_acked(timeout=120)
        self.assertEqual(self.totals()["unmatched"], 600)
        self.assertEqual(d.stop(), 0)

    def test_demotion_on_two_daemons_and_reset(self):
        rules = self.rules()
        a = self.daemon(rules=rules, consumer="a")
        b = self.daemon(rules=rules, consumer="b")
        comments = [{"id": "n%d" % i, "text": "you idiot!!! %d" % i}
                    for i in range(40)]
        out = self.decide(comments, a)
        self.assertEqual(out["n0"]["decision"], "reject")
        # 2 agreed, then disagreed: at 10 verdicts (min_verdicts) the
        # upper bound of the interval, 0.51, is under both floors.
        for i in range(20):
            self.verdict("n%d" % i, "remove" if i < 2 else "approve")
        self.wait_acked()
        dem = {k.decode(): v.decode() for k, v in self.r.hgetall(
            DEMOTED).items()}
        self.assertEqual(sorted(dem), ["loud", "noisy"])
        self.assertTrue(dem["loud"].startswith("flag "))
        self.assertTrue(dem["noisy"].startswith("shadow "))
        # Logged once the script's answer is read, just after the ack.
        deadline = time.time() + 60
        while "rule loud demoted" not in a.output() + b.output() and \
                time.time() < deadline:
            time.sleep(0.05)
        logs = a.output() + b.output()
        self.assertEqual(logs.count("rule loud demoted to flag"), 1, logs)
        self.assertIn("precision 0.20 over 10 verdicts", logs)
        self.assertEqual(logs.count("demoted to"), 2, logs)
        time.sleep(2.5)     # both daemons poll the demotions each second
        n = harness.decisions(self.r).__len__()
        harness.push(self.r, [{"id": "after-%s-%d" % (w, i),
                               "text": "idiot!!! again"}
                              for w in ("x",) for i in range(20)])
        self.assertTrue(harness.wait_decided(self.r, n + 20, daemon=a))
        later = [o for o in harness.decisions(self.r)
                 if o["id"].startswith("after-")]
        self.assertEqual(len(later), 20)
        for o in later:
            self.assertEqual((o["decision"], o["rules"], o["shadow"]),
                             ("flag", "loud", "noisy"), o)
        # Both daemons decided some: the demotion held on each.
        self.assertEqual(len({o["entry"] for o in later}), 20)

        # Lifted by moderatorctl rules --reset: live again on both.
        ctl = harness.ctl(self.redis, "rules", "--reset", "loud")
        self.assertEqual(ctl.returncode, 0, ctl.stderr)
        self.assertNotIn(b"loud", b"".join(self.r.hkeys(DEMOTED)))
        time.sleep(2.5)
        harness.push(self.r, [{"id": "lifted", "text": "idiot!!! again"}])
        self.assertTrue(harness.wait_decided(self.r, n + 21, daemon=a))
        o = {o["id"]: o for o in harness.decisions(self.r)}["lifted"]
        self.assertEqual((o["decision"], o["rules"], o["shadow"]),
                         ("reject", "loud", "noisy"))
        p = harness.ctl(self.redis, "rules", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        import json
        rows = {x["rule"]: x for x in json.loads(p.stdout)}
        self.assertEqual(rows["noisy"]["state"], "demoted to shadow")
        self.assertEqual(rows["loud"]["state"], "live")
        self.assertEqual((rows["loud"]["agreed"], rows["loud"]["disagreed"]),
                         (2, 18))
        self.assertAlmostEqual(rows["loud"]["precision"], 0.1)
        self.assertEqual(rows["trial"]["state"], "shadow")
        p = harness.ctl(self.redis, "stats")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"moderators' verdicts (all time): 18 approve, 2 remove",
                      p.stdout)
        self.assertIn(b"rule noisy demoted to shadow", p.stdout)
        self.assertEqual(a.stop(), 0)
        self.assertEqual(b.stop(), 0)


if __name__ == "__main__":
    harness.main()
