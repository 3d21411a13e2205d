//! Signatures of certificates and CRLs already verified (issue 24). Every document of a
//! chain asks again whether the sub-CA signed the signer's certificate, the root the sub-CA's
//! and the sub-CA the CRL: the same RSA-4096 verifications, most of the cost of a small file.
//!
//! A result is kept under what was verified, by content: the SHA-256 of the issuer's
//! SubjectPublicKeyInfo (the key, RFC 5280 §4.1.2.7) and the SHA-256 of the whole signed
//! object (its to-be-signed bytes, signatureAlgorithm and signatureValue, RFC 5280 §4.1.1 and
//! §5.1.1). The same key over the same bytes verifies the same way every time, so a kept
//! result can never change a verdict, whatever trust store asks: a reloaded trust store or CRL
//! is simply another key or another object. What depends on trust (which certificate is an
//! anchor, which CRL is the newest, keyUsage, validity, revocation) is decided afresh on every
//! verification and is never kept here.
//!
//! Only successes are kept: a signature that does not verify (tampered, or asked of the wrong
//! key) is verified again whenever it is asked. The cache holds at most [`CAPACITY`] results;
//! the oldest goes first. It is one per process, shared by every thread.

use super::crypto::{CryptoError, DigestAlg};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The most results kept (about 100 bytes each).
pub const CAPACITY: usize = 4096;

/// What was verified, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Verified {
    /// SHA-256 of the issuer's SubjectPublicKeyInfo DER.
    pub issuer_spki: [u8; 32],
    /// SHA-256 of the signed object's whole DER (to-be-signed part, algorithm, signature).
    pub object: [u8; 32],
}

#[derive(Default)]
struct Kept {
    /// Each success, with the digest the signature used (for the caller's algorithm policy).
    results: HashMap<Verified, DigestAlg>,
    /// The order they came in, oldest first.
    order: VecDeque<Verified>,
}

/// Results kept, at most `capacity`.
struct Cache {
    capacity: usize,
    kept: Mutex<Kept>,
}

impl Cache {
    fn new(capacity: usize) -> Cache {
        Cache {
            capacity,
            kept: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Kept> {
        // A panic while holding the lock cannot leave a half-made entry (inserts are whole),
        // so a poisoned lock is used as it is.
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn verified(
        &self,
        what: Verified,
        verify: impl FnOnce() -> Result<DigestAlg, CryptoError>,
    ) -> Result<DigestAlg, CryptoError> {
        if let Some(d) = self.lock().results.get(&what) {
            return Ok(*d);
        }
        let result = verify();
        if let Ok(d) = result {
            let mut k = self.lock();
            if k.results.insert(what, d).is_none() {
                k.order.push_back(what);
            }
            while k.order.len() > self.capacity {
                if let Some(old) = k.order.pop_front() {
                    k.results.remove(&old);
                }
            }
        }
        result
    }
}

/// The process's cache.
fn global() -> &'static Cache {
    static GLOBAL: OnceLock<Cache> = OnceLock::new();
    GLOBAL.get_or_init(|| Cache::new(CAPACITY))
}

/// The result of `verify` for `what`: the kept one if `what` verified before, else `verify`
/// run now (outside the lock, so threads verify at once), its success kept.
pub(crate) fn verified(
    what: Verified,
    verify: impl FnOnce() -> Result<DigestAlg, CryptoError>,
) -> Result<DigestAlg, CryptoError> {
    global().verified(what, verify)
}

/// How many results are kept.
pub fn len() -> usize {
    global().lock().results.len()
}

#[cfg(test)]
mod tests {
    use super::super::{signed_by, Cert, Crl};
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/../../fixtures/pki/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(path).unwrap()
    }

    fn der_of(name: &str) -> Vec<u8> {
        pem::parse(fixture(name)).unwrap().contents().to_vec()
    }

    fn is_kept(what: &Verified) -> bool {
        global().lock().results.contains_key(what)
    }

    fn key(issuer: &Cert, object: [u8; 32]) -> Verified {
        Verified {
            issuer_spki: issuer.spki_sha256,
            object,
        }
    }

    /// The issuing CA's certificate with the last byte of its signature value changed still
    /// parses, never verifies, and is never kept, however often it is asked; the good one is
    /// kept, and kept for its issuer's key only.
    #[test]
    fn a_tampered_ca_signature_is_never_kept_as_good() {
        let root = Cert::from_der(&der_of("root.pem")).unwrap();
        let good = Cert::from_der(&der_of("issuing-ca.pem")).unwrap();
        let mut bytes = der_of("issuing-ca.pem");
        if let Some(last) = bytes.last_mut() {
            *last ^= 1;
        }
        let tampered = Cert::from_der(&bytes).unwrap();
        for _ in 0..3 {
            assert!(signed_by(&root, &tampered).is_err());
            assert!(!is_kept(&key(&root, tampered.sha256)));
        }
        assert!(signed_by(&root, &good).is_ok());
        assert!(is_kept(&key(&root, good.sha256)));
        assert!(signed_by(&root, &good).is_ok());
        // The same certificate asked of another key (a root with another name, and the
        // certificate itself) is verified, and fails.
        for other in ["foreign-root.pem", "issuing-ca.pem"] {
            let other = Cert::from_der(&der_of(other)).unwrap();
            assert!(signed_by(&other, &good).is_err());
            assert!(!is_kept(&key(&other, good.sha256)));
        }
        // And the tampered one still fails after the good one was kept.
        assert!(signed_by(&root, &tampered).is_err());
    }

    /// A CRL whose signature value was changed is refused and not kept; a kept CRL signature
    /// does not make a CA without cRLSign its signer (RFC 5280 §6.3.3 (f)).
    #[test]
    fn a_tampered_crl_is_never_kept_and_crl_sign_is_looked_at_every_time() {
        let ca = Cert::from_der(&der_of("issuing-ca.pem")).unwrap();
        let crl = Crl::from_der(&fixture("issuing-ca.crl")).unwrap();
        let mut bytes = fixture("issuing-ca.crl");
        if let Some(last) = bytes.last_mut() {
            *last ^= 1;
        }
        let tampered = Crl::from_der(&bytes).unwrap();
        assert!(!tampered.signed_by(&ca));
        assert!(!is_kept(&key(&ca, tampered.sha256)));
        assert!(crl.signed_by(&ca));
        assert!(is_kept(&key(&ca, crl.sha256)));
        assert!(!tampered.signed_by(&ca));
        let mut no_crl_sign = ca.clone();
        no_crl_sign.key_usage = Some(super::super::cert::KU_KEY_CERT_SIGN);
        assert!(!crl.signed_by(&no_crl_sign));
    }

    /// At most its capacity of results are kept, the oldest going first; a failure is never
    /// kept.
    #[test]
    fn the_oldest_go_first_and_failures_are_not_kept() {
        let cache = Cache::new(8);
        let marker = |i: u8| Verified {
            issuer_spki: [0xEE; 32],
            object: [i; 32],
        };
        for i in 0..12 {
            assert!(cache.verified(marker(i), || Ok(DigestAlg::Sha256)).is_ok());
        }
        let k = |i| cache.lock().results.contains_key(&marker(i));
        assert_eq!(cache.lock().results.len(), 8);
        assert!(!k(3) && k(4) && k(11));
        let mut calls = 0;
        for _ in 0..2 {
            let r = cache.verified(marker(200), || {
                calls += 1;
                Err(CryptoError::BadSignature)
            });
            assert!(r.is_err());
        }
        assert_eq!(calls, 2);
        assert!(!k(200));
        // A kept success is not verified again.
        let r = cache.verified(marker(11), || Err(CryptoError::BadSignature));
        assert_eq!(r, Ok(DigestAlg::Sha256));
    }
}
