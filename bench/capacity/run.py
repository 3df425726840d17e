#!/usr/bin/env python3
"""Benchmark `kiqprof capacity --instance t4g.small --json` on a generated month at 1-minute resolution:
43,201 host samples, 86,402 process samples (two Sidekiq processes) and 25,920 job runs (gen.py).

Usage:
  python3 bench/capacity/run.py --kiqprof .build-static/release/kiqprof [--repeat 3] [--keep DIR]

The store is written by gen.py through Python's sqlite3 into the schema kiqprof itself created. Each contender
runs --repeat times as its own child through ../census/rusage_exec.py (wall time, wait4 peak RSS); the medians
are printed:
  floor     python3 reading the same rows in the same order and summing the CPU column (floor.py)
  kiqprof   capacity --db STORE --instance t4g.small --json (load, incident analysis, credits, memory, advice)
Target: <= 1 s. Exits 1 when kiqprof fails or its answer is wrong (the hog not named, the credits not run out);
a missed time is reported as MISS.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

RUSAGE_EXEC = os.path.join(HERE, "..", "census", "rusage_exec.py")
TARGET_SECONDS = 1.0


def measure(argv, workdir, stdout_path):
    report = os.path.join(workdir, "rusage.txt")
    with open(stdout_path, "wb") as out:
        subprocess.call([sys.executable, "-S", RUSAGE_EXEC, report, "--"] + argv, stdout=out)
    wall, rss, exit_code, _cpu = open(report).read().split()
    if int(exit_code) != 0:
        raise SystemExit("%s exited %s" % (argv[0], exit_code))
    return float(wall), int(rss) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiqprof", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", help="write the store here and keep it (reused when present)")
    args = parser.parse_args()
    workdir = args.keep or tempfile.mkdtemp(prefix="kiqprof-bench-capacity-")
    os.makedirs(workdir, exist_ok=True)
    try:
        store = os.path.join(workdir, "month.sqlite")
        if not os.path.exists(store):
            subprocess.run([args.kiqprof, "import", "csv", "-", "--db", store], input=b"timestamp,metric,value\n",
                           stdout=subprocess.DEVNULL, check=True)
            runs, hosts, processes = gen.generate(store)
            print("generated: %d runs, %d host samples, %d process samples" % (runs, hosts, processes), file=sys.stderr)
        floors, kiqprofs = [], []
        output = os.path.join(workdir, "capacity.json")
        for _ in range(args.repeat):
            floors.append(measure([sys.executable, os.path.join(HERE, "floor.py"), store], workdir, os.path.join(workdir, "floor.out")))
            kiqprofs.append(measure([args.kiqprof, "capacity", "--db", store, "--instance", "t4g.small", "--json"], workdir, output))
        report = json.load(open(output))
        if report["data"]["host_samples"] < 43200:
            raise SystemExit("expected at least 43,200 host samples, got %d" % report["data"]["host_samples"])
        if not report["cpu"]["standard"]["runs_out"]:
            raise SystemExit("a month at 0.44 vCPU should run a t4g.small out of credits")
        disable = [a for a in report["advice"] if a["kind"] == "disable_schedule"]
        if not disable or gen.HOG_CLASS not in disable[0]["verdict"]:
            raise SystemExit("the hog %s should be the schedule to disable" % gen.HOG_CLASS)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    floor = statistics.median(w for w, _ in floors)
    kiqprof = statistics.median(w for w, _ in kiqprofs)
    rss = max(r for _, r in kiqprofs)
    print("kiqprof capacity --json on a month at 1 minute (%d host samples, %d runs), median of %d"
          % (report["data"]["host_samples"], report["data"]["runs"], args.repeat))
    print("%-10s %8s %8s" % ("", "wall s", "RSS MB"))
    print("%-10s %8.3f %8.0f" % ("floor", floor, max(r for _, r in floors)))
    print("%-10s %8.3f %8.0f" % ("kiqprof", kiqprof, rss))
    print("ratio kiqprof / floor: %.2fx" % (kiqprof / floor))
    print("target <= %.0f s: %.3f s %s" % (TARGET_SECONDS, kiqprof, "PASS" if kiqprof <= TARGET_SECONDS else "MISS"))


if __name__ == "__main__":
    main()
