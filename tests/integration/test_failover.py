#!/usr/bin/env python3
"""Redis fails over, moderatord follows: a primary, a replica and three
sentinels (every one a redis-server of the harness's, on loopback), two
daemons that find the master through the sentinels, comments flowing.
The primary is SIGKILLed under load and comes back as a replica; then a
manual SENTINEL FAILOVER; then the sentinels themselves are restarted and
the master fails over again. After each, every input entry on the
master has exactly one decision and nothing is pending."""

import collections
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MASTER = "mymaster"


class Sentinel:
    """redis-server --sentinel watching MASTER, quorum 2, quick to judge
    a master down (1 s)."""

    def __init__(self, tmp, master_port, password=None):
        self.port = harness.free_port()
        self.password = password
        self.dir = tempfile.mkdtemp(dir=tmp, prefix="sentinel.")
        self.conf = os.path.join(self.dir, "sentinel.conf")
        with open(self.conf, "w") as f:
            f.write("port %d\nbind 127.0.0.1\ndir %s\n"
                    "sentinel monitor %s 127.0.0.1 %d 2\n"
                    "sentinel down-after-milliseconds %s 1000\n"
                    "sentinel failover-timeout %s 10000\n"
                    % (self.port, self.dir, MASTER, master_port, MASTER,
                       MASTER))
            if password:
                f.write("requirepass \"%s\"\n" % password)
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen([harness.REDIS_SERVER, self.conf,
                                      "--sentinel"],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        until(lambda: self.client().ping(), "sentinel up")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def client(self):
        return harness.redis.Redis(host="127.0.0.1", port=self.port,
                                   password=self.password, socket_timeout=2)


def until(cond, what, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if cond():
                return
        except (harness.redis.RedisError, OSError):
            pass
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


class FailoverTest(harness.TestCase):

    def setUp(self):
        super().setUp()
        # A replica's sync starts at once, not after diskless sync's
        # default 5 s wait for more replicas.
        now = ["--repl-diskless-sync-delay", "0"]
        self.a = harness.RedisServer(self.tmp, appendonly=True,
                                     port=harness.free_port(), extra=now)
        self.b = harness.RedisServer(self.tmp, appendonly=True,
                                     port=harness.free_port(),
                                     extra=now + ["--replicaof", "127.0.0.1",
                                                  str(self.a.port)])
        until(lambda: self.b.client().info("replication").get(
              "master_link_status") == "up",
              "the replica in sync")
        self.sentinels = []
        self.pushed = 0
        self.moves = {}

    def watch(self):
        """Three sentinels, once they know the replica and each other
        (a sentinel looks for replicas every 10 s: this takes a while)."""
        self.sentinels = [Sentinel(self.tmp, self.a.port) for _ in range(3)]
        for s in self.sentinels:
            until(lambda: len(s.client().sentinel_slaves(MASTER)) == 1 and
                  len(s.client().sentinel_sentinels(MASTER)) == 2,
                  "the sentinels to know the replica and each other")
        self.conf = ("redis:\n  sentinels: [%s]\n  master_name: %s\n"
                     "  command_timeout: 2s\n"
                     % (", ".join("'127.0.0.1:%d'" % s.port
                                  for s in self.sentinels), MASTER))

    def tearDown(self):
        for s in self.sentinels:
            s.stop()
        self.a.stop()
        self.b.stop()
        super().tearDown()

    def master_port(self):
        if not self.sentinels:
            return self.a.port
        for s in self.sentinels:
            try:
                return int(s.client().sentinel_get_master_addr_by_name(
                    MASTER)[1])
            except (harness.redis.RedisError, OSError, TypeError):
                continue
        return None

    def server(self, port):
        return self.a if port == self.a.port else self.b

    def master(self):
        return self.server(self.master_port()).client()

    def push(self, n):
        harness.push(self.master(), [
            {"id": "c%d" % i, "text": "idiot number %d" % i}
            for i in range(self.pushed, self.pushed + n)])
        self.pushed += n

    def flowing(self):
        """Comments pushed 50 every 20 ms to whichever is master, as an
        application that follows the sentinels would, until the event
        returned is set; self.pushed counts those Redis acknowledged."""
        stop = threading.Event()

        def run():
            while not stop.wait(0.02):
                try:
                    self.push(50)
                except (harness.redis.RedisError, OSError, TypeError,
                        AttributeError):
                    time.sleep(0.1)
        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.addCleanup(t.join)
        self.addCleanup(stop.set)
        return stop, t

    def settled(self):
        """Every input entry on the master decided exactly once, nothing
        pending; the entries the master lacks (lost to asynchronous
        replication) are returned."""
        r = self.master()

        def decided():
            # XINFO's lag can be unknown after a full resync: the
            # entries themselves are compared.
            return set(f[b"entry"] for _, f in r.xrange(harness.OUT)) >= \
                set(sid for sid, _ in r.xrange(harness.IN)) and \
                harness.pending(r) == 0
        until(decided, "every entry decided", timeout=180)
        inputs = [sid for sid, _ in r.xrange(harness.IN)]
        entries = collections.Counter(
            f[b"entry"] for _, f in r.xrange(harness.OUT))
        self.assertEqual(sorted(entries), sorted(inputs))
        self.assertEqual([e for e, n in entries.items() if n != 1], [])
        self.assertEqual(harness.pending(r), 0)
        return self.pushed - len(inputs)

    def follows(self, port, daemons):
        """Each daemon says once more that the master moved to port."""
        line = "master %s is now 127.0.0.1:%d" % (MASTER, port)
        self.moves[port] = self.moves.get(port, 0) + 1
        for d in daemons:
            until(lambda: d.output().count(line) >= self.moves[port],
                  "%s to follow to %d" % (d.logfile, port), timeout=120)

    def manual_failover(self, sentinel, to, daemons):
        """SENTINEL FAILOVER to replica to, once it is in sync; comments
        pushed after; the daemons follow."""
        until(lambda: to.client().info("replication").get(
              "master_link_status") == "up", "the replica in sync")
        # The sentinel judges a replica by what it last read of it (every
        # 10 s): one it still sees out of sync makes it abort the
        # failover, so it is asked again until the failover is done.
        asked = [0.0]

        def done():
            if self.master_port() == to.port and \
                    to.client().execute_command("ROLE")[0] == b"master":
                return True
            if time.time() - asked[0] > 15:
                asked[0] = time.time()
                try:
                    sentinel.client().execute_command("SENTINEL",
                                                      "FAILOVER", MASTER)
                except harness.redis.ResponseError:
                    asked[0] = 0.0      # refused: ask at the next turn
            return False
        until(done, "the failover to %d" % to.port, timeout=180)
        self.push(2000)
        self.follows(to.port, daemons)

    def status(self):
        conf = os.path.join(self.tmp, "ctl.conf")
        with open(conf, "w") as f:
            f.write(self.conf)
        return subprocess.run([os.environ.get("MODERATORCTL",
                                              "build/moderatorctl"),
                               "-c", conf, "status"],
                              capture_output=True, timeout=60)

    def test_sentinel_password(self):
        """sentinel_password_file: its first line is what the sentinels
        are asked with; a wrong one is said (never the password) and
        asked again."""
        s = Sentinel(self.tmp, self.a.port, password="s3cret pass")
        self.addCleanup(s.stop)
        conf = ("redis:\n  sentinels: ['127.0.0.1:%d']\n  master_name: %s\n"
                "  sentinel_password_file: %s\n")
        for name, word in (("good", "s3cret pass"), ("bad", "wrong")):
            path = os.path.join(self.tmp, name + ".pass")
            with open(path, "w") as f:
                f.write(word + "\n")
            d = self.daemon(sock=None, consumer=name,
                            conf=conf % (s.port, MASTER, path))
            if name == "good":
                self.assertTrue(d.wait_log("master %s is at 127.0.0.1:%d"
                                           % (MASTER, self.a.port)),
                                d.output())
                self.assertEqual(d.stop(), 0)
            else:
                self.assertTrue(d.wait_log("no sentinel named master %s"
                                           % MASTER), d.output())
                self.assertIn("WRONGPASS", d.output())
                self.assertNotIn("wrong", d.output().replace("WRONGPASS",
                                                             ""))
                d.kill()

    def test_wait_for_a_replica(self):
        """redis: wait_replicas: 1 waits for the replica after each batch;
        with the replica gone it says so once and decides on."""
        d = self.daemon(sock=self.a.sock, consumer="w-1", conf="redis:\n"
                        "  wait_replicas: 1\n  wait_timeout: 1s\n")
        self.push(3000)
        r = self.a.client()
        self.assertTrue(harness.wait_decided(r, 3000, daemon=d))
        # A WAIT behind each batch's script, every one answered in time.
        waits = r.info("commandstats")["cmdstat_wait"]["calls"]
        self.assertGreaterEqual(waits, 3000 // 256)
        until(lambda: self.b.client().xlen(harness.OUT) == 3000,
              "the decisions on the replica")
        self.assertNotIn("replicas within", d.output())
        self.b.stop()
        self.push(1000)
        self.assertTrue(harness.wait_decided(r, 4000, daemon=d))
        self.assertTrue(d.wait_log("decisions reached 0 of 1 replicas "
                                   "within 1000 ms"), d.output())
        self.assertEqual(d.output().count("replicas within"), 1)
        self.assertEqual(harness.pending(r), 0)
        self.assertEqual(d.stop(), 0)

    def test_failovers_under_load(self):
        self.watch()
        d1 = self.daemon(sock=None, consumer="f-1", conf=self.conf)
        d2 = self.daemon(sock=None, consumer="f-2", conf=self.conf)
        for d in (d1, d2):
            self.assertTrue(d.wait_log("master %s is at 127.0.0.1:%d"
                                       % (MASTER, self.a.port)), d.output())
        stop, pusher = self.flowing()
        until(lambda: self.a.client().xlen(harness.OUT) >= 1000,
              "decisions on the primary")

        # The primary dies mid-load; the replica is promoted.
        before = self.a.client().xlen(harness.OUT)
        t0 = time.monotonic()
        self.a.stop()
        until(lambda: self.master_port() == self.b.port, "a promotion")
        t1 = time.monotonic()
        had = self.b.client().xlen(harness.OUT)
        until(lambda: self.b.client().xlen(harness.OUT) > had,
              "a decision on the new master")
        t2 = time.monotonic()
        self.follows(self.b.port, (d1, d2))
        stop.set()
        pusher.join()
        # The old primary comes back, and the sentinels make it a replica.
        self.a.start()
        until(lambda: self.a.client().execute_command("ROLE")[0] ==
              b"slave", "the old primary a replica")
        lost = self.settled()
        self.assertLess(lost, self.pushed / 2)
        # The figures of this failover, for the record.
        print("\nfailover: %d decisions on the primary when it was killed, "
              "%d of them on the replica promoted %.1f s later, which "
              "decided again %.1f s after the kill; %d of %d entries "
              "pushed missing from it" % (before, had, t1 - t0, t2 - t0,
                                          lost, self.pushed),
              file=sys.stderr)
        # Back as a replica, the old primary ran no daemon's command:
        # what it holds came from replication, not from a daemon.
        ran = self.a.client().info("commandstats")
        for cmd in ("evalsha", "eval", "xreadgroup", "xautoclaim"):
            self.assertNotIn("cmdstat_" + cmd, ran)
        p = self.status()
        self.assertEqual(p.returncode, 0, p.stderr)
        for c in (b"f-1", b"f-2"):
            self.assertIn(c, p.stdout)

        # A manual failover: back to the first.
        self.manual_failover(self.sentinels[0], self.a, (d1, d2))
        self.assertEqual(self.settled(), lost)

        # The sentinels restarted, then another failover.
        for s in self.sentinels:
            s.stop()
        for s in self.sentinels:
            s.start()
        until(lambda: all(len(s.client().sentinel_sentinels(MASTER)) == 2
                          for s in self.sentinels), "the sentinels back")
        self.manual_failover(self.sentinels[1], self.b, (d1, d2))
        self.assertEqual(self.settled(), lost)
        for d in (d1, d2):
            self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    harness.main()
