#!/usr/bin/env python3
"""Crashes, lost Redis, lost scripts, failed writes: nothing is lost."""

import os
import random
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
        # The counts the closing notes quote: sent, decided, lost.
        sys.stderr.write("%s: sent %d, decided %d (%d distinct), lost %d, "
                         "pending %d\n" % (self._testMethodName, n, len(ids),
                                           len(set(ids)), n - len(set(ids)),
                                           harness.pending(self.r)))
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
        """SIGKILL ten times at random moments while 100,000 comments
        flow, restarting each time: every comment decided exactly once."""
        n = 100000
        all_comments = comments("k", n)
        harness.push(self.r, all_comments[:20000])
        producer = threading.Thread(target=harness.push,
                                    args=(self.redis.client(),
                                          all_comments[20000:], 500))
        producer.start()
        left_pending = []
        rnd = random.Random(4)
        for kill in range(10):
            d = self.daemon()
            self.assertTrue(d.wait_log("connected"), d.output())
            time.sleep(rnd.uniform(0.02, 0.3))
            d.signal(signal.SIGKILL)
            d.wait()
            left_pending.append(harness.pending(self.r))
        producer.join()
        # Timing decides how much each kill leaves half-done; the
        # read-but-not-acked case is made deterministic above.
        sys.stderr.write("sent %d; pending after each SIGKILL: %s; decided "
                         "before the last start: %d\n"
                         % (n, left_pending, self.r.xlen(OUT)))
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

    def test_redis_restarted_mid_load(self):
        """Redis SIGKILLed and started again (appendonly, fsync always)
        while the daemon works: it reconnects by itself, nothing lost."""
        n = 40000
        harness.push(self.r, comments("r", n))
        d = self.daemon(conf="redis:\n  batch_size: 100\n")
        self.assertTrue(d.wait_log("connected"))
        time.sleep(0.15)
        self.redis.crash()
        self.assertTrue(d.wait_log("connection lost"), d.output())
        self.assertTrue(d.wait_log("Redis is back"), d.output())
        self.r = self.redis.client()
        self.assertTrue(harness.wait_decided(self.r, n, daemon=d), d.output())
        self.assertEqual(d.stop(), 0)
        self.assert_exactly_once(n)
        # One line per state change, not one per retry (and one for the
        # control connection).
        self.assertEqual(d.output().count("Redis: connection lost"), 1)
        self.assertLessEqual(d.output().count(
            "control connection: connection lost"), 1)

    def test_client_pause(self):
        """CLIENT PAUSE 3000 mid-load: the stalled connection is dropped
        after command_timeout, made again, and work goes on."""
        n = 80000      # still flowing when the pause lands, however fast
        harness.push(self.r, comments("p", n))
        d = self.daemon(conf="redis:\n  batch_size: 100\n"
                        "  command_timeout: 1s\n  block_ms: 500\n")
        self.assertTrue(d.wait_log("connected"))
        time.sleep(0.1)
        self.r.execute_command("CLIENT", "PAUSE", "3000")
        self.assertTrue(harness.wait_decided(self.r, n, daemon=d), d.output())
        self.assertIn("no answer in time", d.output())
        self.assertEqual(d.stop(), 0)
        self.assert_exactly_once(n)

    def test_dead_consumer_claimed(self):
        """Entries a crashed consumer read and never acknowledged are
        claimed after claim_idle and decided by the living."""
        harness.push(self.r, comments("d", 3000))
        self.r.xgroup_create(IN, GROUP, id="0")
        self.r.xreadgroup(GROUP, "crashed", {IN: ">"}, count=700)
        conf = "redis:\n  claim_idle: 1s\n"
        a = self.daemon(consumer="a", conf=conf)
        b = self.daemon(consumer="b", conf=conf)
        self.assertTrue(b.wait_log("connected"))
        time.sleep(0.05)
        b.signal(signal.SIGKILL)    # b dies with what it read
        b.wait()
        self.assertTrue(harness.wait_decided(self.r, 3000, daemon=a),
                        a.output())
        self.assertTrue(a.wait_log("claimed"))
        self.assertEqual(a.stop(), 0)
        self.assert_exactly_once(3000)

    def test_poison_entry_dead_lettered(self):
        """An entry delivered more than max_deliveries times goes to the
        dead-letter stream with its fields and is acknowledged."""
        harness.push(self.r, comments("x", 3))
        self.r.xgroup_create(IN, GROUP, id="0")
        # Seven deliveries of x0, none acknowledged: the daemon's re-read
        # of its pending entries makes eight.
        self.r.xreadgroup(GROUP, "test-1", {IN: ">"}, count=1)
        for _ in range(6):
            self.r.xreadgroup(GROUP, "test-1", {IN: "0"}, count=1)
        d = self.daemon()
        self.assertTrue(harness.wait_decided(self.r, 2, daemon=d))
        self.assertTrue(d.wait_log("was delivered more than 5 times"))
        # Not even decided: it might be what crashed the last daemon.
        self.assertIn("not deciding entry", d.output())
        self.assertEqual(d.stop(), 0)
        self.assertEqual(harness.pending(self.r), 0)
        self.assertEqual(sorted(o["id"] for o in harness.decisions(self.r)),
                         ["x1", "x2"])
        dead = self.r.xrange("comments:dead")
        self.assertEqual(len(dead), 1)
        f = {k.decode(): v.decode() for k, v in dead[0][1].items()}
        self.assertEqual(f["id"], "x0")
        self.assertEqual(f["text"], "comment 0")
        self.assertEqual(f["dead_deliveries"], "8")
        self.assertIn("more than 5", f["dead_reason"])

    def test_poison_entry_of_a_dead_consumer(self):
        """A claimed entry past max_deliveries (it crashed its consumers)
        is not decided: it is dead-lettered."""
        harness.push(self.r, comments("y", 2))
        self.r.xgroup_create(IN, GROUP, id="0")
        self.r.xreadgroup(GROUP, "crashed", {IN: ">"}, count=1)
        for _ in range(6):
            self.r.xreadgroup(GROUP, "crashed", {IN: "0"}, count=1)
        d = self.daemon(conf="redis:\n  claim_idle: 1s\n")
        self.assertTrue(d.wait_log("was delivered more than 5 times"),
                        d.output())
        self.assertIn("not deciding entry", d.output())
        self.assertTrue(harness.wait_decided(self.r, 1, daemon=d))
        self.assertEqual(d.stop(), 0)
        self.assertEqual(harness.pending(self.r), 0)
        self.assertEqual([o["id"] for o in harness.decisions(self.r)], ["y1"])
        dead = self.r.xrange("comments:dead")
        self.assertEqual(dead[0][1][b"id"], b"y0")

    def test_no_redis_at_start(self):
        """No Redis yet: the daemon says so once, waits, and starts work
        when Redis appears; SIGTERM while waiting exits 0 at once."""
        self.redis.stop()
        d = self.daemon()
        self.assertTrue(d.wait_log("retrying"), d.output())
        time.sleep(1)
        self.assertIsNone(d.proc.poll())
        self.assertEqual(d.output().count("retrying"), 1)
        self.redis.start()
        self.r = self.redis.client()
        harness.push(self.r, comments("n", 10))
        self.assertTrue(harness.wait_decided(self.r, 10, daemon=d))
        self.assertEqual(d.stop(), 0)

        port = harness.free_port()
        d = self.daemon(consumer="x", sock="127.0.0.1:%d" % port)
        self.assertTrue(d.wait_log("retrying"), d.output())
        t = time.monotonic()
        self.assertEqual(d.stop(), 0)
        self.assertLess(time.monotonic() - t, 5)
        self.assertNotIn("connected:", d.output())


if __name__ == "__main__":
    harness.main()
