#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster on this machine and create the govinfo role and database
# for the Dagster instance (deploy/postgres/dagster.yaml). Used by CI; safe to run twice.
# Prints the environment the instance reads; eval it: eval "$(deploy/postgres/start-local.sh)"
set -euo pipefail
PG_PASSWORD="${GOVINFO_PG_PASSWORD:-govinfo}"
cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  pg_createcluster "$version" main >&2
  cluster="$version main"
fi
pg_ctlcluster $cluster start >&2 || true  # already running is fine
for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
as_postgres "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'govinfo'\"" | grep -q 1 \
  || as_postgres "psql -qc \"CREATE ROLE govinfo LOGIN PASSWORD '$PG_PASSWORD'\"" >&2
as_postgres "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'govinfo_dagster'\"" | grep -q 1 \
  || as_postgres "createdb -O govinfo govinfo_dagster" >&2
port=$(pg_lsclusters --no-header | awk 'NR==1 {print $3}')
echo "export GOVINFO_PG_HOST=127.0.0.1 GOVINFO_PG_PORT=$port GOVINFO_PG_USER=govinfo GOVINFO_PG_PASSWORD=$PG_PASSWORD GOVINFO_PG_DB=govinfo_dagster"
