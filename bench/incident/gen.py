"""Generates a day (or several) of job runs and host samples into a kiqprof store, with a known hog."""
import math
import random
import sqlite3

RUNS_PER_DAY = 1_000_000
HOG_CLASS = "Scheduler::Trends::RefreshScheduler"
START = 1_795_000_000.0
MEM_TOTAL_KIB = 2 * 1024 * 1024


def generate(path, days=1, seed=1):
    rng = random.Random(seed)
    horizon = 86400.0 * days
    runs = []  # (class, start, end, identity)
    # The hog: every 5 minutes, 60-90 s, +45 pp CPU and +600 MB while it runs.
    t = 0.0
    while t < horizon:
        runs.append((HOG_CLASS, START + t, START + t + rng.uniform(60, 90), "web-1:1:abc"))
        t += 300
    # Light periodic schedulers.
    for index, period in enumerate([60, 60, 300, 600, 900, 3600, 3600, 21600, 86400, 120]):
        t = rng.uniform(0, period)
        while t < horizon:
            runs.append(("Scheduler::Light%dScheduler" % index, START + t, START + t + rng.uniform(0.05, 2), "web-1:1:abc"))
            t += period
    # The rest: 40 worker classes with random arrivals, short lognormal durations.
    remaining = RUNS_PER_DAY * days - len(runs)
    weights = [1.0 / (k + 1) for k in range(40)]
    total = sum(weights)
    for k, weight in enumerate(weights):
        count = int(remaining * weight / total)
        name = "Worker%02dJob" % k
        for _ in range(count):
            start = START + rng.uniform(0, horizon)
            runs.append((name, start, start + min(30, rng.lognormvariate(-2, 1)), "web-1:%d:abc" % (1 + k % 4)))
    runs.sort(key=lambda r: r[1])

    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    with db:
        db.executemany(
            "INSERT INTO job_run (class, start, end, identity, host, outcome, source) VALUES (?, ?, ?, ?, 'web-1', 'ok', 'log')",
            runs)
        # Host samples at 1 s: a diurnal baseline, the hog's cost while it runs, and noise.
        hog_runs = [(s, e) for c, s, e, _ in runs if c == HOG_CLASS]
        samples = []
        hog_index = 0
        for second in range(1, int(horizon) + 1):
            t = START + second
            while hog_index < len(hog_runs) and hog_runs[hog_index][1] <= t - 1:
                hog_index += 1
            hog = 1 if hog_index < len(hog_runs) and hog_runs[hog_index][0] < t else 0
            busy = min(100.0, 15 + 10 * math.sin(second / 86400 * 2 * math.pi) + 45 * hog + rng.uniform(-3, 3))
            used_kib = 900 * 1024 + 600 * 1024 * hog + rng.uniform(-10, 10) * 1024
            samples.append((t, 100 - busy, busy * 0.02, MEM_TOTAL_KIB, MEM_TOTAL_KIB - used_kib, busy / 50, 2))
        db.executemany(
            "INSERT INTO host_sample (t, host, source, cpu_idle_pct, load1, mem_total_kib, mem_available_kib, cpu_iowait_pct, cpu_count) "
            "VALUES (?, 'web-1', 'proc', ?, ?, ?, ?, ?, ?)",
            [(t, idle, load, total, avail, iowait, cpus) for t, idle, iowait, total, avail, load, cpus in samples])
    db.close()
