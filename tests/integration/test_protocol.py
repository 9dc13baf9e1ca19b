#!/usr/bin/env python3
"""The decide script's argument layout is checked at both ends: a script
called with another layout version, or with counts that do not add up,
answers an error and writes nothing; a daemon whose C side drifted from
the script logs that error, and its entries stay pending for a daemon
that agrees."""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IN, OUT, GROUP  # noqa: E402

SCRIPT = open(os.environ.get("DECIDE_LUA", "daemon/decide.lua")).read()
DRIFT = os.environ.get("MODERATORD_DRIFT", "build/tests/moderatord_drift")
LAYOUT = int([l for l in SCRIPT.splitlines()
              if l.startswith("local LAYOUT = ")][0].split("=")[1])


def call(r, sid, version=LAYOUT, nentries=1, extra=()):
    """The script on one entry without checks, by the documented layout."""
    argv = [version, 0, nentries, 0, 0, GROUP, "me", 1000, 600000, 5,
            "0123456789ab", "j:", 60000, "",
            sid, "c1", "reject", "spam", "", "pharma", "r", 0] + list(extra)
    return r.eval(SCRIPT, 3, IN, OUT, "comments:dead", *argv)


class ProtocolTest(harness.TestCase):

    def pending_entry(self):
        sid = self.r.xadd(IN, {"id": "c1", "text": "viagra"})
        self.r.xgroup_create(IN, GROUP, id="0")
        self.r.xreadgroup(GROUP, "me", {IN: ">"})
        return sid

    def test_script_checks_its_arguments(self):
        sid = self.pending_entry()
        for bad, why in [(dict(version=LAYOUT + 1), "argument layout"),
                         (dict(version="x"), "argument layout"),
                         (dict(nentries=2), "arguments for"),
                         (dict(extra=["junk"]), "arguments for")]:
            with self.assertRaises(harness.redis.ResponseError) as cm:
                call(self.r, sid, **bad)
            self.assertIn(why, str(cm.exception))
            self.assertEqual(self.r.xlen(OUT), 0, bad)
            self.assertEqual(harness.pending(self.r), 1, bad)
        # An entry's own count that does not add up: refused as well.
        with self.assertRaises(harness.redis.ResponseError) as cm:
            self.r.eval(SCRIPT, 3, IN, OUT, "comments:dead", LAYOUT, 0, 1,
                        0, 0, GROUP, "me", 1000, 600000, 5, "0123456789ab",
                        "j:", 60000, "",
                        sid, "c1", "reject", "spam", "", "pharma", "r", "x")
        self.assertIn("entry at argument", str(cm.exception))
        # A check that names a window the call does not have: refused.
        limit = ["flood", "flag", "10", "0", "5", "60000", "fast",
                 "rl:flood:p60000:", "0", "1", "0", "0", ""]
        for windows, why in [(["2"], "names no window"),
                             (["x"], "names no window")]:
            with self.assertRaises(harness.redis.ResponseError) as cm:
                self.r.eval(SCRIPT, 4, IN, OUT, "comments:dead", "5:alice",
                            LAYOUT, 1, 1, 1, len(windows), GROUP, "me",
                            1000, 600000, 5, "0123456789ab", "j:", 60000, "",
                            *limit, sid, "c1", "reject", "spam", "",
                            "pharma", "r", len(windows), "1", "0",
                            *windows)
            self.assertIn(why, str(cm.exception))
        # A near_text check: its 12 bands must be its limit's windows, and
        # a signature of 128 bytes must follow them.
        near = ["brigade", "flag", "10", "0", "4", "3600000", "copies",
                "rl:brigade:p3600000:", "0", "12", "0", "45", ""]
        bands = ["n:%x%08x" % (b, b) for b in range(12)]
        packed = struct.pack("<12I", *range(1, 13))
        for args, why in [(["1", packed, "x" * 127], "is no signature"),
                          (["1", packed[:-4] + struct.pack("<I", 13),
                            "x" * 128], "names no bands"),
                          (["1", packed[:-1], "x" * 128], "names no bands"),
                          (["1", packed], "names no window")]:
            with self.assertRaises(harness.redis.ResponseError) as cm:
                self.r.eval(SCRIPT, 3 + 13, IN, OUT, "comments:dead",
                            *bands, "5:alice", LAYOUT, 2, 1, 1, len(args),
                            GROUP, "me", 1000, 600000, 5, "0123456789ab",
                            "j:", 60000, "", *near, *limit[:9], "1", "0", "0", "",
                            sid, "c1", "reject", "spam", "", "pharma", "r",
                            len(args), "1", "0", *args)
            self.assertIn(why, str(cm.exception))
        with self.assertRaises(harness.redis.ResponseError) as cm:
            self.r.eval(SCRIPT, 3, IN, OUT, "comments:dead", LAYOUT, 1, 1,
                        0, 0, GROUP, "me", 1000, 600000, 5, "0123456789ab",
                        "j:", 60000, "", *limit, sid, "c1", "reject", "spam", "",
                        "pharma", "r", 0)
        self.assertIn("3 keys for 1 windows", str(cm.exception))
        self.assertEqual(self.r.xlen(OUT), 0)
        self.assertEqual(self.r.keys("rl:*"), [])
        # The same call with the documented layout is written.
        self.assertEqual(call(self.r, sid), [1])
        out = harness.decisions(self.r)
        self.assertEqual([(o["id"], o["decision"], o["reason"],
                           o["ruleset"]) for o in out],
                         [("c1", "reject", "pharma", "0123456789ab")])
        self.assertEqual(harness.pending(self.r), 0)
        # What a verdict on it is joined to, kept for the window.
        t, e, d, a, r, s = self.r.get("j:c1").decode().split(" ")
        self.assertEqual((e, d, a, r, s),
                         (sid.decode(), "reject", "r", "spam", ""))
        self.assertEqual(t, sid.decode().split("-")[0])
        self.assertTrue(0 < self.r.pttl("j:c1") <= 60000)

    def test_drifted_daemon_is_refused(self):
        harness.push(self.r, [{"id": "c%d" % i, "text": "hello %d" % i}
                              for i in range(5)])
        old = harness.MODERATORD
        harness.MODERATORD = DRIFT
        try:
            d = self.daemon(consumer="drift")
        finally:
            harness.MODERATORD = old
        self.assertTrue(d.wait_log("writing 5 decisions failed", 30),
                        d.output())
        self.assertEqual(d.stop(), 0)
        errors = [l for l in d.log_lines() if l.get("level") == "error"]
        self.assertTrue(any("argument layout %d, this script reads layout %d"
                            % (LAYOUT + 1, LAYOUT) in l["msg"]
                            for l in errors), errors)
        self.assertEqual(self.r.xlen(OUT), 0)
        self.assertEqual(harness.pending(self.r), 5)
        # A daemon that agrees with the script decides them all, once.
        d = self.daemon(consumer="drift")
        self.assertTrue(harness.wait_decided(self.r, 5, daemon=d))
        self.assertEqual(d.stop(), 0)
        self.assertEqual(sorted(o["id"] for o in harness.decisions(self.r)),
                         ["c%d" % i for i in range(5)])
        self.assertEqual(harness.pending(self.r), 0)


if __name__ == "__main__":
    harness.main()
