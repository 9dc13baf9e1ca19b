#!/usr/bin/env python3
"""The user's documents carry the contract the code has: every metric the
daemon serves (daemon/metrics.c) is named in moderatord(8) and in the
README, every moderatorctl command (ctl/main.c) in moderatorctl(1) and in
the README, and no document links outside the repository."""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(*path):
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return f.read()


def main():
    missing = []
    metrics = set(re.findall(r'"(moderatord_[a-z_]+)', read("daemon",
                                                            "metrics.c")))
    man8, readme = read("man", "moderatord.8"), read("README.md")
    for m in sorted(metrics):
        for name, doc in (("moderatord.8", man8), ("README.md", readme)):
            if m not in doc:
                missing.append("metric %s not in %s" % (m, name))
    commands = re.findall(r'\{ "([a-z]+)",\s+ctl_', read("ctl", "main.c"))
    man1 = read("man", "moderatorctl.1")
    for c in commands:
        if not re.search(r"\.It Cm %s\b" % c, man1):
            missing.append("command %s not in moderatorctl.1" % c)
        if "`%s" % c not in readme:
            missing.append("command %s not in README.md" % c)
    for doc in ("README.md", os.path.join("rules", "README.md"),
                os.path.join("docs", "INTEGRATION.md")):
        for link in re.findall(r"\]\(([^)]+)\)", read(doc)):
            if link.startswith("../") or "/shared/" in link:
                missing.append("%s links outside the repository: %s"
                               % (doc, link))
    if len(metrics) < 20 or len(commands) < 10:
        missing.append("found %d metrics and %d commands: the patterns "
                       "no longer match the code" % (len(metrics),
                                                     len(commands)))
    for m in missing:
        print(m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
