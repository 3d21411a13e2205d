//! The issuer a signature lacks, fetched from its certificate's caIssuers address (RFC 5280
//! §4.2.2.1) when the operator turns it on: a signer under a sub-CA the service was not given
//! (only the root is trusted, the document carries only the signer's certificate) gets its
//! path, and then its OCSP answer (a revoked signer fails); the certificate is kept with the
//! submission so re-verification needs no network. Off by default, and when on only from the
//! hosts of `fetch_hosts`: otherwise no request arrives.

use crate::helpers::*;
use crate::ocsp_pki::*;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// A web server on 127.0.0.1:`port` answering every request with `body`; counts the requests.
struct Publisher {
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Publisher {
    fn start_on(port: u16, body: Vec<u8>) -> Publisher {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (n, s) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                let Ok((mut c, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    continue;
                };
                n.fetch_add(1, Ordering::SeqCst);
                c.set_nonblocking(false).unwrap();
                let mut head = Vec::new();
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && c.read(&mut b).unwrap_or(0) == 1 {
                    head.push(b[0]);
                }
                let _ = write!(
                    c,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = c.write_all(&body);
            }
        });
        Publisher { requests, stop }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// The sub-CA (`sub.pem`, its DER in `sub.der`) under the root, and two signers under it
/// whose certificates name the sub-CA's address at `publisher` and an OCSP responder at
/// `ocsp`. Their serials.
fn pki(dir: &std::path::Path, publisher: u16, ocsp: u16) -> (String, String) {
    roots(dir);
    issue(
        dir,
        "sub",
        "root",
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n",
    );
    openssl(
        dir,
        &[
            "x509", "-in", "sub.pem", "-outform", "DER", "-out", "sub.der",
        ],
    );
    let ext = format!(
        "keyUsage=critical,digitalSignature\nauthorityInfoAccess=caIssuers;URI:http://127.0.0.1:{publisher}/pki/sub.crt,OCSP;URI:http://127.0.0.1:{ocsp}/\n"
    );
    let good = issue(dir, "good", "sub", &ext);
    let revoked = issue(dir, "revoked", "sub", &ext);
    (good, revoked)
}

fn service(dir: &std::path::Path, fetching: &str) -> TestApp {
    let extra = format!(
        "trust = [{:?}]\ncrls = []\nocsp_timeout_ms = 2000\nfetch_private_addresses = true\n{fetching}",
        dir.join("root.pem").display().to_string()
    );
    spawn_app_with(None, 1 << 24, &extra)
}

fn problems(r: &serde_json::Value) -> String {
    r["report"]["signatures"][0]["problems"].to_string()
}

#[test]
fn a_missing_sub_ca_is_fetched_from_its_published_address_when_allowed() {
    let Some(dir) = setup("api-ca-issuers") else {
        return;
    };
    let ocsp_port = free_port();
    // The certificates must name the publisher's port before it serves the sub-CA: a
    // placeholder listener reserves it.
    let reserve = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let publisher_port = reserve.local_addr().unwrap().port();
    drop(reserve);
    let (good, revoked) = pki(&dir, publisher_port, ocsp_port);
    index(&dir, &[(&good, false, "good"), (&revoked, true, "revoked")]);
    let sub_der = std::fs::read(dir.join("sub.der")).unwrap();
    let publisher = Publisher::start_on(publisher_port, sub_der);
    let responder = responder_for(&dir, ocsp_port, "sub.pem", "sub.pem", "sub.key");
    let (good_pdf, revoked_pdf) = (signed_pdf(&dir, "good"), signed_pdf(&dir, "revoked"));

    // Off (the default): no path, and nothing is asked.
    let app = service(&dir, "");
    let r = app.upload_raw(&good_pdf);
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(problems(&r.json()).contains("no_chain"), "{}", r.text());
    assert_eq!(publisher.requests(), 0);
    drop(app);

    // On, but the address's host is not listed: nothing is asked.
    let app = service(
        &dir,
        "fetch_ca_issuers = true\nfetch_hosts = [\"ca.gov.vn\"]",
    );
    let r = app.upload_raw(&good_pdf);
    assert!(problems(&r.json()).contains("no_chain"), "{}", r.text());
    assert_eq!(publisher.requests(), 0);
    drop(app);

    // On, from 127.0.0.1: the path is complete, then OCSP is asked about the signer.
    let app = service(
        &dir,
        "fetch_ca_issuers = true\nfetch_hosts = [\"127.0.0.1\"]",
    );
    let ok = app.upload_raw(&good_pdf);
    assert_eq!(ok.status, 201, "{}", ok.text());
    let receipt = ok.json();
    assert_eq!(receipt["report"]["verdict"], "valid", "{receipt}");
    let chain = receipt["report"]["signatures"][0]["chain"]
        .as_array()
        .unwrap();
    assert_eq!(chain.len(), 3, "signer, fetched sub-CA, root: {receipt}");
    // (The sub-CA's own revocation is unknown here: no CRL for it; the signer's is asked.)
    assert_eq!(publisher.requests(), 1);
    let bad = app.upload_raw(&revoked_pdf);
    assert_eq!(bad.status, 201, "{}", bad.text());
    assert_eq!(bad.json()["report"]["verdict"], "invalid", "{}", bad.text());
    assert_eq!(
        bad.json()["report"]["signatures"][0]["sub_indication"],
        "REVOKED"
    );
    assert_eq!(
        publisher.requests(),
        1,
        "the sub-CA is fetched once, then cached"
    );

    // Kept with the submission: re-verification with the publisher and responder gone keeps
    // both verdicts.
    let id = receipt["id"].as_str().unwrap();
    let stored = app.stored_record(id);
    assert_eq!(
        stored["ca_issuers"].as_array().map(Vec::len),
        Some(1),
        "{stored}"
    );
    drop(publisher);
    drop(responder);
    assert_eq!(app.reverify(), (Some(2), Some(0)));
    let _ = std::fs::remove_dir_all(&dir);
}

/// What a caIssuers address gives is a candidate, never an anchor: a self-signed CA served
/// there (whatever its name) completes no path.
#[test]
fn a_published_certificate_is_never_trusted_for_where_it_came_from() {
    let Some(dir) = setup("api-ca-issuers-forged") else {
        return;
    };
    let ocsp_port = free_port();
    let reserve = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let publisher_port = reserve.local_addr().unwrap().port();
    drop(reserve);
    pki(&dir, publisher_port, ocsp_port);
    // A self-signed certificate with the sub-CA's name, served in its place.
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "fake.key",
            "-subj",
            "/CN=sub",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-outform",
            "DER",
            "-out",
            "fake.der",
        ],
    );
    let publisher =
        Publisher::start_on(publisher_port, std::fs::read(dir.join("fake.der")).unwrap());
    let app = service(
        &dir,
        "fetch_ca_issuers = true\nfetch_hosts = [\"127.0.0.1\"]",
    );
    let r = app.upload_raw(&signed_pdf(&dir, "good"));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(publisher.requests(), 1);
    assert_ne!(r.json()["report"]["verdict"], "valid", "{}", r.text());
    assert!(problems(&r.json()).contains("no_chain"), "{}", r.text());
    let _ = std::fs::remove_dir_all(&dir);
}
