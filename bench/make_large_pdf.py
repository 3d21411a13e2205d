#!/usr/bin/env python3
"""Make a large signed PDF for the performance check (not committed; see CONTRIBUTING.md "Performance").

usage: make_large_pdf.py OUT.pdf SIZE     (SIZE in MB, or in KB with a k suffix: 40k)
Writes OUT.pdf (one page whose image stream holds SIZE of random bytes, signed by OpenSSL
`cms -sign` with a throwaway RSA-2048 key) and OUT.pdf.cert.pem (the self-signed certificate,
to pass as --trust).
"""
import datetime as dt
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import generate as g  # noqa: E402


def main():
    out, size = sys.argv[1], sys.argv[2]
    nbytes = int(size[:-1]) * 1024 if size.endswith("k") else int(size) * 1024 * 1024
    key = g.rsa_key()
    signer = g.make_cert(g.name("Kyso benchmark signer"), key, not_before=g.d(2024, 1, 1),
                         not_after=g.d(2040, 1, 1))
    image = os.urandom(max(1024, nbytes - 20 * 1024) // 1024 * 1024)
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    sig = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
           + g.BR_PLACEHOLDER + b" /Contents <" + b"0" * g.CONTENTS_HEX + b"> /M (D:20260310090000+07'00') >>")
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [7 0 R] /SigFlags 3 >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           b"/Resources << /XObject << /Im1 5 0 R >> >> /Annots [7 0 R] >>",
        4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        5: b"<< /Type /XObject /Subtype /Image /Width 1024 /Height %d /ColorSpace /DeviceGray "
           b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (len(image) // 1024, len(image))
           + image + b"\nendstream",
        6: b"<< /Producer (kyso benchmark) >>",
        7: b"<< /FT /Sig /T (ChuKy) /V 8 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>",
        8: sig,
    }
    write_signed(out, objs, signer)


def write_signed(out, objs, signer):
    """Assemble `objs` (object 1 the catalog, 6 the /Info, 8 the signature placeholder), sign
    it with OpenSSL, write OUT and OUT.cert.pem."""
    pdf, start, end = g.fill_byte_range(g.assemble(objs, 1, 6))
    cms = g.openssl_sign(pdf[:start] + pdf[end:], signer.cert, signer.key)
    with open(out, "wb") as fh:
        fh.write(g.embed_signature(pdf, start, end, cms))
    with open(out + ".cert.pem", "wb") as fh:
        from cryptography.hazmat.primitives import serialization
        fh.write(signer.cert.public_bytes(serialization.Encoding.PEM))


if __name__ == "__main__":
    main()
