#!/usr/bin/env python3
"""Benchmark `kiqprof report --format html` on the same generated day as bench/incident: 1,000,000 job
runs over 24 h and 86,400 host samples at 1 s.

Usage:
  python3 bench/report/run.py --kiqprof .build/release/kiqprof [--keep DIR]

Measured in one run, each as its own child through ../census/rusage_exec.py (wall time, peak RSS):
  incident --json                     the peer: loading and analysing the same store
  report --format html --timings      end to end; --timings splits out the phases after the analysis
                                      (recommend, build the report model, render), which is the report's own cost
Targets: the report's own phases <= 2 s; end to end <= the incident time + 2 s; HTML <= 3 MB. Exits 1 when
kiqprof fails or the generated hog is not in the report; a missed target prints MISS.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "incident"))
import gen  # noqa: E402

RUSAGE_EXEC = os.path.join(HERE, "..", "census", "rusage_exec.py")


def measure(argv, workdir):
    report = os.path.join(workdir, "rusage.txt")
    result = subprocess.run([sys.executable, "-S", RUSAGE_EXEC, report, "--"] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall, rss, code, _ = open(report).read().split()
    if int(code) != 0:
        raise SystemExit("%s failed: %s" % (" ".join(argv[:2]), result.stderr.strip()))
    return float(wall), int(rss) / 1024, result.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiqprof", required=True)
    parser.add_argument("--keep", help="keep the generated store here (reused when present)")
    args = parser.parse_args()
    workdir = args.keep or tempfile.mkdtemp(prefix="kiqprof-bench-report-")
    os.makedirs(workdir, exist_ok=True)
    try:
        store = os.path.join(workdir, "incident-x1.sqlite")
        if not os.path.exists(store):
            print("generating 1M runs and 86,400 host samples ...", file=sys.stderr, flush=True)
            # kiqprof creates the store and its schema (an empty host-sample import); gen.py fills it.
            subprocess.run([args.kiqprof, "import", "csv", "-", "--db", store], input=b"timestamp,metric,value\n", stdout=subprocess.DEVNULL, check=True)
            gen.generate(store, days=1)
        html = os.path.join(workdir, "report.html")
        incident = measure([args.kiqprof, "incident", "--db", store, "--json"], workdir)
        report = measure([args.kiqprof, "report", "--db", store, "--format", "html", "-o", html, "--timings"], workdir)
        phases = dict((name.strip(), float(seconds)) for name, seconds in re.findall(r"timing: (.+?)\s+([0-9.]+) s", report[2]))
        own = sum(seconds for name, seconds in phases.items() if name != "load and analyse")
        size = os.path.getsize(html)
        if gen.HOG_CLASS not in open(html, encoding="utf-8").read():
            raise SystemExit("the report does not name the generated hog %s" % gen.HOG_CLASS)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print("report --format html over 1,000,000 runs and 86,400 host samples (24 h)")
    print("  incident --json (peer)        %6.2f s  %5.0f MB" % (incident[0], incident[1]))
    print("  report, end to end            %6.2f s  %5.0f MB" % (report[0], report[1]))
    for name, seconds in phases.items():
        print("    %-26s  %6.3f s" % (name, seconds))
    print("  HTML size                     %6.2f MB" % (size / 2**20))
    print("target report's own phases <= 2 s: %.3f s %s" % (own, "PASS" if own <= 2 else "MISS"))
    print("target end to end <= incident + 2 s (%.2f s): %.2f s %s" % (incident[0] + 2, report[0], "PASS" if report[0] <= incident[0] + 2 else "MISS"))
    print("target HTML <= 3 MB: %.2f MB %s" % (size / 2**20, "PASS" if size <= 3 * 2**20 else "MISS"))


if __name__ == "__main__":
    main()
