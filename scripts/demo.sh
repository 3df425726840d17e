#!/usr/bin/env bash
# make demo: the main job on a real recorded incident (samples/incident), with nothing of your own:
#   1. a throwaway redis-server on a UNIX socket, loaded with the incident's Redis snapshot: `status`
#   2. the incident's Sidekiq logs and sar file imported into a temporary store: `incident`
#   3. a self-contained HTML report
#   4. `recommend`, reading the live schedules from the throwaway Redis
#   5. a second story (samples/oom): an OOM kill of Sidekiq in a memory cgroup, from the kernel log
set -euo pipefail
KIQPROF=${1:-.build/release/kiqprof}
cd "$(dirname "$0")/.."
SAMPLE=samples/incident
WORK=$(mktemp -d /tmp/kiqprof-demo.XXXXXX)
REPORT=${KIQPROF_DEMO_REPORT:-$PWD/report.html}
REDIS_PID=""
cleanup() {
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$WORK|\$DEMO|g; s|$KIQPROF|kiqprof|"; "$@"; }

step "1. A throwaway redis-server (UNIX socket, no TCP port) holding the incident's Redis, as captured mid-incident"
redis-server --port 0 --unixsocket "$WORK/redis.sock" --unixsocketperm 700 --save '' --appendonly no \
  --dir "$WORK" --logfile "$WORK/redis.log" &
REDIS_PID=$!
for _ in $(seq 100); do [ -S "$WORK/redis.sock" ] && break; sleep 0.05; done
python3 scripts/load_snapshot.py "$SAMPLE/snapshot.json" --socket "$WORK/redis.sock"
CAPTURED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["captured_at"])' "$SAMPLE/snapshot.json")
URL="unix://$WORK/redis.sock"
run "$KIQPROF" status --redis "$URL" --now "$CAPTURED"

step "2. Investigate after the fact: import the Sidekiq logs and the sar file into a new store, then ask what happened"
DB="$WORK/demo.sqlite"
for log in "$SAMPLE"/sidekiq-*.log; do run "$KIQPROF" import sidekiq-log "$log" --db "$DB"; done
run "$KIQPROF" import sar "$SAMPLE/sar.json" --db "$DB"
run "$KIQPROF" incident --db "$DB" --redis "$URL" --limit 4

step "3. A report to read over coffee or attach to a ticket (one HTML file, no network, no script)"
run "$KIQPROF" report --db "$DB" --format html -o "$REPORT"
echo "open it: $REPORT"

step "4. What to switch off, and what that costs (schedules read from the throwaway Redis)"
run "$KIQPROF" recommend --db "$DB" --redis "$URL"

step "5. A second story: memory ran out. A real OOM kill of Sidekiq in a 1.5 GiB cgroup, recorded (samples/oom)"
OOM_DB="$WORK/oom.sqlite"
cp samples/oom/kiqprof.sqlite "$OOM_DB"
run "$KIQPROF" incident --db "$OOM_DB" --limit 2

step "What this showed, and what to try on a real server"
cat <<TXT
- The host's CPU saturated while Scheduler::Trends::RefreshScheduler runs piled up: it ranks first,
  with the numbers behind it. RemoteFeedPollJob fires at the same moments and runs long, but adds
  almost nothing once the classes beside it are accounted for, so it ranks below.
- recommend gives Mastodon's steps for the trends refresh, and the exact sidekiq-cron switch found in Redis.
- In the second story the kernel log names the kill; incident matches it to the Sidekiq process, the run it
  had in flight (a refresh that kept 200 MB more each run) and the restart.

On your server (read-only; kiqprof never writes to Redis unless a command takes --apply):
  kiqprof status --env-file /home/mastodon/live/.env.production
  journalctl -u mastodon-sidekiq -o json --since -6h | kiqprof import sidekiq-log -
  kiqprof import sar /var/log/sysstat/sa\$(date +%d)
  journalctl -k -o json --since -6h | kiqprof import kernel-log -
  kiqprof incident --last 6h
  kiqprof record --env-file /home/mastodon/live/.env.production   # keep recording for the next time
TXT
