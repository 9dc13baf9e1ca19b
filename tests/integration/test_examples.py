#!/usr/bin/env python3
"""docs/INTEGRATION.md's examples, run as written against a real Redis and
the real daemon with the shipped rules: the Python (redis-py) and the
JavaScript (node-redis) application push a comment, read its decision
from a group of their own, and send a verdict the daemon counts. The
document holds each example verbatim, so it cannot drift from what runs
here."""

import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "docs", "examples")
NODE_MODULES = os.path.join(ROOT, "build", "npm", "node_modules")
TOTALS = "moderatord:v:totals"


class ExamplesTest(harness.TestCase):

    def run_example(self, argv, want, verdict, counted):
        conf = "redis:\n  verdict_stream: comments:verdicts\n"
        d = self.daemon(conf=conf)
        self.assertTrue(d.wait_log("connected"), d.output())
        p = subprocess.run(argv + ["unix://" + self.redis.sock],
                           capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        out = p.stdout.decode()
        self.assertRegex(out, r"decision c-\d+: %s \(" % want)
        self.assertIn("verdict sent: %s" % verdict, out)
        # The daemon counts the verdict (as counted: a verdict on a
        # comment no rule named changes no rule's score); the
        # application's group has acknowledged what it read.
        deadline = time.time() + 60
        while not self.r.hget(TOTALS, counted):
            self.assertLess(time.time(), deadline, "verdict not counted")
            time.sleep(0.05)
        groups = {g["name"].decode(): g for g in
                  self.r.xinfo_groups(harness.OUT)}
        self.assertEqual(groups["webapp"]["pending"], 0)
        self.assertEqual(d.stop(), 0)
        return out

    def test_python(self):
        out = self.run_example([sys.executable,
                                os.path.join(EXAMPLES, "app.py")],
                               "reject", "remove", "remove")
        self.assertIn("pharma", out)

    def test_javascript(self):
        node = shutil.which("node") or shutil.which("nodejs")
        self.assertIsNotNone(node, "node is installed by scripts/deps.sh")
        # Node resolves packages beside the script: run a copy there.
        script = os.path.join(os.path.dirname(NODE_MODULES), "app.mjs")
        shutil.copy(os.path.join(EXAMPLES, "app.mjs"), script)
        self.run_example([node, script], "approve", "approve", "unmatched")

    def test_document_holds_them(self):
        with open(os.path.join(ROOT, "docs", "INTEGRATION.md")) as f:
            doc = f.read()
        blocks = re.findall(r"```\w*\n(.*?)```", doc, re.S)
        for name in ("app.py", "app.mjs"):
            with open(os.path.join(EXAMPLES, name)) as f:
                self.assertIn(f.read(), blocks, name)
        self.assertNotIn("../", doc)


if __name__ == "__main__":
    harness.main()
