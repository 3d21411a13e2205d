#!/usr/bin/env bash
# Run each fuzz target for SECONDS (default 600) on this machine's stable toolchain.
# Corpora start from the fixtures; crashes land in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p corpus/signature_locator corpus/revision_diff corpus/cms_decoder corpus/cert_path
cp ../fixtures/pdf/*.pdf ../fixtures/encrypted/*.pdf corpus/signature_locator/
cp ../fixtures/pdf/*.pdf ../fixtures/encrypted/*.pdf corpus/revision_diff/
python3 - <<'PY'
import glob, os, re
for f in glob.glob("../fixtures/pdf/*.pdf"):
    data = open(f, "rb").read()
    for i, m in enumerate(re.finditer(rb"/Contents\s*<([0-9a-fA-F]+)>", data)):
        raw = bytes.fromhex(m.group(1).decode())
        open(f"corpus/cms_decoder/{os.path.basename(f)}.{i}", "wb").write(raw.rstrip(b"\0") or raw)
# cert_path: the fixtures' chains (signer, CAs, root), each certificate as a 2-byte length and
# its DER after a count byte.
import base64, itertools
def der(path):
    text = open(path).read()
    b64 = "".join(l for l in text.splitlines() if l and not l.startswith("-----"))
    return base64.b64decode(b64)
certs = {os.path.basename(f): der(f) for f in glob.glob("../fixtures/pki/*.pem")}
root, ca = certs.get("root.pem"), certs.get("issuing-ca.pem")
for name, leaf in certs.items():
    for chain in ([leaf, ca, root], [leaf, root], [leaf]):
        chain = [c for c in chain if c]
        blob = bytes([len(chain)]) + b"".join(len(c).to_bytes(2, "big") + c for c in chain)
        open(f"corpus/cert_path/{name}.{len(chain)}", "wb").write(blob)
PY
for t in signature_locator cms_decoder revision_diff cert_path; do
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" --sanitizer none -- -max_total_time="$secs" -rss_limit_mb=2048 -max_len=200000 2>&1 | tee "fuzz-$t.log" | grep -E "^(#[0-9]+.*DONE|Done|==|SUMMARY)" || true
done
