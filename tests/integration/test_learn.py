#!/usr/bin/env python3
"""The classifier's scripts against a real Redis: learn.lua counts each
comment's words once per class (a changed class moves them, a refused
batch writes nothing), and bayes_sync.lua gives a daemon the changes since
the generation it holds, or the whole model when the log cannot; and
moderatorctl learn, which teaches it from JSON lines."""

import json
import os
import signal
import struct
import subprocess
import sys
import time

import redis

import harness
from test_operations import PROMTOOL, get

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "daemon")
LEARN = open(os.path.join(SRC, "learn.lua")).read()
SYNC = open(os.path.join(SRC, "bayes_sync.lua")).read()
KEYS = ["b:words", "b", "b:log"]


def words(*hashes):
    return b"".join(struct.pack("<Q", h) for h in hashes)


class TestLearn(harness.TestCase):

    def learn(self, *items, keep=1000):
        args = [1, "b:l:", 60000, keep, len(items)]
        for item in items:
            args.extend(item)
        return [x.decode() for x in
                self.r.eval(LEARN, len(KEYS), *KEYS, *args)]

    def count(self, letter, h):
        v = self.r.hget("b:words", letter.encode() + words(h))
        return int(v) if v is not None else 0

    def model(self):
        m = self.r.hgetall("b")
        return {k.decode(): int(v) for k, v in m.items()}

    def sync(self, held, most=100):
        return self.r.eval(SYNC, len(KEYS), *KEYS, 1, held, most)

    def test_learn_once_per_class(self):
        w = words(1, 2)
        self.assertEqual(self.learn(["c1", "spam", "0", w]), ["learned"])
        self.assertEqual((self.count("s", 1), self.count("s", 2)), (1, 1))
        self.assertEqual(self.model(), {"spam": 1, "gen": 1})
        self.assertGreater(self.r.pttl("b:l:c1"), 0)
        # Again under the same class: nothing moves.
        self.assertEqual(self.learn(["c1", "spam", "0", w]), ["same"])
        self.assertEqual(self.count("s", 1), 1)
        self.assertEqual(self.model()["gen"], 1)
        # Under the other class: its words move over, the totals too.
        self.assertEqual(self.learn(["c1", "ham", "0", w]), ["moved"])
        self.assertEqual((self.count("s", 1), self.count("h", 1)), (0, 1))
        self.assertFalse(self.r.hexists("b:words", b"s" + words(1)))
        self.assertEqual(self.model(), {"spam": 0, "ham": 1, "gen": 3})
        # Train on error: a new comment the model is sure of is left out,
        # but a changed class moves even then.
        self.assertEqual(self.learn(["c2", "spam", "1", words(3)]),
                         ["skipped"])
        self.assertEqual(self.count("s", 3), 0)
        self.assertEqual(self.learn(["c1", "spam", "1", w]), ["moved"])
        self.assertEqual(self.count("s", 2), 1)
        # Without an id, every call counts.
        self.assertEqual(self.learn(["", "ham", "0", words(9)],
                                    ["", "ham", "0", words(9)]),
                         ["learned", "learned"])
        self.assertEqual(self.count("h", 9), 2)
        self.assertEqual(self.model(), {"spam": 1, "ham": 2, "gen": 7})
        self.assertEqual(self.r.xlen("b:log"), 7)

    def test_refused_batch_writes_nothing(self):
        for bad in (["c1", "spam", "0", words(1)], ["c2", "eggs", "0", b""]), \
                (["c3", "spam", "0", b"short"],):
            with self.assertRaises(redis.ResponseError):
                self.learn(*bad)
        self.assertEqual(self.r.dbsize(), 0)
        with self.assertRaises(redis.ResponseError) as e:
            self.r.eval(LEARN, len(KEYS), *KEYS, 2, "b:l:", 1, 1, 0)
        self.assertIn("layout", str(e.exception))

    def test_sync(self):
        self.assertEqual(self.sync(0), [0, b"none"])  # nothing learned yet
        self.learn(["c1", "spam", "0", words(1)])
        self.learn(["c2", "ham", "0", words(1, 2)])
        self.learn(["c1", "ham", "0", words(1)])
        gen, kind, hashed, spam, ham = self.sync(0)
        self.assertEqual((gen, kind, spam, ham), (4, b"full", 0, 2))
        got = dict(zip(hashed[::2], map(int, hashed[1::2])))
        self.assertEqual(got, {b"h" + words(1): 2, b"h" + words(2): 1})
        self.assertEqual(self.sync(4), [4, b"none"])
        # From generation 1: the three changes since, oldest first.
        gen, kind, entries, _, _ = self.sync(1)
        self.assertEqual((gen, kind), (4, b"delta"))
        self.assertEqual([e[0] for e in entries], [b"0-2", b"0-3", b"0-4"])
        fields = dict(zip(entries[1][1][::2], entries[1][1][1::2]))
        self.assertEqual(fields, {b"c": b"spam", b"d": b"-1",
                                  b"w": words(1)})
        # At most the count asked for: the caller asks again.
        self.assertEqual(len(self.sync(1, most=2)[2]), 2)
        # The log trimmed past what is held: the whole model.
        self.r.xtrim("b:log", maxlen=1, approximate=False)
        self.assertEqual(self.sync(1)[1], b"full")
        self.assertEqual(self.sync(3)[1], b"delta")
        # Held past the model's generation (deleted, learned again): whole.
        self.assertEqual(self.sync(9)[1], b"full")


class TestCtlLearn(harness.TestCase):

    def learn(self, cls, lines):
        data = "".join(json.dumps(x) + "\n" if isinstance(x, dict) else x
                       for x in lines).encode()
        return harness.ctl(self.redis, "learn", cls, stdin=data)

    def words(self):
        w = self.r.hgetall("moderatord:v:b:words")
        return {k: int(v) for k, v in w.items()}

    def test_learn(self):
        p = self.learn("spam", [{"id": "c1", "text": "FREE money now"},
                                {"text": "fr\u200bee m0ney n\u043ew"}])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"learned 2 spam comments", p.stdout)
        self.assertIn(b"learned 2 spam and 0 ham", p.stdout)
        # Evasions are the same words: three words, each in both comments.
        w = self.words()
        self.assertEqual(len(w), 3)
        self.assertEqual(set(w.values()), {2})
        self.assertTrue(all(k.startswith(b"s") and len(k) == 9 for k in w))
        # With an id, once; under the other class, moved over.
        p = self.learn("spam", [{"id": "c1", "text": "FREE money now"}])
        self.assertIn(b"learned 0 spam comments; 1 already learned as spam",
                      p.stdout)
        p = self.learn("ham", [{"id": "c1", "text": "FREE money now"}])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"learned 1 ham comments (1 of them moved from spam)",
                      p.stdout)
        self.assertEqual(sorted(self.words().values()), [1] * 6)
        self.assertEqual(self.r.hmget("moderatord:v:b", "spam", "ham"),
                         [b"1", b"1"])
        # moderatorctl rules says how far it has come too.
        p = harness.ctl(self.redis, "rules")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"the classifier has learned 1 spam and 1 ham", p.stdout)

    def test_bad_lines(self):
        p = self.learn("ham", ['{"text": "a fine comment"}\n', "not json\n",
                               '{"id": "x"}\n', "\n",
                               '{"text": "another fine one"}\n'])
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"line 2:", p.stderr)
        self.assertIn(b"line 3: no text", p.stderr)
        self.assertIn(b"learned 2 ham comments; 2 lines left out", p.stdout)
        self.assertEqual(self.r.hget("moderatord:v:b", "ham"), b"2")
        p = harness.ctl(self.redis, "learn", "eggs", stdin=b"")
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"usage", p.stderr)

    def test_redis_lost(self):
        self.redis.stop()
        p = self.learn("spam", [{"text": "free money"}])
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"Redis", p.stderr)


SPAM = ["cheap pills online buy now limited offer",
        "win money fast click here casino bonus",
        "crypto giveaway send your wallet double money",
        "buy cheap followers click here best offer"]
HAM = ["the council vote was delayed until march",
       "i disagree with the article about the budget",
       "the mayor said the road works end in march",
       "good reporting on the council budget vote"]
RULE = """- name: learned-spam
  classify: spam
  min_probability: 0.9
  action: flag
  reason: the site's classifier says spam
"""


class ClassifyCase(harness.TestCase):
    """A daemon with one classify rule, and the comments it decides."""

    def start(self, min_learned=4, rule="0.9", conf=""):
        rules = os.path.join(self.tmp, "rules")
        os.makedirs(rules)
        with open(os.path.join(rules, "10-classify.yaml"), "w") as f:
            f.write(RULE.replace("min_probability: 0.9\n",
                                 "min_probability: %s\n" % rule))
        self.port = harness.free_port()
        d = self.daemon(rules=rules, conf="classifier:\n  min_learned: %d\n"
                        "metrics:\n  listen: \"127.0.0.1:%d\"\n%s"
                        % (min_learned, self.port, conf))
        self.assertTrue(d.wait_log("connected"), d.output())
        return d

    def decide(self, d, texts):
        before = self.r.xlen(harness.OUT)
        harness.push(self.r, [{"id": "t%d-%d" % (before, i), "text": t}
                              for i, t in enumerate(texts)])
        self.assertTrue(harness.wait_decided(self.r, before + len(texts),
                                             daemon=d), d.output())
        return [x["decision"] for x in harness.decisions(self.r)[before:]]

    def teach(self, cls, texts):
        p = harness.ctl(self.redis, "learn", cls, stdin="".join(
            json.dumps({"text": t}) + "\n" for t in texts).encode())
        self.assertEqual(p.returncode, 0, p.stderr)

    def wait_flagged(self, d, text, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.decide(d, [text]) == ["flag"]:
                return True
            time.sleep(0.2)
        return False

    def wait_learned(self, spam, ham, timeout=60):
        want = ('moderatord_classifier_learned{class="spam"} %d\n'
                'moderatord_classifier_learned{class="ham"} %d\n' %
                (spam, ham))
        deadline = time.time() + timeout
        while want not in get(self.port, "/metrics")[1] and \
                time.time() < deadline:
            time.sleep(0.2)
        self.assertIn(want, get(self.port, "/metrics")[1])


class TestClassify(ClassifyCase):

    def test_classifies_once_learned(self):
        d = self.start()
        probe = "click here for cheap pills and casino money"
        # Nothing learned: the rule never matches.
        self.assertEqual(self.decide(d, [probe]), ["approve"])
        # Fewer than min_learned of ham: still not.
        self.teach("spam", SPAM)
        self.teach("ham", HAM[:3])
        time.sleep(2.5)
        self.assertEqual(self.decide(d, [probe]), ["approve"])
        # Enough of each: the daemon's copy catches up within seconds.
        self.teach("ham", HAM[3:])
        self.assertTrue(self.wait_flagged(d, probe), d.output())
        out = self.decide(d, [probe, "ch3ap p1lls and c\u0430sino m0ney",
                              "the council budget vote in march"])
        self.assertEqual(out, ["flag", "flag", "approve"])
        last = harness.decisions(self.r)[-2]
        self.assertEqual(last["rules"], "learned-spam")
        self.assertEqual(last["reason"], "the site's classifier says spam")
        body = get(self.port, "/metrics")[1]
        self.assertIn('moderatord_classifier_learned{class="spam"} 4\n', body)
        self.assertIn('moderatord_classifier_learned{class="ham"} 4\n', body)
        p = subprocess.run([PROMTOOL, "check", "metrics"], input=body.encode(),
                           capture_output=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_copy_goes_on_after_a_stall(self):
        # Redis stalls with the copy call in flight (verdicts off: it goes
        # out each second with the heartbeat, and nothing else): the
        # daemon drops the control connection and reconnects, and the
        # copy must go on after it.
        d = self.start(conf="redis:\n  command_timeout: 300ms\n"
                       "  verdict_stream: \"\"\n")
        self.teach("spam", SPAM)
        self.wait_learned(len(SPAM), 0)
        self.r.eval("local t = redis.call('TIME') while true do "
                    "local n = redis.call('TIME') if (n[1] - t[1]) * 1e6 + "
                    "n[2] - t[2] > 2.5e6 then return 1 end end", 0)
        self.assertTrue(d.wait_log("control connection: up again"),
                        d.output())
        self.teach("ham", HAM)
        self.wait_learned(len(SPAM), len(HAM))
        self.assertEqual(d.stop(), 0)

    def test_copied_whole_after_restart(self):
        self.teach("spam", SPAM)
        self.teach("ham", HAM)
        # The log trimmed: a new daemon copies the model whole.
        self.r.xtrim("moderatord:v:b:log", maxlen=0, approximate=False)
        d = self.start()
        self.assertTrue(self.wait_flagged(d, "casino bonus click here"),
                        d.output())

    def moderatord(self, *args, stdin=b""):
        rules = os.path.join(self.tmp, "rules-cli")
        if not os.path.isdir(rules):
            os.makedirs(rules)
            with open(os.path.join(rules, "10-classify.yaml"), "w") as f:
                f.write(RULE)
        conf = os.path.join(self.tmp, "cli.conf")
        with open(conf, "w") as f:
            f.write("classifier:\n  min_learned: 4\n")
        return subprocess.run([harness.MODERATORD, "-c", conf, "-r", rules,
                               *args], input=stdin, capture_output=True,
                              timeout=120)

    def test_check_and_explain(self):
        sock = ["--redis", self.redis.sock]
        p = self.moderatord("-t", *sock)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"classifier: 1 rule classify; each class needs 4",
                      p.stdout)
        self.assertIn(b"learned 0 spam and 0 ham comments: not classifying "
                      b"yet", p.stdout)
        self.teach("spam", SPAM)
        self.teach("ham", HAM)
        p = self.moderatord("-t", *sock)
        self.assertIn(b"learned 4 spam and 4 ham comments: classifying",
                      p.stdout)
        probe = b"click here for cheap casino money"
        p = self.moderatord("--explain", *sock, stdin=probe)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.decode()
        self.assertIn("decision: flag", out)
        self.assertIn("match: learned-spam", out)
        prob = float(out.split("spam probability ")[1].split()[0])
        self.assertGreater(prob, 0.9)
        self.assertIn("learned 4 spam and 4 ham comments (min_learned 4)", out)
        # The words that weighed, strongest first, each from the text.
        clues = [line.split()[0].strip('"') for line in out.splitlines()
                 if line.startswith("  \"")]
        self.assertTrue(clues and set(clues) <= set(probe.decode().split()),
                        out)
        # Without --redis the classifier is not consulted, and said so.
        p = self.moderatord("--explain", stdin=probe)
        self.assertIn(b"decision: approve", p.stdout)
        self.assertIn(b"not consulted without --redis", p.stdout)
        # Redis gone: -t still checks the rules, and says what it lacks.
        self.redis.stop()
        p = self.moderatord("-t", *sock)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"Redis not reachable", p.stdout)



class TestLearnFromVerdicts(ClassifyCase):
    """Verdicts with a text teach the classifier: remove as spam, approve
    as ham, once per comment, a changed verdict moving its words."""

    def model(self):
        m = self.r.hgetall("moderatord:v:b")
        return {k.decode(): int(v) for k, v in m.items() if k != b"gen"}

    def verdicts(self, items):
        for cid, v, text in items:
            f = {"id": cid, "verdict": v}
            if text is not None:
                f["text"] = text
            self.r.xadd("comments:verdicts", f)

    def wait_model(self, want, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline and self.model() != want:
            time.sleep(0.05)
        self.assertEqual(self.model(), want)

    def test_verdicts_teach(self):
        d = self.start()
        self.verdicts([("s%d" % i, "remove", t) for i, t in enumerate(SPAM)] +
                      [("h%d" % i, "approve", t) for i, t in enumerate(HAM)] +
                      [("n1", "remove", None), ("bad", "maybe", SPAM[0])])
        # No text, or a malformed verdict: nothing learned from it.
        self.wait_model({"spam": 4, "ham": 4})
        self.assertEqual(self.r.get("moderatord:v:b:l:s0"), b"spam")
        self.assertIsNone(self.r.get("moderatord:v:b:l:bad"))
        # The same verdict again changes nothing; a changed one moves.
        self.verdicts([("s0", "remove", SPAM[0]), ("h0", "remove", HAM[0])])
        self.wait_model({"spam": 5, "ham": 3})
        self.verdicts([("h0", "approve", HAM[0])])
        self.wait_model({"spam": 4, "ham": 4})
        # Learned enough: the daemon's copy classifies ...
        probe = "cheap casino bonus click here now"
        self.assertTrue(self.wait_flagged(d, probe), d.output())
        # ... and a comment it already gets right with 0.95 is not
        # learned again (train on error), while one it gets wrong is.
        self.verdicts([("s9", "remove", probe), ("h9", "approve", probe)])
        self.wait_model({"spam": 4, "ham": 5})
        self.assertIsNone(self.r.get("moderatord:v:b:l:s9"))
        self.assertEqual(self.r.get("moderatord:v:b:l:h9"), b"ham")
        self.assertEqual(d.stop(), 0)

    def test_train_on_error_without_a_classify_rule(self):
        # No rule classifies, but verdicts are read: the daemon keeps the
        # copy all the same, to judge what they teach.
        rules = os.path.join(self.tmp, "rules")
        os.makedirs(rules)
        with open(os.path.join(rules, "10-pills.yaml"), "w") as f:
            f.write("- name: pills\n  match: pills\n  action: flag\n")
        self.port = harness.free_port()
        d = self.daemon(rules=rules, conf="classifier:\n  min_learned: 4\n"
                        "metrics:\n  listen: \"127.0.0.1:%d\"\n" % self.port)
        self.assertTrue(d.wait_log("connected"), d.output())
        self.teach("spam", SPAM)
        self.teach("ham", HAM)
        self.wait_learned(4, 4)
        probe = "cheap casino bonus click here now"
        self.verdicts([("s9", "remove", probe), ("h9", "approve", probe)])
        self.wait_model({"spam": 4, "ham": 5})
        self.assertIsNone(self.r.get("moderatord:v:b:l:s9"))
        self.assertEqual(d.stop(), 0)

    def test_redelivery_after_sigkill_learns_once(self):
        d = self.start()
        self.r.xgroup_create("comments:verdicts", harness.GROUP, id="0",
                             mkstream=True) \
            if not self.r.exists("comments:verdicts") else None
        self.verdicts([("k%d" % i, "remove", "offer number %d" % i)
                       for i in range(200)])
        time.sleep(0.05)
        d.signal(signal.SIGKILL)
        d.wait()
        d = self.start_again()
        self.wait_model({"spam": 200})
        deadline = time.time() + 60
        while harness.pending(self.r, "comments:verdicts") and \
                time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(harness.pending(self.r, "comments:verdicts"), 0)
        # Counted once too (unmatched: no daemon decided these ids).
        self.assertEqual(self.r.hget("moderatord:v:totals", "unmatched"),
                         b"200")
        self.assertEqual(d.stop(), 0)

    def start_again(self):
        d = self.daemon(rules=os.path.join(self.tmp, "rules"),
                        conf="classifier:\n  min_learned: 4\n")
        self.assertTrue(d.wait_log("connected"), d.output())
        return d



class TestHeldOut(ClassifyCase):
    """Through Redis on real mail: moderatorctl learn the even half of the
    SpamAssassin public corpus, then the daemon decides a fixed sample of
    the other half, 100 spam and 100 ham, with a classify rule at 0.99:
    it flags at least 60 of the spam and at most 1 of the ham (in memory,
    bench/classify_eval finds 72 % of spam and 0.05 % of ham at 0.99)."""

    def test_flags_held_out_spam(self):
        with open(os.environ["SA_CORPUS"]) as f:
            corpus = [json.loads(line) for line in f]
        for cls in ("spam", "ham"):
            p = harness.ctl(self.redis, "learn", cls, stdin="".join(
                json.dumps({"id": c["id"], "text": c["text"]}) + "\n"
                for c in corpus[0::2] if c["class"] == cls).encode())
            self.assertEqual(p.returncode, 0, p.stderr)
        held = corpus[1::2]
        sample = ([c for c in held if c["class"] == "spam"][:100] +
                  [c for c in held if c["class"] == "ham"][:100])
        d = self.start(min_learned=200, rule="0.99")
        self.wait_learned(*[sum(c["class"] == cls for c in corpus[0::2])
                            for cls in ("spam", "ham")], timeout=120)
        out = self.decide(d, [c["text"] for c in sample])
        flagged = [c["class"] for c, o in zip(sample, out) if o == "flag"]
        caught, wrong = flagged.count("spam"), flagged.count("ham")
        sys.stderr.write("held out: %d of 100 spam flagged, %d of 100 ham\n"
                         % (caught, wrong))
        self.assertGreaterEqual(caught, 60)
        self.assertLessEqual(wrong, 1)
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    harness.main()
