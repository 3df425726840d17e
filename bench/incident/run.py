#!/usr/bin/env python3
"""Benchmark `kiqprof incident --json` on a generated store: 1,000,000 job runs over 24 h and 86,400
host samples at 1 s, then 2x and 4x that (48 h and 96 h), to show the growth is near-linear.

Usage:
  python3 bench/incident/run.py --kiqprof .build/release/kiqprof [--scales 1,2,4] [--keep DIR]

Each store is written by gen.py straight through Python's sqlite3 into the schema kiqprof itself
created. Each contender runs once per scale as its own child through ../census/rusage_exec.py (wall
time, wait4 peak RSS):
  floor          python3 reading the same columns of the same rows (runs ordered by start, host samples
                 ordered by time) and doing nothing with them: what just getting the data out costs
  kiqprof        incident --db STORE --json (load, correlate, attribute, rank, render)
Targets at 1x: <= 3 s and <= 300 MB peak RSS. Exits 1 on a correctness failure (kiqprof failing, or the
generated hog not ranked first); a missed performance target is reported as MISS.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

RUSAGE_EXEC = os.path.join(HERE, "..", "census", "rusage_exec.py")
TARGET_SECONDS, TARGET_RSS_MB = 3.0, 300.0


def log(message):
    print(message, file=sys.stderr, flush=True)


def measure(argv, workdir, stdout_path):
    report = os.path.join(workdir, "rusage.txt")
    with open(stdout_path, "wb") as out:
        code = subprocess.call([sys.executable, "-S", RUSAGE_EXEC, report, "--"] + argv, stdout=out)
    wall, rss, exit_code, cpu = open(report).read().split()
    if int(exit_code) != 0:
        raise SystemExit("%s exited %s" % (argv[0], exit_code))
    return float(wall), int(rss) / 1024, float(cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiqprof", required=True)
    parser.add_argument("--scales", default="1,2,4")
    parser.add_argument("--keep", help="write the stores here and keep them (reused when present)")
    args = parser.parse_args()
    workdir = args.keep or tempfile.mkdtemp(prefix="kiqprof-bench-incident-")
    os.makedirs(workdir, exist_ok=True)
    results = []
    try:
        for scale in [int(s) for s in args.scales.split(",")]:
            store = os.path.join(workdir, "incident-x%d.sqlite" % scale)
            if not os.path.exists(store):
                log("generating x%d: %d runs, %d host samples ..." % (scale, gen.RUNS_PER_DAY * scale, 86400 * scale))
                # kiqprof creates the store and its schema (an empty host-sample import); gen.py fills it.
                subprocess.run([args.kiqprof, "import", "csv", "-", "--db", store], input=b"timestamp,metric,value\n", stdout=subprocess.DEVNULL, check=True)
                gen.generate(store, days=scale)
            floor = measure([sys.executable, os.path.join(HERE, "floor.py"), store], workdir, os.path.join(workdir, "floor.out"))
            output = os.path.join(workdir, "incident.json")
            kiqprof = measure([args.kiqprof, "incident", "--db", store, "--json"], workdir, output)
            report = json.load(open(output))
            top = report["suspects"][0]
            if top["class"] != gen.HOG_CLASS:
                raise SystemExit("x%d: the generated hog %s should rank first, got %s" % (scale, gen.HOG_CLASS, top["class"]))
            runs = report["data"]["runs"]
            results.append((scale, runs, report["data"]["host_samples"], floor, kiqprof))
            log("x%d: floor %.2f s, kiqprof %.2f s, %.0f MB" % (scale, floor[0], kiqprof[0], kiqprof[1]))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print("kiqprof incident --json over the whole store (wall, peak RSS), against a Python floor that only reads the rows")
    print("%-6s %10s %10s %10s %10s %10s %10s" % ("scale", "runs", "samples", "floor s", "kiqprof s", "vs floor", "RSS MB"))
    for scale, runs, samples, floor, kiqprof in results:
        print("%-6s %10d %10d %10.2f %10.2f %9.2fx %10.0f" % ("x%d" % scale, runs, samples, floor[0], kiqprof[0], kiqprof[0] / floor[0], kiqprof[1]))
    base = results[0]
    for scale, _, _, _, kiqprof in results[1:]:
        print("growth x%d/x%d: time %.2fx for %dx the data (linear would be %dx)" % (scale, base[0], kiqprof[0] / base[4][0], scale // base[0], scale // base[0]))
    if base[0] == 1:
        seconds, rss = base[4][0], base[4][1]
        print("target 1x <= %.0f s: %.2f s %s" % (TARGET_SECONDS, seconds, "PASS" if seconds <= TARGET_SECONDS else "MISS"))
        print("target 1x <= %.0f MB: %.0f MB %s" % (TARGET_RSS_MB, rss, "PASS" if rss <= TARGET_RSS_MB else "MISS"))


if __name__ == "__main__":
    main()
