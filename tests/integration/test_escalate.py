#!/usr/bin/env python3
"""Repeat offenders against a real Redis: an escalate rule's strikes from
decisions and from moderators' verdicts, its steps applied and decayed by
the entries' own times, a strike taken back by an approve verdict."""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IN  # noqa: E402

RULES = """
- name: spam
  words: [viagra]
  action: reject
- name: repeat-offenders
  escalate:
    key: author
    strikes_from: [reject, remove]
    decay: 7d
    steps:
      - { strikes: 2, action: flag }
      - { strikes: 4, action: reject, for: 24h }
  reason: repeat offender
"""

H = 3600 * 1000
DAY = 24 * H
T0 = 10**12
VERDICTS = "comments:verdicts"


class EscalateTest(harness.TestCase):

    appendonly = True

    def rules(self, text=RULES):
        return self.rules_dir(text)

    def test_steps_and_decay(self):
        # One author's comments at set times: spam is rejected and each
        # rejection is a strike; two strikes flag the next comments, four
        # reject them for a day after the last one, then flag again while
        # the strikes last; seven days after a strike it no longer counts.
        # Another author is never touched, and a flag is no strike.
        rows = [(0, "viagra", "reject", ""),
                (1 * H, "hello there", "approve", ""),
                (2 * H, "viagra", "reject", ""),
                (3 * H, "hello again", "flag", "2 strikes"),
                (4 * H, "cheap viagra", "reject", ""),
                (5 * H, "viagra now", "reject", ""),
                (6 * H, "just saying", "reject", "4 strikes"),
                (5 * H + DAY - 1, "still here", "reject", "4 strikes"),
                (5 * H + DAY, "a day later", "flag", "4 strikes"),
                (7 * DAY + 2 * H, "a week on", "flag", "2 strikes"),
                (7 * DAY + 5 * H, "all decayed", "approve", "")]
        for i, (t, text, _, _) in enumerate(rows):
            self.r.xadd(IN, {"id": "t%d" % i, "author": "troll",
                             "text": text}, id="%d-0" % (T0 + t))
            self.r.xadd(IN, {"id": "n%d" % i, "author": "nice",
                             "text": "hello"}, id="%d-1" % (T0 + t))
        d = self.daemon(rules=self.rules())
        self.assertTrue(harness.wait_decided(self.r, 2 * len(rows),
                                             daemon=d))
        self.assertEqual(d.stop(), 0)
        got = self.by_id()
        self.assertEqual([got["t%d" % i]["decision"]
                          for i in range(len(rows))],
                         [w for _, _, w, _ in rows])
        for i, (_, _, _, why) in enumerate(rows):
            if why:
                self.assertEqual(got["t%d" % i]["reason"],
                                 "repeat offender: %s in 7d" % why)
                self.assertIn("repeat-offenders",
                              got["t%d" % i]["rules"].split(","))
        self.assertEqual(got["t6"]["rules"], "repeat-offenders")
        self.assertTrue(all(got["n%d" % i]["decision"] == "approve"
                            for i in range(len(rows))))
        # The strikes kept: the key expires, and holds the four rejected
        # comments whose decay had not passed when the last one came.
        keys = list(self.r.scan_iter("moderatord:rl:repeat-offenders:*"))
        self.assertEqual(len(keys), 1, keys)
        self.assertTrue(self.r.pttl(keys[0]) > 0)
        self.assertEqual(self.r.zrange(keys[0], 0, -1),
                         [b"t0", b"t2", b"t4", b"t5"])

    def test_verdicts_strike_and_take_back(self):
        # With verdicts: an approve verdict on a rejected comment takes
        # its strike back, so the author's next comment is not flagged; a
        # remove verdict on a comment no rule held, sent with the
        # comment's author, is a strike, so the next one is.
        conf = "redis:\n  verdict_stream: %s\n" % VERDICTS
        d = self.daemon(rules=self.rules(), conf=conf)
        seq = [0]

        def post(cid, author, text):
            seq[0] += 1
            n = self.r.xlen(harness.OUT) if self.r.exists(harness.OUT) else 0
            self.r.xadd(IN, {"id": cid, "author": author, "text": text},
                        id="%d-0" % (T0 + seq[0] * 1000))
            self.assertTrue(harness.wait_decided(self.r, n + 1, daemon=d))
            return self.by_id()[cid]

        def verdict(cid, v, strikes_key, want, **fields):
            self.r.xadd(VERDICTS, dict(fields, id=cid, verdict=v))
            deadline = time.time() + 60
            while time.time() < deadline:
                if self.r.zcard(strikes_key) == want:
                    return
                time.sleep(0.05)
            self.fail("strikes of %s: %d, want %d" % (
                strikes_key, self.r.zcard(strikes_key), want))

        key = "moderatord:rl:repeat-offenders:s:6:victim"
        self.assertEqual(post("v1", "victim", "viagra")["decision"], "reject")
        self.assertEqual(post("v2", "victim", "viagra")["decision"], "reject")
        self.assertEqual(self.r.zcard(key), 2)
        verdict("v2", "approve", key, 1)
        self.assertEqual(post("v3", "victim", "fine words")["decision"],
                         "approve")
        verdict("v2", "remove", key, 2)    # the moderator changed their mind
        o = post("v4", "victim", "more words")
        self.assertEqual((o["decision"], o["reason"]),
                         ("flag", "repeat offender: 2 strikes in 7d"))

        key = "moderatord:rl:repeat-offenders:s:6:sneaky"
        self.assertEqual(post("s1", "sneaky", "subtle abuse")["decision"],
                         "approve")
        self.assertEqual(post("s2", "sneaky", "more of it")["decision"],
                         "approve")
        verdict("s1", "remove", key, 1, author="sneaky")
        verdict("s2", "remove", key, 2, author="sneaky")
        self.assertEqual(post("s3", "sneaky", "and again")["decision"],
                         "flag")
        self.assertEqual(d.stop(), 0)

    def test_explain_and_moderatorctl(self):
        # Strikes now: --explain --redis shows the step that would apply
        # to the author's next comment, moderatorctl strikes lists them.
        for i in range(4):
            self.r.xadd(IN, {"id": "c%d" % i, "author": "troll",
                             "text": "viagra %d" % i})
        d = self.daemon(rules=self.rules())
        self.assertTrue(harness.wait_decided(self.r, 4, daemon=d))
        p = subprocess.run([harness.MODERATORD, "--explain", "-r",
                            self.rules(), "--redis", self.redis.sock,
                            "author=troll"], input=b"hello",
                           capture_output=True, timeout=30)
        line = [ln for ln in p.stdout.decode().splitlines()
                if ln.startswith("escalate: repeat-offenders")][0]
        self.assertRegex(line, r"counts this comment under author=troll; "
                         r"4 strikes in 7d now, the step of 4 applies: "
                         r"reject for 23h5\dm more")
        p = harness.ctl(self.redis, "strikes", "troll")
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("repeat-offenders: 4 strikes in 7d; the next comment "
                      "is rejected", out)
        self.assertEqual([ln.split()[-1] for ln in out.splitlines()[1:]],
                         ["c3", "c2", "c1", "c0"])
        p = harness.ctl(self.redis, "strikes", "--json", "troll")
        o = json.loads(p.stdout)
        self.assertEqual((o["rule"], o["strikes"], o["step"]),
                         ("repeat-offenders", 4, "reject"))
        self.assertEqual([x["id"] for x in o["comments"]],
                         ["c3", "c2", "c1", "c0"])
        p = harness.ctl(self.redis, "strikes", "nobody")
        self.assertIn("repeat-offenders: 0 strikes in 7d\n",
                      p.stdout.decode())
        self.assertEqual(d.stop(), 0)

    def test_shadow_ladder(self):
        # A shadow ladder names itself in the shadow field and decides
        # nothing.
        text = RULES.replace("  reason: repeat offender",
                             "  reason: repeat offender\n  mode: shadow")
        for i, t in enumerate(["viagra", "viagra", "hello"]):
            self.r.xadd(IN, {"id": "c%d" % i, "author": "x", "text": t},
                        id="%d-0" % (T0 + i))
        d = self.daemon(rules=self.rules(text))
        self.assertTrue(harness.wait_decided(self.r, 3, daemon=d))
        self.assertEqual(d.stop(), 0)
        got = self.by_id()
        self.assertEqual((got["c2"]["decision"], got["c2"]["shadow"]),
                         ("approve", "repeat-offenders"))

    def test_bad_ladders_refused(self):
        for bad, why in [
                ("escalate: { key: author, strikes_from: [approve], "
                 "decay: 7d, steps: [{ strikes: 2, action: flag }] }",
                 "a strike comes from reject or flag"),
                ("escalate: { key: author, strikes_from: [reject], "
                 "decay: 7d, steps: [{ strikes: 2, action: flag }, "
                 "{ strikes: 2, action: reject }] }",
                 "steps go up"),
                ("escalate: { key: author, strikes_from: [reject], "
                 "decay: 7d, steps: [{ strikes: 2, action: approve }] }",
                 "a step's action is flag or reject"),
                ("escalate: { key: author, strikes_from: [reject], "
                 "steps: [{ strikes: 2, action: flag }] }",
                 "escalate needs decay"),
                ("escalate: { key: author, strikes_from: [reject], "
                 "decay: 7d, steps: [{ strikes: 2, action: flag }] }\n"
                 "  action: flag",
                 "an escalate rule takes its actions from its steps")]:
            d = self.rules("- name: x\n  %s\n" % bad)
            p = subprocess.run([harness.MODERATORD, "-t", "-r", d],
                               capture_output=True, timeout=30)
            self.assertNotEqual(p.returncode, 0, bad)
            self.assertIn(why.encode(), p.stdout + p.stderr, bad)


if __name__ == "__main__":
    harness.main()
