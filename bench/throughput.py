#!/usr/bin/python3
"""Throughput of moderatord: N comments pushed before the daemon starts,
timed from its "connected" line to the N-th decision in the output stream.

Each configuration runs several times on its own fresh redis-server (unix
socket, no persistence); the median is reported, with the ratio to the
baseline (a single rule that never matches) measured in the same run,
and the CPU the daemon and Redis spent a comment meanwhile (Redis's
includes what the feeders send). Each configuration first runs once
untimed, so that the automaton's cache (CACHE_DIRECTORY, as under
systemd) holds its databases: what is timed is deciding, not compiling.

    bench/throughput.py [--comments 100000] [--runs 3] [--binary PATH]
                        [--corpus sample|real] [--compare OTHER_BINARY]
                        [--normalize] [--metrics] [--verdicts]
                        [--commandstats] [--wait] [--spread SECONDS]
                        [--brigade] [--verdicts-off]

--corpus real: comments of real length (median about 1 KiB) from 5,000
authors, made by bench/corpus.py from public text; sample (the default):
the sample thread cycled, short comments from 50 authors.
--normalize: the shipped rules against the same rules with every
normalize key (and the tests that need it) taken out.
--metrics: the baseline and the shipped rules with rate limits, each
with metrics off and on (GET /metrics scraped every second meanwhile).
--verdicts: the shipped rules with verdicts off, on with none arriving,
and on with a moderator's verdict (and the comment's text, which the
classifier learns) for every tenth decided comment, pushed while the
daemon decides (what the verdict path costs the decision path), with
verdicts paced while comments wait (verdicts: busy_rate, the default)
and not (busy_rate 0); for each run, how many verdicts were counted
while it decided and how long the rest took once it was done.

--brigade: the shipped rules without the brigade rule (near_text) and the
repeat-offenders ladder (escalate), with the brigade rule, and with both;
the Redis memory a comment (used_memory when the last decision is in,
less before the daemon started) tells what their buckets, signatures and
strikes keep.
--verdicts-off: every configuration with the verdict stream off
(verdict_stream: ""), so that no join record is written for the
comments rules name: what the rate limits themselves cost.
--wait: the shipped rules on a Redis with one replica, without and with
redis: wait_replicas: 1 (a WAIT for the replica behind each batch).
--spread SECONDS: the comments' stream ids spread evenly over that much
time, ending now, as a site's comments arrive (by default they all come
within the second or two it takes to push them, so that every author with
more than five is over the shipped flood limit and most comments are
flagged: the rate limits' worst case).
--commandstats: after each run, the Redis commands that took the most
time (INFO commandstats: calls and us a decided comment; commands run
by scripts are counted both under their own name and in the script's).

With --compare, both binaries run interleaved on the baseline rules (the
Redis path) and on the shipped rules with rate limits (the decide
script's checks): for catching a regression between two builds (say, one
built from an older commit with git worktree).
"""

import argparse
import os
import socket
import threading
import urllib.request
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import redis
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def corpus(n):
    """The sample thread's comments, cycled and made unique."""
    texts = []
    with open(os.path.join(ROOT, "scripts", "sample-thread.tsv")) as f:
        for line in f:
            if not line.startswith("#"):
                texts.append(line.rstrip("\n").split("\t"))
    out = []
    for i in range(n):
        cid, author, age, text = texts[i % len(texts)]
        out.append({"id": "b%07d" % i, "author": author,
                    "author_age_days": age, "thread": "t%d" % (i % 50),
                    "text": "%s (%d)" % (text, i)})
    return out


def rewrite_rules(src, dst, change):
    """The rules of src into dst, each file's list of rules through
    change (which returns the list to write)."""
    os.mkdir(dst)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(src, name), encoding="utf-8") as f:
            rules = yaml.safe_load(f) or []
        with open(os.path.join(dst, name), "w", encoding="utf-8") as f:
            yaml.safe_dump(change(rules), f, allow_unicode=True,
                           sort_keys=False)


def without_rules(src, dst, names):
    """The rules of src without the rules called names into dst."""
    rewrite_rules(src, dst, lambda rules: [r for r in rules
                                           if r.get("name") not in names])


def strip_normalize(src, dst):
    """The rules of src without normalize (and their tests) into dst."""
    def strip(rules):
        for r in rules:
            if r.pop("normalize", None) is not None:
                r.pop("tests", None)
        return rules
    rewrite_rules(src, dst, strip)


def start_redis(d, port=0, extra=()):
    """A redis-server on a unix socket in d (and TCP port, if not 0), no
    persistence; (process, socket path, client)."""
    sock = os.path.join(d, "redis.sock")
    srv = subprocess.Popen(["redis-server", "--port", str(port),
                            "--bind", "127.0.0.1", "--unixsocket",
                            sock, "--dir", d, "--save", "", "--appendonly",
                            "no"] + list(extra), stdout=subprocess.DEVNULL)
    r = redis.Redis(unix_socket_path=sock)
    for _ in range(200):
        try:
            r.ping()
            break
        except (redis.ConnectionError, FileNotFoundError):
            time.sleep(0.05)
    return srv, sock, r


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scraper(port, stop):
    """GET /metrics every second until stop is set, as Prometheus would
    (more often than its usual 15 s)."""
    while not stop.wait(1):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                   timeout=5).read()
        except OSError:
            pass


def verdict_feeder(sock, stop, comments, every=10):
    """A verdict for every tenth decided comment, with the comment's text,
    as an application sends it (the classifier learns it). One daemon
    decides in the input's order, so the first XLEN decisions are the
    first XLEN comments: the feeder only counts them, and its own work
    (it shares this machine's cores) stays a tenth of the comments'."""
    r = redis.Redis(unix_socket_path=sock)
    seen = 0
    while not stop.wait(0.005):
        decided = min(r.xlen("comments:decisions"), len(comments))
        p = r.pipeline(transaction=False)
        for n in range(seen + 1, decided + 1):
            if n % every == 0:
                c = comments[n - 1]
                p.xadd("comments:verdicts", {
                    "id": c["id"], "text": c.get("text", ""),
                    "verdict": "approve" if n % 30 == 0 else "remove"})
        seen = decided
        p.execute()


def verdicts_counted(r):
    """Verdicts the daemon has counted and acknowledged so far."""
    for g in r.xinfo_groups("comments:verdicts"):
        read = len(r.xrange("comments:verdicts", "-",
                            g["last-delivered-id"]))
        return read - g["pending"]
    return 0


def verdicts_drained(r, elapsed):
    """Says how many of the verdicts pushed were counted by the last
    decision, and how long after it the rest took."""
    pushed, t0 = r.xlen("comments:verdicts"), time.monotonic()
    counted = verdicts_counted(r)
    while verdicts_counted(r) < pushed and time.monotonic() - t0 < 300:
        time.sleep(0.1)
    print("      verdicts: %d pushed, %d counted during the %.1f s of "
          "deciding, all counted %.1f s after" % (
              pushed, counted, elapsed, time.monotonic() - t0))


def cpu_seconds(pid):
    """User and system CPU of process pid so far (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_cpu(r):
    info = r.info("cpu")
    return info["used_cpu_user"] + info["used_cpu_sys"]


def commandstats(r):
    """{command: (calls, usec)} so far."""
    return {k: (v["calls"], v["usec"])
            for k, v in r.info("commandstats").items()}


def print_commandstats(before, after, n):
    moved = []
    for k, (calls, usec) in after.items():
        c0, u0 = before.get(k, (0, 0))
        if usec > u0:
            moved.append((usec - u0, calls - c0, k))
    for usec, calls, k in sorted(moved, reverse=True)[:12]:
        print("      %-28s %9d calls  %7.2f us a comment"
              % (k.replace("cmdstat_", ""), calls, usec / n))


def one_run(binary, rules, conf, comments, tmp, stats=False, spread_ms=0):
    """(comments/s, the CPU us a comment of the daemon, of Redis and of
    this process: its feeders and its polling, CPU counted from the
    daemon's "connected" to its last decision; and the bytes a comment
    Redis's used_memory grew by meanwhile)."""
    d = tempfile.mkdtemp(dir=tmp)
    port = None
    if "{port}" in conf:
        port = free_port()
        conf = conf.replace("{port}", str(port))
    replica = None
    if "# with a replica" in conf:
        rport = free_port()
        srv, sock, r = start_redis(d, rport)
        rd = tempfile.mkdtemp(dir=d)
        replica, _, rr = start_redis(rd, 0, ["--replicaof", "127.0.0.1",
                                              str(rport)])
        while rr.info("replication").get("master_link_status") != "up":
            time.sleep(0.05)
    else:
        srv, sock, r = start_redis(d)
    try:
        start = int(time.time() * 1000) - spread_ms
        for i in range(0, len(comments), 2000):
            p = r.pipeline(transaction=False)
            for j, c in enumerate(comments[i:i + 2000], i):
                if spread_ms:
                    p.xadd("comments:in", c, id="%d-%d" % (
                        start + j * spread_ms // len(comments), j))
                else:
                    p.xadd("comments:in", c)
            p.execute()
        conf_path = os.path.join(d, "m.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        log = open(os.path.join(d, "log"), "wb")
        # The automaton's cache, as systemd's CacheDirectory= gives it: a
        # daemon started again finds its databases built.
        env = dict(os.environ, CACHE_DIRECTORY=os.path.join(tmp, "cache"))
        daemon = subprocess.Popen([binary, "-c", conf_path, "-r", rules,
                                   "--redis", sock, "--consumer", "bench"],
                                  stdout=log, stderr=subprocess.STDOUT,
                                  env=env)
        while b"connected" not in open(os.path.join(d, "log"), "rb").read():
            if daemon.poll() is not None:
                sys.exit("moderatord exited: see %s/log" % d)
            time.sleep(0.001)
        stop = threading.Event()
        feeder = None
        if "verdict_stream: comments:verdicts" in conf:
            feeder = threading.Thread(target=verdict_feeder,
                                      args=(sock, stop, comments),
                                      daemon=True)
            feeder.start()
        if port is not None:
            threading.Thread(target=scraper, args=(port, stop),
                             daemon=True).start()
        t0 = time.monotonic()
        m0 = r.info("memory")["used_memory"]
        d0, r0 = cpu_seconds(daemon.pid), redis_cpu(r)
        b0 = sum(os.times()[:2])
        s0 = commandstats(r) if stats else None
        while r.xlen("comments:decisions") < len(comments):
            time.sleep(0.002)
        elapsed = time.monotonic() - t0
        d1, r1 = cpu_seconds(daemon.pid), redis_cpu(r)
        m1 = r.info("memory")["used_memory"]
        b1 = sum(os.times()[:2])
        stop.set()
        if stats:
            print_commandstats(s0, commandstats(r), len(comments))
        if feeder is not None:
            feeder.join()
            verdicts_drained(r, elapsed)
        daemon.terminate()
        daemon.wait()
        log.close()
        n = len(comments)
        return (n / elapsed, (d1 - d0) / n * 1e6, (r1 - r0) / n * 1e6,
                (b1 - b0) / n * 1e6, (m1 - m0) / n)
    finally:
        for p in (srv, replica):
            if p is not None:
                p.kill()
                p.wait()
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "bench",
                                                     "moderatord"))
    ap.add_argument("--compare", metavar="OTHER_BINARY")
    ap.add_argument("--corpus", choices=("sample", "real"), default="sample")
    ap.add_argument("--normalize", action="store_true")
    ap.add_argument("--metrics", action="store_true")
    ap.add_argument("--verdicts", action="store_true")
    ap.add_argument("--commandstats", action="store_true")
    ap.add_argument("--wait", action="store_true")
    ap.add_argument("--brigade", action="store_true")
    ap.add_argument("--verdicts-off", action="store_true")
    ap.add_argument("--spread", type=float, default=0, metavar="SECONDS")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="moderatord-bench.")
    try:
        base_rules = os.path.join(tmp, "baseline")
        os.mkdir(base_rules)
        with open(os.path.join(base_rules, "none.yaml"), "w") as f:
            f.write("- name: never\n  match: '^\\x{1}never$'\n"
                    "  action: flag\n")
        # The shipped rules without the rate-limit file.
        no_limits = os.path.join(tmp, "no-limits")
        shutil.copytree(os.path.join(ROOT, "rules"), no_limits,
                        ignore=shutil.ignore_patterns("*floods.yaml", "*.md"))
        quiet = "log:\n  stdout_decisions: none\n"
        if args.verdicts_off:
            quiet += "redis:\n  verdict_stream: \"\"\n"
        b = args.binary
        shipped = os.path.join(ROOT, "rules")
        configs = [
            ("baseline: 1 rule, never matches", b, base_rules, quiet),
            ("shipped rules, no rate limits", b, no_limits, quiet),
            ("shipped rules with rate limits", b,
             os.path.join(ROOT, "rules"), quiet),
            ("shipped rules with rate limits, no JIT", b,
             os.path.join(ROOT, "rules"), quiet + "rules:\n  jit: false\n"),
        ]
        if args.compare:
            configs = [("baseline rules, --binary", b, base_rules, quiet),
                       ("baseline rules, --compare", args.compare,
                        base_rules, quiet),
                       ("shipped rules, --binary", b, shipped, quiet),
                       ("shipped rules, --compare", args.compare, shipped,
                        quiet)]
        if args.normalize:
            plain = os.path.join(tmp, "no-normalize")
            strip_normalize(os.path.join(ROOT, "rules"), plain)
            configs = [configs[0],
                       ("shipped rules (normalize)", b,
                        os.path.join(ROOT, "rules"), quiet),
                       ("shipped rules, normalize taken out", b, plain,
                        quiet)]
        if args.metrics:
            on = quiet + "metrics:\n  listen: \":{port}\"\n"
            configs = [configs[0],
                       ("baseline, metrics on", b, base_rules, on),
                       ("shipped rules, metrics off", b, shipped, quiet),
                       ("shipped rules, metrics on", b, shipped, on)]
        if args.verdicts:
            off = quiet + "redis:\n  verdict_stream: \"\"\n"
            idle = quiet + "redis:\n  verdict_stream: idle:verdicts\n"
            fed = quiet + "redis:\n  verdict_stream: comments:verdicts\n"
            unpaced = fed + "verdicts:\n  busy_rate: 0\n"
            configs = [configs[0],
                       ("shipped rules, verdicts off", b, shipped, off),
                       ("shipped rules, verdicts on, none", b, shipped, idle),
                       ("shipped rules, verdicts at 10 %", b, shipped, fed),
                       ("verdicts at 10 %, not paced", b, shipped,
                        unpaced)]
        if args.brigade:
            neither = os.path.join(tmp, "neither")
            without_rules(shipped, neither, ("brigade", "repeat-offenders"))
            brig = os.path.join(tmp, "brigade-only")
            without_rules(shipped, brig, ("repeat-offenders",))
            configs = [configs[0],
                       ("shipped, no brigade, no ladder", b, neither, quiet),
                       ("shipped with brigade, no ladder", b, brig, quiet),
                       ("shipped (brigade and ladder)", b, shipped, quiet)]
        if args.wait:
            rep = quiet + "# with a replica\n"
            configs = [configs[0],
                       ("shipped rules, no replica", b, shipped, quiet),
                       ("shipped rules, a replica, no WAIT", b, shipped,
                        rep),
                       ("shipped rules, a replica, wait_replicas 1", b,
                        shipped, rep + "redis:\n  wait_replicas: 1\n")]
        if args.corpus == "real":
            sys.path.insert(0, HERE)
            import corpus as real_corpus
            comments = real_corpus.comments(args.comments)
        else:
            comments = corpus(args.comments)
        results, cpu = {}, {}
        os.mkdir(os.path.join(tmp, "cache"))
        # Each configuration once, untimed, to fill the automaton's cache.
        for name, binary, rules, conf in configs:
            one_run(binary, rules, conf, comments[:1000], tmp)
        # Interleave the configurations so drift hits them alike.
        for run in range(args.runs):
            for name, binary, rules, conf in configs:
                rate, *used = one_run(binary, rules, conf, comments, tmp,
                                      args.commandstats,
                                      int(args.spread * 1000))
                results.setdefault(name, []).append(rate)
                cpu.setdefault(name, []).append(used)
                print("run %d  %-40s %9.0f comments/s  CPU us a comment: "
                      "daemon %.1f, Redis %.1f, bench %.1f; Redis memory "
                      "%+.0f bytes a comment"
                      % (run + 1, name, rate, *used), flush=True)
        base = statistics.median(results[configs[0][0]])
        print("\n%d comments, median of %d runs:" % (args.comments, args.runs))
        for name, _, _, _ in configs:
            m = statistics.median(results[name])
            print("  %-40s %9.0f comments/s  (%.2f x baseline)  CPU us a "
                  "comment: daemon %.1f, Redis %.1f, bench %.1f; Redis "
                  "memory %+.0f bytes a comment"
                  % (name, m, m / base,
                     *(statistics.median(c[i] for c in cpu[name])
                       for i in range(4))))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
