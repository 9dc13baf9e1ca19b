"""Test harness: a private redis-server and the real moderatord binary.

Every test class gets its own redis-server on a unix socket in a temporary
directory, started here and killed on any exit (hiredis test.sh, memcached
t/lib/MemcachedTest.pm). Set REDIS_SOCKET to use a running server instead,
for debugging.
"""

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import warnings

import redis

MODERATORD = os.environ.get("MODERATORD", "build/moderatord")
RULES_DIR = os.environ.get("RULES_DIR", "rules")
REDIS_SERVER = os.environ.get("REDIS_SERVER", "redis-server")
IN, OUT, GROUP = "comments:in", "comments:decisions", "moderators"
# MODERATORD_VALGRIND=1: every daemon runs under memcheck; any error or
# leak makes it exit 99, which the tests' exit-code checks catch.
VALGRIND = (["valgrind", "-q", "--leak-check=full",
             # A compile child exits with its parent's memory held by
             # threads it does not have: not a leak of the daemon's.
             "--child-silent-after-fork=yes",
             "--show-leak-kinds=definite,indirect",
             "--errors-for-leak-kinds=definite,indirect",
             "--error-exitcode=99"]
            if os.environ.get("MODERATORD_VALGRIND") else [])
# Beside the binary, unless AUTOMATON_CACHE names one (scripts/test.sh
# gives every stage the same): the release tests fill it and the valgrind
# run finds it warm, for the databases are built for AVX2 at most, the
# CPU valgrind emulates (hs_target_platform).
AUTOMATON_CACHE = os.environ.get("AUTOMATON_CACHE", os.path.join(
    os.path.dirname(os.path.abspath(MODERATORD)), "tests", "hs-cache"))
os.makedirs(AUTOMATON_CACHE, exist_ok=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of our own; stop() or process exit kills it."""

    def __init__(self, tmp, appendonly=False, password=None, port=0,
                 extra=()):
        self.dir = tempfile.mkdtemp(dir=tmp, prefix="redis.")
        self.sock = os.path.join(self.dir, "redis.sock")
        self.port = port
        self.password = password
        self.appendonly = appendonly
        self.extra = list(extra)
        self.proc = None
        self.start()
        atexit.register(self.stop)

    def start(self):
        args = [REDIS_SERVER, "--port", str(self.port), "--unixsocket",
                self.sock, "--unixsocketperm", "700", "--dir", self.dir,
                "--save", "", "--appendonly",
                "yes" if self.appendonly else "no", "--bind", "127.0.0.1"]
        if self.appendonly:
            # Every write on disk before the reply: a SIGKILLed Redis
            # loses nothing, as the fault tests assume.
            args += ["--appendfsync", "always"]
        if self.password:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args + self.extra, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            c = self.client()
            try:
                if c.ping():
                    return
            except (redis.ConnectionError, redis.BusyLoadingError,
                    FileNotFoundError):
                time.sleep(0.05)
            finally:
                c.close()
        raise RuntimeError("redis-server did not start")

    def crash(self):
        """SIGKILL, then start again on the same socket and data."""
        self.stop()
        self.start()

    def restart(self):
        """SHUTDOWN (so the append-only file is complete), then start again
        on the same directory and socket: a Redis restart, script cache
        gone, data kept."""
        c = self.client()
        try:
            c.shutdown(nosave=not self.appendonly)
        except redis.ConnectionError:
            pass
        c.close()
        self.proc.wait()
        self.start()

    def client(self):
        return redis.Redis(unix_socket_path=self.sock, password=self.password)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Daemon:
    """moderatord in the foreground, its stdout and stderr in one file."""

    def __init__(self, tmp, sock, consumer="test-1", rules=None, conf=None,
                 extra=(), env=None):
        self.tmp = tmp
        self.logfile = os.path.join(tmp, "moderatord.%s.%d.log" %
                                    (consumer, time.monotonic_ns()))
        self.decisions_log = os.path.join(tmp, "decisions.%s.log" % consumer)
        conf_path = os.path.join(tmp, "moderatord.%s.conf" % consumer)
        if conf is None:
            conf = ("log:\n  file: %s\n  file_decisions: all\n"
                    % self.decisions_log)
        args = [MODERATORD, "-c", conf_path, "-r", rules or RULES_DIR,
                "--consumer", consumer]
        # One automaton cache for every daemon of the build, as a host's
        # CacheDirectory= is: the shipped rules compile once, not per test.
        # A budget no loaded test machine runs past, so that every
        # database is cached (a pattern killed for time is not); under
        # valgrind, whose compiles crawl, the default: the release run
        # has cached the shipped rules by then.
        if "cache_dir:" not in conf:
            cache = "  cache_dir: %s\n" % AUTOMATON_CACHE
            if not VALGRIND:
                cache += "  compile_budget: 60s\n"
            conf = (conf.replace("rules:\n", "rules:\n" + cache, 1)
                    if "rules:\n" in conf else conf + "rules:\n" + cache)
        if VALGRIND:
            # PCRE2's JIT code reads past buffers with SIMD, which
            # valgrind reports: interpret under valgrind.
            conf = (conf.replace("rules:\n", "rules:\n  jit: false\n")
                    if "rules:\n" in conf else conf + "rules:\n  jit: false\n")
            args = VALGRIND + args
        with open(conf_path, "w") as f:
            f.write(conf)
        if sock:
            args += ["--redis", sock]
        args += list(extra)
        self.out = open(self.logfile, "wb")
        self.proc = subprocess.Popen(args, stdout=self.out,
                                     stderr=subprocess.STDOUT,
                                     env=dict(os.environ, **(env or {})))
        atexit.register(self.kill)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def wait(self, timeout=60):
        rc = self.proc.wait(timeout=timeout)
        self.out.close()
        return rc

    def stop(self):
        """SIGTERM and the exit code. A signal in the first instants after
        exec, before main() runs, would find no handler: wait for the first
        log line, written once the signal events exist."""
        self.wait_log("starting", timeout=10)
        self.signal(signal.SIGTERM)
        return self.wait()

    def output(self):
        with open(self.logfile, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_lines(self):
        """The stdout lines: each must be one JSON object."""
        return [json.loads(l) for l in self.output().splitlines() if l]

    def wait_log(self, text, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.output():
                return True
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        return text in self.output()


def ctl(redis_server, *args, timeout=60, stdin=None):
    """moderatorctl ARGS against redis_server (stdin: bytes to give it):
    the CompletedProcess."""
    return subprocess.run([os.environ.get("MODERATORCTL", "build/moderatorctl"),
                           "--redis", redis_server.sock] + list(args),
                          capture_output=True, timeout=timeout, input=stdin)


def read_json_lines(path):
    with open(path, "rb") as f:
        return [json.loads(l) for l in f.read().splitlines() if l]


_CHATTER = ("river garden window morning coffee bicycle station market "
            "autumn library teacher bridge lantern orchard harbour meadow "
            "kitchen pencil violin tractor blanket mountain village ticket "
            "summer winter basket candle ladder mirror pepper saddle "
            "thunder walnut island compass cottage festival quarry").split()


def chatter(i, words=8):
    """A phrase of ordinary words, different for each i: appended to a
    templated comment, it keeps thousands of them from being one brigade
    of near-identical texts (the shipped brigade rule would hold them)."""
    out = []
    for _ in range(words):
        i, k = divmod(i * 7919 + 104729, len(_CHATTER))
        out.append(_CHATTER[k])
    return " ".join(out)


def push(r, comments, batch=1000):
    """XADD each dict of comments; returns the stream ids."""
    ids = []
    for i in range(0, len(comments), batch):
        p = r.pipeline(transaction=False)
        for c in comments[i:i + batch]:
            p.xadd(IN, c)
        ids += p.execute()
    return ids


def decisions(r):
    """The output stream as a list of dicts of str."""
    out = []
    last = "-"
    while True:
        chunk = r.xrange(OUT, min=last, count=10000)
        if last != "-":
            chunk = chunk[1:]
        if not chunk:
            return out
        for sid, fields in chunk:
            out.append({k.decode(): v.decode("utf-8", "replace")
                        for k, v in fields.items()})
        last = chunk[-1][0]


def wait_logged(daemon, n, timeout=120):
    """Waits for n decision lines in the daemon's file log."""
    deadline = time.time() + timeout
    while time.time() < deadline and daemon.proc.poll() is None:
        if os.path.exists(daemon.decisions_log):
            with open(daemon.decisions_log, "rb") as f:
                if f.read().count(b'"event":"decision"') >= n:
                    return True
        time.sleep(0.05)
    return False


def wait_decided(r, n, timeout=120, daemon=None):
    # Gives up when no decision has been added for `timeout` seconds, not
    # at a fixed time: under valgrind a daemon decides thousands of
    # comments twenty times slower, and a stall is what is being caught.
    seen, deadline = -1, 0
    while True:
        got = r.xlen(OUT)
        if got >= n:
            return True
        if got != seen:
            seen, deadline = got, time.time() + timeout
        elif time.time() >= deadline:
            return False
        if daemon is not None and daemon.proc.poll() is not None:
            return r.xlen(OUT) >= n
        time.sleep(0.05)


def pending(r, stream=IN):
    try:
        return r.xpending(stream, GROUP)["pending"]
    except redis.ResponseError:
        return 0


class TestCase(unittest.TestCase):
    """One temporary directory and one redis-server per test."""

    appendonly = False

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="moderatord-test.")
        self.redis = RedisServer(self.tmp, appendonly=self.appendonly)
        self.r = self.redis.client()
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.kill()
            d.out.close()
        self.r.close()
        self.redis.stop()
        if not self._outcome_failed():
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print("kept for inspection:", self.tmp)

    def _outcome_failed(self):
        result = getattr(self._outcome, "result", None)
        errors = getattr(result, "errors", []) + getattr(result, "failures", [])
        return any(t is self for t, _ in errors)

    def daemon(self, **kw):
        kw.setdefault("sock", self.redis.sock)
        d = Daemon(self.tmp, **kw)
        self.daemons.append(d)
        return d

    def rules_dir(self, text, name="rules"):
        """A rules directory in the test's directory, holding text."""
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "rules.yaml"), "w") as f:
            f.write(text)
        return d

    def by_id(self):
        """The decisions so far, by comment id."""
        return {o["id"]: o for o in decisions(self.r)}

    def kill_four(self, rules, conf):
        """A consumer that read 100 entries and died, then four daemons
        killed one after the other, each a little later after it
        connected: the entries pending after each kill."""
        self.r.xgroup_create(IN, GROUP, id="0")
        self.r.xreadgroup(GROUP, "test-1", {IN: ">"}, count=100)
        pend = []
        for k in range(4):
            d = self.daemon(rules=rules, conf=conf)
            self.assertTrue(d.wait_log("connected"))
            time.sleep(0.02 * k)
            d.signal(signal.SIGKILL)
            d.wait()
            pend.append(pending(self.r))
        return pend

    def decide_through_kills(self, rules, n):
        """The n comments of the input stream decided through kill_four
        and then by two daemons at once (small batches, so that both
        take part): the decisions, each comment's exactly once."""
        conf = "redis:\n  batch_size: 20\n  max_deliveries: 20\n"
        self.kill_four(rules, conf)
        a = self.daemon(consumer="a", rules=rules, conf=conf)
        b = self.daemon(consumer="b", rules=rules, conf=conf)
        self.assertTrue(wait_decided(self.r, n, daemon=a))
        self.assertEqual(a.stop(), 0)
        self.assertEqual(b.stop(), 0)
        out = decisions(self.r)
        self.assertEqual(len(out), n)
        self.assertEqual(len({o["id"] for o in out}), n)
        self.assertEqual(pending(self.r), 0)
        return out


def main():
    # redis-py's pools close sockets lazily; that is not what we test.
    warnings.simplefilter("ignore", ResourceWarning)
    unittest.main(verbosity=2, warnings="ignore")
