#!/usr/bin/python3
"""Pushes the sample comment thread into Redis and prints each decision as
moderatord writes it. Used by scripts/run.sh; usable on its own:

    scripts/demo.py SOCKET_OR_HOST:PORT [thread.tsv]
"""

import os
import sys

import redis

COLOURS = {"approve": "\033[32m", "flag": "\033[33m", "reject": "\033[31m"}
THREAD = "a-2026-oldtown-car-ban"


def connect(address):
    if address.startswith("/"):
        return redis.Redis(unix_socket_path=address, decode_responses=True)
    host, _, port = address.rpartition(":")
    return redis.Redis(host=host or "127.0.0.1", port=int(port or 6379),
                       decode_responses=True)


def main():
    r = connect(sys.argv[1])
    path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "sample-thread.tsv")
    colour = sys.stdout.isatty()
    comments = {}
    start = r.xinfo_stream("comments:decisions")["last-generated-id"] \
        if r.exists("comments:decisions") else "0-0"
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cid, author, age, text = line.rstrip("\n").split("\t")
            comments[cid] = (author, text)
            r.xadd("comments:in", {"id": cid, "author": author,
                                   "author_age_days": age, "thread": THREAD,
                                   "text": text})
    print("pushed %d comments to comments:in; decisions as they come:\n"
          % len(comments))
    counts, last, seen = {}, start, 0
    while seen < len(comments) or sys.stdin.isatty():
        got = r.xread({"comments:decisions": last}, block=5000, count=100)
        if not got:
            if seen < len(comments) and not sys.stdin.isatty():
                print("timed out waiting for decisions", file=sys.stderr)
                return 1
            continue
        for sid, d in got[0][1]:
            last = sid
            seen += 1
            counts[d["decision"]] = counts.get(d["decision"], 0) + 1
            author, text = comments.get(d["id"], ("?", "(not from the sample)"))
            tag = d["decision"].upper().ljust(7)
            if colour:
                tag = COLOURS.get(d["decision"], "") + tag + "\033[0m"
            why = ""
            if d["rules"]:
                why = "  <- %s [%s]" % (d["reason"], d["rules"])
            if d["shadow"]:
                why += "  (shadow: %s)" % d["shadow"]
            short = text if len(text) <= 70 else text[:67] + "..."
            print("%s %s %-14s %s%s" % (tag, d["id"], author, short, why))
            if seen == len(comments):
                print("\n%d decided: %s" % (seen, ", ".join(
                    "%d %s" % (n, k) for k, n in sorted(counts.items()))))
                if sys.stdin.isatty():
                    print("moderatord keeps running: push more with\n  "
                          "redis-cli -s %s XADD comments:in '*' id c99 "
                          "author you text 'hello'\nCtrl-C stops it all."
                          % sys.argv[1])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
