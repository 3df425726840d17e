#!/usr/bin/env bash
# make demo: a throwaway redis-server loaded with the bundled snapshot, then kiqprof against it.
set -euo pipefail
KIQPROF=${1:-.build/release/kiqprof}
cd "$(dirname "$0")/.."
SNAPSHOT=samples/snapshot/mastodon-6.4.1-namespaced.json
WORK=$(mktemp -d /tmp/kiqprof-demo.XXXXXX)
REDIS_PID=""
cleanup() {
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. A throwaway redis-server on a UNIX socket (no TCP port), loaded with a real Sidekiq snapshot"
redis-server --port 0 --unixsocket "$WORK/redis.sock" --unixsocketperm 700 --save '' --appendonly no \
  --dir "$WORK" --logfile "$WORK/redis.log" &
REDIS_PID=$!
for _ in $(seq 100); do [ -S "$WORK/redis.sock" ] && break; sleep 0.05; done
python3 scripts/load_snapshot.py "$SNAPSHOT" --socket "$WORK/redis.sock"
CAPTURED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["captured_at"])' "$SNAPSHOT")
URL="unix://$WORK/redis.sock?db=0"
echo "snapshot: $SNAPSHOT (Sidekiq 6.4.1, redis-namespace 'mastodon', sidekiq-cron 1.8.0)"

step "2. kiqprof status: processes, queues, the longest-running jobs, periodic schedules"
echo "\$ kiqprof status --redis $URL --namespace mastodon --now $CAPTURED"
"$KIQPROF" status --redis "$URL" --namespace mastodon --now "$CAPTURED"

step "3. kiqprof census: every waiting job per class across queues, retry, schedule and dead"
echo "\$ kiqprof census --redis $URL --namespace mastodon --now $CAPTURED"
"$KIQPROF" census --redis "$URL" --namespace mastodon --now "$CAPTURED"

step "What this showed"
cat <<TXT
- Scheduler::Trends::RefreshScheduler (Mastodon's 5-minute trends refresh) is among the busy jobs,
  with its elapsed time, process and thread; sidekiq-cron holds its schedule (enabled) next to a
  disabled one.
- The census counts what waits where, with error classes for retry and dead.

On a real server (read-only; run as any user that can reach Redis):
  kiqprof status --env-file /home/mastodon/live/.env.production
  kiqprof census --redis redis://127.0.0.1:6379/0 --json
TXT
