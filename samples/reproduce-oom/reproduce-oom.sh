#!/usr/bin/env bash
# Reproduces an OOM kill with real parts only, and investigates it the way a user would afterwards:
# Debian's redis-server, Sidekiq 6.4.1 with sidekiq-cron 1.8.0 inside a memory cgroup capped at KIQ_LIMIT_MB
# (default 1536, cgroup v2 or v1, whichever this machine has; created here and removed at the end), sysstat's
# sadc and `kiqprof record` sampling every second. The workload (samples/reproduce-oom/app.rb):
#   Scheduler::Trends::RefreshScheduler  every 15 s under sidekiq-cron; each run keeps 200 MB more (a cache it
#                                        never frees), so about the 7th run brings the cgroup's OOM killer
#   DeliveryJob                          steady short jobs (deliver.rb)
# After the kill Sidekiq is started again (as systemd's Restart=always would) and runs for 20 s. Then the
# kernel log (`dmesg --time-format iso`), the Sidekiq logs and `sadf -j` are imported into the recording, and
# `incident` must name the OOM kill, the killed process, the class it ran (rank 1) and the restart: the exit
# status says whether it did.
#
# Output (default samples/oom): kiqprof.sqlite, kernel.log, sidekiq-1.log, sidekiq-2.log, sar.json, incident.txt.
# Usage: samples/reproduce-oom/reproduce-oom.sh [OUT_DIR]    (as root: cgroups and dmesg need it)
# Needs: redis-server, ruby-sidekiq, ruby-sidekiq-cron, sysstat, python3 and a built kiqprof ($KIQPROF).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${1:-$REPO/samples/oom}
LIMIT_MB=${KIQ_LIMIT_MB:-1536}
KIQPROF=${KIQPROF:-$REPO/.build-static/release/kiqprof}
SADC=/usr/lib/sysstat/sadc
export TZ=UTC

for c in redis-server sidekiq ruby python3 sadf dmesg "$SADC" "$KIQPROF"; do
  command -v "$c" >/dev/null || [ -x "$c" ] || { echo "reproduce-oom: missing $c (run make reproduce-oom)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "reproduce-oom: needs root, for a memory cgroup and dmesg" >&2; exit 1; }

WORK=$(mktemp -d /tmp/kiqprof-reproduce-oom.XXXXXX)
SOCK=$WORK/redis.sock
NAME=kiqprof-oom-$$
if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
  CGROUP=/sys/fs/cgroup/$NAME; LIMIT_FILE=memory.max
elif [ -d /sys/fs/cgroup/memory ]; then
  CGROUP=/sys/fs/cgroup/memory/$NAME; LIMIT_FILE=memory.limit_in_bytes
else
  echo "reproduce-oom: no memory cgroup controller (cgroup v2 with memory, or v1's /sys/fs/cgroup/memory)" >&2; exit 1
fi
PIDS=()
log() { echo "$(date -u +%H:%M:%S) reproduce-oom: $*" >&2; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rmdir "$CGROUP" 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] && log "work directory kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir "$CGROUP"
echo $((LIMIT_MB * 1024 * 1024)) > "$CGROUP/$LIMIT_FILE"
echo 0 > "$CGROUP/memory.swap.max" 2>/dev/null || echo 0 > "$CGROUP/memory.swappiness" 2>/dev/null || true
log "memory cgroup $CGROUP capped at $LIMIT_MB MiB"

redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --save '' --appendonly no --dir "$WORK" --logfile "$WORK/redis.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done

START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
"$SADC" -S XALL 1 "$WORK/sa.bin" &
PIDS+=($!)
"$KIQPROF" record --redis "unix://$SOCK" --db "$WORK/kiqprof.sqlite" --interval 1s --flush 2s 2> "$WORK/record.log" &
RECORD_PID=$!
PIDS+=($RECORD_PID)

export KIQ_REDIS_SOCK=$SOCK KIQ_PERIOD=15 KIQ_GROW_MB=200 KIQ_GROW_SECONDS=8 RUBYOPT=-W0
log "Sidekiq 6.4.1 (5 threads) with sidekiq-cron inside the cgroup, and a steady job pusher"
(cd "$HERE" && echo $BASHPID > "$CGROUP/cgroup.procs" && exec sidekiq -c 5 -t 5 -q scheduler -q default -r ./app.rb \
  > "$WORK/sidekiq-1.log" 2>&1) &
FIRST=$!
PIDS+=($FIRST)
(cd "$HERE" && exec ruby deliver.rb) &
PIDS+=($!)

for second in $(seq 600); do
  kill -0 "$FIRST" 2>/dev/null || break
  printf '\r%s reproduce-oom: %3ds, cgroup at %s MiB' "$(date -u +%H:%M:%S)" "$second" \
    "$(( $(cat "$CGROUP/memory.current" 2>/dev/null || cat "$CGROUP/memory.usage_in_bytes") / 1048576 ))" >&2
  sleep 1
done
echo >&2
kill -0 "$FIRST" 2>/dev/null && { log "no OOM kill within 10 minutes"; exit 1; }
log "Sidekiq (pid $FIRST) is gone; starting it again, as systemd would"
(cd "$HERE" && KIQ_PERIOD=600 exec sidekiq -c 5 -t 5 -q scheduler -q default -r ./app.rb > "$WORK/sidekiq-2.log" 2>&1) &
PIDS+=($!)
sleep 20

log "stopping Sidekiq, the pusher, the recorder and sadc"
for pid in "${PIDS[@]:3}"; do kill -TERM "$pid" 2>/dev/null || true; done
sleep 6
kill -INT "$RECORD_PID"; wait "$RECORD_PID" 2>/dev/null || true
kill -TERM "${PIDS[1]}" 2>/dev/null || true
sleep 1

mkdir -p "$OUT"
# The kernel log of the reproduction only, in absolute times (it needs no boot time to be read elsewhere).
dmesg --time-format iso | python3 -c '
import sys
start = sys.argv[1].replace("Z", "")
for line in sys.stdin:
    if line[:19] >= start[:19]:
        sys.stdout.write(line)' "$START" > "$OUT/kernel.log"
sadf -j "$WORK/sa.bin" -- -u -r -S -q ALL > "$OUT/sar.json"
ROOT=$REPO
for name in sidekiq-1.log sidekiq-2.log; do sed -e "s|$ROOT/||g" -e "s|$WORK|/tmp/kiqprof-reproduce-oom|g" "$WORK/$name" > "$OUT/$name"; done
# From inside OUT, so the store names the files, not this machine's paths.
(cd "$OUT" && "$KIQPROF" import kernel-log kernel.log --db "$WORK/kiqprof.sqlite" >&2 \
  && for name in sidekiq-1.log sidekiq-2.log; do "$KIQPROF" import sidekiq-log "$name" --db "$WORK/kiqprof.sqlite" >&2; done \
  && "$KIQPROF" import sar sar.json --db "$WORK/kiqprof.sqlite" >&2)
rm -f "$OUT/kiqprof.sqlite"
python3 -c 'import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]); s.backup(d); d.execute("VACUUM"); d.close()' \
  "$WORK/kiqprof.sqlite" "$OUT/kiqprof.sqlite"
"$KIQPROF" incident --db "$OUT/kiqprof.sqlite" --limit 3 | tee "$OUT/incident.txt"
log "wrote $OUT: $(du -sh "$OUT" | cut -f1)"

# It worked only if incident names the kill of that pid, the process, the hog in flight (rank 1) and the restart.
"$KIQPROF" incident --db "$OUT/kiqprof.sqlite" --json | python3 -c '
import json, sys
report, pid = json.load(sys.stdin), int(sys.argv[1])
kills = [k for k in report["oom_kills"] if k["pid"] == pid]
hog = "Scheduler::Trends::RefreshScheduler"
checks = {
    "the OOM kill of pid %d" % pid: bool(kills),
    "the killed Sidekiq process": bool(kills) and kills[0]["sidekiq_process"] is not None,
    "the class it ran": bool(kills) and hog in [r["class"] for r in kills[0]["runs_in_flight"]],
    "rank 1": report["suspects"][0]["class"] == hog,
    "the restart": bool(kills) and kills[0]["restart_pid"] is not None,
}
for what, ok in checks.items():
    print("reproduce-oom: %s %s" % ("names" if ok else "MISSES", what), file=sys.stderr)
sys.exit(0 if all(checks.values()) else 1)' "$FIRST"
