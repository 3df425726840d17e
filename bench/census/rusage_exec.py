"""Runs a command and records its wall time and peak RSS: python3 -S rusage_exec.py OUT -- CMD [ARG...]

Why a separate launcher: on Linux a child's ru_maxrss starts at its parent's RSS (fork copies the
high-water mark, and exec keeps the larger of old and new), so wait4 straight from the harness, which
holds the seeding state, would report the harness's size for every contender. This launcher stays small
(about 8 MB), so what wait4 reports here is the command's own peak whenever that is above 8 MB.
It writes "wall_seconds maxrss_kib exit_code cpu_seconds" to OUT and exits with the command's status.
"""
import os
import sys
import time

out, sep, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
assert sep == "--" and argv, __doc__
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
with open(out, "w") as f:
    f.write("%.6f %d %d %.6f\n" % (wall, usage.ru_maxrss, code, usage.ru_utime + usage.ru_stime))
sys.exit(code if code >= 0 else 128 - code)
