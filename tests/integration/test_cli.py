#!/usr/bin/env python3
"""The command line without Redis: -t, --explain, exit codes, help."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ.get("MODERATORD", "build/moderatord")
RULES = os.environ.get("RULES_DIR", "rules")
PROJECT = os.environ.get("PROJECT_DIR", ".")


# The integration tests' automaton cache (harness.py): the shipped rules
# compile once for the build, not once a command (each takes seconds
# under the sanitizers). Given as systemd gives it, so that it also
# serves a named config whose cache_dir is unset.
CACHE = os.environ.get("AUTOMATON_CACHE", os.path.join(
    os.path.dirname(os.path.abspath(BIN)), "tests", "hs-cache"))
os.makedirs(CACHE, exist_ok=True)
# Without -c: a budget no loaded machine runs past, so that every
# database is cached (a pattern killed for time is not), and nothing of
# the host's /etc/moderatord.
DEFAULT_CONF = os.path.join(CACHE, "cli.conf")
with open(DEFAULT_CONF, "w") as f:
    f.write("rules:\n  compile_budget: 60s\n")


def run(*args, stdin=b"", cache=CACHE):
    """moderatord ARGS; cache: the automaton cache, None for none."""
    env = dict(os.environ)
    env.pop("CACHE_DIRECTORY", None)
    if cache is not None:
        env["CACHE_DIRECTORY"] = cache
    if "-c" not in args:
        args = ("-c", DEFAULT_CONF) + args
    p = subprocess.run([BIN] + list(args), input=stdin, capture_output=True,
                       timeout=60, env=env)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class CliTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="moderatord-cli.")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_version_and_help(self):
        rc, out, _ = run("--version")
        self.assertEqual((rc, out), (0, "moderatord 0.1.0\n"))
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        for flag in ("-c", "-r", "--redis", "--consumer", "-t", "--explain"):
            self.assertIn(flag, out)
        rc, _, err = run("--bogus")
        self.assertEqual(rc, 1)
        self.assertIn("--bogus", err)
        rc, _, err = run("-t", "stray")
        self.assertEqual(rc, 1)

    def test_check_shipped(self):
        rc, out, err = run("-t", "-r", RULES, "-c",
                           os.path.join(PROJECT, "moderatord.conf.example"))
        self.assertEqual(rc, 0, err)
        self.assertIn("configuration OK", out)
        self.assertRegex(out, r"\d+ rules in \d+ files: \d+ reject, \d+ flag, "
                         r"\d+ approve; 1 shadow, 1 final, 4 rate limits, 1 escalate; "
                         r"\d+ examples, 0 failed")

    def test_automaton_cache(self):
        """-t fills the cache; a second -t compiles nothing; an entry
        that is corrupt, cut short or another's is said and rebuilt,
        never used, never fatal; an unwritable cache is said too."""
        cache = os.path.join(self.tmp, "cache")
        os.mkdir(cache)
        # A budget no loaded machine runs past: every database is cached.
        conf = self.write("c.conf", "rules:\n  cache_dir: %s\n"
                          "  compile_budget: 10m\n" % cache)
        stats = r"automaton: (\d+) databases from the cache, (\d+) compiled"
        # Three views, three databases, compiled in milliseconds (the
        # shipped rules take seconds a compile under the sanitizers).
        self.write("r/10-a.yaml", "- name: pills\n  match: 'viagra|cialis'\n"
                   "  action: reject\n- name: shout\n"
                   "  match: '\\bclick\\s+here\\b'\n"
                   "  normalize: [nfkc, casefold]\n  action: flag\n"
                   "- name: who\n  field: author\n  match: '^bot\\d+$'\n"
                   "  action: flag\n")
        rules = os.path.join(self.tmp, "r")

        def check():
            rc, out, err = run("-t", "-c", conf, "-r", rules)
            self.assertEqual(rc, 0, out + err)
            self.assertIn("configuration OK", out)
            m = re.search(stats, out)
            self.assertIsNotNone(m, out)
            return int(m.group(1)), int(m.group(2)), out

        cached, built, _ = check()
        self.assertEqual(cached, 0)
        self.assertGreater(built, 1)
        entries = sorted(f for f in os.listdir(cache) if f.endswith(".hsdb"))
        self.assertEqual(len(entries), built)
        self.assertEqual(check()[:2], (built, 0))
        # One byte flipped in the middle of the first entry.
        path = os.path.join(cache, entries[0])
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) // 2)
            b = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([b[0] ^ 0xff]))
        cached, rebuilt, out = check()
        self.assertEqual((cached, rebuilt), (built - 1, 1))
        self.assertIn("checksum mismatch; rebuilt", out)
        self.assertEqual(check()[:2], (built, 0))
        # Cut short, then another entry's bytes under this one's name.
        with open(path, "r+b") as f:
            f.truncate(40)
        self.assertIn("not a database entry; rebuilt", check()[2])
        shutil.copy(os.path.join(cache, entries[1]), path)
        self.assertIn("an entry of other patterns; rebuilt", check()[2])
        self.assertEqual(check()[:2], (built, 0))
        # cache_dir "" (the example config's): systemd's CacheDirectory=.
        rc, out, err = run("-t", "-c", os.path.join(
            PROJECT, "moderatord.conf.example"), "-r", rules, cache=cache)
        self.assertEqual(rc, 0, err)
        self.assertEqual(re.search(stats, out).groups(), (str(built), "0"))
        # A cache that cannot be written: the rules load all the same.
        conf2 = self.write("d.conf", "rules:\n  cache_dir: %s/none\n" %
                           self.tmp)
        rc, out, err = run("-t", "-c", conf2, "-r", rules)
        self.assertEqual(rc, 0, err)
        self.assertIn("automaton cache: ", out)
        self.assertIn("configuration OK", out)

    def test_compile_budget(self):
        """A pattern whose compile runs past the budget leaves the
        automaton for its literals, said by -t; the rules still load and
        decide alike."""
        conf = self.write("b.conf", "rules:\n  compile_budget: 1ms\n")
        # No cache: an entry built under a longer budget would be used.
        rc, out, err = run("-t", "-c", conf, "-r", RULES, cache=None)
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"rule slurs-cyrillic \(\S+:\d+\) (is on "
                         r"required literals|runs on every comment): over "
                         r"its compile budget")
        text = "хохлы опять\n".encode()
        for c in (conf, os.path.join(PROJECT, "moderatord.conf.example")):
            rc, out, _ = run("--explain", "-c", c, "-r", RULES, stdin=text)
            self.assertIn("decision: reject\n", out)
            self.assertIn("slurs-cyrillic", out)

    def test_check_broken(self):
        d = os.path.join(self.tmp, "rules")
        self.write("rules/a.yaml", "- name: a\n  match: a\n  action: flag\n")
        self.write("rules/b.yaml", "- name: a\n  match: '(('\n  action: x\n")
        rc, out, err = run("-t", "-r", d)
        self.assertEqual(rc, 1)
        self.assertIn("b.yaml:1:9: duplicate rule name 'a'", err)
        self.assertIn("b.yaml:2:13: bad regex: missing closing parenthesis",
                      err)
        self.assertIn("b.yaml:3:11: action must be", err)
        self.assertIn("3 errors", err)
        self.assertNotIn("configuration OK", out)
        # The daemon refuses to start on the same rules, before any Redis.
        p = subprocess.run([BIN, "-r", d, "--redis", "/nonexistent.sock"],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"cannot start: the rules do not load", p.stdout)

    def test_config_errors(self):
        rc, _, err = run("-t", "-c", os.path.join(self.tmp, "missing.conf"),
                         "-r", RULES)
        self.assertEqual(rc, 1)
        self.assertIn("missing.conf: No such file or directory", err)
        conf = self.write("bad.conf", "redis:\n  batch_size: lots\n")
        rc, _, err = run("-t", "-c", conf, "-r", RULES)
        self.assertEqual(rc, 1)
        self.assertIn("bad.conf:2:15: expected a whole number, not 'lots'",
                      err)
        rc, _, err = run("-t", "-r", RULES, "--redis", "host:99999")
        self.assertEqual(rc, 1)
        self.assertIn("bad port", err)

    def test_explain(self):
        rc, out, err = run("--explain", "-r", RULES, "author=bob",
                           "thread=a1", stdin=b"Buy cheap VIAGRA here\n")
        self.assertEqual(rc, 0, err)
        self.assertIn("decision: reject\n", out)
        self.assertIn("reason: pharmaceutical spam\n", out)
        self.assertIn("rules: pharma-spam\n", out)
        self.assertRegex(out, r"match: pharma-spam \(reject\) .*20-spam.yaml:"
                         r"\d+ text\[10\.\.16\] \"VIAGRA\"")

        rc, out, _ = run("--explain", "-r", RULES, stdin=b"a fine comment")
        self.assertIn("decision: approve\n", out)
        self.assertIn("no rule matched", out)

        # Every matching rule, shadow ones apart.
        rc, out, _ = run("--explain", "-r", RULES,
                         stdin=b"the idiots again, call 0161 496 0754")
        self.assertIn("decision: flag\n", out)
        self.assertIn("shadow: insults-trial\n", out)
        self.assertIn("rules: phone-number\n", out)

        # A final rule on another field.
        rc, out, _ = run("--explain", "-r", RULES, "author=editor",
                         stdin=b"buy viagra")
        self.assertIn("decision: approve\n", out)
        self.assertIn("rules: trusted-staff\n", out)

        # Invalid UTF-8 and NUL bytes are shown escaped, never crash.
        rc, out, _ = run("--explain", "-r", RULES,
                         stdin=b"\xff\x00 viagra \xc3")
        self.assertEqual(rc, 0)
        self.assertIn("decision: reject", out)

        rc, _, err = run("--explain", "-r", RULES, "novalue")
        self.assertEqual(rc, 1)
        self.assertIn("field=value", err)

    def test_profile(self):
        """--profile: each rule's hits and time, costliest first; lines
        that are not a JSON object are named and skipped."""
        lines = [b'{"id": "c1", "text": "Buy cheap v1@gr@ now", "author": "a"}',
                 b'{"id": "c2", "text": "a fine comment", "n": 3}',
                 b'not json', b'[1, 2]',
                 b'{"id": "c3", "text": "buy viagra", "author": "a"}']
        rc, out, err = run("--profile", "-r", RULES,
                           stdin=b"\n".join(lines) + b"\n")
        self.assertEqual(rc, 0, err)
        rows = {l.split()[0]: l.split() for l in out.splitlines()[1:]
                if not l.startswith("3 comments")}
        self.assertEqual(out.splitlines()[0].split(),
                         ["rule", "hits", "runs", "matched", "total", "ms",
                          "mean", "us", "share", "path"])
        self.assertEqual(rows["pharma-spam"][1], "2")
        # The automaton named it for the two comments it matched, only.
        self.assertEqual(rows["pharma-spam"][2:4], ["2", "2"])
        self.assertEqual(rows["pharma-spam"][-1], "automaton")
        self.assertEqual(rows["flood"][1], "2")     # counted toward
        self.assertIn("3 comments in", out)
        self.assertIn("2 lines not read", out)
        self.assertIn("line 3: not JSON", err)
        self.assertIn("line 4: not a JSON object", err)
        # Sorted by total time, costliest first.
        totals = [float(r[4]) for r in rows.values()]
        self.assertEqual(totals, sorted(totals, reverse=True))

    def test_explain_too_long(self):
        conf = self.write("m.conf", "rules:\n  max_text_length: 10\n")
        rc, out, _ = run("--explain", "-c", conf, "-r", RULES,
                         stdin=b"x" * 11)
        self.assertIn("decision: flag\n", out)
        self.assertIn("reason: too long", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
