#!/usr/bin/env bash
# Many small signed PDFs under a realistic chain (issue 24): 1,000 distinct 40 KB files signed
# under an RSA-4096 root and sub-CA by an RSA-2048 signer, with the sub-CA's CRL of 10,000
# entries, verified by one `kyso verify DIR` beside `openssl dgst -sha256` of the same files
# (medians of 7 runs after a warm-up each), and kyso's peak RSS for 100 and for 1,000 files.
# Needs only openssl, python3 and GNU time. The files are kept in /tmp/kyso-bench-small.
# usage: bench/small_files.sh [ARGS of bench/small_files.py: --files N --revoked N --runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p kyso --bin kyso
python3 bench/small_files.py --kyso "${CARGO_TARGET_DIR:-target}/release/kyso" "$@"
