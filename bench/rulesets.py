#!/usr/bin/python3
"""Rule sets for the benchmarks, generated from public sources, never
written for the engine:

- regexes of SpamAssassin's rules as Debian 12 ships them (package
  spamassassin 4.0.1, its *.cf files, unpacked by scripts/deps.sh): body,
  rawbody and header tests, /regex/flags turned into PCRE2 rules;
- the word lists of npm's naughty-words (LDNOOBW, 28 languages) and
  profane-words (English): one whole-word rule a word;
- the domains of npm's disposable-email-domains: one rule a domain, a
  scam-domain block list.

    bench/rulesets.py OUT_DIR

writes OUT_DIR/sa100 and sa1000 (SpamAssassin's regexes alone), r1 (the ceiling: one rule that never matches), r10, r100,
r1000 and r10000 (the sources interleaved: a third regexes, a third words,
a third domains while each lasts), each also as rN-rl with the shipped
rate-limit rules (rules/70-floods.yaml) added; OUT_DIR/words-100k, one
rule with a words_file of 100,000 domains, and words-1k, the same list cut
to 1,000; and OUT_DIR/SOURCES, what came
from where. Rules the loader refuses (Perl-only syntax) are left out, by
asking `moderatord -t` (MODERATORD, default build/bench/moderatord).
"""

import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NPM = os.path.join(ROOT, "build", "npm", "node_modules")
# Unpacked by scripts/deps.sh; or an installed spamassassin.
SA = next((d for d in (os.path.join(ROOT, "build", "debdata", "usr", "share",
                                    "spamassassin"),
                       "/usr/share/spamassassin") if os.path.isdir(d)),
          "/usr/share/spamassassin")
SIZES = (10, 100, 1000, 10000)


def quote(s):
    return "'" + s.replace("'", "''") + "'"


def sa_rules():
    """(name, regex, caseless) of SpamAssassin's regex tests."""
    out, seen = [], set()
    pat = re.compile(r"^\s*(body|rawbody|header)\s+([A-Za-z0-9_]+)\s+"
                     r"(?:[A-Za-z-]+(?::[a-z]+)?\s+=~\s+)?/(.*)/([a-z]*)\s*$")
    for path in sorted(glob.glob(os.path.join(SA, "*.cf"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = pat.match(line)
                if not m or m.group(2) in seen:
                    continue
                regex, flags = m.group(3), m.group(4)
                if set(flags) - set("imsx"):
                    continue
                inline = "".join(c for c in flags if c in "msx")
                if inline:
                    regex = "(?%s)%s" % (inline, regex)
                if len(regex) > 2000:
                    continue
                seen.add(m.group(2))
                out.append(("sa." + m.group(2), regex, "i" in flags))
    return out


def words():
    """(name, word) of the npm word lists."""
    out = []
    for path in sorted(glob.glob(os.path.join(NPM, "naughty-words", "*.json"))):
        lang = os.path.basename(path)[:-5]
        for i, w in enumerate(json.load(open(path, encoding="utf-8"))):
            if w.strip():
                out.append(("w.%s.%d" % (lang, i), w.strip()))
    prof = json.load(open(os.path.join(NPM, "profane-words", "words.json"),
                          encoding="utf-8"))
    for i, w in enumerate(prof):
        if w.strip():
            out.append(("w.profane.%d" % i, w.strip()))
    return out


def domains():
    """(name, domain) of the npm block list."""
    ds = json.load(open(os.path.join(NPM, "disposable-email-domains",
                                     "index.json"), encoding="utf-8"))
    return [("dom.%d" % i, d) for i, d in enumerate(ds)]


def rule_text(kind, item):
    if kind == "sa":
        name, regex, caseless = item
        return ("- name: %s\n  match: %s\n%s  action: flag\n"
                % (name, quote(regex), "" if caseless else
                   "  caseless: false\n"))
    if kind == "word":
        name, w = item
        return "- name: %s\n  words: [%s]\n  action: reject\n" % (
            name, quote(w))
    name, d = item
    return "- name: %s\n  match: %s\n  action: reject\n" % (
        name, quote(r"\b" + re.escape(d) + r"\b"))


def refused(binary, text):
    """Line numbers of the rules moderatord -t refuses in one file."""
    tmp = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                       "rulesets.%d" % os.getpid())
    shutil.rmtree(tmp, ignore_errors=True)
    os.mkdir(tmp)
    with open(os.path.join(tmp, "all.yaml"), "w", encoding="utf-8") as f:
        f.write(text)
    # Only whether each rule loads: no prefilter to build.
    conf = tmp + ".conf"
    with open(conf, "w") as f:
        f.write("rules:\n  prefilter: false\n")
    out = subprocess.run([binary, "-t", "-c", conf, "-r", tmp],
                         capture_output=True, text=True).stderr
    shutil.rmtree(tmp, ignore_errors=True)
    os.unlink(conf)
    return {int(m.group(1)) for m in re.finditer(r"all\.yaml:(\d+)", out)}


def loadable(binary, kind, items):
    """The items whose rules load, in order."""
    rules = [rule_text(kind, it) for it in items]
    starts, line = [], 1
    for r in rules:
        starts.append(line)
        line += r.count("\n")
    bad = refused(binary, "".join(rules))
    keep = []
    for i, it in enumerate(items):
        end = starts[i + 1] if i + 1 < len(starts) else line
        if not any(starts[i] <= b < end for b in bad):
            keep.append(it)
    return keep


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        ROOT, "build", "rulesets")
    binary = os.environ.get("MODERATORD", os.path.join(
        ROOT, "build", "bench", "moderatord"))
    rnd = random.Random(42)
    sa, ws, ds = sa_rules(), words(), domains()
    for pool in (sa, ws, ds):
        rnd.shuffle(pool)
    sa = loadable(binary, "sa", sa)
    ws = loadable(binary, "word", ws)
    order, pools = [], [("sa", sa), ("word", ws), ("domain", ds)]
    idx = [0, 0, 0]
    while len(order) < max(SIZES):
        for p, (kind, pool) in enumerate(pools):
            if idx[p] < len(pool) and len(order) < max(SIZES):
                order.append((kind, pool[idx[p]]))
                idx[p] += 1
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    # SpamAssassin's regexes alone: the heavy patterns of the automaton.
    for n in (100, 1000):
        d = os.path.join(out, "sa%d" % n)
        os.mkdir(d)
        with open(os.path.join(d, "rules.yaml"), "w", encoding="utf-8") as f:
            f.write("".join(rule_text("sa", it) for it in sa[:n]))
    floods = os.path.join(ROOT, "rules", "70-floods.yaml")
    for n in (1,) + SIZES:
        for rl in ("", "-rl"):
            d = os.path.join(out, "r%d%s" % (n, rl))
            os.mkdir(d)
            with open(os.path.join(d, "rules.yaml"), "w",
                      encoding="utf-8") as f:
                if n == 1:
                    f.write("- name: never\n  match: '^\\x{1}never$'\n"
                            "  action: flag\n")
                else:
                    f.write("".join(rule_text(k, it)
                                    for k, it in order[:n]))
            if rl:
                shutil.copy(floods, d)
    # The same list cut to 1,000: a long list must cost a comment no more.
    for name, n in (("words-1k", 1000), ("words-100k", 100000)):
        d = os.path.join(out, name)
        os.mkdir(d)
        with open(os.path.join(d, "domains.txt"), "w",
                  encoding="utf-8") as f:
            f.write("# %d domains of npm's disposable-email-domains\n" % n)
            f.write("\n".join(dom for _, dom in ds[:n]) + "\n")
        with open(os.path.join(d, "rules.yaml"), "w", encoding="utf-8") as f:
            f.write("- name: scam-domains\n  words_file: domains.txt\n"
                    "  action: reject\n")
    with open(os.path.join(out, "SOURCES"), "w") as f:
        f.write("spamassassin regexes: %d usable\nwords: %d usable\n"
                "domains: %d\nin r10000: %s\n" % (
                    len(sa), len(ws), len(ds), {
                        k: sum(1 for kk, _ in order if kk == k)
                        for k in ("sa", "word", "domain")}))
    print(open(os.path.join(out, "SOURCES")).read(), end="")


if __name__ == "__main__":
    main()
