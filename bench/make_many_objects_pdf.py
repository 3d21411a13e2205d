#!/usr/bin/env python3
"""Make a signed PDF of many small objects for the performance check (not committed;
CONTRIBUTING.md "Performance").

usage: make_many_objects_pdf.py OUT.pdf PAGES
Writes OUT.pdf: PAGES pages, each a page dictionary, a ~1 KB text content stream and its font
reference (3 objects a page: 20,000 pages = 60,000 objects, about 20 MB), signed by OpenSSL
`cms -sign` with a throwaway RSA-2048 key; and OUT.pdf.cert.pem (the certificate, for --trust).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import generate as g  # noqa: E402
from make_large_pdf import write_signed  # noqa: E402


def page_objects(pages):
    """Objects 10.. : for page i, the page (10+3i), its content (11+3i), a resources dict (12+3i)."""
    objs = {}
    line = b"BT /F1 9 Tf 40 %d Td (Bao cao so %d - dong %d: noi dung van ban hanh chinh) Tj ET\n"
    for i in range(pages):
        p, c, r = 10 + 3 * i, 11 + 3 * i, 12 + 3 * i
        content = b"".join(line % (800 - 12 * k, i + 1, k) for k in range(9))
        objs[p] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources %d 0 R >>" % (c, r)
        objs[c] = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
        objs[r] = b"<< /Font << /F1 5 0 R >> >>"
    return objs


def main():
    out, pages = sys.argv[1], int(sys.argv[2])
    key = g.rsa_key()
    signer = g.make_cert(g.name("Kyso benchmark signer"), key, not_before=g.d(2024, 1, 1),
                         not_after=g.d(2040, 1, 1))
    sig = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
           + g.BR_PLACEHOLDER + b" /Contents <" + b"0" * g.CONTENTS_HEX + b"> /M (D:20260310090000+07'00') >>")
    kids = b" ".join(b"%d 0 R" % (10 + 3 * i) for i in range(pages))
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [7 0 R] /SigFlags 3 >> >>",
        2: b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        6: b"<< /Producer (kyso benchmark) >>",
        7: b"<< /FT /Sig /T (ChuKy) /V 8 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 10 0 R >>",
        8: sig,
    }
    objs.update(page_objects(pages))
    write_signed(out, objs, signer)


if __name__ == "__main__":
    main()
