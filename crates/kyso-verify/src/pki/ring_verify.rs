//! The signatures `ring` verifies: RSA PKCS#1 v1.5 (RFC 8017 §8.2.2) with SHA-1/SHA-2, RSASSA-PSS
//! (§8.1.2) with SHA-2 and a salt the length of the hash, and ECDSA (FIPS 186-5 §6.4.2) on
//! P-256/P-384 with SHA-256/SHA-384: the constant-time, assembly-backed code rustls' TLS stack
//! uses, several times faster than RustCrypto's `rsa` and `p256`/`p384` on this machine
//! (CONTRIBUTING.md, "Performance").
//!
//! A fast path only, never a judge: [`verified`] says yes when ring verified the signature, and
//! nothing otherwise. Whatever ring does not cover (P-521, SHA-3, PSS with another salt, RSA
//! keys outside 1024-8192 bits or with an unusual exponent, EdDSA) and whatever it refuses is
//! then decided by the RustCrypto code in `super::crypto`, as before: a verdict can only be
//! reached sooner, never changed.

use super::crypto::{DigestAlg, PublicKey};
use ring::signature::{self as rs, RsaPublicKeyComponents};
use rsa::traits::PublicKeyParts;

/// The schemes ring may be asked about (`super::crypto::Scheme`, without what ring lacks).
#[derive(Debug, Clone, Copy)]
pub(super) enum Asked {
    Pkcs1(DigestAlg),
    Pss { digest: DigestAlg, salt: usize },
    Ecdsa(DigestAlg),
}

/// Whether ring verified `sig` over `message` with `key` under `scheme`.
pub(super) fn verified(key: &PublicKey, scheme: Asked, message: &[u8], sig: &[u8]) -> bool {
    match key {
        PublicKey::Rsa(k) => {
            let Some(params) = rsa_params(scheme) else {
                return false;
            };
            let (n, e) = (k.n().to_bytes_be(), k.e().to_bytes_be());
            RsaPublicKeyComponents { n: &n, e: &e }
                .verify(params, message, sig)
                .is_ok()
        }
        PublicKey::P256(k) => {
            let point = k.to_encoded_point(false);
            let params = match scheme {
                Asked::Ecdsa(DigestAlg::Sha256) => &rs::ECDSA_P256_SHA256_ASN1,
                Asked::Ecdsa(DigestAlg::Sha384) => &rs::ECDSA_P256_SHA384_ASN1,
                _ => return false,
            };
            ecdsa(params, point.as_bytes(), message, sig)
        }
        PublicKey::P384(k) => {
            let point = k.to_encoded_point(false);
            let params = match scheme {
                Asked::Ecdsa(DigestAlg::Sha256) => &rs::ECDSA_P384_SHA256_ASN1,
                Asked::Ecdsa(DigestAlg::Sha384) => &rs::ECDSA_P384_SHA384_ASN1,
                _ => return false,
            };
            ecdsa(params, point.as_bytes(), message, sig)
        }
        _ => false,
    }
}

/// An ASN.1 (DER) ECDSA signature checked by ring with the uncompressed `point`.
fn ecdsa(
    params: &'static rs::EcdsaVerificationAlgorithm,
    point: &[u8],
    message: &[u8],
    sig: &[u8],
) -> bool {
    rs::UnparsedPublicKey::new(params, point)
        .verify(message, sig)
        .is_ok()
}

/// ring's parameters for an RSA scheme; the widest key range ring offers for each (the key
/// size policy is applied elsewhere, `Policy::min_rsa_bits`).
fn rsa_params(scheme: Asked) -> Option<&'static rs::RsaParameters> {
    Some(match scheme {
        Asked::Pkcs1(DigestAlg::Sha1) => &rs::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        Asked::Pkcs1(DigestAlg::Sha256) => &rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        Asked::Pkcs1(DigestAlg::Sha384) => &rs::RSA_PKCS1_2048_8192_SHA384,
        Asked::Pkcs1(DigestAlg::Sha512) => &rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        // ring's PSS takes MGF1 with the message's hash (checked by `pss_params`) and a salt
        // of the hash's length.
        Asked::Pss {
            digest: DigestAlg::Sha256,
            salt: 32,
        } => &rs::RSA_PSS_2048_8192_SHA256,
        Asked::Pss {
            digest: DigestAlg::Sha384,
            salt: 48,
        } => &rs::RSA_PSS_2048_8192_SHA384,
        Asked::Pss {
            digest: DigestAlg::Sha512,
            salt: 64,
        } => &rs::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::Cert;

    fn cert(name: &str) -> Cert {
        let path = format!("{}/../../fixtures/pki/{name}", env!("CARGO_MANIFEST_DIR"));
        let pem = pem::parse(std::fs::read(path).unwrap()).unwrap();
        Cert::from_der(pem.contents()).unwrap()
    }

    /// ring agrees with the RustCrypto path on every fixture certificate's signature (RSA and
    /// ECDSA issuers), and a flipped bit is never verified by it.
    #[test]
    fn ring_agrees_and_refuses_a_flipped_bit() {
        let issuer = cert("issuing-ca.pem");
        let mut checked = 0;
        for name in ["leaf-leader.pem", "leaf-org.pem", "leaf-revoked.pem"] {
            let c = cert(name);
            let s = &c.signed;
            assert_eq!(s.alg_oid, crate::der::oid::SHA256_WITH_RSA, "{name}");
            let scheme = Asked::Pkcs1(DigestAlg::Sha256);
            assert!(
                verified(&issuer.key, scheme, &s.tbs, &s.signature),
                "{name}"
            );
            assert!(s.verify_with(&issuer.key).is_ok(), "{name}");
            let mut bad = s.signature.clone();
            bad[10] ^= 1;
            assert!(!verified(&issuer.key, scheme, &s.tbs, &bad), "{name}");
            let mut tbs = s.tbs.clone();
            tbs[20] ^= 1;
            assert!(!verified(&issuer.key, scheme, &tbs, &s.signature), "{name}");
            // Another scheme than the one signed with: not verified.
            assert!(!verified(
                &issuer.key,
                Asked::Pkcs1(DigestAlg::Sha512),
                &s.tbs,
                &s.signature
            ));
            checked += 1;
        }
        assert_eq!(checked, 3);
    }

    /// ECDSA signatures made by RustCrypto's signers (DER, SHA-256 and SHA-384) are verified
    /// by ring on P-256 and P-384; a flipped bit is not.
    #[test]
    fn ring_verifies_ecdsa_p256_and_p384() {
        use signature::Signer;
        let msg = b"signed attributes".as_slice();
        let k256 = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let s256: p256::ecdsa::DerSignature = k256.sign(msg);
        let key = PublicKey::P256(*k256.verifying_key());
        assert!(verified(
            &key,
            Asked::Ecdsa(DigestAlg::Sha256),
            msg,
            s256.as_bytes()
        ));
        assert!(!verified(
            &key,
            Asked::Ecdsa(DigestAlg::Sha256),
            b"other",
            s256.as_bytes()
        ));
        assert!(!verified(
            &key,
            Asked::Ecdsa(DigestAlg::Sha512),
            msg,
            s256.as_bytes()
        ));
        let k384 = p384::ecdsa::SigningKey::from_slice(&[9u8; 48]).unwrap();
        let s384: p384::ecdsa::DerSignature = k384.sign(msg);
        let key = PublicKey::P384(*k384.verifying_key());
        assert!(verified(
            &key,
            Asked::Ecdsa(DigestAlg::Sha384),
            msg,
            s384.as_bytes()
        ));
        let mut bad = s384.as_bytes().to_vec();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(!verified(&key, Asked::Ecdsa(DigestAlg::Sha384), msg, &bad));
    }

    /// An RSA key above RustCrypto's 4,096-bit parser limit is read (up to 16,384 bits) and
    /// its signature verified, by ring and by the RustCrypto path alike.
    #[test]
    fn an_rsa_8192_key_is_read_and_verifies() {
        let c = cert("rsa8192-root.pem");
        assert_eq!(c.key.rsa_bits(), Some(8192));
        let s = &c.signed;
        assert!(verified(
            &c.key,
            Asked::Pkcs1(DigestAlg::Sha256),
            &s.tbs,
            &s.signature
        ));
        assert!(s.verify_with(&c.key).is_ok());
        let digest = DigestAlg::Sha256.hash(&[&s.tbs]);
        let fallback = crate::pki::crypto::verify_digest(
            &c.key,
            &s.alg_oid,
            None,
            None,
            &digest,
            &s.signature,
        );
        assert!(fallback.is_ok(), "{fallback:?}");
    }
}
