"""The floor for bench/capacity: read the rows capacity loads (runs by start, host and process samples by time)
and sum the host CPU over them: what getting the data out and one pass over it cost in Python."""
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
count, busy = 0, 0.0
for _ in db.execute("SELECT class, start, end, end_min, end_max, identity, host, outcome, source, pid FROM job_run ORDER BY start, id"):
    count += 1
for row in db.execute("SELECT t, host, cpu_idle_pct, cpu_iowait_pct, mem_total_kib, mem_available_kib, cpu_count "
                      "FROM host_sample ORDER BY t, host"):
    count += 1
    busy += 100 - row[2] - row[3]
for _ in db.execute("SELECT t, identity, cpu_pct, COALESCE(proc_rss_kib, rss_kib), concurrency FROM process_sample ORDER BY t, identity"):
    count += 1
print(count, busy)
