#!/usr/bin/env bash
# Cost follows bytes, not objects: `kyso verify` on a signed 20 MB PDF of 60,000 small objects
# (20,000 pages) against `openssl dgst -sha256` of the same file (hashing it once) and poppler's
# `pdfsig -nocert` (reading and checking it), with hyperfine. Needs hyperfine and poppler-utils
# (Debian) and the fixture generator's Python environment (fixtures/generate.sh makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-20000}
venv="${KYSO_FIXTURE_VENV:-fixtures/.venv}"
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q -r fixtures/requirements.txt; }
f=$(mktemp -d)/many.pdf
"$venv/bin/python" bench/make_many_objects_pdf.py "$f" "$pages"
cargo build --release --quiet
./target/release/kyso verify --trust "$f.cert.pem" "$f" | head -3
hyperfine --warmup 3 --runs 15 --export-json "${f%.pdf}.json" \
  "openssl dgst -sha256 $f" \
  "./target/release/kyso verify --trust $f.cert.pem --json $f" \
  "pdfsig -nocert $f"
rm -f "$f" "$f.cert.pem"
