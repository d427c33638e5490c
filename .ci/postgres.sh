# Sourced by .ci/run: a throw-away PostgreSQL cluster for the tests.
# Installs Debian's postgresql when no initdb is found, starts a cluster
# owned by an unprivileged user in a temporary directory, listening on a
# Unix socket there only, and exports CTIS_TEST_POSTGRES. The caller's
# EXIT trap must call ci_postgres_stop.

ci_postgres_bin() {
  { ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true; } | sort -V | tail -n 1
}

ci_postgres_start() {
  local bin
  bin=$(ci_postgres_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    # Only the binaries are wanted: no cluster of the system's own.
    if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
      mkdir -p /etc/postgresql-common
      echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(ci_postgres_bin)
  fi
  # The server refuses to run as root: the cluster belongs to nobody. Nothing
  # in it must outlive the run, so it does not sync to disk (fsync=off); the
  # store still commits synchronously as it does on a real server.
  CI_PG_DIR=$(mktemp -d /tmp/ctis-pg.XXXXXX)
  chown nobody "$CI_PG_DIR"
  chmod 700 "$CI_PG_DIR"
  runuser -u nobody -- "$bin/initdb" -D "$CI_PG_DIR/data" -U postgres -A trust \
    --encoding=UTF8 --locale=C >"$CI_PG_DIR/initdb.log"
  runuser -u nobody -- "$bin/pg_ctl" -D "$CI_PG_DIR/data" -l "$CI_PG_DIR/server.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$CI_PG_DIR' -c max_connections=300 -c fsync=off -c full_page_writes=off" start >/dev/null
  export CTIS_TEST_POSTGRES="postgres://postgres@/postgres?host=$CI_PG_DIR"
}

ci_postgres_stop() {
  if [ -n "${CI_PG_DIR:-}" ] && [ -d "$CI_PG_DIR" ]; then
    runuser -u nobody -- "$(ci_postgres_bin)/pg_ctl" -D "$CI_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$CI_PG_DIR"
  fi
}
