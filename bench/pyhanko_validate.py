#!/usr/bin/env python3
"""pyHanko's validation of many signed PDFs in one process, as kyso verifies them: the same
trust root, sub-CA and CRLs, no fetching (README "Performance", bench/small_files.py).

usage: pyhanko_validate.py ROOT SUBCA CRL... -- FILE...
Prints how many signatures were intact and trusted, and how many were not."""
import sys

from asn1crypto import crl, pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def load(path, cls):
    data = open(path, "rb").read()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return cls.load(data)


def main():
    args = sys.argv[1:]
    cut = args.index("--")
    root, subca, *crls = args[:cut]
    files = args[cut + 1:]
    vc = ValidationContext(
        trust_roots=[load(root, x509.Certificate)],
        other_certs=[load(subca, x509.Certificate)],
        crls=[load(c, crl.CertificateList) for c in crls],
        allow_fetching=False,
        revocation_mode="hard-fail",
    )
    good = bad = 0
    for f in files:
        with open(f, "rb") as fh:
            sig = PdfFileReader(fh).embedded_signatures[0]
            status = validate_pdf_signature(sig, vc)
            if status.bottom_line:
                good += 1
            else:
                bad += 1
    print(f"pyHanko: {good} valid, {bad} not")


if __name__ == "__main__":
    main()
