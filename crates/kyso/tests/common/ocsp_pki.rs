//! A throw-away PKI made with openssl for the OCSP tests: a root, leaves whose
//! authorityInfoAccess names a local responder, `openssl ocsp -port` as that responder, and a
//! PDF signed by a leaf (CMS from `openssl cms`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Responder(Child);

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `openssl ocsp` answering for the root from `index`, signing with `signer`/`key`.
pub fn responder(dir: &Path, port: u16, signer: &str, key: &str) -> Responder {
    responder_for(dir, port, "root.pem", signer, key)
}

/// `openssl ocsp` answering for `ca` from `index`, signing with `signer`/`key`.
pub fn responder_for(dir: &Path, port: u16, ca: &str, signer: &str, key: &str) -> Responder {
    // openssl answers one connection at a time: readiness is read from its log, not probed.
    let log_path = dir.join(format!("ocsp-{port}.log"));
    let log = std::fs::File::create(&log_path).unwrap();
    let child = Command::new("openssl")
        .args([
            "ocsp",
            "-index",
            "index.txt",
            "-port",
            &port.to_string(),
            "-CA",
            ca,
            "-rsigner",
            signer,
            "-rkey",
            key,
            "-ndays",
            "1",
        ])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    let ready = |log: String| log.contains("ACCEPT") || log.contains("waiting for OCSP client");
    while !ready(std::fs::read_to_string(&log_path).unwrap_or_default()) {
        assert!(Instant::now() < until, "openssl ocsp did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Responder(child)
}

/// A leaf of `root` with its OCSP responder at `port`; returns its serial (hex).
pub fn leaf(dir: &Path, name: &str, port: u16) -> String {
    let ext = format!(
        "keyUsage=critical,digitalSignature\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:{port}/\n"
    );
    issue(dir, name, "root", &ext)
}

/// A certificate `name` (`name.pem`, `name.key`, subject CN=name) issued by `ca` (`ca.pem`,
/// `ca.key`) with the extensions `ext` (an openssl extension file's lines); its serial (hex).
pub fn issue(dir: &Path, name: &str, ca: &str, ext: &str) -> String {
    std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
    let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-subj",
            &format!("/CN={name}"),
            "-out",
            &format!("{name}.csr"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            &format!("{name}.ext"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
    let out = Command::new("openssl")
        .args(["x509", "-in", &format!("{name}.pem"), "-noout", "-serial"])
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .trim_start_matches("serial=")
        .to_string()
}

pub fn setup(name: &str) -> Option<PathBuf> {
    if Command::new("openssl").arg("version").output().is_err() {
        assert!(
            std::env::var("KYSO_REQUIRE_OPENSSL").is_err(),
            "openssl is required"
        );
        eprintln!("skipped: no openssl command");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("kyso-ocsp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Some(dir)
}

/// The root CA (`root.pem`, `root.key`) and a forger with the same name (`forger.*`).
pub fn roots(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "root.key",
            "-subj",
            "/CN=Test OCSP Root",
            "-days",
            "60",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            "root.pem",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "forger.key",
            "-subj",
            "/CN=Test OCSP Root",
            "-days",
            "60",
            "-out",
            "forger.pem",
        ],
    );
}

/// `index.txt` for `openssl ocsp`: (serial, revoked?, subject) per line.
pub fn index(dir: &Path, entries: &[(&str, bool, &str)]) {
    let exp = "301231000000Z";
    let text: String = entries
        .iter()
        .map(|(serial, revoked, cn)| {
            if *revoked {
                format!("R\t{exp}\t250101000000Z\t{serial}\tunknown\t/CN={cn}\n")
            } else {
                format!("V\t{exp}\t\t{serial}\tunknown\t/CN={cn}\n")
            }
        })
        .collect();
    std::fs::write(dir.join("index.txt"), text).unwrap();
}

/// A one-page PDF with one signature by `name` (its `.pem` and `.key` in `dir`), made the way
/// signers make them: a /ByteRange around a hex /Contents holding a detached CMS
/// (`openssl cms -sign -binary`, signed attributes with signingTime).
pub fn signed_pdf(dir: &Path, name: &str) -> Vec<u8> {
    signed_pdf_with(dir, name, None, None)
}

/// As [`signed_pdf`], with a `/M` entry (`D:...`) and the signer's clock moved by `faketime`
/// (a libfaketime offset such as `+7h`: the CMS signingTime comes from openssl's clock).
pub fn signed_pdf_with(dir: &Path, name: &str, m: Option<&str>, faketime: Option<&str>) -> Vec<u8> {
    sign_pdf(dir, name, m, faketime, None)
}

/// As [`signed_pdf`], the CMS carrying the certificates of `certfile` too (the signer's chain).
pub fn signed_pdf_carrying(dir: &Path, name: &str, certfile: &str) -> Vec<u8> {
    sign_pdf(dir, name, None, None, Some(certfile))
}

fn sign_pdf(
    dir: &Path,
    name: &str,
    m: Option<&str>,
    faketime: Option<&str>,
    certfile: Option<&str>,
) -> Vec<u8> {
    let placeholder = "0".repeat(16384);
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>".to_string(),
        "<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /T (Chu ky) /P 3 0 R /V 5 0 R /F 132 >>".to_string(),
        format!(
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached{} /ByteRange [0 ########## ########## ##########] /Contents <{placeholder}> >>",
            m.map(|m| format!(" /M ({m})")).unwrap_or_default()
        ),
    ];
    sign_objects(dir, name, &objects, faketime, certfile)
}

/// A PDF of `objects` (numbered from 1, the catalog first; one of them a signature dictionary
/// with `/ByteRange [0 ########## ########## ##########]` and a `/Contents` of 16,384 zeros),
/// signed by `name` with `openssl cms` as [`signed_pdf`] signs.
pub fn sign_objects(
    dir: &Path,
    name: &str,
    objects: &[String],
    faketime: Option<&str>,
    certfile: Option<&str>,
) -> Vec<u8> {
    sign_objects_trailer(dir, name, objects, (faketime, certfile), "")
}

/// [`sign_objects`] with `extra` entries written into the signed trailer (`/Info 9 0 R`).
pub fn sign_objects_trailer(
    dir: &Path,
    name: &str,
    objects: &[String],
    (faketime, certfile): (Option<&str>, Option<&str>),
    extra: &str,
) -> Vec<u8> {
    let placeholder = "0".repeat(16384);
    let head = "%PDF-1.7\n";
    let mut pdf = head.as_bytes().to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in &offsets {
        pdf.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{extra} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    let find = |needle: &[u8]| pdf.windows(needle.len()).position(|w| w == needle).unwrap();
    let a = find(b"/Contents <") + "/Contents ".len();
    let b = a + placeholder.len() + 2;
    let range = format!("{:>10} {:>10} {:>10}", a, b, pdf.len() - b);
    let r = find(b"########## ########## ##########");
    pdf[r..r + range.len()].copy_from_slice(range.as_bytes());
    let mut signed = pdf[..a].to_vec();
    signed.extend_from_slice(&pdf[b..]);
    std::fs::write(dir.join("tosign.bin"), &signed).unwrap();
    let (signer, key) = (format!("{name}.pem"), format!("{name}.key"));
    let mut cms = vec![
        "cms",
        "-sign",
        "-binary",
        "-in",
        "tosign.bin",
        "-signer",
        &signer,
        "-inkey",
        &key,
        "-md",
        "sha256",
        "-outform",
        "DER",
        "-out",
        "sig.der",
    ];
    if let Some(f) = certfile {
        cms.extend(["-certfile", f]);
    }
    match faketime {
        None => openssl(dir, &cms),
        Some(offset) => {
            let out = Command::new("faketime")
                .args(["-f", offset, "openssl"])
                .args(&cms)
                // An absolute clock (`@2026-11-30 23:30:00`) is read in UTC.
                .env("TZ", "UTC")
                .current_dir(dir)
                .output()
                .expect("faketime runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let sig = hex::encode(std::fs::read(dir.join("sig.der")).unwrap());
    assert!(sig.len() <= placeholder.len());
    pdf[a + 1..a + 1 + sig.len()].copy_from_slice(sig.as_bytes());
    pdf
}

/// A responder certificate `name` for `openssl ocsp -rsigner` (`name.pem`, `name.key`), issued
/// by `issuer` (`root` or `forger`): with id-kp-OCSPSigning in its extendedKeyUsage when `eku`,
/// and id-pkix-ocsp-nocheck when `nocheck` (RFC 6960 §4.2.2.2, §4.2.2.2.1).
pub fn responder_cert(dir: &Path, name: &str, issuer: &str, eku: bool, nocheck: bool) {
    let mut ext = String::from("keyUsage=critical,digitalSignature\n");
    if eku {
        ext.push_str("extendedKeyUsage=OCSPSigning\n");
    }
    if nocheck {
        ext.push_str("noCheck=ignored\n");
    }
    std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
    let (key, csr, pem) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
    );
    let subject = format!("/CN=Test OCSP responder {name}");
    openssl(
        dir,
        &[
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-subj", &subject, "-out",
            &csr,
        ],
    );
    let (ca, ca_key, ext) = (
        format!("{issuer}.pem"),
        format!("{issuer}.key"),
        format!("{name}.ext"),
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            &ext,
            "-out",
            &pem,
        ],
    );
}
