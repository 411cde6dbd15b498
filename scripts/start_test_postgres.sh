#!/usr/bin/env bash
# Install (if needed) and start a local PostgreSQL for the store tests, then print its URL.
#
# Creates the role and database "hotspots_test" (password from HOTSPOTS_TEST_POSTGRES_PASSWORD,
# default "hotspots_test"); the role may create databases, so each test run works in a fresh one.
# The store needs PostGIS (migration 5): the script installs postgresql-<version>-postgis-3 and, as
# the admin, creates the extension in the test database and in template1, so every database the
# (non-superuser) test role creates from template1 has it.
# Only the URL goes to stdout, so callers can write: export HOTSPOTS_TEST_POSTGRES_URL=$(bash $0)
# Idempotent: a second run finds the server up and only prints the URL.
# Exit status non-zero when no server can be started (no root, no apt...): scripts/test.sh then stops
# in CI (CI=true), and elsewhere lets the PostgreSQL tests skip with a warning banner.
set -euo pipefail

ROLE=hotspots_test
DATABASE=hotspots_test
PASSWORD=${HOTSPOTS_TEST_POSTGRES_PASSWORD:-hotspots_test}

say() { echo "==> $*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    say "not root and no sudo: cannot install or start PostgreSQL"
    exit 1
  fi
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  say "installing PostgreSQL with apt-get"
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q postgresql >&2
fi

# The newest installed major version (15 on Debian 12; detect it rather than assume).
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if [ -z "$version" ]; then
  say "PostgreSQL is installed but /usr/lib/postgresql has no server version"
  exit 1
fi
if [ ! -f "/usr/share/postgresql/$version/extension/postgis.control" ]; then
  say "installing PostGIS for PostgreSQL $version with apt-get"
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "postgresql-$version-postgis-3" >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  say "creating cluster $version/main"
  $SUDO pg_createcluster --encoding UTF8 --locale C.UTF-8 "$version" main >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
status=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}')
if [ "$status" != "online" ]; then
  say "starting PostgreSQL $version/main on port $port"
  $SUDO pg_ctlcluster "$version" main start >&2
fi

psql_admin() { $SUDO su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -p $port $*"; }

# Wait for the server to accept connections (a fresh start takes a moment).
for _ in $(seq 1 30); do
  if psql_admin "-d postgres -tAc 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done

role_exists=$(psql_admin "-d postgres -tAc \"select 1 from pg_roles where rolname = '$ROLE'\"")
if [ "$role_exists" != 1 ]; then
  say "creating role $ROLE"
  psql_admin "-d postgres -c \"create role $ROLE login createdb password '$PASSWORD'\"" >&2
else
  psql_admin "-d postgres -c \"alter role $ROLE login createdb password '$PASSWORD'\"" >&2
fi
db_exists=$(psql_admin "-d postgres -tAc \"select 1 from pg_database where datname = '$DATABASE'\"")
if [ "$db_exists" != 1 ]; then
  say "creating database $DATABASE"
  psql_admin "-d postgres -c \"create database $DATABASE owner $ROLE encoding 'UTF8' template template0\"" >&2
fi
# A login role without rights of its own: tests/test_postgis.py grants it the read-only layer views.
reader_exists=$(psql_admin "-d postgres -tAc \"select 1 from pg_roles where rolname = '${ROLE}_qgis'\"")
if [ "$reader_exists" != 1 ]; then
  say "creating role ${ROLE}_qgis (read-only views)"
  psql_admin "-d postgres -c \"create role ${ROLE}_qgis login password '$PASSWORD'\"" >&2
fi

# Only a superuser may create PostGIS; a database made from template1 inherits it.
for database in template1 "$DATABASE"; do
  psql_admin "-d $database -c 'set client_min_messages = warning' -c 'create extension if not exists postgis'" >&2
done

echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$port/$DATABASE"
