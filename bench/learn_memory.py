#!/usr/bin/python3
"""Redis memory of the site's classifier: the SpamAssassin public corpus
(build/corpus/spamassassin.jsonl, scripts/deps.sh) learned with
moderatorctl learn into a fresh redis-server, in steps, and at each step
used_memory against the empty server and what each key holds.

    bench/learn_memory.py [--ctl build/rel/moderatorctl] [--corpus FILE]

The words hash grows with the vocabulary, not with the comments; the log
is capped (BAYES_LOG_KEEP changes); a marker a comment with an id, for
`verdicts: window`.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import redis

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctl", default=os.path.join(ROOT, "build", "rel",
                                                  "moderatorctl"))
    ap.add_argument("--corpus", default=os.path.join(
        ROOT, "build", "corpus", "spamassassin.jsonl"))
    args = ap.parse_args()
    with open(args.corpus) as f:
        corpus = [json.loads(line) for line in f]
    tmp = tempfile.mkdtemp(prefix="learn-memory.")
    sock = os.path.join(tmp, "redis.sock")
    srv = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket",
                            sock, "--save", "", "--appendonly", "no"],
                           stdout=subprocess.DEVNULL)
    try:
        r = redis.Redis(unix_socket_path=sock)
        for _ in range(100):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        empty = r.info("memory")["used_memory"]
        done = 0
        print("%8s %12s %10s %12s %10s %10s" % (
            "learned", "used bytes", "per comment", "words hash", "words",
            "log"))
        for upto in (1000, 2000, 4000, len(corpus)):
            for cls in ("spam", "ham"):
                lines = "".join(json.dumps({"id": c["id"], "text": c["text"]})
                                + "\n" for c in corpus[done:upto]
                                if c["class"] == cls)
                p = subprocess.run([args.ctl, "--redis", sock, "learn", cls],
                                   input=lines.encode(), capture_output=True)
                if p.returncode != 0:
                    sys.exit(p.stderr.decode())
            done = upto
            used = r.info("memory")["used_memory"] - empty
            words = r.memory_usage("moderatord:v:b:words", samples=0)
            print("%8d %12d %10.0f %12d %10d %10d" % (
                upto, used, used / upto, words,
                r.hlen("moderatord:v:b:words"),
                r.memory_usage("moderatord:v:b:log", samples=0)))
        marker = r.memory_usage("moderatord:v:b:l:" + corpus[0]["id"])
        print("one learned marker (moderatord:v:b:l:ID): %d bytes" % marker)
    finally:
        srv.kill()
        srv.wait()
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
