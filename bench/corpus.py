#!/usr/bin/python3
"""Comments of real length for the benchmarks, from public text in
Debian's packages: the fortune cookie files (fortunes, fortunes-ru), real
English and Russian prose, cut into sentences and joined into comments.

- lengths: log-normal with a median of about 1 KiB, from 20 bytes to 4 KiB
  (a few per cent over 2 KiB);
- about 85 % English, 15 % Russian;
- 8 % carry a spam or scam line from the sample threads, 8 % a link;
- authors: 5,000 names drawn from a Zipf law (a few post a lot);
- 50 threads.

The same seed gives the same corpus. Usage as a module: comments(n, seed);
as a command, bench/corpus.py --tsv N writes N comments as tab-separated
lines (id, author, author_age_days, thread, text) for engine_bench.
"""

import glob
import math
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Unpacked by scripts/deps.sh; or installed.
FORTUNES = next((d for d in (os.path.join(ROOT, "build", "debdata", "usr",
                                          "share", "games", "fortunes"),
                             "/usr/share/games/fortunes")
                 if os.path.isdir(os.path.join(d, "ru"))),
                "/usr/share/games/fortunes")
SPAM = [
    "Buy cheap VIAGRA and Cialis online, no prescription needed!!!",
    "Double your Bitcoin in 24 hours, my mentor showed me how, message him"
    " on WhatsApp",
    "Amazing offer for residents: bit.ly/3Kx9ZqP",
    "I earn $8,000 a month from home, ask me how",
    "Send USDT (TRC20) to TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE to help",
]
LINKS = ["https://www.example.org/news/%d", "http://blog.example.net/p/%d",
         "www.example.com/story/%d"]


def sentences(lang):
    """Sentences of the fortune files of one language, cleaned up."""
    paths = glob.glob(os.path.join(FORTUNES, "ru", "*")) if lang == "ru" \
        else [p for p in glob.glob(os.path.join(FORTUNES, "*"))
              if os.path.isfile(p) and "." not in os.path.basename(p)
              and not os.path.basename(p).startswith(("art", "ascii"))]
    out = []
    for p in sorted(paths):
        if p.endswith((".dat", ".u8")) or os.path.islink(p):
            continue
        try:
            text = open(p, encoding="utf-8").read()
        except (UnicodeDecodeError, IsADirectoryError):
            continue
        for cookie in text.split("\n%\n"):
            cookie = re.sub(r"\s*--.*$", "", cookie.strip(), flags=re.S)
            cookie = re.sub(r"\s+", " ", cookie)
            if 10 <= len(cookie) <= 600:
                out.append(cookie)
    if not out:
        raise SystemExit("no fortune files: run scripts/deps.sh")
    return out


def comments(n, seed=1):
    rnd = random.Random(seed)
    en, ru = sentences("en"), sentences("ru")
    weights = [1 / (k + 1) for k in range(5000)]
    authors = rnd.choices(range(5000), weights=weights, k=n)
    out = []
    for i in range(n):
        pool = ru if rnd.random() < 0.15 else en
        target = int(min(4096, max(20, rnd.lognormvariate(math.log(1024),
                                                          0.75))))
        parts, size = [], 0
        if rnd.random() < 0.08:
            parts.append(rnd.choice(SPAM))
            size += len(parts[-1])
        if rnd.random() < 0.08:
            parts.append(rnd.choice(LINKS) % rnd.randrange(100000))
            size += len(parts[-1])
        while size < target:
            s = rnd.choice(pool)
            parts.append(s)
            size += len(s.encode()) + 1
        text = " ".join(parts).encode()[:max(target, 20)].decode(
            "utf-8", "ignore")
        out.append({"id": "b%07d" % i, "author": "user%d" % authors[i],
                    "author_age_days": str(rnd.randrange(0, 3000)),
                    "thread": "t%d" % rnd.randrange(50), "text": text})
    return out


def main():
    import statistics
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--tsv":
        for c in comments(int(sys.argv[2])):
            sys.stdout.write("\t".join(c[k].replace("\t", " ") for k in (
                "id", "author", "author_age_days", "thread", "text")) + "\n")
        return
    cs = comments(20000)
    lens = sorted(len(c["text"].encode()) for c in cs)
    print("comments: %d, median %d bytes, p10 %d, p90 %d, max %d, authors %d"
          % (len(cs), statistics.median(lens), lens[len(lens) // 10],
             lens[len(lens) * 9 // 10], lens[-1],
             len({c["author"] for c in cs})))


if __name__ == "__main__":
    main()
