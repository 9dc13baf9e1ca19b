#!/usr/bin/env python3
"""Normalised rules through a real Redis: evasions are rejected by a rule
with normalize and approved by the same rule without it; the sample
thread under an attack story is decided as its expected column says."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")

EVASIONS = ["Buy cheap v1@gr@", "\u0475\u0456\u0430gr\u0430 here",
            "v\u200biagra", "viiiiagra", "\uff56\uff49\uff41\uff47\uff52\uff41",
            "v i a g r a", "k1ll yourself", "f u c k you", "vïägrä"]
RULES = """- name: evasions
  words: [viagra, kill yourself, fuck]
  {normalize}action: reject
"""


def thread(name):
    rows = []
    with open(os.path.join(SCRIPTS, name), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            rows.append((line.rstrip("\n").split("\t") + [""])[:5])
    return rows


class NormalizeTest(harness.TestCase):

    def run_rules(self, normalize):
        rules = os.path.join(self.tmp, "rules-%d" % normalize)
        os.mkdir(rules)
        with open(os.path.join(rules, "r.yaml"), "w") as f:
            f.write(RULES.format(normalize="normalize: true\n  "
                                 if normalize else ""))
        self.r.delete(harness.IN, harness.OUT)
        harness.push(self.r, [{"id": "e%d" % i, "text": t}
                              for i, t in enumerate(EVASIONS)])
        d = self.daemon(rules=rules, consumer="n%d" % normalize)
        self.assertTrue(harness.wait_decided(self.r, len(EVASIONS), daemon=d))
        self.assertEqual(d.stop(), 0)
        return {o["id"]: o for o in harness.decisions(self.r)}

    def test_evasions_need_normalize(self):
        plain = self.run_rules(False)
        self.assertEqual({o["decision"] for o in plain.values()}, {"approve"},
                         plain)
        norm = self.run_rules(True)
        for i, text in enumerate(EVASIONS):
            o = norm["e%d" % i]
            self.assertEqual((o["decision"], o["rules"]),
                             ("reject", "evasions"), text)

    def test_attack_thread(self):
        first, attack = thread("sample-thread.tsv"), thread(
            "sample-thread-attack.tsv")
        d = self.daemon()
        for rows, name in ((first, "car-ban"), (attack, "attack")):
            before = self.r.xlen(harness.OUT)
            harness.push(self.r, [{"id": cid, "author": author,
                                   "author_age_days": age, "thread": name,
                                   "text": text}
                                  for cid, author, age, text, _ in rows])
            self.assertTrue(harness.wait_decided(
                self.r, before + len(rows), daemon=d))
        self.assertEqual(d.stop(), 0)
        got = {o["id"]: o for o in harness.decisions(self.r)}
        wrong = ["%s %s: %s (%s), expected %s" % (cid, author,
                                                  got[cid]["decision"],
                                                  got[cid]["rules"], expected)
                 for cid, author, _, _, expected in attack
                 if got[cid]["decision"] != expected]
        self.assertEqual(wrong, [])
        # Every comment in Russian or Ukrainian that is not hate stays up.
        cyrillic = [cid for cid, _, _, text, expected in attack
                    if any("\u0400" <= ch <= "\u04ff" for ch in text)
                    and expected == "approve"]
        self.assertGreaterEqual(len(cyrillic), 8)


if __name__ == "__main__":
    harness.main()
