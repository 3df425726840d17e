#!/usr/bin/env python3
"""The Python contender: what a quick script would do with a Sidekiq text log. One regex per line, start
paired with the next done/fail on the same (pid, tid); nothing is stored beyond the open starts.

Usage: pyparse.py FILE   -> prints {"lines": N, "starts": S, "ends": E, "paired": P} on stdout.
Runs as its own process so that its wall time and peak RSS are its own.
"""
import json
import re
import sys

JOB_LINE = re.compile(rb"^(\S+) pid=(\d+) tid=(\S+) class=(\S+) jid=(\S+)(?: \S+)*? (?:elapsed=(\S+) )?INFO: (start|done|fail)$")


def main(path):
    match = JOB_LINE.match  # bound once: the loop below runs ten million times
    open_jobs = {}
    lines = starts = ends = paired = 0
    # Bytes, not str: no UTF-8 decoding per line. The buffer size barely matters beyond ~1 MiB.
    with open(path, "rb", buffering=1 << 20) as f:
        for line in f:
            lines += 1
            m = match(line)
            if m is None:
                continue
            _ts, pid, tid, _cls, jid, _elapsed, event = m.groups()
            if event == b"start":
                starts += 1
                open_jobs[pid, tid] = jid
            else:
                ends += 1
                if open_jobs.pop((pid, tid), None) == jid:
                    paired += 1
    json.dump({"lines": lines, "starts": starts, "ends": ends, "paired": paired}, sys.stdout)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
