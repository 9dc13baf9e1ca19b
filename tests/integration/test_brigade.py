#!/usr/bin/env python3
"""Brigades against a real Redis: near-identical texts from many authors
(rate_limit key: near_text), exact across daemons and redeliveries."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IN  # noqa: E402

RULES = """
- name: brigade
  rate_limit: { key: near_text, max: 4, per: 1h, distinct: author }
  action: flag
  reason: coordinated copies
- name: echo
  when: { thread: '^echo$' }
  rate_limit: { key: [thread, near_text], max: 2, per: 10m }
  action: flag
"""

POINT = ("The council lied to every one of us about the bridge budget, "
         "vote them all out in May and tell your neighbours to do the same. "
         "They promised the works would be finished before the winter and "
         "we are still waiting while the contractors send bills that "
         "nobody at the town hall is willing to explain to the residents")

# Edited copies: a word or three changed, an emoji, case, a line break.
EDITS = [
    POINT,
    POINT.replace("every one", "each one"),
    POINT.upper() + " 😡",
    POINT.replace("bridge budget", "bridge money").replace(", vote", ".\n"
                                                           "Vote"),
    POINT.replace("neighbours", "friends"),
    POINT.replace("in May", "this May").replace("lied", "lies"),
    "!!! " + POINT.replace("the same", "it too"),
    POINT.replace("council", "C0UNCIL"),
]

UNRELATED = [
    "Great match last night, the keeper saved everything they threw at him",
    "Does anyone know when the library reopens after the renovation?",
    "My grandmother made this exact soup every winter, thanks for the recipe",
    "The bus schedule changes next week, check the website before you travel",
]


class BrigadeTest(harness.TestCase):

    appendonly = True

    def rules(self):
        return self.rules_dir(RULES)

    def test_edited_copies_from_many_authors(self):
        # Eight authors paste edited copies, one of them twice, between
        # unrelated comments: the first four authors pass, the fifth
        # author's copy is the first flagged; the one who posts again is
        # still one author. An hour later the talking point passes again.
        rows = []
        t = 10**9
        for i, text in enumerate(EDITS):
            rows.append(("b%d" % i, "author%d" % i, text, t))
            rows.append(("u%d" % i, "other%d" % i,
                         UNRELATED[i % len(UNRELATED)] + " %d" % i, t + 1))
            t += 1000
            if i == 1:
                rows.append(("again", "author1", EDITS[3], t))
                t += 1000
        rows.append(("late", "latecomer", EDITS[5], t + 3600 * 1000 + 10**5))
        for i, (cid, author, text, ms) in enumerate(rows):
            self.r.xadd(IN, {"id": cid, "author": author, "thread": "t",
                             "text": text}, id="%d-%d" % (ms, i))
        d = self.daemon(rules=self.rules())
        self.assertTrue(harness.wait_decided(self.r, len(rows), daemon=d))
        self.assertEqual(d.stop(), 0)
        got = self.by_id()
        self.assertEqual([got["b%d" % i]["decision"] for i in range(8)],
                         ["approve"] * 4 + ["flag"] * 4)
        self.assertEqual(got["again"]["decision"], "approve")
        self.assertEqual(got["b4"]["rules"], "brigade")
        self.assertEqual(got["b4"]["reason"], "coordinated copies")
        self.assertTrue(all(got["u%d" % i]["decision"] == "approve"
                            for i in range(8)))
        self.assertEqual(got["late"]["decision"], "approve")
        # Every key the limit keeps expires.
        keys = list(self.r.scan_iter("moderatord:rl:brigade:*"))
        self.assertTrue(keys)
        self.assertTrue(all(self.r.pttl(k) > 0 for k in keys), keys)

    def test_counts_comments_and_thread(self):
        # Without distinct every near copy counts, by anyone, in its own
        # thread only: the third copy in thread echo is flagged, the same
        # text elsewhere is not; an unrelated text is never.
        rows = [("e1", "echo", EDITS[0]), ("e2", "echo", EDITS[1]),
                ("x1", "other", EDITS[2]), ("e3", "echo", UNRELATED[0]),
                ("e4", "echo", EDITS[4]), ("e5", "echo", EDITS[6])]
        for i, (cid, thread, text) in enumerate(rows):
            self.r.xadd(IN, {"id": cid, "author": "same", "thread": thread,
                             "text": text}, id="%d-0" % (10**9 + i))
        d = self.daemon(rules=self.rules())
        self.assertTrue(harness.wait_decided(self.r, len(rows), daemon=d))
        self.assertEqual(d.stop(), 0)
        got = self.by_id()
        self.assertEqual([got[c]["decision"] for c, _, _ in rows],
                         ["approve", "approve", "approve", "approve", "flag",
                          "flag"])
        self.assertEqual(got["e4"]["rules"], "echo")

    def test_short_texts_compared_exactly(self):
        # Under 20 characters a text is compared whole: "vote no" five
        # times from five authors is a brigade, five different short
        # words are not.
        rows = [("s%d" % i, "a%d" % i, "Vote NO!") for i in range(5)]
        rows += [("w%d" % i, "a%d" % i, w) for i, w in
                 enumerate(["vote no now", "vote yes", "no vote", "votes",
                            "vote on"])]
        for i, (cid, author, text) in enumerate(rows):
            self.r.xadd(IN, {"id": cid, "author": author, "text": text},
                        id="%d-0" % (10**9 + i))
        d = self.daemon(rules=self.rules())
        self.assertTrue(harness.wait_decided(self.r, len(rows), daemon=d))
        self.assertEqual(d.stop(), 0)
        got = self.by_id()
        self.assertEqual([got["s%d" % i]["decision"] for i in range(5)],
                         ["approve"] * 4 + ["flag"])
        self.assertTrue(all(got["w%d" % i]["decision"] == "approve"
                            for i in range(5)))

    def test_two_daemons_and_kills(self):
        # 300 edited copies by 10 authors in turn, max 4 distinct: exactly
        # four approved, of four authors, however often a daemon is killed
        # and its entries redelivered, and with two daemons at the end.
        p = self.r.pipeline(transaction=False)
        for i in range(300):
            text = EDITS[i % len(EDITS)] + " #%d" % (i % 3)
            p.xadd(IN, {"id": "k%d" % i, "author": "a%d" % (i % 10),
                        "text": text}, id="%d-0" % (10**9 + i))
        p.execute()
        out = self.decide_through_kills(self.rules(), 300)
        approved = [int(o["id"][1:]) for o in out
                    if o["decision"] == "approve"]
        self.assertEqual(len(approved), 4, approved)
        self.assertEqual(len({i % 10 for i in approved}), 4, approved)

    def test_explain_names_the_copies(self):
        # --explain --redis reads the buckets: the near-identical comments
        # by id with their similarity, how many authors count, and that a
        # fifth author's copy would be over the limit; unrelated comments
        # and the author's own earlier copy are not counted.
        for i in range(4):
            self.r.xadd(IN, {"id": "c%d" % i, "author": "a%d" % i,
                             "text": EDITS[i]})
        self.r.xadd(IN, {"id": "c4", "author": "a0", "text": EDITS[5]})
        self.r.xadd(IN, {"id": "u0", "author": "u", "text": UNRELATED[0]})
        d = self.daemon(rules=self.rules())
        self.assertTrue(harness.wait_decided(self.r, 6, daemon=d))
        self.assertEqual(d.stop(), 0)

        def explain(author, text):
            p = subprocess.run([harness.MODERATORD, "--explain", "-r",
                                self.rules(), "--redis", self.redis.sock,
                                "author=" + author],
                               input=text.encode(), capture_output=True,
                               timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            return [ln for ln in p.stdout.decode().splitlines()
                    if ln.startswith("rate limit: brigade")][0]
        line = explain("newcomer", EDITS[6])
        self.assertIn("counting distinct author; 4 in the window now, over "
                      "the limit with this one; near-identical: ", line)
        for c in ("c0", "c1", "c2", "c3", "c4"):
            self.assertRegex(line, r"\b%s \((0\.[7-9]\d|1\.00)\)" % c)
        self.assertNotIn("u0", line)
        line = explain("a0", UNRELATED[1])
        self.assertIn("0 in the window now, within it with this one", line)
        self.assertNotIn("near-identical: ", line)

    def test_bad_rule_refused(self):
        d = os.path.join(self.tmp, "bad")
        os.makedirs(d)
        with open(os.path.join(d, "r.yaml"), "w") as f:
            f.write("- name: b\n  rate_limit: { key: near_text, max: 4, "
                    "per: 1h, similarity: 0 }\n  action: flag\n")
        p = subprocess.run([harness.MODERATORD, "-t", "-r", d],
                           capture_output=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"similarity must be a number above 0",
                      p.stdout + p.stderr)


if __name__ == "__main__":
    harness.main()
