#!/usr/bin/env bash
# Upload throughput: wrk against a release `kyso serve` on loopback with a fresh data directory,
# every request a distinct 40 KB signed PDF. Prints wrk's summary and the server's peak RSS.
# usage: bench/upload.sh [SECONDS] [CONNECTIONS]
# With KYSO_BENCH_CHAIN=DIR (a set made by bench/small_files.py), the PDF is one of its files
# and the service trusts its chain: an RSA-4096 root and sub-CA, the sub-CA's CRL of 10,000
# entries. KYSO_BIN names another kyso binary (default: target/release/kyso, built first).
# With KYSO_BENCH_POSTGRES=postgres://user@host:port/db (a server's address, e.g. the one
# `source .ci/postgres.sh; pg_start` gives as KYSO_TEST_POSTGRES), the store is a new database
# on that server; KYSO_BENCH_INSTANCES=2 then starts two instances over it and drives each with
# half the connections (two wrk runs at once: add their rates).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}; conns=${2:-8}
work=$(mktemp -d)
chain="${KYSO_BENCH_CHAIN:-}"
if [ -n "$chain" ]; then
  cp "$chain/pdf/doc-00000.pdf" "$work/doc.pdf"
  trust="trust = [\"$chain/root.pem\"]
intermediates = [\"$chain/subca.pem\"]
crls = [\"$chain/subca.crl\", \"$chain/root.crl\"]"
else
  venv="${KYSO_FIXTURE_VENV:-fixtures/.venv}"
  [ -x "$venv/bin/python" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q -r fixtures/requirements.txt; }
  "$venv/bin/python" bench/make_large_pdf.py "$work/doc.pdf" 40k
  trust="trust = [\"$work/doc.pdf.cert.pem\"]
intermediates = []
crls = []"
fi
kyso="${KYSO_BIN:-}"
if [ -z "$kyso" ]; then cargo build --release --quiet; kyso=./target/release/kyso; fi
token=bench-token
sha=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
store_line=""
if [ -n "${KYSO_BENCH_POSTGRES:-}" ]; then
  db="kyso_bench_$$"
  psql "$KYSO_BENCH_POSTGRES" -qAtc "CREATE DATABASE $db"
  store_line="store = \"${KYSO_BENCH_POSTGRES%/*}/$db\""
fi
instances=${KYSO_BENCH_INSTANCES:-1}
cat > "$work/kyso.toml" <<TOML
bind = "127.0.0.1:0"
data_dir = "$work/data"
$store_line
$trust
[[token]]
name = "bench"
sha256 = "$sha"
scopes = ["submit"]
TOML
"$kyso" serve --config "$work/kyso.toml" > "$work/out" 2> "$work/log" &
pid=$!
pid2=""
trap 'kill $pid $pid2 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/kyso listening on //p' "$work/out")
if [ "$instances" = 2 ]; then
  sed "s#^data_dir = .*#data_dir = \"$work/data2\"#" "$work/kyso.toml" > "$work/kyso2.toml"
  "$kyso" serve --config "$work/kyso2.toml" > "$work/out2" 2> "$work/log2" &
  pid2=$!
  for _ in $(seq 100); do grep -q listening "$work/out2" 2>/dev/null && break; sleep 0.1; done
  url2=$(sed -n 's/kyso listening on //p' "$work/out2")
fi
ls -la "$work/doc.pdf"
# The machine's price of durability: a new 40 KB file written and fsynced (what an upload
# that syncs alone pays at least once), on the data directory's disk.
python3 - "$work" <<'PY'
import os, sys, time
ts = []
for i in range(50):
    p = os.path.join(sys.argv[1], f"fsync-probe-{i}"); t = time.perf_counter()
    fd = os.open(p, os.O_CREAT | os.O_WRONLY); os.write(fd, b"x" * 40960); os.fsync(fd); os.close(fd)
    ts.append(time.perf_counter() - t); os.unlink(p)
ts.sort(); print(f"fsync: {ts[25]*1000:.2f} ms (median of 50: new 40 KB file, write + fsync)")
PY
if [ "$instances" = 2 ]; then
  half=$((conns / 2))
  KYSO_BENCH_PDF="$work/doc.pdf" KYSO_BENCH_TOKEN=$token wrk -t1 -c"$half" -d"${secs}s" --latency -s bench/upload.lua "$url" > "$work/wrk1" &
  w1=$!
  KYSO_BENCH_PDF="$work/doc.pdf" KYSO_BENCH_TOKEN=$token KYSO_BENCH_SEED=2 wrk -t1 -c"$half" -d"${secs}s" --latency -s bench/upload.lua "$url2" > "$work/wrk2"
  wait $w1
  echo "== instance 1"; cat "$work/wrk1"; echo "== instance 2"; cat "$work/wrk2"
  grep -E 'VmHWM' /proc/$pid/status /proc/$pid2/status
else
  KYSO_BENCH_PDF="$work/doc.pdf" KYSO_BENCH_TOKEN=$token wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/upload.lua "$url"
  grep -E 'VmHWM|VmRSS' /proc/$pid/status
fi
if [ -n "$store_line" ]; then
  echo "stored: $(psql "${KYSO_BENCH_POSTGRES%/*}/$db" -qAtc 'SELECT count(*) FROM submissions') submissions"
  kill $pid $pid2 2>/dev/null || true; wait $pid $pid2 2>/dev/null || true
  psql "$KYSO_BENCH_POSTGRES" -qAtc "DROP DATABASE $db" || true
else
  echo "stored: $(find "$work/data/submissions" -name '*.json' | wc -l) submissions"
fi
