"""Generates a month of a small Mastodon host at 1-minute resolution into a kiqprof store: host samples, two
Sidekiq processes whose RSS grows, a periodic hog and lighter jobs. Deterministic (a fixed seed)."""
import math
import random
import sqlite3

START = 1_794_960_000.0
MINUTES = 30 * 24 * 60
HOG_CLASS = "Scheduler::Trends::RefreshScheduler"
MEM_TOTAL_KIB = 2 * 1024 * 1024 - 150 * 1024
IDENTITIES = ["vm:100:0123456789ab", "vm:101:abcdef012345"]


def generate(path, seed=1):
    rng = random.Random(seed)
    runs = []  # (class, start, end, identity)
    # The hog: every 10 minutes for 2-3 minutes, +60 pp CPU and +300 MB while it runs.
    for k in range(MINUTES // 10):
        start = START + k * 600 + rng.uniform(0, 20)
        runs.append((HOG_CLASS, start, start + rng.uniform(120, 180), IDENTITIES[0]))
    # Lighter work: a poll every 2 minutes, and a feed job now and then.
    for k in range(MINUTES // 2):
        start = START + k * 120 + rng.uniform(0, 60)
        runs.append(("RemoteFeedPollJob", start, start + rng.uniform(5, 30), IDENTITIES[k % 2]))
    runs.sort(key=lambda r: r[1])
    hog = [(s, e) for c, s, e, _ in runs if c == HOG_CLASS]

    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    with db:
        db.executemany(
            "INSERT INTO job_run (class, start, end, identity, host, outcome, source) VALUES (?, ?, ?, ?, 'vm', 'ok', 'poll')", runs)
        hosts, processes = [], []
        index = 0
        for minute in range(MINUTES + 1):
            t = START + minute * 60
            while index < len(hog) and hog[index][1] <= t - 60:
                index += 1
            share = 0.0  # the share of the last minute the hog ran
            if index < len(hog):
                s, e = hog[index]
                share = max(0.0, min(e, t) - max(s, t - 60)) / 60
            busy = min(100.0, 8 + 4 * math.sin(minute / 1440 * 2 * math.pi) + 60 * share + rng.uniform(-2, 2))
            rss = [250 + 0.3 * minute / 60, 230 + 0.1 * minute / 60]
            used_mb = 700 + sum(rss) + 300 * share + rng.uniform(-8, 8)
            hosts.append((t, 100 - busy, MEM_TOTAL_KIB, int(MEM_TOTAL_KIB - used_mb * 1024)))
            for identity, mb in zip(IDENTITIES, rss):
                processes.append((t, identity, int(mb * 1024), 10))
        db.executemany(
            "INSERT INTO host_sample (t, host, source, cpu_idle_pct, cpu_iowait_pct, cpu_count, mem_total_kib, mem_available_kib) "
            "VALUES (?, 'vm', 'proc', ?, 0, 2, ?, ?)", hosts)
        db.executemany(
            "INSERT INTO process_sample (t, identity, host, concurrency, proc_rss_kib) VALUES (?, ?, 'vm', ?, ?)",
            [(t, identity, concurrency, rss) for t, identity, rss, concurrency in processes])
    db.close()
    return len(runs), len(hosts), len(processes)
