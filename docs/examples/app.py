#!/usr/bin/python3
"""The application's side of moderatord, with redis-py (python3-redis):
push a comment, read its decision from a consumer group of the
application's own, and send a moderator's verdict.

    docs/examples/app.py REDIS_URL    # redis://localhost:6379 or unix:///path

It prints the decision it read, then sends a verdict on the comment.
"""

import sys
import time

import redis

r = redis.Redis.from_url(sys.argv[1] if len(sys.argv) > 1
                         else "redis://localhost:6379", decode_responses=True)

# 1. Push a comment. Only id and text are required; author, thread and
# author_age_days are what the shipped rules look at. The stream entry's
# id (Redis's clock) is the comment's time for rate limits.
comment_id = "c-%d" % int(time.time() * 1000)
r.xadd("comments:in", {"id": comment_id, "author": "alice",
                       "thread": "story-42", "author_age_days": "120",
                       "text": "Buy cheap viagra here, no prescription!"})

# 2. Read decisions with a group of the application's own: what it has
# not acknowledged is delivered again after a restart, so nothing is
# missed. Create the group once; "0" reads the stream from its start
# the first time, "$" only what comes after.
try:
    r.xgroup_create("comments:decisions", "webapp", id="0", mkstream=True)
except redis.ResponseError as e:
    if "BUSYGROUP" not in str(e):
        raise
decision = None
while decision is None:
    # ">" new entries; after a crash, read "0" first: the pending ones.
    got = r.xreadgroup("webapp", "web-1", {"comments:decisions": ">"},
                       count=100, block=5000)
    for _, entries in got or []:
        for entry_id, d in entries:
            # d: id, decision (approve, flag, reject), rules, shadow,
            # reason, entry (the comment's input entry), ruleset.
            if d["decision"] == "approve":
                pass            # publish it
            elif d["decision"] == "flag":
                pass            # hold it for a moderator (keep d["reason"])
            else:
                pass            # hide it
            if d["id"] == comment_id:
                decision = (entry_id, d)
            r.xack("comments:decisions", "webapp", entry_id)
entry_id, d = decision
print("decision %s: %s (%s)" % (d["id"], d["decision"], d["reason"]))

# 3. A moderator looked at it: send the verdict, approve or remove. The
# author lets a removal count as a strike for repeat-offender rules;
# decision_entry says which decision the moderator acted on.
r.xadd("comments:verdicts", {"id": comment_id, "verdict": "remove",
                             "decision_entry": entry_id,
                             "author": "alice", "moderator": "sam"})
print("verdict sent: remove")
