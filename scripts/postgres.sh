#!/usr/bin/env bash
# A throwaway PostgreSQL cluster from the installed binaries, for the test suite.
#   scripts/postgres.sh start DIR   -> initdb + start on a free port; prints the URL (refused
#                                      while a cluster runs in DIR)
#   scripts/postgres.sh stop DIR    -> stop it and remove DIR
#   scripts/postgres.sh pause DIR   -> stop it, keeping its data (an outage)
#   scripts/postgres.sh resume DIR  -> start it again on the same port
# PostgreSQL refuses to run as root: as root it runs as the `postgres` user.
set -euo pipefail

cmd=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start_cluster() {
  local port settings
  port=$(cat "$dir/port")
  # Tests trade durability for speed; PG_DURABLE=1 (the benchmark) keeps PostgreSQL's defaults.
  settings="-c max_connections=400"
  if [ "${PG_DURABLE:-0}" != 1 ]; then
    settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  # More settings for an experiment (e.g. "-c shared_preload_libraries=pg_stat_statements").
  settings="$settings ${PG_SETTINGS:-}"
  as_pg "pg_ctl -D '$dir/data' -l '$dir/server.log' -w -t 60 \
    -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 $settings\" start" \
    >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
}

case "$cmd" in
  start)
    for bin in initdb pg_ctl postgres; do
      command -v "$bin" >/dev/null || { echo "postgres.sh: $bin is not on PATH" >&2; exit 1; }
    done
    # Never under a running cluster: its files would go from under it.
    if [ -f "$dir/data/postmaster.pid" ] && kill -0 "$(head -1 "$dir/data/postmaster.pid")" 2>/dev/null; then
      echo "postgres.sh: a cluster is running in $dir; stop it first (scripts/postgres.sh stop $dir)" >&2
      exit 1
    fi
    rm -rf "$dir" && mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "initdb -D '$dir/data' -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8" >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    free_port >"$dir/port"
    start_cluster
    echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
    ;;
  pause)
    as_pg "pg_ctl -D '$dir/data' -m fast -w stop" >/dev/null
    ;;
  resume)
    start_cluster
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_pg "pg_ctl -D '$dir/data' -m immediate -w stop" >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres.sh start|stop|pause|resume DIR" >&2
    exit 2
    ;;
esac
