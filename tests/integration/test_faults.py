#!/usr/bin/env python3
"""Crashes, lost Redis, lost scripts, failed writes: nothing is lost."""

import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IN, OUT, GROUP  # noqa: E402


def comments(prefix, n, text="comment"):
    return [{"id": "%s%d" % (prefix, i), "text": "%s %d" % (text, i)}
            for i in range(n)]


class FaultTest(harness.TestCase):

    appendonly = True

    def assert_exactly_once(self, n):
        ids = [o["id"] for o in harness.decisions(self.r)]
        self.assertEqual(len(ids), n)
        self.assertEqual(len(set(ids)), n)
        self.assertEqual(harness.pending(self.r), 0)

    def test_read_but_not_acked(self):
        """A consumer that read entries and died: its successor decides them."""
        harness.push(self.r, comments("r", 1000))
        self.r.xgroup_create(IN, GROUP, id="0")
        got = self.r.xreadgroup(GROUP, "test-1", {IN: ">"}, count=500)
        self.assertEqual(len(got[0][1]), 500)
        self.assertEqual(harness.pending(self.r), 500)
        d = self.daemon(consumer="test-1")
        self.assertTrue(harness.wait_decided(self.r, 1000, daemon=d))
        self.assertEqual(d.stop(), 0)
        self.assert_exactly_once(1000)
        # The pending ones came first, in stream order.
        self.assertEqual(harness.decisions(self.r)[0]["id"], "r0")

    def test_sigkill_and_restart(self):
        n = 60000
        all_comments = comments("k", n)
        harness.push(self.r, all_comments[:10000])
        producer = threading.Thread(target=harness.push,
                                    args=(self.redis.client(),
                                          all_comments[10000:], 500))
        producer.start()
        left_pending = []
        for kill in range(5):
            d = self.daemon()
            self.assertTrue(d.wait_log("connected"), d.output())
            time.sleep(0.05 + 0.05 * kill)
            d.signal(signal.SIGKILL)
            d.wait()
            left_pending.append(harness.pending(self.r))
        producer.join()
        # Timing decides how much each kill leaves half-done; the
        # read-but-not-acked case is made deterministic above.
        sys.stderr.write("pending after each SIGKILL: %s; decided: %d\n"
                         % (left_pending, self.r.xlen(OUT)))
        d = self.daemon()
        self.assertTrue(harness.wait_decided(self.r, n, daemon=d), d.output())
        self.assertEqual(d.stop(), 0)
        self.assert_exactly_once(n)

    def test_two_daemons_share_the_group(self):
        n = 20000
        harness.push(self.r, comments("t", n))
        a = self.daemon(consumer="a")
        b = self.daemon(consumer="b")
        self.assertTrue(harness.wait_decided(self.r, n, daemon=a))
        self.assertEqual(a.stop(), 0)
        self.assertEqual(b.stop(), 0)
        self.assert_exactly_once(n)
        consumers = {c["name"].decode(): c for c in
                     self.r.xinfo_consumers(IN, GROUP)}
        self.assertEqual(set(consumers), {"a", "b"})

    def test_script_cache_flushed(self):
        d = self.daemon()
        harness.push(self.r, comments("f", 100))
        self.assertTrue(harness.wait_decided(self.r, 100, daemon=d))
        self.r.script_flush()
        harness.push(self.r, comments("g", 100, "buy viagra"))
        self.assertTrue(harness.wait_decided(self.r, 200, daemon=d),
                        d.output())
        self.assertTrue(d.wait_log("decide script was gone"))
        self.assertEqual(d.stop(), 0)
        self.assert_exactly_once(200)
        self.assertEqual(harness.decisions(self.r)[150]["decision"], "reject")

    def test_failed_write_is_redone(self):
        # The output key holds a string: every XADD fails.
        self.r.set(OUT, "in the way")
        d = self.daemon()
        harness.push(self.r, comments("w", 50))
        self.assertTrue(d.wait_log("writing 50 decisions failed"), d.output())
        self.assertEqual(harness.pending(self.r), 50)
        self.assertIn("WRONGTYPE", d.output())
        self.r.delete(OUT)
        self.assertTrue(harness.wait_decided(self.r, 50, daemon=d),
                        d.output())
        self.assertEqual(d.stop(), 0)
        self.assert_exactly_once(50)

    def test_redis_lost(self):
        d = self.daemon()
        self.assertTrue(d.wait_log("connected"))
        self.redis.stop()
        self.assertEqual(d.wait(), 1)
        self.assertIn("lost the connection to Redis", d.output())
        for line in d.log_lines():
            self.assertIn("level" if "msg" in line else "event", line)

    def test_no_redis(self):
        d = self.daemon(sock=os.path.join(self.tmp, "nothing-here.sock"))
        self.assertEqual(d.wait(), 1)
        self.assertIn("cannot connect to Redis", d.output())
        port = harness.free_port()
        d = self.daemon(consumer="x", sock="127.0.0.1:%d" % port)
        self.assertEqual(d.wait(), 1)
        self.assertIn("cannot connect to Redis", d.output())


if __name__ == "__main__":
    harness.main()
