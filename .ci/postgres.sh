# A throwaway PostgreSQL server for the tests (sourced by .ci/run; usable by hand too:
#   source .ci/postgres.sh && pg_start && ...; pg_stop).
# It listens on 127.0.0.1 at a free port, trusts local connections as the role `kyso`, and
# lives in a temporary directory removed by pg_stop. As root it runs as the `postgres` user
# (PostgreSQL refuses to run as root). Exports KYSO_TEST_POSTGRES, the address the tests make
# their databases with. The server also offers TLS with a certificate for 127.0.0.1 from a CA
# made here (KYSO_TEST_POSTGRES_CA), for the test of `store_ca`.

pg_bin() {
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

pg_start() {
  local bin; bin="$(pg_bin)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres.sh: no PostgreSQL server (Debian package postgresql)" >&2
    return 1
  fi
  PG_DIR="$(mktemp -d /tmp/kyso-pg.XXXXXX)"
  PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  local run=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U kyso --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  # A CA and the server's certificate (for 127.0.0.1), for the TLS test.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=kyso test database CA" \
    -keyout "$PG_DIR/ca.key" -out "$PG_DIR/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$PG_DIR/server.key" -out "$PG_DIR/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > "$PG_DIR/server.ext"
  openssl x509 -req -in "$PG_DIR/server.csr" -CA "$PG_DIR/ca.pem" -CAkey "$PG_DIR/ca.key" -CAcreateserial \
    -days 2 -extfile "$PG_DIR/server.ext" -out "$PG_DIR/server.pem" 2>/dev/null
  chmod 600 "$PG_DIR/server.key"
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR/server.key" "$PG_DIR/server.pem"; fi
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c max_connections=400 -c fsync=on -c synchronous_commit=on -c ssl=on -c ssl_cert_file=$PG_DIR/server.pem -c ssl_key_file=$PG_DIR/server.key" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  export PG_DIR PG_PORT
  export KYSO_TEST_POSTGRES="postgres://kyso@127.0.0.1:$PG_PORT/postgres"
  export KYSO_TEST_POSTGRES_CA="$PG_DIR/ca.pem"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT ($PG_DIR)"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  local bin run=(); bin="$(pg_bin)"
  [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  unset PG_DIR
}
