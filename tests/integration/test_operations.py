#!/usr/bin/env python3
"""What operators watch: GET /metrics (checked by promtool) and /healthz,
and the systemd notify protocol over a real datagram socket (READY,
STATUS, RELOADING, STOPPING, WATCHDOG; a stopped loop sends no
WATCHDOG)."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

PROMTOOL = os.environ.get("PROMTOOL", "build/debdata/usr/bin/promtool")

RULES = """\
- name: spam
  words: [viagra]
  action: reject
  reason: pharma spam
- name: link
  match: 'https?://'
  action: flag
- name: watch
  words: [tangerine]
  action: flag
  mode: shadow
"""


def get(port, path, method="GET"):
    """(status, body) of a request to the daemon's metrics listener."""
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def samples(text):
    """{'name{labels}': value} of an exposition."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


class MetricsTest(harness.TestCase):

    def start(self, rules_text=RULES):
        self.port = harness.free_port()
        rules = os.path.join(self.tmp, "rules")
        os.makedirs(rules, exist_ok=True)
        with open(os.path.join(rules, "10-test.yaml"), "w") as f:
            f.write(rules_text)
        self.rules = rules
        d = self.daemon(rules=rules, conf=(
            "log:\n  stdout_decisions: none\n"
            "metrics:\n  listen: \"127.0.0.1:%d\"\n" % self.port))
        self.assertTrue(d.wait_log("metrics on", timeout=30), d.output())
        return d

    def wait_samples(self, want, timeout=30):
        """Scrapes until every sample in want has its value; returns the
        last scrape's samples."""
        deadline = time.time() + timeout
        while True:
            status, body = get(self.port, "/metrics")
            self.assertEqual(status, 200)
            got = samples(body)
            if all(got.get(k) == v for k, v in want.items()):
                return got, body
            if time.time() > deadline:
                self.fail("metrics never reached %r: %r" % (
                    want, {k: got.get(k) for k in want}))
            time.sleep(0.1)

    def promtool(self, text):
        p = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(),
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_counts_a_known_push(self):
        d = self.start()
        comments = ([{"id": "s%d" % i, "text": "cheap viagra"} for i in range(4)] +
                    [{"id": "l%d" % i, "text": "see http://x.example"}
                     for i in range(3)] +
                    [{"id": "t%d" % i, "text": "a tangerine"} for i in range(2)] +
                    [{"id": "h", "text": "hello"}])
        harness.push(self.r, comments)
        self.assertTrue(harness.wait_decided(self.r, 10, daemon=d))
        got, body = self.wait_samples({
            'moderatord_decisions_total{decision="reject"}': 4,
            'moderatord_decisions_total{decision="flag"}': 3,
            'moderatord_decisions_total{decision="approve"}': 3,
        })
        self.promtool(body)
        self.assertEqual(got['moderatord_rule_hits_total{rule="spam",mode="live"}'], 4)
        self.assertEqual(got['moderatord_rule_hits_total{rule="link",mode="live"}'], 3)
        self.assertEqual(got['moderatord_rule_hits_total{rule="watch",mode="shadow"}'], 2)
        self.assertEqual(got['moderatord_rule_hits_total{rule="watch",mode="live"}'], 0)
        self.assertEqual(got['moderatord_rule_errors_total{rule="spam"}'], 0)
        self.assertIn('moderatord_rule_seconds_total{rule="link"}', got)
        self.assertEqual(got["moderatord_decision_latency_seconds_count"], 10)
        self.assertEqual(
            got['moderatord_decision_latency_seconds_bucket{le="+Inf"}'], 10)
        self.assertGreaterEqual(got["moderatord_batch_entries_count"], 1)
        self.assertEqual(got["moderatord_batch_entries_sum"], 10)
        self.assertEqual(got["moderatord_rules_loaded"], 3)
        self.assertEqual(got["moderatord_redis_connected"], 1)
        self.assertEqual(got["moderatord_jit_enabled"],
                         0 if harness.VALGRIND else 1)
        self.assertEqual(got['moderatord_reloads_total{result="ok"}'], 0)
        self.assertIn("# TYPE moderatord_decision_latency_seconds histogram",
                      body)

        # The group's backlog, from XINFO GROUPS every few seconds.
        got, _ = self.wait_samples({"moderatord_consumer_group_lag": 0,
                                    "moderatord_consumer_group_pending": 0},
                                   timeout=20)

        # A good reload keeps the kept rule's counts and drops the others;
        # a broken one is counted as failed.
        with open(os.path.join(self.rules, "10-test.yaml"), "w") as f:
            f.write(RULES.replace("- name: link", "- name: url"))
        d.signal(signal.SIGHUP)
        got, _ = self.wait_samples({
            'moderatord_reloads_total{result="ok"}': 1,
            'moderatord_rule_hits_total{rule="spam",mode="live"}': 4,
            'moderatord_rule_hits_total{rule="url",mode="live"}': 0,
            "moderatord_last_reload_successful": 1})
        self.assertNotIn('moderatord_rule_hits_total{rule="link",mode="live"}',
                         got)
        with open(os.path.join(self.rules, "20-bad.yaml"), "w") as f:
            f.write("- name: x\n  match: '('\n  action: flag\n")
        d.signal(signal.SIGHUP)
        self.wait_samples({'moderatord_reloads_total{result="failed"}': 1,
                           "moderatord_last_reload_successful": 0,
                           "moderatord_rules_loaded": 3})
        self.assertEqual(d.stop(), 0)

    def test_healthz_follows_redis(self):
        d = self.start()
        status, body = get(self.port, "/healthz")
        deadline = time.time() + 20
        while status != 200 and time.time() < deadline:
            time.sleep(0.1)
            status, body = get(self.port, "/healthz")
        self.assertEqual(status, 200, body)
        self.assertTrue(body.startswith("ok"), body)
        self.assertEqual(body.count("\n"), 1)

        self.redis.stop()
        deadline = time.time() + 20
        while status == 200 and time.time() < deadline:
            time.sleep(0.1)
            status, body = get(self.port, "/healthz")
        self.assertEqual(status, 503, body)
        self.assertIn("not connected to Redis", body)
        got = samples(get(self.port, "/metrics")[1])
        self.assertEqual(got["moderatord_redis_connected"], 0)

        self.redis.start()
        deadline = time.time() + 30
        while status != 200 and time.time() < deadline:
            time.sleep(0.1)
            status, body = get(self.port, "/healthz")
        self.assertEqual(status, 200, body)
        self.wait_samples({"moderatord_redis_reconnects_total": 1})
        self.assertEqual(d.stop(), 0)

    def test_only_get_on_known_paths(self):
        d = self.start()
        self.assertEqual(get(self.port, "/metrics", "HEAD")[0], 200)
        self.assertNotEqual(get(self.port, "/metrics", "POST")[0], 200)
        self.assertEqual(get(self.port, "/", "GET")[0], 404)
        self.assertEqual(get(self.port, "/metrics/../x", "GET")[0], 404)
        # A header bigger than the bound is refused, and the daemon goes on.
        req = urllib.request.Request(
            "http://127.0.0.1:%d/metrics" % self.port,
            headers={"X-Big": "a" * 20000})
        try:
            urllib.request.urlopen(req, timeout=10)
            self.fail("a 20 KB header was accepted")
        except (urllib.error.HTTPError, urllib.error.URLError,
                ConnectionError):
            pass
        self.assertEqual(get(self.port, "/healthz")[0] in (200, 503), True)
        self.assertEqual(d.stop(), 0)

    def test_listen_errors(self):
        # The port is taken: a clear error, exit 1.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            d = self.daemon(conf="metrics:\n  listen: \"127.0.0.1:%d\"\n"
                            % port)
            self.assertEqual(d.wait(), 1)
            self.assertIn("cannot listen on 127.0.0.1:%d" % port, d.output())
        # A listen address without a port: -t names the line.
        conf = os.path.join(self.tmp, "bad.conf")
        with open(conf, "w") as f:
            f.write("metrics:\n  listen: localhost\n")
        p = subprocess.run([harness.MODERATORD, "-t", "-c", conf, "-r",
                            harness.RULES_DIR], capture_output=True,
                           timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr.decode(),
                         r"bad.conf:2:\d+: listen: 'localhost' has no port")


class Notifications:
    """A NOTIFY_SOCKET of our own: every datagram the daemon sends."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.1)
        self.msgs = []
        self.lock = threading.Lock()
        self.done = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.done:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            with self.lock:
                self.msgs.append((time.monotonic(), data.decode()))

    def since(self, t):
        with self.lock:
            return [m for when, m in self.msgs if when >= t]

    def wait(self, text, after=0, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(text in m for m in self.since(after)):
                return True
            time.sleep(0.05)
        return False

    def close(self):
        self.done = True
        self.thread.join()
        self.sock.close()


class NotifyTest(harness.TestCase):

    def test_protocol_and_watchdog(self):
        path = os.path.join(self.tmp, "notify.sock")
        n = Notifications(path)
        try:
            d = self.daemon(env={"NOTIFY_SOCKET": path,
                                 "WATCHDOG_USEC": "400000"})
            self.assertTrue(n.wait("READY=1"), n.since(0))
            self.assertTrue(n.wait("STATUS=connected"), n.since(0))
            # Once the start's automaton is in: under valgrind, which runs
            # one thread at a time, its build thread starves the loop.
            self.assertTrue(d.wait_log("automaton in force", timeout=300),
                            d.output())
            t = time.monotonic()
            time.sleep(1.5)
            pings = [m for m in n.since(t) if m == "WATCHDOG=1"]
            # Every 200 ms: about 7 in 1.5 s; a loaded machine may lose some.
            self.assertGreaterEqual(len(pings), 3, n.since(t))

            harness.push(self.r, [{"id": "c1", "text": "hello"}])
            self.assertTrue(harness.wait_decided(self.r, 1, daemon=d))
            self.assertTrue(n.wait("STATUS=1 approved", after=t))

            # A stopped loop sends nothing: systemd would restart it.
            d.signal(signal.SIGSTOP)
            time.sleep(0.3)
            t = time.monotonic()
            time.sleep(1.5)
            self.assertEqual([m for m in n.since(t) if m == "WATCHDOG=1"], [])
            d.signal(signal.SIGCONT)
            self.assertTrue(n.wait("WATCHDOG=1", after=time.monotonic()))

            t = time.monotonic()
            d.signal(signal.SIGHUP)
            self.assertTrue(n.wait("RELOADING=1", after=t), n.since(t))
            # The rules load in a thread: under valgrind, beside another
            # test, that takes minutes while the loop goes on pinging.
            self.assertTrue(n.wait("READY=1", after=t, timeout=300),
                            n.since(t))
            got = [m for m in n.since(t) if m in ("RELOADING=1", "READY=1")]
            self.assertEqual(got[:2], ["RELOADING=1", "READY=1"])

            t = time.monotonic()
            self.assertEqual(d.stop(), 0)
            self.assertTrue(n.wait("STOPPING=1", after=t, timeout=5))
        finally:
            n.close()

    def test_no_watchdog_unless_asked(self):
        path = os.path.join(self.tmp, "notify.sock")
        n = Notifications(path)
        try:
            d = self.daemon(env={"NOTIFY_SOCKET": path})
            self.assertTrue(n.wait("READY=1"))
            time.sleep(1)
            self.assertNotIn("WATCHDOG=1", n.since(0))
            self.assertEqual(d.stop(), 0)
        finally:
            n.close()


if __name__ == "__main__":
    harness.main()
