//! RFC 5652 §5.4: the signature of a SignerInfo with signed attributes is computed over their
//! DER encoding. A signer that writes them out of DER order (X.690 §11.6) and signs the bytes
//! as written makes a signature that verifies over those bytes and fails over the DER
//! encoding, which EU DSS and pyHanko check: kyso refuses it too, with its own code. The file
//! is made by `openssl cms`, then its first two signed attributes are swapped and the swapped
//! set is signed again with `openssl dgst -sign`, as such a signer would.

#[path = "common/ocsp_pki.rs"]
mod ocsp_pki;

use ocsp_pki::*;
use std::path::Path;
use std::process::Command;

/// A DER element found in a buffer: where it starts, where its content starts, where it ends.
#[derive(Debug, Clone, Copy)]
struct El {
    start: usize,
    content: usize,
    end: usize,
}

/// The element at `at` (definite lengths only, as openssl writes).
fn el(buf: &[u8], at: usize) -> El {
    let first = buf[at + 1] as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        let len = buf[at + 2..at + 2 + n]
            .iter()
            .fold(0usize, |a, b| a << 8 | *b as usize);
        (len, 2 + n)
    };
    El {
        start: at,
        content: at + header,
        end: at + header + len,
    }
}

/// The children of a constructed element.
fn children(buf: &[u8], parent: El) -> Vec<El> {
    let mut out = Vec::new();
    let mut at = parent.content;
    while at < parent.end {
        let e = el(buf, at);
        out.push(e);
        at = e.end;
    }
    out
}

/// The CMS's signed attributes ([0] of the SignerInfo) and its signature value.
fn signer_info_parts(cms: &[u8]) -> (El, El) {
    let content_info = el(cms, 0);
    let explicit = children(cms, content_info)[1];
    let signed_data = children(cms, explicit)[0];
    let signer_infos = *children(cms, signed_data).last().unwrap();
    let signer_info = children(cms, signer_infos)[0];
    let parts = children(cms, signer_info);
    let attrs = *parts.iter().find(|p| cms[p.start] == 0xa0).unwrap();
    let signature = *parts.iter().rev().find(|p| cms[p.start] == 0x04).unwrap();
    (attrs, signature)
}

/// The `/Contents` of the PDF: where its hex starts and the CMS.
fn contents(pdf: &[u8]) -> (usize, Vec<u8>) {
    let at = pdf.windows(11).position(|w| w == b"/Contents <").unwrap() + 11;
    let end = at + pdf[at..].iter().position(|b| *b == b'>').unwrap();
    // The CMS, then zero padding to the placeholder's end.
    let mut cms = hex::decode(&pdf[at..end]).unwrap();
    let len = el(&cms, 0).end;
    cms.truncate(len);
    (at, cms)
}

/// The signed PDF with its first two signed attributes swapped and signed again as written.
fn swapped_and_resigned(dir: &Path, pdf: &[u8]) -> Vec<u8> {
    let (at, mut cms) = contents(pdf);
    let (attrs, signature) = signer_info_parts(&cms);
    let kids = children(&cms, attrs);
    assert!(kids.len() >= 3, "openssl writes several signed attributes");
    let (a, b) = (kids[0], kids[1]);
    let swapped = [&cms[b.start..b.end], &cms[a.start..a.end]].concat();
    cms[a.start..b.end].copy_from_slice(&swapped);
    let mut as_written = cms[attrs.start..attrs.end].to_vec();
    as_written[0] = 0x31;
    std::fs::write(dir.join("attrs.bin"), &as_written).unwrap();
    openssl(
        dir,
        &[
            "dgst",
            "-sha256",
            "-sign",
            "signer.key",
            "-out",
            "resigned.bin",
            "attrs.bin",
        ],
    );
    let value = std::fs::read(dir.join("resigned.bin")).unwrap();
    assert_eq!(value.len(), signature.end - signature.content);
    cms[signature.content..signature.end].copy_from_slice(&value);
    let mut out = pdf.to_vec();
    let hex = hex::encode(&cms);
    out[at..at + hex.len()].copy_from_slice(hex.as_bytes());
    out
}

fn verify(dir: &Path, pdf: &[u8]) -> serde_json::Value {
    std::fs::write(dir.join("doc.pdf"), pdf).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["verify", "--json", "--trust", "root.pem", "doc.pdf"])
        .current_dir(dir)
        .env_remove("KYSO_CONFIG")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["signatures"][0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn signed_attributes_out_of_der_order_are_refused() {
    let Some(dir) = setup("signed-attributes") else {
        return;
    };
    roots(&dir);
    leaf(&dir, "signer", free_port());
    let pdf = signed_pdf(&dir, "signer");
    let good = verify(&dir, &pdf);
    assert!(
        !codes(&good)
            .iter()
            .any(|c| c.starts_with("signed_attributes")
                || c == "signature_invalid"
                || c == "cms_malformed"),
        "{good}"
    );
    let bad = verify(&dir, &swapped_and_resigned(&dir, &pdf));
    assert_eq!(bad["verdict"], "invalid", "{bad}");
    assert_eq!(
        bad["signatures"][0]["sub_indication"], "SIG_CRYPTO_FAILURE",
        "{bad}"
    );
    assert!(
        codes(&bad).contains(&"signed_attributes_not_der".to_string()),
        "{bad}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
