#!/usr/bin/env python3
"""The rule set named in every decision, and rules in force only inside
their window, in a running daemon."""

import datetime
import os
import re
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def checked_hash(rules):
    """The ruleset line of moderatord -t."""
    p = subprocess.run([harness.MODERATORD, "-t", "-r", rules],
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return re.search(r"^ruleset ([0-9a-f]{12})$", p.stdout.decode(),
                     re.M).group(1)


class RulesetTest(harness.TestCase):

    def rules_copy(self):
        d = os.path.join(self.tmp, "rules")
        shutil.copytree(harness.RULES_DIR, d,
                        ignore=shutil.ignore_patterns("*.md"))
        return d

    def decide(self, cid, text, n):
        harness.push(self.r, [{"id": cid, "text": text}])
        self.assertTrue(harness.wait_decided(self.r, n, timeout=30))
        return harness.decisions(self.r)[n - 1]

    def test_ruleset_field_follows_the_rules(self):
        rules = self.rules_copy()
        before = checked_hash(rules)
        # The same files elsewhere: the same hash (no paths, no times).
        other = os.path.join(self.tmp, "elsewhere")
        shutil.copytree(rules, other)
        os.utime(os.path.join(other, "20-spam.yaml"), (1, 1))
        self.assertEqual(checked_hash(other), before)

        d = self.daemon(rules=rules)
        self.assertEqual(self.decide("a1", "buy viagra", 1)["ruleset"],
                         before)
        self.assertTrue(d.wait_log("(ruleset %s)" % before))
        with open(os.path.join(rules, "80-new.yaml"), "w") as f:
            f.write("- name: fruit\n  match: 'tangerine'\n"
                    "  action: reject\n")
        after = checked_hash(rules)
        self.assertNotEqual(after, before)
        d.signal(signal.SIGHUP)
        self.assertTrue(d.wait_log("ruleset %s, built" % after, timeout=120))
        o = self.decide("a2", "a tangerine", 2)
        self.assertEqual((o["decision"], o["ruleset"]), ("reject", after))
        # The file log is written once Redis has taken the batch.
        self.assertTrue(harness.wait_logged(d, 2))
        logged = [l for l in harness.read_json_lines(d.decisions_log)
                  if l.get("event") == "decision"]
        self.assertEqual([l["ruleset"] for l in logged], [before, after])
        self.assertEqual(d.stop(), 0)

    def test_window_closes_without_a_reload(self):
        rules = os.path.join(self.tmp, "rules")
        os.mkdir(rules)
        # Long enough for the daemon to start and decide one comment
        # first, valgrind's start included.
        until = (datetime.datetime.now(datetime.timezone.utc) +
                 datetime.timedelta(seconds=20 if harness.VALGRIND else 4))
        with open(os.path.join(rules, "10-surge.yaml"), "w") as f:
            stamp = until.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            f.write("- name: surge\n  match: 'polls'\n  action: reject\n"
                    "  valid_until: %s\n" % stamp)
        p = subprocess.run([harness.MODERATORD, "-t", "-r", rules],
                           capture_output=True, timeout=60)
        self.assertIn("rule surge in force until", p.stdout.decode())
        self.assertIn("in force now", p.stdout.decode())
        d = self.daemon(rules=rules)
        self.assertEqual(self.decide("p1", "the polls", 1)["decision"],
                         "reject")
        self.assertTrue(d.wait_log("rule surge (", timeout=60), d.output())
        self.assertIn("is no longer in force", d.output())
        self.assertEqual(self.decide("p2", "the polls", 2)["decision"],
                         "approve")
        self.assertNotIn("reloaded", d.output())
        p = subprocess.run([harness.MODERATORD, "-t", "-r", rules],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0)
        self.assertIn("EXPIRED", p.stdout.decode())
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    harness.main()
