#!/usr/bin/python3
"""Pushes sample comment threads into Redis, one after the other, and
prints each decision as moderatord writes it. Used by scripts/run.sh;
usable on its own:

    scripts/demo.py SOCKET_OR_HOST:PORT [thread.tsv ...]

A thread file is tab-separated: id, author, author_age_days, text, and
optionally the expected decision, shown next to a decision that differs.
Its first line names the thread: "... (thread ID)".
"""

import os
import re
import sys

import redis

COLOURS = {"approve": "\033[32m", "flag": "\033[33m", "reject": "\033[31m"}
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = [os.path.join(HERE, "sample-thread.tsv"),
           os.path.join(HERE, "sample-thread-attack.tsv")]


def read_thread(path):
    """The thread's id and its comments: (id, author, age, text, expected)."""
    thread, comments = os.path.basename(path), []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                m = re.search(r"\(thread ([^)]+)\)", line)
                thread = m.group(1) if m else thread
                continue
            if not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            comments.append((cols + [""])[:5])
    return thread, comments


def connect(address):
    if address.startswith("/"):
        return redis.Redis(unix_socket_path=address, decode_responses=True)
    host, _, port = address.rpartition(":")
    return redis.Redis(host=host or "127.0.0.1", port=int(port or 6379),
                       decode_responses=True)


def play(r, path, colour, counts):
    """Pushes one thread and prints its decisions; returns 0 when all came."""
    thread, rows = read_thread(path)
    comments = {}
    last = r.xinfo_stream("comments:decisions")["last-generated-id"] \
        if r.exists("comments:decisions") else "0-0"
    for cid, author, age, text, expected in rows:
        comments[cid] = (author, text, expected)
        r.xadd("comments:in", {"id": cid, "author": author,
                               "author_age_days": age, "thread": thread,
                               "text": text})
    print("\n== %s: pushed %d comments; decisions as they come:\n"
          % (thread, len(comments)))
    seen = 0
    while seen < len(comments):
        got = r.xread({"comments:decisions": last}, block=10000, count=100)
        if not got:
            print("timed out waiting for decisions", file=sys.stderr)
            return 1
        for sid, d in got[0][1]:
            last = sid
            if d["id"] not in comments:
                continue
            seen += 1
            counts[d["decision"]] = counts.get(d["decision"], 0) + 1
            author, text, expected = comments[d["id"]]
            tag = d["decision"].upper().ljust(7)
            if colour:
                tag = COLOURS.get(d["decision"], "") + tag + "\033[0m"
            why = ""
            if d["rules"]:
                why = "  <- %s [%s]" % (d["reason"], d["rules"])
            if d["shadow"]:
                why += "  (shadow: %s)" % d["shadow"]
            if expected and expected != d["decision"]:
                why += "  (expected %s)" % expected
            short = text if len(text) <= 70 else text[:67] + "..."
            print("%s %s %-14s %s%s" % (tag, d["id"], author, short, why))
    return 0


def main():
    r = connect(sys.argv[1])
    paths = sys.argv[2:] or DEFAULT
    colour = sys.stdout.isatty()
    counts = {}
    for path in paths:
        if play(r, path, colour, counts) != 0:
            return 1
    print("\n%d decided: %s" % (sum(counts.values()), ", ".join(
        "%d %s" % (n, k) for k, n in sorted(counts.items()))))
    if sys.stdin.isatty():
        print("moderatord keeps running: push more with\n  redis-cli -s %s "
              "XADD comments:in '*' id c99 author you text 'hello'\n"
              "Ctrl-C stops it all." % sys.argv[1])
        last = r.xinfo_stream("comments:decisions")["last-generated-id"]
        try:
            while True:
                got = r.xread({"comments:decisions": last}, block=0)
                for last, d in got[0][1]:
                    print("%s %s  %s" % (d["decision"].upper().ljust(7),
                                         d["id"], d["rules"]))
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
