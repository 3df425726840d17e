#!/usr/bin/env python3
"""Evidence benchmark: how well `kiqprof incident --json` finds the culprit, tells periodic classes from the
rest and attributes host CPU and memory, over generated scenarios whose truth is known.

Usage:
  python3 bench/evidence/run.py --kiqprof .build/release/kiqprof                        # 200 scenarios
  python3 bench/evidence/run.py --kiqprof BIN --scenarios 20 --seed 7 --keep /tmp/ev     # seeds 7..26, files kept
  python3 bench/evidence/run.py --kiqprof BIN --scenarios 1 --seed 42 --keep /tmp/ev      # one seed, to debug

Each scenario (model.py: a Sidekiq host simulated in 0.05 s steps) is rendered two ways (render.py) and analysed:
  log + sar   Sidekiq log(s) (6.x/7.x text, 8.x text, JSON, journald short-iso, by seed) and `sadf -j` JSON:
              kiqprof import sidekiq-log, kiqprof import sar, kiqprof incident --json --from --to
  recorded    the rows `kiqprof record` would have written (polled runs bracketed by 5 s heartbeats,
              process and /proc host samples every second, schedule definitions) in a store kiqprof created:
              kiqprof incident --json --from --to
Prints the metrics of each form against the targets, one line per failing scenario, and writes every
scenario's truth and top suspects to results.json. With --keep DIR, each scenario's files (logs, sar.json,
both stores, truth.json, both incident JSONs) stay in DIR/seed-N/. Exit status 2 when a rendering check
fails (an import not understanding a line it should, run counts differing from the truth), else 0:
missed targets are the algorithm's to fix, not an error of the benchmark.
"""
import argparse
import datetime
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import model  # noqa: E402
import render  # noqa: E402

FORMS = ("log", "recorded")
FORM_TITLES = {"log": "log + sar", "recorded": "recorded"}
TARGET_RANK1 = 0.95
TARGET_COFIRE_TOP2 = 0.05
TARGET_F1 = 0.95
TARGET_CPU_WITHIN = 0.90
WITHIN = 30.0  # percent
# Fields the suspect JSON may grow (printed when present).
OPTIONAL_FIELDS = ("cpu_attrib_pp_low", "cpu_attrib_pp_high", "mem_attrib_mb_low", "mem_attrib_mb_high", "period_jitter_s",
                   "stream_rate_per_s")


def kiqprof_json(argv, stdin=None):
    proc = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(argv[:3]), proc.returncode, proc.stderr.decode(errors="replace")[-400:]))
    return json.loads(proc.stdout)


def number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def compact_suspect(s):
    """The fields the metrics use, read defensively, plus whatever new fields are present."""
    out = {
        "rank": number(s.get("rank")), "class": s.get("class"), "score": number(s.get("score")),
        "periodic": bool(s.get("periodic")), "period_s": number(s.get("period_s")), "period_source": s.get("period_source"),
        "runs": number(s.get("runs")) or 0, "overlaps": number(s.get("overlaps")),
        "cpu_attrib_pp": number(s.get("cpu_attrib_pp")), "mem_attrib_mb": number(s.get("mem_attrib_mb")),
        "cpu_lift_pp": number(s.get("cpu_lift_pp")), "mem_lift_mb": number(s.get("mem_lift_mb")),
    }
    for key in OPTIONAL_FIELDS:
        if key in s:
            out[key] = s[key]
    for key, value in s.items():
        if "joint" in key and key not in out:
            out[key] = value
    return out


def run_scenario(task):
    seed, kiqprof, workdir, keep = task
    timings = {}
    directory = os.path.join(workdir, "seed-%d" % seed)
    os.makedirs(directory, exist_ok=True)
    started = time.time()
    sc = model.make_scenario(seed)
    sim = model.simulate(sc)
    truth = sim.truth
    timings["simulate"] = time.time() - started
    result = {"seed": seed, "truth": truth, "forms": {}, "description": sc.describe()}
    window = ["--from", "%d" % int(sc.t0), "--to", "%d" % int(sc.t0 + sc.duration)]
    try:
        # --- log + sar ---
        t = time.time()
        paths, expected = render.write_logs(sc, sim, directory)
        sar_path = os.path.join(directory, "sar.json")
        sar_samples = render.write_sar(sc, sim, sar_path)
        timings["render_log"] = time.time() - t
        t = time.time()
        store = os.path.join(directory, "log.sqlite")
        got = {"runs": 0, "open_runs": 0, "not_understood": 0, "examples": []}
        for path in paths:
            summary = kiqprof_json([kiqprof, "import", "sidekiq-log", path, "--db", store, "--host", model.HOST, "--json"])
            got["runs"] += summary.get("runs_added", 0)
            got["open_runs"] += summary.get("open_runs", 0)
            got["not_understood"] += summary.get("not_understood", 0)
            got["examples"] += summary.get("examples", [])[:3]
        sar = kiqprof_json([kiqprof, "import", "sar", sar_path, "--db", store, "--json"])
        report = kiqprof_json([kiqprof, "incident", "--db", store, "--json"] + window)
        timings["kiqprof_log"] = time.time() - t
        checks = []
        if got["not_understood"] != expected["not_understood"]:
            checks.append("import: %d lines not understood, expected %d (%s)" % (got["not_understood"], expected["not_understood"], "; ".join(got["examples"][:2])))
        if got["runs"] != expected["runs"] or got["open_runs"] != expected["open_runs"]:
            checks.append("import: %d runs (%d open), expected %d (%d open)" % (got["runs"], got["open_runs"], expected["runs"], expected["open_runs"]))
        if sar.get("samples_added") != sar_samples:
            checks.append("sar: %s samples added, expected %d" % (sar.get("samples_added"), sar_samples))
        checks += count_checks(report, truth["runs_by_class"])
        result["forms"]["log"] = analyse(report, truth, checks)
        result["forms"]["log"]["import"] = {"runs": got["runs"], "open_runs": got["open_runs"], "not_understood": got["not_understood"],
                                            "expected_not_understood": expected["not_understood"], "sar_samples": sar.get("samples_added")}
        if keep:
            with open(os.path.join(directory, "incident-log.json"), "w") as out:
                json.dump(report, out, indent=1)

        # --- recorded ---
        t = time.time()
        store = os.path.join(directory, "recorded.sqlite")
        # kiqprof creates the store and its schema (an empty host-sample import); render.py fills it.
        kiqprof_json([kiqprof, "import", "csv", "-", "--db", store, "--json"], stdin=b"timestamp,metric,value\n")
        seen, host_rows = render.fill_recorded_store(sc, sim, store)
        timings["render_recorded"] = time.time() - t
        t = time.time()
        report = kiqprof_json([kiqprof, "incident", "--db", store, "--json"] + window)
        timings["kiqprof_recorded"] = time.time() - t
        result["forms"]["recorded"] = analyse(report, truth, count_checks(report, seen), seen=seen)
        if keep:
            with open(os.path.join(directory, "incident-recorded.json"), "w") as out:
                json.dump(report, out, indent=1)
            with open(os.path.join(directory, "truth.json"), "w") as out:
                json.dump(dict(truth, recorder_sees=seen), out, indent=1, sort_keys=True)
    except Exception as error:  # noqa: BLE001 - reported per scenario, the run goes on
        result["error"] = "%s: %s" % (type(error).__name__, error)
    finally:
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)
    result["timings"] = timings
    return result


def count_checks(report, expected_counts):
    """The runs kiqprof counted per class must be the runs it was given."""
    got = {s.get("class"): s.get("runs", 0) for s in report.get("suspects", [])}
    wrong = ["%s %s/%s" % (name, got.get(name, 0), count) for name, count in sorted(expected_counts.items()) if got.get(name, 0) != count]
    wrong += ["%s %s/0" % (name, count) for name, count in sorted(got.items()) if name not in expected_counts and count]
    return ["runs per class differ (kiqprof/truth): " + ", ".join(wrong[:4])] if wrong else []


def analyse(report, truth, checks, seen=None):
    """One form's outcome for one scenario: the per-scenario facts the metrics pool."""
    suspects = [compact_suspect(s) for s in report.get("suspects", [])]
    by_class = {s["class"]: s for s in suspects}
    culprit = truth["culprit"]
    periodic_truth = set(truth["periodic"])
    rank = by_class.get(culprit, {}).get("rank")
    cofire_ranks = {name: by_class[name]["rank"] for name in truth["cofiring_light"] if name in by_class}
    periodicity = []  # (class, role, truly periodic, called periodic, period_s)
    for s in suspects:
        if s["runs"] >= 3:
            periodicity.append((s["class"], truth["roles"].get(s["class"], "?"), s["class"] in periodic_truth, s["periodic"], s["period_s"]))
    c = by_class.get(culprit, {})
    top = sorted(suspects, key=lambda s: s["rank"] or 1e9)[:3]
    return {
        "checks": checks,
        "rank": rank,
        "top": top,
        "culprit": c,
        "cofire": [by_class[name] for name in truth["cofiring_light"] if name in by_class],
        "cofire_top2": any(r is not None and r <= 2 for r in cofire_ranks.values()),
        "sleeper_top2": any(r is not None and r <= 2 for name, r in cofire_ranks.items() if name in truth["sleepers"]),
        "periodicity": periodicity,
        "outage_windows": len(report.get("outage_windows", [])),
        # A joint attribution for classes that cannot be told apart, wherever the report puts it.
        "joint": {k: v for k, v in report.items() if "joint" in k},
    }


def pct_error(got, true):
    if got is None or not true:
        return None
    return (got - true) / true * 100.0


def summarise(results, form):
    rows = [r for r in results if "error" not in r and form in r["forms"]]
    n = len(rows)
    out = {"scenarios": n}
    if not n:
        return out
    facts = [r["forms"][form] for r in rows]
    out["render_check_failures"] = sum(1 for f in facts if f["checks"])
    imports = [f["import"] for f in facts if "import" in f]
    if imports:
        out["import"] = {key: sum(i[key] for i in imports) for key in ("runs", "open_runs", "not_understood", "expected_not_understood", "sar_samples")}
    out["rank1"] = sum(1 for f in facts if f["rank"] == 1) / n
    out["culprit_missing"] = sum(1 for f in facts if f["rank"] is None)
    out["cofire_top2"] = sum(1 for f in facts if f["cofire_top2"]) / n
    out["sleeper_top2"] = sum(1 for f in facts if f["sleeper_top2"]) / n
    out["with_cofiring"] = sum(1 for r in rows if r["truth"]["cofiring_light"])
    tp = fp = fn = tn = 0
    fp_roles, fn_roles = {}, {}
    for f in facts:
        for _, role, truly, called, _ in f["periodicity"]:
            if truly and called:
                tp += 1
            elif truly:
                fn += 1
                fn_roles[role] = fn_roles.get(role, 0) + 1
            elif called:
                fp += 1
                fp_roles[role] = fp_roles.get(role, 0) + 1
            else:
                tn += 1
    out["periodicity"] = {"tp": tp, "fp": fp, "fn": fn, "tn": tn,
                          "false_periodic_rate": fp / (fp + tn) if fp + tn else None,
                          "missed_periodic_rate": fn / (fn + tp) if fn + tp else None,
                          "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None,
                          "false_periodic_by_role": fp_roles, "missed_periodic_by_role": fn_roles}
    cpu_err = [pct_error(f["culprit"].get("cpu_attrib_pp"), r["truth"]["culprit_cpu_pp"]) for r, f in zip(rows, facts)]
    cpu_all_err = [pct_error(f["culprit"].get("cpu_attrib_pp"), r["truth"]["culprit_cpu_pp_all_instances"]) for r, f in zip(rows, facts)]
    mem_err = [pct_error(f["culprit"].get("mem_attrib_mb"), r["truth"]["culprit_mem_mb"]) for r, f in zip(rows, facts)]
    for key, errors in (("cpu", cpu_err), ("cpu_all_instances", cpu_all_err), ("mem", mem_err)):
        present = [e for e in errors if e is not None]
        out[key] = {
            "within": sum(1 for e in present if abs(e) <= WITHIN) / n,
            "missing": n - len(present),
            "median_signed_pct": statistics.median(present) if present else None,
            "median_abs_pct": statistics.median(abs(e) for e in present) if present else None,
            "p90_abs_pct": quantile(sorted(abs(e) for e in present), 0.9) if present else None,
        }
    credit, share = [], []
    for r, f in zip(rows, facts):
        for s in f["cofire"]:
            if s.get("cpu_attrib_pp") is not None:
                credit.append(s["cpu_attrib_pp"])
                share.append(s["cpu_attrib_pp"] / r["truth"]["culprit_cpu_pp"] * 100 if r["truth"]["culprit_cpu_pp"] else 0)
    credit.sort()
    share.sort()
    out["cofire_credit"] = {"n": len(credit), "median_pp": quantile(credit, 0.5), "p90_pp": quantile(credit, 0.9),
                            "max_pp": credit[-1] if credit else None, "median_share_pct": quantile(share, 0.5),
                            "p90_share_pct": quantile(share, 0.9)}
    return out


def quantile(values, q):
    if not values:
        return None
    position = q * (len(values) - 1)
    lower = int(position)
    upper = min(len(values) - 1, lower + 1)
    return values[lower] + (values[upper] - values[lower]) * (position - lower)


def fmt(value, spec="%.1f", none="-"):
    return none if value is None else spec % value


def verdict(ok):
    return "PASS" if ok else "FAIL"


def print_table(summaries):
    log, rec = summaries["log"], summaries["recorded"]

    def both(getter, spec):
        return [fmt(getter(s), spec) if s.get("scenarios") else "-" for s in (log, rec)]

    lines = []

    def row(label, values, target="", verdicts=None):
        v = "  ".join(verdict(x) for x in verdicts) if verdicts else ""
        lines.append("%-44s %14s %14s   %-10s %s" % (label, values[0], values[1], target, v))

    print("%-44s %14s %14s   %-10s %s" % ("metric", "log + sar", "recorded", "target", "verdict (log, recorded)"))
    print("-" * 104)
    row("scenarios", both(lambda s: s["scenarios"], "%d"))
    row("  with a rendering check failing", both(lambda s: s["render_check_failures"], "%d"), "0")
    imp = log.get("import")
    if imp:
        row("  log lines not understood (expected)", ["%d (%d)" % (imp["not_understood"], imp["expected_not_understood"]), "-"])
        row("  runs imported (open at the end)", ["%d (%d)" % (imp["runs"], imp["open_runs"]), "-"])
    row("rank-1 accuracy (culprit ranks first)", both(lambda s: s["rank1"] * 100, "%.1f %%"), ">= 95 %",
        [s["rank1"] >= TARGET_RANK1 for s in (log, rec)])
    row("  culprit not among the suspects", both(lambda s: s["culprit_missing"], "%d"))
    row("co-firing light job in the top 2", both(lambda s: s["cofire_top2"] * 100, "%.1f %%"), "<= 5 %",
        [s["cofire_top2"] <= TARGET_COFIRE_TOP2 for s in (log, rec)])
    row("  the long sleeper in the top 2", both(lambda s: s["sleeper_top2"] * 100, "%.1f %%"))
    row("periodicity F1 (classes with >= 3 runs)", both(lambda s: s["periodicity"]["f1"], "%.3f"), ">= 0.95",
        [(s["periodicity"]["f1"] or 0) >= TARGET_F1 for s in (log, rec)])
    row("  false-periodic rate (non-periodic called so)", both(lambda s: (s["periodicity"]["false_periodic_rate"] or 0) * 100, "%.1f %%"))
    row("  missed-periodic rate", both(lambda s: (s["periodicity"]["missed_periodic_rate"] or 0) * 100, "%.1f %%"))
    row("  tp / fp / fn / tn", [("%d/%d/%d/%d" % tuple(s["periodicity"][k] for k in ("tp", "fp", "fn", "tn"))) for s in (log, rec)])
    row("culprit CPU attribution within +-30 %", both(lambda s: s["cpu"]["within"] * 100, "%.1f %%"), ">= 90 %",
        [s["cpu"]["within"] >= TARGET_CPU_WITHIN for s in (log, rec)])
    row("  median signed error", both(lambda s: s["cpu"]["median_signed_pct"], "%+.1f %%"))
    row("  median / p90 absolute error", [fmt(s["cpu"]["median_abs_pct"], "%.0f") + " / " + fmt(s["cpu"]["p90_abs_pct"], "%.0f %%") for s in (log, rec)])
    row("  no cpu_attrib_pp for the culprit", both(lambda s: s["cpu"]["missing"], "%d"))
    row("  within +-30 % of its all-instances average", both(lambda s: s["cpu_all_instances"]["within"] * 100, "%.1f %%"))
    row("culprit memory attribution within +-30 %", both(lambda s: s["mem"]["within"] * 100, "%.1f %%"))
    row("  median signed error", both(lambda s: s["mem"]["median_signed_pct"], "%+.1f %%"))
    row("  median / p90 absolute error", [fmt(s["mem"]["median_abs_pct"], "%.0f") + " / " + fmt(s["mem"]["p90_abs_pct"], "%.0f %%") for s in (log, rec)])
    row("  no mem_attrib_mb for the culprit", both(lambda s: s["mem"]["missing"], "%d"))
    row("co-firing light jobs' cpu_attrib_pp: median", both(lambda s: s["cofire_credit"]["median_pp"], "%.2f pp"))
    row("  p90 / max", [fmt(s["cofire_credit"]["p90_pp"], "%.1f") + " / " + fmt(s["cofire_credit"]["max_pp"], "%.1f pp") for s in (log, rec)])
    row("  as a share of the culprit's true pp: median", both(lambda s: s["cofire_credit"]["median_share_pct"], "%.1f %%"))
    row("  p90", both(lambda s: s["cofire_credit"]["p90_share_pct"], "%.1f %%"))
    for line in lines:
        print(line)
    for form in FORMS:
        p = summaries[form].get("periodicity", {})
        if p:
            print("%-10s false periodic by role: %s; missed periodic by role: %s" % (
                FORM_TITLES[form], ", ".join("%s %d" % kv for kv in sorted(p["false_periodic_by_role"].items())) or "none",
                ", ".join("%s %d" % kv for kv in sorted(p["missed_periodic_by_role"].items())) or "none"))


def breakdown(results):
    """Rank-1 accuracy by log format, scheduler, pile-up and saturation, to see where it fails."""
    groups = {}
    for r in results:
        if "error" in r:
            continue
        t = r["truth"]
        keys = ["format=" + t["log_format"], "scheduler=" + t["scheduler"] + ("/%ds" % t["poll_interval_s"] if t["poll_interval_s"] else ""),
                "pile-up" if t["culprit_pileup"] else "no pile-up", "cpus=%d" % t["ncpu"],
                "culprit saturated >= 20%" if t["culprit_saturated_share"] >= 0.2 else "culprit saturated < 20%",
                "period=%ds" % t["culprit_period_s"]]
        for key in keys:
            g = groups.setdefault(key, {"n": 0, "log": 0, "recorded": 0, "cpu_log": 0, "cpu_recorded": 0})
            g["n"] += 1
            for form in FORMS:
                f = r["forms"].get(form)
                if f and f["rank"] == 1:
                    g[form] += 1
                if f:
                    e = pct_error(f["culprit"].get("cpu_attrib_pp"), t["culprit_cpu_pp"])
                    if e is not None and abs(e) <= WITHIN:
                        g["cpu_" + form] += 1
    print("\n%-34s %5s %12s %12s %14s %14s" % ("breakdown", "n", "rank-1 log", "rank-1 rec", "cpu+-30% log", "cpu+-30% rec"))
    for key in sorted(groups):
        g = groups[key]
        print("%-34s %5d %11.0f%% %11.0f%% %13.0f%% %13.0f%%" % (key, g["n"], g["log"] / g["n"] * 100, g["recorded"] / g["n"] * 100,
                                                             g["cpu_log"] / g["n"] * 100, g["cpu_recorded"] / g["n"] * 100))


def suspect_text(s):
    """`Class score (cpu X pp, mem Y MB, periodic Ps)`; the plain lift where there is no attribution."""
    cpu = ("cpu %s pp" % fmt(s["cpu_attrib_pp"], "%.1f")) if s.get("cpu_attrib_pp") is not None else "cpu lift %s pp" % fmt(s.get("cpu_lift_pp"), "%.1f")
    mem = ("mem %s MB" % fmt(s["mem_attrib_mb"], "%.0f")) if s.get("mem_attrib_mb") is not None else "mem lift %s MB" % fmt(s.get("mem_lift_mb"), "%.0f")
    text = "%s %s (%s, %s, %d runs%s)" % (s["class"], fmt(s["score"], "%.1f"), cpu, mem, s["runs"],
                                       ", periodic %ss" % fmt(s["period_s"], "%.0f") if s["periodic"] else "")
    extra = ["%s=%s" % (k, s[k]) for k in OPTIONAL_FIELDS if k in s]
    return text + (" [" + " ".join(extra) + "]" if extra else "")


def failure_lines(results):
    lines = []
    for r in results:
        if "error" in r:
            lines.append("seed %d: ERROR %s" % (r["seed"], r["error"]))
            continue
        t = r["truth"]
        tag = "%s %dcpu %dproc %s%s P=%ds%s sat%.0f%%" % (t["log_format"], t["ncpu"], t["nproc"], "cron" if t["scheduler"] == "sidekiq-cron" else "every",
                                                       "/%ds" % t["poll_interval_s"] if t["poll_interval_s"] else "", t["culprit_period_s"],
                                                       " pile-up" if t["culprit_pileup"] else "", t["culprit_saturated_share"] * 100)
        for form in FORMS:
            f = r["forms"].get(form)
            if not f:
                continue
            problems = []
            if f["checks"]:
                problems.append("RENDER " + "; ".join(f["checks"]))
            if f["rank"] != 1:
                problems.append("culprit rank %s" % f["rank"])
            if f["cofire_top2"]:
                problems.append("co-firing light job in top 2")
            e = pct_error(f["culprit"].get("cpu_attrib_pp"), t["culprit_cpu_pp"])
            if e is None or abs(e) > WITHIN:
                problems.append("culprit cpu %s vs %.1f pp (%s)" % (fmt(f["culprit"].get("cpu_attrib_pp"), "%.1f"), t["culprit_cpu_pp"], fmt(e, "%+.0f%%")))
            wrong = ["%s %s(%s)" % ("FP" if called else "FN", name.split("::")[-1], role) for name, role, truly, called, _ in f["periodicity"] if truly != called]
            if wrong:
                problems.append("periodic: " + ", ".join(wrong))
            if problems:
                top = "; ".join("%d. %s" % (s["rank"] or 0, suspect_text(s)) for s in f["top"])
                if f.get("joint"):
                    top += " | joint: " + json.dumps(f["joint"], separators=(",", ":"))[:300]
                lines.append("seed %d %-9s [%s] %s | culprit %s %.1f pp %.0f MB | top: %s" % (
                    r["seed"], FORM_TITLES[form], tag, " | ".join(problems), t["culprit"].split("::")[-1], t["culprit_cpu_pp"],
                    t["culprit_mem_mb"], top))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiqprof", required=True)
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1, help="first seed (scenarios use seed, seed+1, ...)")
    parser.add_argument("--keep", help="keep each scenario's files in DIR/seed-N/ (use with a few --scenarios)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="scenarios run at once (default 2)")
    parser.add_argument("--results", default=os.path.join(HERE, "..", "out", "evidence", "results.json"))
    parser.add_argument("--no-failures", action="store_true", help="do not list the failing scenarios")
    args = parser.parse_args()
    kiqprof = os.path.abspath(args.kiqprof)
    if not os.access(kiqprof, os.X_OK):
        raise SystemExit("not an executable: %s" % kiqprof)
    workdir = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="kiqprof-bench-evidence-")
    os.makedirs(workdir, exist_ok=True)
    seeds = list(range(args.seed, args.seed + args.scenarios))
    tasks = [(seed, kiqprof, workdir, bool(args.keep)) for seed in seeds]
    started = time.time()
    results = []
    try:
        with multiprocessing.Pool(args.jobs) as pool:
            for done, result in enumerate(pool.imap(run_scenario, tasks), 1):
                results.append(result)
                if done % 20 == 0 or done == len(tasks):
                    print("... %d/%d scenarios, %.0f s" % (done, len(tasks), time.time() - started), file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.time() - started

    summaries = {form: summarise(results, form) for form in FORMS}
    errors = [r for r in results if "error" in r]
    print("kiqprof incident --json against the truth of %d generated scenarios (seeds %d-%d), %s" % (
        len(seeds), seeds[0], seeds[-1], datetime.date.today().isoformat()))
    print_table(summaries)
    if len(results) >= 8:
        breakdown(results)
    timing = {}
    for r in results:
        for key, value in r.get("timings", {}).items():
            timing[key] = timing.get(key, 0.0) + value
    print("\n%d scenarios in %.0f s wall (%d at once); summed per step: %s" % (
        len(results), elapsed, args.jobs, ", ".join("%s %.0f s" % kv for kv in sorted(timing.items()))))
    if errors:
        print("%d scenarios failed to run" % len(errors))
    if not args.no_failures:
        lines = failure_lines(results)
        print("\nFailing scenarios (%d lines; re-run one with --scenarios 1 --seed N --keep DIR):" % len(lines))
        for line in lines:
            print(line)

    os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
    with open(args.results, "w") as out:
        json.dump({"date": datetime.datetime.now().isoformat(timespec="seconds"), "kiqprof": kiqprof, "seeds": [seeds[0], seeds[-1]],
                   "wall_s": round(elapsed, 1), "summary": summaries, "scenarios": results}, out, indent=1, sort_keys=True)
    print("\nresults: %s" % os.path.relpath(args.results))
    render_failures = sum(s.get("render_check_failures", 0) for s in summaries.values())
    return 2 if render_failures or errors else 0


if __name__ == "__main__":
    sys.exit(main())
