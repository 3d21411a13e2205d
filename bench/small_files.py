#!/usr/bin/env python3
"""Many small signed PDFs under a realistic chain (README "Performance", issue 24).

usage: small_files.py [--dir DIR] [--files N] [--revoked N] [--runs N] [--kyso PATH]
                      [--baseline PATH]

Makes, with the openssl command only (no Python packages):
  - a chain shaped like BCY G2: an RSA-4096 root, an RSA-4096 sub-CA, an RSA-2048 signer;
  - the sub-CA's CRL listing --revoked serials (default 10,000) and the root's CRL (empty);
  - --files (default 1,000) distinct signed PDFs of about 40 KB, each with its own content and
    its own detached CMS (`openssl cms -sign`, signed attributes, the signer's certificate only,
    as BCY signing tools make them).
The set is kept in DIR and reused while its parameters are the same.

Then times, --runs times each (after one warm-up each), alternating:
  openssl dgst -sha256 FILES...           (hashing every file once: the floor)
  kyso verify --json --trust root --intermediates sub-CA --crl ... DIR
and prints the medians, their ratio and kyso's peak RSS on the first 100 files and on all of
them (a flat RSS does not grow with the number of files). --baseline times another kyso binary
in the same runs (an earlier build), so both see the same machine. Then, on the first
--reference-files (100), the references when installed: pdfsig -nocert (poppler-utils), one
process per file, and pyHanko (fixtures/.venv, bench/pyhanko_validate.py), one process with
the same root, sub-CA and CRLs.
"""
import argparse
import concurrent.futures as cf
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

SUBJECTS = {
    "root": "/C=VN/O=Ban Co yeu Chinh phu/CN=Benchmark Root CA G2",
    "subca": "/C=VN/O=Ban Co yeu Chinh phu/CN=Benchmark Sub CA G2",
    "signer": "/C=VN/ST=Ha Noi/O=UBND benchmark/CN=Nguyen Van Benchmark",
}
PLACEHOLDER = 8192  # hex digits reserved for the CMS


def openssl(cwd, *args, stdin=None):
    r = subprocess.run(["openssl", *args], cwd=cwd, input=stdin, capture_output=True)
    if r.returncode != 0:
        sys.exit(f"openssl {' '.join(args)}: {r.stderr.decode(errors='replace')}")
    return r.stdout


def write(path, text):
    with open(path, "w") as fh:
        fh.write(text)


CA_CONF = """[ca]
default_ca = ca_default
[ca_default]
dir = {dir}
database = {dir}/{name}-index.txt
crlnumber = {dir}/{name}-crlnumber
certificate = {dir}/{name}.pem
private_key = {dir}/{name}.key
default_md = sha256
default_crl_days = 365
crl_extensions = crl_ext
[crl_ext]
authorityKeyIdentifier = keyid:always
"""

EXTENSIONS = """[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[subca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:http://bench.invalid/root.crl
[signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:http://bench.invalid/subca.crl
"""


def make_chain(d):
    """root.pem, subca.pem, signer.pem (with their keys)."""
    write(f"{d}/ext.cnf", EXTENSIONS)
    for name, bits in (("root", 4096), ("subca", 4096), ("signer", 2048)):
        openssl(d, "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}",
                "-out", f"{name}.key")
    openssl(d, "req", "-x509", "-new", "-key", "root.key", "-subj", SUBJECTS["root"],
            "-days", "7300", "-sha256", "-extensions", "root", "-config", "ext.cnf",
            "-set_serial", "1", "-out", "root.pem")
    for name, issuer, serial in (("subca", "root", "2"), ("signer", "subca", "0x%032x" % random.getrandbits(120))):
        openssl(d, "req", "-new", "-key", f"{name}.key", "-subj", SUBJECTS[name], "-out",
                f"{name}.csr")
        openssl(d, "x509", "-req", "-in", f"{name}.csr", "-CA", f"{issuer}.pem", "-CAkey",
                f"{issuer}.key", "-set_serial", serial, "-days", "3650", "-sha256",
                "-extfile", "ext.cnf", "-extensions", name, "-out", f"{name}.pem")


def make_crls(d, revoked):
    """subca.crl with `revoked` entries (some with a reason code) and an empty root.crl."""
    reasons = ["", ",keyCompromise", ",superseded", ",cessationOfOperation"]
    lines = []
    for i in range(revoked):
        serial = "%032X" % random.getrandbits(120)
        day = 1 + i % 28
        lines.append(f"R\t351231000000Z\t2501{day:02d}000000Z{reasons[i % 4]}\t{serial}\t"
                     f"unknown\t/CN=revoked {i}\n")
    write(f"{d}/subca-index.txt", "".join(lines))
    write(f"{d}/root-index.txt", "")
    for name in ("subca", "root"):
        write(f"{d}/{name}-crlnumber", "1000\n")
        write(f"{d}/{name}-ca.cnf", CA_CONF.format(dir=d, name=name))
        openssl(d, "ca", "-gencrl", "-config", f"{name}-ca.cnf", "-out", f"{name}.crl.pem")
        openssl(d, "crl", "-in", f"{name}.crl.pem", "-outform", "DER", "-out", f"{name}.crl")


def pdf_skeleton(i, size):
    """A one-page PDF of about `size` bytes whose content is its own (the page's text is
    random numbers), with a signature field and a /ByteRange placeholder. Returns the bytes."""
    rnd = random.Random(i)
    lines = []
    body = 0
    target = size - PLACEHOLDER - 1400
    while body < target:
        line = "BT /F1 8 Tf 30 %d Td (%s) Tj ET\n" % (
            rnd.randrange(20, 820), " ".join("%08d" % rnd.getrandbits(26) for _ in range(8)))
        lines.append(line)
        body += len(line)
    content = "".join(lines).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /SigFlags 3 >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 7 0 R >> >> /Annots [5 0 R] >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Chu ky so) /Rect [0 0 0 0] /F 132 "
        b"/P 3 0 R /V 6 0 R >>",
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached "
        b"/M (D:20260310090000+07'00') /ByteRange [0 ########## ########## ##########] "
        b"/Contents <" + b"0" * PLACEHOLDER + b"> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, o in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % n + o + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        pdf += b"%010d 00000 n \n" % o
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pdf


def sign_one(d, i, size):
    pdf = pdf_skeleton(i, size)
    a = pdf.index(b"/Contents <") + len(b"/Contents ")
    b = a + PLACEHOLDER + 2
    byte_range = b"%10d %10d %10d" % (a, b, len(pdf) - b)
    r = pdf.index(b"########## ########## ##########")
    pdf[r:r + len(byte_range)] = byte_range
    cms = openssl(d, "cms", "-sign", "-binary", "-signer", "signer.pem", "-inkey", "signer.key",
                  "-md", "sha256", "-outform", "DER", stdin=bytes(pdf[:a] + pdf[b:]))
    sig = cms.hex().encode()
    assert len(sig) <= PLACEHOLDER, "the CMS does not fit its placeholder"
    pdf[a + 1:a + 1 + len(sig)] = sig
    with open(f"{d}/pdf/doc-{i:05d}.pdf", "wb") as fh:
        fh.write(pdf)


def make_set(d, files, revoked, size):
    stamp = f"{files} {revoked} {size}"
    done = os.path.join(d, "DONE")
    if os.path.exists(done) and open(done).read() == stamp:
        return
    os.makedirs(f"{d}/pdf", exist_ok=True)
    for f in os.listdir(f"{d}/pdf"):
        os.unlink(f"{d}/pdf/{f}")
    t = time.perf_counter()
    make_chain(d)
    make_crls(d, revoked)
    with cf.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        list(pool.map(lambda i: sign_one(d, i, size), range(files)))
    write(done, stamp)
    print(f"made the chain, the CRLs and {files} signed PDFs in {time.perf_counter() - t:.1f} s")


def run(cmd, stdout=subprocess.DEVNULL):
    """Wall time (s) of one run of `cmd`."""
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=stdout, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    if r.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed: exit {r.returncode}")
    return wall


def peak_rss_kb(cmd, d):
    """Peak RSS (KB) of one run of `cmd`, as GNU time measures it (the child alone)."""
    out = os.path.join(d, "rss")
    subprocess.run(["/usr/bin/time", "-o", out, "-f", "%M", *cmd],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return int(open(out).read().split()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/kyso-bench-small")
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--revoked", type=int, default=10000)
    ap.add_argument("--size", type=int, default=40 * 1024)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--kyso", default="target/release/kyso")
    ap.add_argument("--baseline", help="another kyso binary, timed in the same runs")
    ap.add_argument("--reference-files", type=int, default=100,
                    help="how many files pdfsig and pyHanko verify (they are slower)")
    a = ap.parse_args()
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    make_set(d, a.files, a.revoked, a.size)
    files = sorted(f"{d}/pdf/{f}" for f in os.listdir(f"{d}/pdf"))
    trust = ["--trust", f"{d}/root.pem", "--intermediates", f"{d}/subca.pem",
             "--crl", f"{d}/subca.crl", "--crl", f"{d}/root.crl"]
    kyso = [a.kyso, "verify", "--json", *trust]
    sizes = [os.path.getsize(f) for f in files]
    print(f"{len(files)} files, {min(sizes)}-{max(sizes)} bytes; sub-CA CRL "
          f"{os.path.getsize(d + '/subca.crl')} bytes ({a.revoked} entries)")
    out = subprocess.run([*kyso, f"{d}/pdf"], capture_output=True, text=True).stdout
    verdicts = {}
    for line in out.splitlines():
        v = json.loads(line).get("verdict", "error")
        verdicts[v] = verdicts.get(v, 0) + 1
    print(f"kyso verdicts: {verdicts}")
    binaries = [a.kyso] + ([a.baseline] if a.baseline else [])
    commands = {b: [b, *kyso[1:], f"{d}/pdf"] for b in binaries}
    dgst, verify = [], {b: [] for b in binaries}
    run(["openssl", "dgst", "-sha256", *files])
    for b in binaries:
        run(commands[b])
    for _ in range(a.runs):
        dgst.append(run(["openssl", "dgst", "-sha256", *files]))
        for b in binaries:
            verify[b].append(run(commands[b]))
    md = statistics.median(dgst)
    print(f"openssl dgst -sha256: median {md * 1000:.1f} ms of {a.runs} "
          f"({min(dgst) * 1000:.1f}-{max(dgst) * 1000:.1f})")
    for b in binaries:
        t = verify[b]
        mv = statistics.median(t)
        print(f"{b} verify --json: median {mv * 1000:.1f} ms of {a.runs} "
              f"({min(t) * 1000:.1f}-{max(t) * 1000:.1f}), "
              f"{mv / len(files) * 1e6:.0f} us a file, {mv / md:.1f}x openssl dgst")
        rss_few = peak_rss_kb([b, *kyso[1:], *files[:100]], d)
        rss_all = peak_rss_kb(commands[b], d)
        print(f"  peak RSS: {rss_few / 1024:.1f} MB for 100 files, "
              f"{rss_all / 1024:.1f} MB for {len(files)}")
    references(d, files[:a.reference_files], a.runs, md / len(files))


def references(d, files, runs, dgst_per_file):
    """pdfsig (one process per file, as it is used) and pyHanko (one process for all, the same
    trust and CRLs) on the first files, per file, when they are installed."""
    n = len(files)
    if shutil.which("pdfsig"):
        # -nocert: the signature only, no certificate validation (pdfsig would need an NSS
        # database holding the root): less work than kyso's.
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            for f in files:
                subprocess.run(["pdfsig", "-nocert", f], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t)
        per = statistics.median(times) / n
        print(f"pdfsig -nocert, one process per file ({n} files): median {per * 1e6:.0f} us "
              f"a file, {per / dgst_per_file:.0f}x openssl dgst")
    else:
        print("pdfsig: not installed (Debian poppler-utils)")
    venv = os.environ.get("KYSO_FIXTURE_VENV", "fixtures/.venv")
    python = os.path.join(venv, "bin", "python")
    if os.path.exists(python):
        cmd = [python, "bench/pyhanko_validate.py", f"{d}/root.pem", f"{d}/subca.pem",
               f"{d}/subca.crl", f"{d}/root.crl", "--", *files]
        out = subprocess.run(cmd, capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr.strip()[-300:])
        times = [run(cmd) for _ in range(max(1, runs // 2))]
        per = statistics.median(times) / n
        print(f"pyHanko 0.38, one process ({n} files): median {per * 1e6:.0f} us a file, "
              f"{per / dgst_per_file:.0f}x openssl dgst")
    else:
        print(f"pyHanko: no {python} (python3 -m venv {venv}; pip install -r fixtures/requirements.txt)")


if __name__ == "__main__":
    main()
