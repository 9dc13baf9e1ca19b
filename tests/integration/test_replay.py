#!/usr/bin/env python3
"""moderatord --replay: a rule edit's exact effect on a capture (JSON
lines and a stream left untouched), rate limits replayed as the daemon
counts them, --fail-on-change, --at, and malformed lines."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IN  # noqa: E402

OLD = """\
- name: spam
  words: [viagra]
  action: reject
- name: link
  match: 'https?://'
  action: flag
- name: fruit
  match: 'apple'
  action: flag
- name: flood
  rate_limit: { key: author, max: 2, per: 60s }
  action: flag
"""
NEW = """\
- name: spam
  words: [viagra, cialis]
  action: reject
- name: fruit
  match: 'apple'
  action: flag
- name: shout
  match: '!!!'
  action: flag
- name: flood
  rate_limit: { key: author, max: 2, per: 60s }
  action: flag
"""
COMMENTS = [
    ("c1", "a1", "buy viagra"),          # reject both
    ("c2", "a2", "buy cialis"),          # approve -> reject (spam +1)
    ("c3", "a3", "see http://x.example"),  # flag -> approve (link -1)
    ("c4", "a4", "wow!!!"),              # approve -> flag (shout +1)
    ("c5", "a5", "an apple"),            # flag both
    ("c6", "a6", "http://x.example cialis"),  # flag -> reject
    ("f1", "fl", "hello"), ("f2", "fl", "hello"),
    ("f3", "fl", "hello"),               # over: flag both
    ("f4", "fl", "hello"),               # over: flag both
]


class ReplayTest(harness.TestCase):

    def rules(self, name, text):
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "10-rules.yaml"), "w") as f:
            f.write(text)
        return d

    def replay(self, *args, stdin=None):
        p = subprocess.run([harness.MODERATORD, "--replay"] + list(args),
                           input=stdin, capture_output=True, timeout=120)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def jsonl(self):
        return "".join(json.dumps({"id": c, "author": a, "text": t,
                                   "ts": 1000 * (i + 1)}) + "\n"
                       for i, (c, a, t) in enumerate(COMMENTS)).encode()

    def check_report(self, d):
        self.assertEqual(d["total"], 10)
        self.assertEqual(d["changed"], 4)
        self.assertEqual({k: v["count"] for k, v in d["transitions"].items()},
                         {"approve -> reject": 1, "flag -> approve": 1,
                          "approve -> flag": 1, "flag -> reject": 1})
        got = {k: (v["gained"], v["lost"]) for k, v in d["rules"].items()}
        self.assertEqual(got, {"spam": (2, 0), "link": (0, 2),
                               "shout": (1, 0), "fruit": (0, 0),
                               "flood": (0, 0)})
        self.assertEqual((d["rules"]["flood"]["old"],
                          d["rules"]["flood"]["new"]), (2, 2))
        ex = d["transitions"]["approve -> reject"]["examples"]
        self.assertEqual([(e["id"], e["match"]) for e in ex],
                         [("c2", "cialis")])
        self.assertEqual(sorted(e["id"] for e in
                                d["rules"]["link"]["examples"]), ["c3", "c6"])
        self.assertEqual(d["never_fired"], [])

    def test_jsonl(self):
        old, new = self.rules("old", OLD), self.rules("new", NEW)
        rc, out, err = self.replay(old, "-r", new, "--json",
                                   stdin=self.jsonl())
        self.assertEqual(rc, 0, err)
        self.check_report(json.loads(out))
        # The text report says the same.
        rc, out, err = self.replay(old, "-r", new, stdin=self.jsonl())
        self.assertEqual(rc, 0, err)
        self.assertIn("10 comments replayed, 4 decisions changed", out)
        self.assertRegex(out, r"approve -> reject\s+1\n\s+c2: \"buy cialis\""
                              r"\s+\[matched \"cialis\"\]")
        self.assertRegex(out, r"link\s+\+0 -2")
        # --fail-on-change: 2 when a decision changes, 0 when none does.
        rc, _, _ = self.replay(old, "-r", new, "--fail-on-change",
                               stdin=self.jsonl())
        self.assertEqual(rc, 2)
        rc, out, _ = self.replay(old, "-r", old, "--fail-on-change",
                                 stdin=self.jsonl())
        self.assertEqual(rc, 0)
        self.assertIn("0 decisions changed", out)
        # Broken new rules: exit 1.
        bad = self.rules("bad", "- name: x\n  match: '('\n  action: flag\n")
        rc, _, err = self.replay(old, "-r", bad, stdin=self.jsonl())
        self.assertEqual(rc, 1)
        self.assertIn("bad regex", err)

    def test_verdicts(self):
        """What the edit gains and loses, judged by moderators' verdicts
        (the last one on a comment counts), and each set's precision."""
        old, new = self.rules("old", OLD), self.rules("new", NEW)
        verdicts = [("c1", "remove"), ("c2", "remove"), ("c3", "approve"),
                    ("c4", "remove"), ("c4", "approve"), ("c5", "remove"),
                    ("c6", "remove"), ("f3", "approve"),
                    ("nobody", "remove")]
        path = os.path.join(self.tmp, "verdicts.jsonl")
        with open(path, "w") as f:
            for cid, v in verdicts:
                f.write(json.dumps({"id": cid, "verdict": v}) + "\n")
            f.write('{"id": "c9", "verdict": "maybe"}\n')
        rc, out, err = self.replay(old, "-r", new, "--json", "--verdicts",
                                   path, stdin=self.jsonl())
        self.assertEqual(rc, 0, err)
        self.assertIn("verdicts.jsonl:10: not a verdict", err)
        d = json.loads(out)
        self.check_report(d)
        v = d["verdicts"]
        self.assertEqual(v["judged"], 7)
        self.assertEqual((v["old"]["held_removed"], v["old"]["held_approved"],
                          v["old"]["approved_removed"]), (3, 2, 1))
        self.assertEqual((v["new"]["held_removed"], v["new"]["held_approved"],
                          v["new"]["approved_removed"]), (4, 2, 0))
        self.assertAlmostEqual(v["old"]["precision"], 0.6)
        self.assertAlmostEqual(v["new"]["precision"], 4 / 6)
        r = d["rules"]
        self.assertEqual((r["spam"]["gained_removed"],
                          r["spam"]["gained_approved"]), (2, 0))
        self.assertEqual((r["link"]["lost_removed"],
                          r["link"]["lost_approved"]), (1, 1))
        self.assertEqual((r["shout"]["gained_removed"],
                          r["shout"]["gained_approved"]), (0, 1))
        rc, out, err = self.replay(old, "-r", new, "--verdicts", path,
                                   stdin=self.jsonl())
        self.assertEqual(rc, 0, err)
        self.assertIn("of the 2 gained, 2 removed and 0 approved", out)
        self.assertIn("moderators' verdicts on 7 of the comments", out)
        self.assertIn("new rules held 6 of them (4 removed, 2 approved by "
                      "moderators): precision 0.67", out)
        # The same verdicts from the stream, read and left as they were.
        for cid, said in verdicts:
            self.r.xadd("comments:verdicts", {"id": cid, "verdict": said})
        rc, out, err = self.replay(old, "-r", new, "--json",
                                   "--from-verdicts", "--redis",
                                   self.redis.sock, stdin=self.jsonl())
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["verdicts"], v)
        self.assertEqual(self.r.xlen("comments:verdicts"), len(verdicts))
        rc, _, err = self.replay(old, "--verdicts", path, "--from-verdicts",
                                 stdin=self.jsonl())
        self.assertEqual(rc, 1)
        rc, _, err = self.replay(old, "-r", new, "--verdicts",
                                 "/nonexistent", stdin=self.jsonl())
        self.assertEqual(rc, 1)
        self.assertIn("/nonexistent", err)

    def test_malformed_lines_are_counted(self):
        old = self.rules("old", OLD)
        lines = self.jsonl().splitlines(keepends=True)
        lines.insert(2, b"{not json\n")
        lines.insert(5, b"[1, 2]\n")
        rc, out, err = self.replay(old, "-r", old, "--json",
                                   stdin=b"".join(lines))
        self.assertEqual(rc, 0, err)
        d = json.loads(out)
        self.assertEqual((d["total"], d["malformed"]), (10, 2))
        self.assertEqual((d["unreadable"], d["malformed_entries"]), (2, 0))
        self.assertIn("line 3:", err)
        self.assertIn("line 6:", err)
        # Comments without an id or a text are read, decided flag, and
        # counted as malformed too.
        lines = self.jsonl().splitlines(keepends=True)
        lines += [b'{"ts": 5, "text": "no id"}\n', b'{"ts": 6, "id": "x"}\n']
        rc, out, err = self.replay(old, "-r", old, "--json",
                                   stdin=b"".join(lines))
        d = json.loads(out)
        self.assertEqual((d["total"], d["malformed"], d["unreadable"],
                          d["malformed_entries"]), (12, 2, 0, 2))

    def test_at(self):
        rules = self.rules("w", "- name: surge\n  match: 'polls'\n"
                           "  action: reject\n"
                           "  valid_from: 2026-11-03T06:00:00Z\n"
                           "  valid_until: 2026-11-04T06:00:00Z\n")
        plain = self.rules("p", "- name: surge\n  match: 'polls'\n"
                           "  action: reject\n")
        line = b'{"id": "p1", "text": "the polls"}\n'
        for at, changed in (("2026-11-03T12:00:00Z", 0),
                            ("2026-11-05T00:00:00Z", 1)):
            rc, out, err = self.replay(plain, "-r", rules, "--json", "--at",
                                       at, stdin=line)
            self.assertEqual(rc, 0, err)
            self.assertEqual(json.loads(out)["changed"], changed, at)
        p = subprocess.run([harness.MODERATORD, "--explain", "-r", rules,
                            "--at", "2026-11-03T12:00:00+01:00"],
                           input=b"the polls", capture_output=True,
                           timeout=60)
        self.assertIn("decision: reject", p.stdout.decode())
        rc, _, err = self.replay(plain, "--at", "yesterday", stdin=line)
        self.assertEqual(rc, 1)
        self.assertIn("--at", err)

    def replay_stream(self, old, new):
        """--replay of the input stream's entries with rules old and new,
        as JSON."""
        rc, out, err = self.replay(old, "-r", new, "--json", "--redis",
                                   self.redis.sock, "--from-stream", IN,
                                   "--count", "100")
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def test_stream_untouched_and_limits_as_the_daemon(self):
        # Controlled entry ids: event times 1 s, 2 s, 3 s, then 100 s on.
        times = [1, 2, 3, 100, 101, 102]
        for i, t in enumerate(times):
            self.r.xadd(IN, {"id": "f%d" % (i + 1), "author": "fl",
                             "text": "hello"}, id="%d-0" % (t * 1000))
        nolimit = self.rules("nolimit", "- name: fruit\n  match: 'apple'\n"
                             "  action: flag\n")
        limit = self.rules("limit", "- name: fruit\n  match: 'apple'\n"
                           "  action: flag\n- name: flood\n  rate_limit: "
                           "{ key: author, max: 2, per: 60s }\n"
                           "  action: flag\n")
        d = self.replay_stream(nolimit, limit)
        self.assertEqual(d["total"], 6)
        self.assertEqual(d["rules"]["flood"]["gained"], 2)
        replayed = sorted(e["id"] for e in d["rules"]["flood"]["examples"])
        self.assertEqual(replayed, ["f3", "f6"])
        # Read, not consumed: same length, no group made.
        self.assertEqual(self.r.xlen(IN), 6)
        self.assertEqual(self.r.xinfo_groups(IN), [])
        # --count takes the newest.
        rc, out, _ = self.replay(nolimit, "-r", limit, "--json", "--redis",
                                 self.redis.sock, "--from-stream", IN,
                                 "--count", "2")
        self.assertEqual(json.loads(out)["total"], 2)

        # The daemon, with the same rules on the same entries, agrees.
        dm = self.daemon(rules=limit)
        self.assertTrue(harness.wait_decided(self.r, 6, daemon=dm))
        flooded = sorted(o["id"] for o in harness.decisions(self.r)
                         if "flood" in o["rules"].split(","))
        self.assertEqual(flooded, replayed)
        self.assertEqual(dm.stop(), 0)


    def held_by_daemon(self, rules, rule, n):
        """The ids of the n comments of the input stream that a daemon
        with rules names rule for, sorted."""
        dm = self.daemon(rules=rules)
        self.assertTrue(harness.wait_decided(self.r, n, daemon=dm))
        self.assertEqual(dm.stop(), 0)
        return sorted(o["id"] for o in harness.decisions(self.r)
                      if rule in o["rules"].split(","))

    def test_distinct_limits_as_the_daemon(self):
        # A thread's distinct authors (max 2 per 60 s), replayed in memory
        # and decided by the daemon: the same comments held.
        rows = [("a", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5), ("d", 100),
                ("e", 101), ("a", 102)]
        for i, (author, t) in enumerate(rows):
            self.r.xadd(IN, {"id": "f%d" % (i + 1), "author": author,
                             "thread": "t1", "text": "hello"},
                        id="%d-0" % (t * 1000))
        nolimit = self.rules("nolimit", "- name: fruit\n  match: 'apple'\n"
                             "  action: flag\n")
        limit = self.rules("limit", "- name: swarm\n  rate_limit: { key: "
                           "thread, max: 2, per: 60s, distinct: author }\n"
                           "  action: flag\n")
        d = self.replay_stream(nolimit, limit)
        self.assertEqual(d["rules"]["swarm"]["gained"], 3)
        replayed = sorted(e["id"] for e in d["rules"]["swarm"]["examples"])
        self.assertEqual(replayed, ["f4", "f5", "f8"])
        self.assertEqual(self.held_by_daemon(limit, "swarm", len(rows)),
                         replayed)

    def test_brigade_as_the_daemon(self):
        # Edited copies from seven authors (one posts twice, one copy is
        # an hour late) between unrelated comments, near_text max 4
        # distinct authors: replayed in memory and decided by the daemon,
        # the same three held.
        from test_brigade import EDITS, UNRELATED
        rows = [(EDITS[i], "a%d" % i, 1000 * i) for i in range(7)]
        rows.insert(3, (EDITS[7], "a1", 2500))
        rows.append((EDITS[2], "late", 7000 + 3600 * 1000))
        rows += [(u, "u%d" % i, 50 + i) for i, u in enumerate(UNRELATED)]
        rows.sort(key=lambda r: r[2])
        for i, (text, author, t) in enumerate(rows):
            self.r.xadd(IN, {"id": "n%d" % i, "author": author,
                             "text": text}, id="%d-%d" % (10**9 + t, i))
        nolimit = self.rules("nolimit", "- name: fruit\n  match: 'apple'\n"
                             "  action: flag\n")
        limit = self.rules("limit", "- name: brigade\n  rate_limit: { key: "
                           "near_text, max: 4, per: 1h, distinct: author }\n"
                           "  action: flag\n")
        d = self.replay_stream(nolimit, limit)
        self.assertEqual(d["rules"]["brigade"]["gained"], 3)
        replayed = sorted(e["id"] for e in d["rules"]["brigade"]["examples"])
        held = self.held_by_daemon(limit, "brigade", len(rows))
        self.assertEqual(held, replayed)
        self.assertEqual(sorted(rows[int(i[1:])][1] for i in held),
                         ["a4", "a5", "a6"])

    def test_ladder_as_the_daemon(self):
        # A repeat offender's comments at set times, replayed in memory
        # and decided by the daemon: the same comments held by the ladder,
        # steps and decay alike.
        from test_escalate import RULES as LADDER, H, DAY, T0
        times = [0, H, 2 * H, 3 * H, 4 * H, 5 * H, 6 * H, 5 * H + DAY,
                 7 * DAY + 2 * H, 7 * DAY + 5 * H]
        texts = ["viagra", "hi", "viagra", "hi", "viagra", "viagra", "hi",
                 "hi", "hi", "hi"]
        for i, (t, text) in enumerate(zip(times, texts)):
            self.r.xadd(IN, {"id": "e%d" % i, "author": "troll",
                             "text": text}, id="%d-0" % (T0 + t))
        spam = "- name: spam\n  words: [viagra]\n  action: reject\n"
        nolimit = self.rules("spamonly", spam)
        ladder = self.rules("ladder", LADDER)
        d = self.replay_stream(nolimit, ladder)
        # e3 to e8: flagged, rejected, or named beside the spam rule.
        self.assertEqual(d["rules"]["repeat-offenders"]["gained"], 6)
        replayed = sorted(e["id"] for e in
                          d["rules"]["repeat-offenders"]["examples"])
        held = self.held_by_daemon(ladder, "repeat-offenders", len(times))
        self.assertEqual(held, ["e3", "e4", "e5", "e6", "e7", "e8"])
        self.assertEqual(held, replayed)

if __name__ == "__main__":
    harness.main()
