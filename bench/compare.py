#!/usr/bin/env python3
"""Before/after: two kiqprof binaries on the same inputs, in the same run, turn about (A B B A ...).

Usage:
  python3 bench/compare.py --before OLD_BIN --after NEW_BIN [--rounds 3] [--lines 3000000] [--record-seconds 30]
                           [--keep DIR] [--only import,incident,record]

What is measured (the same workloads as make bench-import, bench-incident and bench-record, smaller so each
contender runs several times):
  import parse      import sidekiq-log FILE --dry-run --json      on a generated log (bench/import/gen.py)
  import full       import sidekiq-log FILE --db <fresh> --json   the same log into a fresh store
  incident          incident --db STORE --json                    a generated day (bench/incident/gen.py)
  record            record for N s against 100 processes x 25 busy threads (bench/record/run.py's driver)
For each, the fastest round's wall time (CPU seconds for record; on a shared machine the minimum is the
estimate least touched by other programs' noise), the median peak RSS, and after/before.
A ratio above 1.05 is reported as REGRESSED; nothing fails, since a shared machine's noise is not a defect.
"""
import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUSAGE_EXEC = os.path.join(HERE, "census", "rusage_exec.py")


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(path))
    spec.loader.exec_module(module)
    return module


def log(message):
    print(message, file=sys.stderr, flush=True)


def timed(argv, workdir):
    """Wall seconds, peak RSS MB and CPU seconds of one run of argv (through rusage_exec.py)."""
    report = os.path.join(workdir, "rusage.txt")
    with open(os.path.join(workdir, "stdout.txt"), "wb") as out:
        subprocess.run([sys.executable, "-S", RUSAGE_EXEC, report, "--", *argv], stdout=out, stderr=subprocess.DEVNULL,
                       stdin=subprocess.DEVNULL)
    wall, rss_kib, code, cpu = open(report).read().split()
    if int(code) != 0:
        raise SystemExit("%s exited %s" % (" ".join(argv), code))
    return float(wall), int(rss_kib) / 1024, float(cpu)


def turns(binaries, rounds):
    """A B B A A B ...: each binary runs first as often as second, so a drift in the machine cancels out."""
    order = []
    for r in range(rounds):
        order += binaries if r % 2 == 0 else list(reversed(binaries))
    return order


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--lines", type=int, default=3_000_000)
    ap.add_argument("--record-seconds", type=int, default=30)
    ap.add_argument("--keep", help="keep the generated log and store here (reused when present)")
    ap.add_argument("--only", default="import,incident,record")
    args = ap.parse_args()
    only = set(args.only.split(","))
    binaries = {"before": os.path.abspath(args.before), "after": os.path.abspath(args.after)}
    workdir = args.keep or tempfile.mkdtemp(prefix="kiqprof-bench-compare-")
    os.makedirs(workdir, exist_ok=True)
    samples = {}  # (workload, label) -> [(seconds, rss)]

    def note(workload, label, seconds, rss):
        samples.setdefault((workload, label), []).append((seconds, rss))
        log("  %-14s %-6s %7.2f s %6.0f MB" % (workload, label, seconds, rss))

    try:
        if "import" in only:
            gen = load("import_gen", os.path.join(HERE, "import", "gen.py"))
            text = os.path.join(workdir, "sidekiq-%d.log" % args.lines)
            if not os.path.exists(text):
                log("generating a %d-line Sidekiq log ..." % args.lines)
                gen.generate(args.lines, text, None, seed=1)
            for label in turns(["before", "after"], args.rounds):
                wall, rss, _ = timed([binaries[label], "import", "sidekiq-log", text, "--dry-run", "--json"], workdir)
                note("import parse", label, wall, rss)
                store = os.path.join(workdir, "import.sqlite")
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(store + suffix):
                        os.remove(store + suffix)
                wall, rss, _ = timed([binaries[label], "import", "sidekiq-log", text, "--db", store, "--json"], workdir)
                note("import full", label, wall, rss)

        if "incident" in only:
            gen = load("incident_gen", os.path.join(HERE, "incident", "gen.py"))
            store = os.path.join(workdir, "incident-x1.sqlite")
            if not os.path.exists(store):
                log("generating a day of runs and host samples ...")
                subprocess.run([binaries["before"], "import", "csv", "-", "--db", store], input=b"timestamp,metric,value\n",
                               stdout=subprocess.DEVNULL, check=True)
                gen.generate(store, days=1)
            for label in turns(["before", "after"], args.rounds):
                wall, rss, _ = timed([binaries[label], "incident", "--db", store, "--json"], workdir)
                note("incident", label, wall, rss)

        if "record" in only:
            record = load("record_run", os.path.join(HERE, "record", "run.py"))
            server, sock = record.start_redis(workdir)
            try:
                phase = argparse.Namespace(processes=100, threads=25, beat=10, duration=args.record_seconds)
                for label in turns(["before", "after"], args.rounds):
                    db = os.path.join(workdir, "record-%s.sqlite" % label)
                    for suffix in ("", "-wal", "-shm"):
                        if os.path.exists(db + suffix):
                            os.remove(db + suffix)
                    result, _, _, _ = record.run_phase(sock, phase, binaries[label], db)
                    if result["code"] != 0:
                        raise SystemExit("record (%s) exited %d: %s" % (label, result["code"], result["stderr"][-1000:]))
                    note("record CPU", label, result["cpu"], result["rss_mb"])
            finally:
                server.terminate()
                server.wait()
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print("before: %s\nafter:  %s\n%d rounds each, turn about; fastest round, median RSS"
          % (binaries["before"], binaries["after"], args.rounds))
    print("%-14s %10s %10s %8s %9s %9s %8s  %s" % ("workload", "before s", "after s", "ratio", "before MB", "after MB", "ratio", ""))
    worst = 0.0
    for workload in ["import parse", "import full", "incident", "record CPU"]:
        if (workload, "before") not in samples:
            continue
        b = samples[(workload, "before")]
        a = samples[(workload, "after")]
        bt, at = min(s for s, _ in b), min(s for s, _ in a)
        bm, am = statistics.median(m for _, m in b), statistics.median(m for _, m in a)
        ratio, mem_ratio = at / bt, am / bm
        worst = max(worst, ratio, mem_ratio)
        verdict = "within 5 %" if ratio <= 1.05 and mem_ratio <= 1.05 else "REGRESSED"
        print("%-14s %10.2f %10.2f %7.3fx %9.0f %9.0f %7.3fx  %s" % (workload, bt, at, ratio, bm, am, mem_ratio, verdict))
    print("worst after/before: %.3fx" % worst)


if __name__ == "__main__":
    main()
