#!/usr/bin/python3
"""Soak: pushes N comments (default 1,000,000) through a running daemon
with the shipped rules, while a producer keeps pushing, and samples the
daemon's resident memory (VmRSS) as the decisions pass each mark.

    bench/soak.py [--comments 1000000] [--binary build/bench/moderatord]
                  [--rules DIR]

--rules: another rule set than the shipped rules, e.g. build/rulesets/
r1000 (bench/rulesets.py) for the prefilter's memory over a long run.

Not part of CI (it takes a minute or two); its results are in
docs/BENCHMARKS.md.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import redis

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from throughput import corpus, start_redis  # noqa: E402


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=1000000)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "bench",
                                                     "moderatord"))
    ap.add_argument("--rules", default=os.path.join(ROOT, "rules"))
    args = ap.parse_args()
    n = args.comments
    tmp = tempfile.mkdtemp(prefix="moderatord-soak.")
    srv, sock, r = start_redis(tmp)
    daemon = None
    try:
        conf = os.path.join(tmp, "m.conf")
        with open(conf, "w") as f:
            f.write("log:\n  stdout_decisions: none\n")
        log = open(os.path.join(tmp, "log"), "wb")
        daemon = subprocess.Popen([args.binary, "-c", conf, "-r",
                                   args.rules, "--redis",
                                   sock, "--consumer", "soak"],
                                  stdout=log, stderr=subprocess.STDOUT)
        while b"connected" not in open(os.path.join(tmp, "log"),
                                       "rb").read():
            if daemon.poll() is not None:
                sys.exit("the daemon exited: see %s/log" % tmp)
            time.sleep(0.01)
        samples = [(0, rss_kib(daemon.pid))]
        base = corpus(10000)

        def produce():
            pr = redis.Redis(unix_socket_path=sock)
            for i in range(0, n, 1000):
                p = pr.pipeline(transaction=False)
                for j in range(i, min(i + 1000, n)):
                    c = dict(base[j % len(base)])
                    c["id"] = "s%07d" % j
                    c["text"] = "%s [%d]" % (c["text"], j)
                    p.xadd("comments:in", c)
                p.execute()

        t0 = time.monotonic()
        producer = threading.Thread(target=produce)
        producer.start()
        mark = 100000
        while mark <= n:
            decided = r.xinfo_stream("comments:decisions")["entries-added"] \
                if r.exists("comments:decisions") else 0
            if decided >= mark:
                samples.append((mark, rss_kib(daemon.pid)))
                print("%8d decided  %6.1f s  RSS %7d KiB" %
                      (mark, time.monotonic() - t0, samples[-1][1]),
                      flush=True)
                mark += 100000
            if daemon.poll() is not None:
                sys.exit("the daemon died: see %s/log" % tmp)
            time.sleep(0.05)
        producer.join()
        print("\nRSS at 0: %d KiB, at %d: %d KiB, at %d: %d KiB" %
              (samples[0][1], n // 2,
               dict(samples).get(n // 2, -1), n, samples[-1][1]))
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.terminate()
            daemon.wait()
        srv.kill()
        srv.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
