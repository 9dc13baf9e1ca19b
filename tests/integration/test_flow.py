#!/usr/bin/env python3
"""Comments flow from the input stream through the rules to decisions."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IN, OUT, GROUP  # noqa: E402

FIELDS = {"id", "decision", "rules", "shadow", "reason", "entry", "ruleset"}

BENIGN = [
    "I think the council got this one right, for once.",
    "Has anyone read the consultation document? Page 12 is telling.",
    "My street already has a bus lane and it works fine.",
    "Scunthorpe tried this in 2019 and traffic fell by a third.",
    "Согласен с автором, хорошая статья.",
    "L'école de mon fils est juste à côté, quel soulagement.",
]
SPAM = [
    ("Buy cheap VIAGRA here, no prescription", "pharma-spam"),
    ("Double your bitcoin in 24h, guaranteed!", "crypto-scam"),
    ("amazing offer bit.ly/3xYzAb", "link-shortener"),
]


class FlowTest(harness.TestCase):

    def test_ten_thousand(self):
        comments, expect = [], {}
        for i in range(10000):
            cid = "c%05d" % i
            if i % 10 == 3:
                text, rule = SPAM[i % len(SPAM)]
                expect[cid] = ("reject", rule)
            else:
                text = "%s (#%d) %s" % (BENIGN[i % len(BENIGN)], i,
                                        harness.chatter(i))
                expect[cid] = ("approve", "")
            comments.append({"id": cid, "author": "user%d" % i,
                             "thread": "a42", "text": text})
        sids = harness.push(self.r, comments)
        d = self.daemon()
        self.assertTrue(harness.wait_decided(self.r, 10000, daemon=d),
                        d.output())
        self.assertEqual(d.stop(), 0)

        out = harness.decisions(self.r)
        self.assertEqual(len(out), 10000)
        by_id = {}
        for o in out:
            self.assertEqual(set(o), FIELDS)
            self.assertNotIn(o["id"], by_id, "decided twice")
            by_id[o["id"]] = o
        self.assertEqual(set(by_id), set(expect))
        entry_of = {c["id"]: s.decode() for c, s in zip(comments, sids)}
        for cid, (decision, rule) in expect.items():
            o = by_id[cid]
            self.assertEqual(o["decision"], decision, o)
            self.assertEqual(o["entry"], entry_of[cid])
            if rule:
                self.assertIn(rule, o["rules"].split(","))
                self.assertNotEqual(o["reason"], "")
            else:
                self.assertEqual(o["rules"], "")
                self.assertEqual(o["reason"], "")
        self.assertEqual(harness.pending(self.r), 0)

        # The log: every line JSON, every decision in the file sink.
        log = harness.read_json_lines(d.decisions_log)
        logged = [l for l in log if l.get("event") == "decision"]
        self.assertEqual(len(logged), 10000)
        for l in logged[:50]:
            for k in ("ts", "id", "decision", "rules", "reason", "author",
                      "thread", "latency_us"):
                self.assertIn(k, l)
        self.assertNotIn("text", logged[0], "text is private by default")
        # stdout holds flag and reject only by default.
        stdout = d.log_lines()
        self.assertEqual(len([l for l in stdout if l.get("event") ==
                              "decision"]), 1000)
        self.assertTrue(any(l.get("msg", "").startswith("connected")
                            for l in stdout))

    def test_malformed_entries(self):
        bad = [
            {"text": "no id here", "author": "x"},
            {"id": "m-notext", "author": "x"},
            {"author": "only"},
            {"id": "", "text": "empty id"},
            {"id": "m-utf8", "text": b"\xff\xfe broken \xc3 viagra \xed\xa0\x80"},
            {"id": "m-long", "text": "a" * (100 * 1024)},
            {"id": "m-bin", "text": bytes(range(256)), "\x00weird": b"\x00\xff"},
            {"id": b"m-\xffid", "text": "fine"},
            dict([("id", "m-many"), ("text", "x")] +
                 [("f%d" % i, "v") for i in range(100)]),
        ]
        harness.push(self.r, bad)
        # An entry deleted after it was read but before it was decided.
        harness.push(self.r, [{"id": "m-deleted", "text": "soon gone"}])
        self.r.xgroup_create(IN, GROUP, id="0")
        got = self.r.xreadgroup(GROUP, "test-1", {IN: ">"}, count=100)
        self.r.xdel(IN, got[0][1][-1][0])

        d = self.daemon()
        self.assertTrue(harness.wait_decided(self.r, len(bad) + 1, daemon=d),
                        d.output())
        self.assertEqual(d.stop(), 0)
        out = harness.decisions(self.r)
        self.assertEqual(len(out), len(bad) + 1)
        reasons = [o["reason"] for o in out]
        self.assertEqual(reasons[0], "malformed: no id field")
        self.assertEqual(reasons[1], "malformed: no text field")
        self.assertEqual(reasons[2], "malformed: no id and no text field")
        self.assertEqual(reasons[3], "malformed: empty id")
        self.assertEqual(out[4]["decision"], "reject")   # viagra despite junk
        self.assertEqual(reasons[5], "too long: the text has 102400 bytes")
        self.assertEqual(out[6]["decision"], "approve")
        self.assertEqual(out[7]["decision"], "approve")
        self.assertEqual(reasons[8], "malformed: 102 fields, more than the "
                         "limit of 64")
        self.assertEqual(out[8]["id"], "m-many")
        self.assertTrue(reasons[9].startswith("malformed: the entry was "
                                              "deleted"), reasons[9])
        for o in out[:4] + [out[5], out[8], out[9]]:
            self.assertEqual(o["decision"], "flag")
        self.assertEqual(harness.pending(self.r), 0)
        for line in harness.read_json_lines(d.decisions_log):
            self.assertIsInstance(line, dict)

    def test_output_trimmed(self):
        harness.push(self.r, [{"id": "t%d" % i, "text": "hi"}
                              for i in range(3000)])
        d = self.daemon(conf="redis:\n  output_maxlen: 200\nlog:\n  file: %s\n"
                        % os.path.join(self.tmp, "decisions.test-1.log"))
        self.assertTrue(harness.wait_logged(d, 3000), d.output())
        self.assertEqual(d.stop(), 0)
        self.assertEqual(harness.pending(self.r), 0)
        self.assertLess(self.r.xlen(OUT), 1000)

    def test_password_and_database(self):
        self.redis.stop()
        pw = "s3cret-pw"
        port = harness.free_port()
        self.redis = harness.RedisServer(self.tmp, password=pw, port=port)
        self.r = self.redis.client()
        r2 = harness.redis.Redis(unix_socket_path=self.redis.sock,
                                 password=pw, db=2)
        harness.push(r2, [{"id": "p1", "text": "buy viagra"}])
        d = self.daemon(sock="redis://:%s@127.0.0.1:%d/2" % (pw, port))
        self.assertTrue(harness.wait_decided(r2, 1, daemon=d), d.output())
        self.assertEqual(d.stop(), 0)
        self.assertEqual(harness.decisions(r2)[0]["decision"], "reject")
        self.assertNotIn(pw, d.output())

        # The same through password_file and the socket.
        pwfile = os.path.join(self.tmp, "pw")
        with open(pwfile, "w") as f:
            f.write(pw + "\n")
        harness.push(r2, [{"id": "p2", "text": "hello"}])
        d = self.daemon(consumer="test-2", conf="redis:\n  password_file: %s\n"
                        "  database: 2\n" % pwfile)
        self.assertTrue(harness.wait_decided(r2, 2, daemon=d), d.output())
        self.assertEqual(d.stop(), 0)

        # A wrong password: a clear error, exit 1, and the secret not shown.
        d = self.daemon(consumer="test-3",
                        sock="redis://:wrong-pw@127.0.0.1:%d" % port)
        self.assertEqual(d.wait(), 1)
        self.assertIn("Redis refused AUTH", d.output())
        self.assertNotIn("wrong-pw", d.output())


if __name__ == "__main__":
    harness.main()
