#!/usr/bin/env bash
# Reproduces a Trends-style outage with real parts only, and records it the way a user would:
# Debian's redis-server, Sidekiq 6.4.1 (two processes, as many servers run) with sidekiq-cron 1.8.0,
# sysstat's sadc sampling the host every second, and `kiqprof record` polling Sidekiq every second.
#
# The workload (samples/reproduce/app.rb):
#   Scheduler::Trends::RefreshScheduler  every 30 s under sidekiq-cron; compresses with 2 threads (zlib
#                                        releases the GVL: 2 cores) and holds 400 MB; each run 25 % longer
#                                        than the last (8 s → 90 s), so after about 3.5 minutes the runs
#                                        outlast the period, pile up, and keep the host's CPU saturated
#   RemoteFeedPollJob                    every 30 s at the same moments; sleeps 20 s (long, but light)
#   DeliveryJob                          steady short jobs pushed at random (0.2–0.8 s apart)
#
# Output (default samples/incident): kiqprof.sqlite (the recording), sidekiq-1.log and sidekiq-2.log,
# sar.json (`sadf -j` of the sadc file: CPU, memory, load, pressure), snapshot.json (Redis at the
# height of the incident, in the tests' loader format), README.md.
#
# Usage: samples/reproduce/reproduce.sh [OUT_DIR] [DURATION_SECONDS=300]
# Needs: redis-server, ruby-sidekiq, ruby-sidekiq-cron, sysstat, python3, and a built kiqprof
# ($KIQPROF, default: the release build). `make reproduce` installs and builds what is missing.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${1:-$REPO/samples/incident}
DURATION=${2:-300}
KIQPROF=${KIQPROF:-$REPO/.build-static/release/kiqprof}
SADC=/usr/lib/sysstat/sadc
export TZ=UTC

for c in redis-server sidekiq ruby python3 sadf "$SADC" "$KIQPROF"; do
  command -v "$c" >/dev/null || [ -x "$c" ] || { echo "reproduce: missing $c (run make reproduce)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/kiqprof-reproduce.XXXXXX)
SOCK=$WORK/redis.sock
PIDS=()
log() { echo "$(date -u +%H:%M:%S) reproduce: $*" >&2; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  [ -n "${KEEP_WORK:-}" ] && log "work directory kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

log "redis-server on $SOCK"
redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --save '' --appendonly no --dir "$WORK" --logfile "$WORK/redis.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done

log "sadc every second, kiqprof record every second"
"$SADC" -S XALL 1 "$WORK/sa.bin" &
PIDS+=($!)
"$KIQPROF" record --redis "unix://$SOCK" --db "$WORK/kiqprof.sqlite" --interval 1s --flush 2s 2> "$WORK/record.log" &
RECORD_PID=$!
PIDS+=($RECORD_PID)

export KIQ_REDIS_SOCK=$SOCK KIQ_PERIOD=30 KIQ_HOG_SECONDS=8 KIQ_HOG_GROWTH=1.25 KIQ_HOG_MAX_SECONDS=90 KIQ_HOG_THREADS=2 KIQ_HOG_MB=400 KIQ_SLEEP_SECONDS=20 RUBYOPT=-W0
log "two Sidekiq 6.4.1 processes (5 threads each) with sidekiq-cron, and a steady job pusher"
for n in 1 2; do
  (cd "$HERE" && exec sidekiq -c 5 -t 5 -q scheduler -q default -r ./app.rb > "$WORK/sidekiq-$n.log" 2>&1) &
  PIDS+=($!)
done
(cd "$HERE" && exec ruby steady.rb) &
PIDS+=($!)

START=$(date +%s)
SNAPSHOT_AT=$((DURATION * 4 / 5))
while [ $(( $(date +%s) - START )) -lt "$DURATION" ]; do
  ELAPSED=$(( $(date +%s) - START ))
  if [ ! -f "$WORK/snapshot.json" ] && [ "$ELAPSED" -ge "$SNAPSHOT_AT" ]; then
    log "capturing the Redis snapshot at ${ELAPSED}s"
    python3 "$REPO/samples/fixtures/capture_redis.py" --unix-socket "$SOCK" --source "samples/reproduce/reproduce.sh at ${ELAPSED}s" --out "$WORK/snapshot.json"
  fi
  printf '\r%s reproduce: %3ds of %ds' "$(date -u +%H:%M:%S)" "$ELAPSED" "$DURATION" >&2
  sleep 5
done
echo >&2

log "stopping the job pusher and Sidekiq, then the recorder and sadc"
for pid in "${PIDS[@]:3}"; do kill -TERM "$pid" 2>/dev/null || true; done
sleep 8
kill -INT "$RECORD_PID"; wait "$RECORD_PID" 2>/dev/null || true
kill -TERM "${PIDS[1]}" 2>/dev/null || true
sleep 1

mkdir -p "$OUT"
sadf -j "$WORK/sa.bin" -- -u -r -S -q ALL > "$OUT/sar.json"
sqlite_copy() { python3 -c 'import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]); s.backup(d); d.execute("VACUUM"); d.close()' "$1" "$2"; }
rm -f "$OUT/kiqprof.sqlite"
sqlite_copy "$WORK/kiqprof.sqlite" "$OUT/kiqprof.sqlite"
# Backtraces name this checkout's path: write it as the repository-relative path, as the fixtures do.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
for name in sidekiq-1.log sidekiq-2.log; do sed "s|$ROOT/||g" "$WORK/$name" > "$OUT/$name"; done
cp "$WORK/snapshot.json" "$OUT/snapshot.json"
log "wrote $OUT: $(du -sh "$OUT" | cut -f1)"
"$KIQPROF" incident --db "$OUT/kiqprof.sqlite" --limit 3
# The reproduction worked only if the periodic hog came out on top.
TOP=$("$KIQPROF" incident --db "$OUT/kiqprof.sqlite" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["suspects"][0]["class"])')
[ "$TOP" = "Scheduler::Trends::RefreshScheduler" ] || { echo "reproduce: the top suspect is $TOP, not the hog" >&2; exit 1; }
log "top suspect: $TOP"
