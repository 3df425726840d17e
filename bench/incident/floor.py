"""The floor for bench/incident: read the columns incident needs, in the order it needs them, and nothing else."""
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
count = 0
for _ in db.execute("SELECT class, start, end, end_max, identity, host, outcome, source FROM job_run ORDER BY start, id"):
    count += 1
for _ in db.execute("SELECT t, host, cpu_idle_pct, cpu_iowait_pct, cpu_busy_pct, mem_total_kib, mem_available_kib, mem_used_pct, "
                    "swap_total_kib, swap_free_kib, load1, cpu_count, psi_cpu_some_avg10, psi_memory_full_avg10 FROM host_sample ORDER BY t, host"):
    count += 1
print(count)
