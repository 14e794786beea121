#!/usr/bin/env bash
# Load test: gunicorn with 2 workers on PostgreSQL, driven by wrk on 127.0.0.1,
# each run bounded in time. Prints throughput, latency percentiles, errors and
# the workers' memory. Usage: config/load/run.sh  (or: make load)
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT="${LOAD_PORT:-8031}"
DURATION="${LOAD_DURATION:-30s}"
CONNECTIONS="${LOAD_CONNECTIONS:-16}"
export DJANGO_ENV=production SECURE_HTTPS=0 ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
export SECRET_KEY="${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(60))')}"
export DATABASE_URL="${DATABASE_URL:-postgres://root@127.0.0.1:5432/test}"
export GUNICORN_WORKERS=2 GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_ACCESS_LOG=/dev/null

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py load_initial_data -v0
.venv/bin/python manage.py collectstatic --no-input -v0
mkdir -p var/load
.venv/bin/python config/load/paths.py search var/load/search.txt
.venv/bin/python config/load/paths.py mixed var/load/mixed.txt

run() {  # label, paths file, extra environment for gunicorn
  local label=$1 paths=$2
  shift 2
  env "$@" .venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi >var/load/gunicorn.log 2>&1 &
  local master=$!
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  PATHS="$paths" wrk -t2 -c"$CONNECTIONS" -d5s -s config/load/requests.lua "http://127.0.0.1:$PORT" >/dev/null  # warm-up
  echo "== $label ($DURATION, $CONNECTIONS connections)"
  PATHS="$paths" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s config/load/requests.lua "http://127.0.0.1:$PORT" \
    | grep -E '^(requests|throughput_rps|p50_ms|p95_ms|p99_ms|socket_errors|non_2xx) '
  for pid in $(pgrep -P "$master"); do
    # RSS counts the pages shared with the master (the app and the dictionaries it preloaded); PSS a share of
    # them; USS (private) only what the worker holds alone.
    awk -v pid="$pid" '/^Rss:/ {rss=$2} /^Pss:/ {pss=$2} /^Private_(Clean|Dirty):/ {uss+=$2}
      END {printf "worker %s rss_mb %.0f pss_mb %.0f uss_mb %.0f\n", pid, rss/1024, pss/1024, uss/1024}' \
      "/proc/$pid/smaps_rollup"
  done
  kill "$master"; wait "$master" 2>/dev/null || true
}

run "searches, Redis cache" var/load/search.txt REDIS_URL=redis://127.0.0.1:6379/1
run "searches, no cache" var/load/search.txt PAGE_CACHE_SECONDS=0
run "mixed traffic, Redis cache" var/load/mixed.txt REDIS_URL=redis://127.0.0.1:6379/1
