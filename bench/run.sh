#!/usr/bin/env bash
# Whole-process timing of `kyso verify` on a 100 MB signed PDF against `openssl dgst -sha256`
# on the same file (the floor: hashing it once). Needs hyperfine (Debian) and the fixture
# generator's Python environment (fixtures/generate.sh makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-100}
venv="${KYSO_FIXTURE_VENV:-fixtures/.venv}"
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q -r fixtures/requirements.txt; }
big=$(mktemp -d)/large.pdf
"$venv/bin/python" bench/make_large_pdf.py "$big" "$size_mb"
cargo build --release --quiet
./target/release/kyso verify --trust "$big.cert.pem" "$big" | head -3
hyperfine --warmup 3 --runs 15 --export-json "${big%.pdf}.json" \
  "openssl dgst -sha256 $big" \
  "./target/release/kyso verify --trust $big.cert.pem --json $big"
rm -f "$big" "$big.cert.pem"
