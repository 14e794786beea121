#!/usr/bin/env bash
# Fault test: gunicorn on PostgreSQL; PostgreSQL is stopped, pages must answer the
# 503 page within 2 s; PostgreSQL is started again, pages must recover without
# restarting the app. Needs the right to stop and start the local cluster.
# Usage: config/load/faults.sh  (or: make faults)
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT="${FAULT_PORT:-8032}"
CLUSTER="$(ls /etc/postgresql)"
export DJANGO_ENV=production SECURE_HTTPS=0 ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=ERROR
export SECRET_KEY="${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(60))')}"
export DATABASE_URL="${DATABASE_URL:-postgres://root@127.0.0.1:5432/test}"
export GUNICORN_WORKERS=2 GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_ACCESS_LOG=/dev/null PAGE_CACHE_SECONDS=0

start_pg() { pg_ctlcluster --skip-systemctl-redirect "$CLUSTER" main start 2>/dev/null || true
             for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && return 0; sleep 1; done; return 1; }
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py load_initial_data -v0
.venv/bin/python manage.py collectstatic --no-input -v0
mkdir -p var/load
.venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi >var/load/faults-gunicorn.log 2>&1 &
master=$!
trap 'kill $master 2>/dev/null || true; start_pg' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

check() {  # expected status, path
  local out status seconds
  out=$(curl -s -o var/load/fault-body.html -w "%{http_code} %{time_total}" --max-time 10 "http://127.0.0.1:$PORT$2")
  status=${out% *}; seconds=${out#* }
  printf '%-28s %s in %ss\n' "$2" "$status" "$seconds"
  [ "$status" = "$1" ] || { echo "expected $1" >&2; exit 1; }
  awk -v s="$seconds" 'BEGIN { exit !(s < 2.0) }' || { echo "took 2 s or more" >&2; exit 1; }
}

echo "== PostgreSQL up"
check 200 "/search/?q=%E8%9E%8D%E8%B5%84"
check 200 /cases/13/
echo "== PostgreSQL stopped"
pg_ctlcluster --skip-systemctl-redirect "$CLUSTER" main stop -m fast
check 503 "/search/?q=%E8%9E%8D%E8%B5%84"
grep -q "服务暂时不可用" var/load/fault-body.html || { echo "not the 503 page" >&2; exit 1; }
if grep -qi "traceback\|OperationalError" var/load/fault-body.html; then echo "internals shown" >&2; exit 1; fi
check 503 /cases/13/
check 503 /healthz
echo "== PostgreSQL started again (the app is not restarted)"
start_pg
check 200 "/search/?q=%E8%9E%8D%E8%B5%84"
check 200 /cases/13/
check 200 /healthz
echo "faults: ok"
