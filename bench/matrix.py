#!/usr/bin/python3
"""The benchmark matrix: throughput and decision latency of moderatord for
the Redis-bound ceiling (one rule that never matches) and for 10, 100,
1,000 and 10,000 rules from public sources (bench/rulesets.py), each with
and without the shipped rate-limit rules, on comments of real length
(bench/corpus.py).

    bench/run.sh matrix [--comments 20000] [--runs 3] [--seconds 20]
                        [--latency-seconds 10] [--only r1,r1000]
                        [--before] [--baseline BINARY]

--before also runs every configuration without the prefilter (rules:
prefilter: false), interleaved with the runs with it: the table before
and after, measured in the same run. --baseline runs every configuration
with another moderatord too (an older commit's build), interleaved.

The automaton's databases are compiled once per rule set before the runs
(moderatord -t into a cache directory, timed: the cold compile), so that
each daemon loads them warm. The clock starts at the daemon's
"connected", as for a binary without the automaton: the first moments,
while it loads the automaton from the cache, it decides on literals.

Throughput: a fresh redis-server (unix socket, no persistence) gets the
comments pushed before the daemon starts; the clock runs from the
daemon's "connected" line (its rules loaded and compiled) until every
comment is decided, or for --seconds at most (then decided / seconds).
Configurations are interleaved run by run; medians of --runs runs, each
as a ratio to the ceiling's median of the same run set.

Latency: a producer pushes comments at half the configuration's median
throughput for --latency-seconds; a decision's latency runs from its
input entry's id (Redis's clock when the comment was pushed) to its own
entry's id (Redis's clock when it was written), both in ms: p50, p90,
p99 and max over the steady part (the first second left out).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import corpus  # noqa: E402
import throughput  # noqa: E402

QUIET = "log:\n  stdout_decisions: none\n"
OFF = QUIET + "rules:\n  prefilter: false\n"


def with_cache(conf_text, cache):
    if "rules:" in conf_text:
        return conf_text + "  cache_dir: %s\n" % cache
    return conf_text + "rules:\n  cache_dir: %s\n" % cache


def start_daemon(binary, rules, sock, d, conf_text=QUIET):
    conf = os.path.join(d, "m.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    log = os.path.join(d, "log")
    out = open(log, "wb")
    p = subprocess.Popen([binary, "-c", conf, "-r", rules, "--redis", sock,
                          "--consumer", "bench"], stdout=out,
                         stderr=subprocess.STDOUT)
    while b"connected" not in open(log, "rb").read():
        if p.poll() is not None:
            sys.exit("moderatord exited: see %s" % log)
        time.sleep(0.005)
    return p, out


def cpu_seconds(pid):
    """User + system CPU time of process pid so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput_run(binary, rules, comments, seconds, tmp, conf_text=QUIET):
    """(comments/s, daemon CPU and Redis CPU in µs per comment decided)."""
    d = tempfile.mkdtemp(dir=tmp)
    srv, sock, r = throughput.start_redis(d)
    try:
        for i in range(0, len(comments), 2000):
            p = r.pipeline(transaction=False)
            for c in comments[i:i + 2000]:
                p.xadd("comments:in", c)
            p.execute()
        daemon, out = start_daemon(binary, rules, sock, d, conf_text)
        t0 = time.monotonic()
        c0 = cpu_seconds(daemon.pid), cpu_seconds(srv.pid)
        done0 = r.xlen("comments:decisions")
        while True:
            done = r.xlen("comments:decisions")
            elapsed = time.monotonic() - t0
            if done >= len(comments) or elapsed >= seconds:
                break
            time.sleep(0.005)
        done -= done0
        c1 = cpu_seconds(daemon.pid), cpu_seconds(srv.pid)
        daemon.terminate()
        daemon.wait()
        out.close()
        per = lambda i: (c1[i] - c0[i]) * 1e6 / max(done, 1)
        return done / elapsed, per(0), per(1)
    finally:
        srv.kill()
        srv.wait()
        shutil.rmtree(d, ignore_errors=True)


def latency_run(binary, rules, comments, rate, seconds, tmp, conf_text=QUIET):
    """Pushes at rate comments/s for seconds; latencies in ms."""
    d = tempfile.mkdtemp(dir=tmp)
    srv, sock, r = throughput.start_redis(d)
    try:
        daemon, out = start_daemon(binary, rules, sock, d, conf_text)
        stop = threading.Event()

        def produce():
            pr = throughput.redis.Redis(unix_socket_path=sock)
            t0, sent, tick = time.monotonic(), 0, 0.005
            while not stop.is_set():
                due = int((time.monotonic() - t0) * rate)
                if due > sent:
                    p = pr.pipeline(transaction=False)
                    for i in range(sent, due):
                        p.xadd("comments:in", comments[i % len(comments)])
                    p.execute()
                    sent = due
                time.sleep(tick)

        th = threading.Thread(target=produce)
        th.start()
        time.sleep(seconds)
        stop.set()
        th.join()
        time.sleep(1)
        daemon.terminate()
        daemon.wait()
        out.close()
        lat, first = [], None
        for sid, f in r.xrange("comments:decisions"):
            t_out = int(sid.split(b"-")[0])
            t_in = int(f[b"entry"].split(b"-")[0])
            first = first or t_in
            if t_in - first >= 1000:
                lat.append(t_out - t_in)
        lat.sort()
        if not lat:
            return None
        pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
        return pick(0.5), pick(0.9), pick(0.99), lat[-1], len(lat)
    finally:
        srv.kill()
        srv.wait()
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--latency-seconds", type=float, default=10)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "bench",
                                                     "moderatord"))
    ap.add_argument("--rulesets", default=os.path.join(ROOT, "build",
                                                       "rulesets"))
    ap.add_argument("--only", default="")
    ap.add_argument("--before", action="store_true")
    ap.add_argument("--baseline", default="")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(args.rulesets, "r10000")):
        env = dict(os.environ, MODERATORD=args.binary)
        subprocess.run([sys.executable, os.path.join(HERE, "rulesets.py"),
                        args.rulesets], check=True, env=env)
    names = ["r1", "r1-rl", "r10", "r10-rl", "r100", "r100-rl", "r1000",
             "r1000-rl", "r10000", "r10000-rl", "sa100", "sa1000", "shipped"]
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    comments = corpus.comments(args.comments)
    # The shipped rules, rate limits and all, as a site starts with them.
    shipped = os.path.join(args.rulesets, "shipped")
    if not os.path.isdir(shipped):
        shutil.copytree(os.path.join(ROOT, "rules"), shipped)
    tmp = tempfile.mkdtemp(prefix="moderatord-matrix.")
    cache = os.path.join(tmp, "cache")
    os.mkdir(cache)
    quiet = with_cache(QUIET, cache)
    results = {}
    try:
        variants = [("", quiet, args.binary)] + (
            [("before:", OFF, args.binary)] if args.before else []) + (
            [("baseline:", QUIET, args.baseline)] if args.baseline else [])
        conf = os.path.join(tmp, "warm.conf")
        with open(conf, "w") as f:
            f.write(quiet)
        for n in names:
            t = time.monotonic()
            subprocess.run([args.binary, "-t", "-c", conf, "-r",
                            os.path.join(args.rulesets, n)],
                           stdout=subprocess.DEVNULL, check=True)
            cold = time.monotonic() - t
            t = time.monotonic()
            subprocess.run([args.binary, "-t", "-c", conf, "-r",
                            os.path.join(args.rulesets, n)],
                           stdout=subprocess.DEVNULL, check=True)
            print("%-10s -t cold %.2f s, warm %.2f s" % (
                n, cold, time.monotonic() - t), flush=True)
        for run in range(args.runs):
            for n in names:
                for tag, conf, binary in variants:
                    rate, dcpu, rcpu = throughput_run(
                        binary, os.path.join(args.rulesets, n),
                        comments, args.seconds, tmp, conf)
                    results.setdefault(tag + n, []).append(rate)
                    print("run %d %-17s %9.0f comments/s   CPU per "
                          "comment: moderatord %6.1f us, redis %5.1f us" % (
                              run + 1, tag + n, rate, dcpu, rcpu),
                          flush=True)
        lat = {}
        for n in names:
            med = statistics.median(results[n])
            lat[n] = latency_run(args.binary, os.path.join(args.rulesets, n),
                                 comments, med / 2, args.latency_seconds,
                                 tmp, quiet)
            print("latency %-10s at %6.0f/s: %s" % (n, med / 2, lat[n]),
                  flush=True)
        base = statistics.median(results["r1"]) if "r1" in results else 0
        print("\n| rules | runs (comments/s) | median | vs. ceiling | "
              "latency p50 / p90 / p99 / max (ms) at half rate |%s%s" % (
                  " without prefilter: median | vs. ceiling |"
                  if args.before else "",
                  " baseline: median | vs. ceiling |"
                  if args.baseline else ""))
        print("|---|---|---|---|---|%s%s" % (
            "---|---|" if args.before else "",
            "---|---|" if args.baseline else ""))
        for n in names:
            med = statistics.median(results[n])
            l = lat[n]
            extra = ""
            for tag, on in (("before:", args.before),
                            ("baseline:", args.baseline)):
                if not on:
                    continue
                b = statistics.median(results[tag + n])
                extra += " %.0f | %s |" % (b, "%.3f" % (b / base) if base
                                           else "-")
            print("| %s | %s | %.0f | %s | %s |%s" % (
                n, " / ".join("%.0f" % x for x in results[n]), med,
                "%.3f" % (med / base) if base else "-",
                "%d / %d / %d / %d (%d decisions)" % l if l else "-",
                extra))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
