//! Signature primitives: RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA P-256/P-384, over SHA-1/2 digests.

use crate::ber;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use sha2::Digest as _;
use signature::hazmat::PrehashVerifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlg {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlg {
    pub fn from_oid(oid: &str) -> Option<Self> {
        Some(match oid {
            "1.3.14.3.2.26" => DigestAlg::Sha1,
            "2.16.840.1.101.3.4.2.1" => DigestAlg::Sha256,
            "2.16.840.1.101.3.4.2.2" => DigestAlg::Sha384,
            "2.16.840.1.101.3.4.2.3" => DigestAlg::Sha512,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            DigestAlg::Sha1 => "SHA-1",
            DigestAlg::Sha256 => "SHA-256",
            DigestAlg::Sha384 => "SHA-384",
            DigestAlg::Sha512 => "SHA-512",
        }
    }

    /// Hash several pieces as one message, in one pass.
    pub fn hash(self, pieces: &[&[u8]]) -> Vec<u8> {
        fn run<D: sha2::Digest>(pieces: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            for p in pieces {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            DigestAlg::Sha1 => run::<sha1::Sha1>(pieces),
            DigestAlg::Sha256 => run::<sha2::Sha256>(pieces),
            DigestAlg::Sha384 => run::<sha2::Sha384>(pieces),
            DigestAlg::Sha512 => run::<sha2::Sha512>(pieces),
        }
    }
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(data).into()
}

#[derive(Debug, Clone)]
pub enum PublicKey {
    Rsa(rsa::RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Unsupported(String),
}

impl PublicKey {
    /// From a SubjectPublicKeyInfo's DER.
    pub fn from_spki(spki_der: &[u8]) -> Self {
        if let Ok(k) = rsa::RsaPublicKey::from_public_key_der(spki_der) {
            return PublicKey::Rsa(k);
        }
        if let Ok(k) = p256::PublicKey::from_public_key_der(spki_der) {
            return PublicKey::P256(k.into());
        }
        if let Ok(k) = p384::PublicKey::from_public_key_der(spki_der) {
            return PublicKey::P384(k.into());
        }
        PublicKey::Unsupported("a public key that is not RSA, P-256 or P-384".into())
    }

    pub fn describe(&self) -> String {
        match self {
            PublicKey::Rsa(k) => format!("RSA-{}", k.n().bits()),
            PublicKey::P256(_) => "ECDSA P-256".into(),
            PublicKey::P384(_) => "ECDSA P-384".into(),
            PublicKey::Unsupported(s) => s.clone(),
        }
    }

    pub fn rsa_bits(&self) -> Option<usize> {
        match self {
            PublicKey::Rsa(k) => Some(k.n().bits()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("unsupported signature algorithm {0}")]
    UnsupportedAlgorithm(String),
    #[error("the signature algorithm {alg} does not fit the {key} key")]
    KeyMismatch { alg: String, key: String },
    #[error("the signature value does not verify with the signer's public key")]
    BadSignature,
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
}

enum Scheme {
    Pkcs1(DigestAlg),
    Pss { digest: DigestAlg, salt: usize },
    Ecdsa(DigestAlg),
}

fn scheme(
    oid: &str,
    params: Option<&[u8]>,
    digest_hint: Option<DigestAlg>,
) -> Result<Scheme, CryptoError> {
    let hint = || {
        digest_hint.ok_or_else(|| {
            CryptoError::UnsupportedAlgorithm(format!("{oid} without a digest algorithm"))
        })
    };
    Ok(match oid {
        "1.2.840.113549.1.1.1" => Scheme::Pkcs1(hint()?),
        "1.2.840.113549.1.1.5" => Scheme::Pkcs1(DigestAlg::Sha1),
        "1.2.840.113549.1.1.11" => Scheme::Pkcs1(DigestAlg::Sha256),
        "1.2.840.113549.1.1.12" => Scheme::Pkcs1(DigestAlg::Sha384),
        "1.2.840.113549.1.1.13" => Scheme::Pkcs1(DigestAlg::Sha512),
        "1.2.840.113549.1.1.10" => pss_params(params)?,
        "1.2.840.10045.2.1" => Scheme::Ecdsa(hint()?),
        "1.2.840.10045.4.1" => Scheme::Ecdsa(DigestAlg::Sha1),
        "1.2.840.10045.4.3.2" => Scheme::Ecdsa(DigestAlg::Sha256),
        "1.2.840.10045.4.3.3" => Scheme::Ecdsa(DigestAlg::Sha384),
        "1.2.840.10045.4.3.4" => Scheme::Ecdsa(DigestAlg::Sha512),
        other => return Err(CryptoError::UnsupportedAlgorithm(other.to_string())),
    })
}

/// RSASSA-PSS-params ::= SEQUENCE { [0] hashAlgorithm DEFAULT sha1, [1] maskGenAlgorithm DEFAULT
/// mgf1SHA1, [2] saltLength DEFAULT 20, [3] trailerField DEFAULT 1 }
fn pss_params(params: Option<&[u8]>) -> Result<Scheme, CryptoError> {
    let bad = |w: &str| CryptoError::UnsupportedAlgorithm(format!("RSASSA-PSS parameters: {w}"));
    let mut digest = DigestAlg::Sha1;
    let mut mgf_digest = DigestAlg::Sha1;
    let mut salt = 20usize;
    if let Some(p) = params {
        let (seq, _) = ber::read(p, 0).map_err(|e| bad(&e.0))?;
        for f in seq.children().map_err(|e| bad(&e.0))? {
            let inner = f.children().map_err(|e| bad(&e.0))?;
            let first = inner.first().ok_or_else(|| bad("empty field"))?;
            match f.tag {
                0xa0 => {
                    let a = first.children().map_err(|e| bad(&e.0))?;
                    let o =
                        ber::oid(a.first().ok_or_else(|| bad("hash"))?).map_err(|e| bad(&e.0))?;
                    digest = DigestAlg::from_oid(&o).ok_or_else(|| bad(&o))?;
                }
                0xa1 => {
                    let a = first.children().map_err(|e| bad(&e.0))?;
                    let mgf =
                        ber::oid(a.first().ok_or_else(|| bad("mgf"))?).map_err(|e| bad(&e.0))?;
                    if mgf != "1.2.840.113549.1.1.8" {
                        return Err(bad("mask generation is not MGF1"));
                    }
                    let h = a
                        .get(1)
                        .ok_or_else(|| bad("MGF1 hash"))?
                        .children()
                        .map_err(|e| bad(&e.0))?;
                    let o = ber::oid(h.first().ok_or_else(|| bad("MGF1 hash"))?)
                        .map_err(|e| bad(&e.0))?;
                    mgf_digest = DigestAlg::from_oid(&o).ok_or_else(|| bad(&o))?;
                }
                0xa2 => {
                    if first.tag != 0x02 || first.content.len() > 4 {
                        return Err(bad("saltLength"));
                    }
                    salt = first
                        .content
                        .iter()
                        .fold(0usize, |a, b| a << 8 | *b as usize);
                }
                0xa3 => {
                    if first.content != [1] {
                        return Err(bad("trailerField is not 1"));
                    }
                }
                _ => return Err(bad("unknown field")),
            }
        }
    }
    if mgf_digest != digest {
        return Err(bad("MGF1 hash differs from the message hash"));
    }
    Ok(Scheme::Pss { digest, salt })
}

/// Verify `signature` over `message`. Returns the digest algorithm that was used, so the caller
/// can apply its algorithm policy.
pub fn verify(
    key: &PublicKey,
    sig_alg_oid: &str,
    sig_alg_params: Option<&[u8]>,
    digest_hint: Option<DigestAlg>,
    message: &[&[u8]],
    signature: &[u8],
) -> Result<DigestAlg, CryptoError> {
    let scheme = scheme(sig_alg_oid, sig_alg_params, digest_hint)?;
    let digest = scheme.digest();
    verify_prehashed(key, &scheme, &digest.hash(message), signature).map(|_| digest)
}

/// The digest algorithm a signature algorithm hashes with.
pub fn signature_digest(
    sig_alg_oid: &str,
    sig_alg_params: Option<&[u8]>,
    digest_hint: Option<DigestAlg>,
) -> Result<DigestAlg, CryptoError> {
    Ok(scheme(sig_alg_oid, sig_alg_params, digest_hint)?.digest())
}

/// Verify `signature` over a message whose digest (with [`signature_digest`]) is `hashed`.
pub fn verify_digest(
    key: &PublicKey,
    sig_alg_oid: &str,
    sig_alg_params: Option<&[u8]>,
    digest_hint: Option<DigestAlg>,
    hashed: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let scheme = scheme(sig_alg_oid, sig_alg_params, digest_hint)?;
    verify_prehashed(key, &scheme, hashed, signature)
}

impl Scheme {
    fn digest(&self) -> DigestAlg {
        match self {
            Scheme::Pkcs1(d) | Scheme::Pss { digest: d, .. } | Scheme::Ecdsa(d) => *d,
        }
    }
}

fn verify_prehashed(
    key: &PublicKey,
    scheme: &Scheme,
    hashed: &[u8],
    sig: &[u8],
) -> Result<(), CryptoError> {
    let mismatch = |alg: &str| CryptoError::KeyMismatch {
        alg: alg.to_string(),
        key: key.describe(),
    };
    match (scheme, key) {
        (Scheme::Pkcs1(d), PublicKey::Rsa(k)) => {
            let padding = match d {
                DigestAlg::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                DigestAlg::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            k.verify(padding, hashed, sig)
                .map_err(|_| CryptoError::BadSignature)
        }
        (Scheme::Pss { digest, salt }, PublicKey::Rsa(k)) => {
            let r = match digest {
                DigestAlg::Sha1 => {
                    k.verify(rsa::Pss::new_with_salt::<sha1::Sha1>(*salt), hashed, sig)
                }
                DigestAlg::Sha256 => {
                    k.verify(rsa::Pss::new_with_salt::<sha2::Sha256>(*salt), hashed, sig)
                }
                DigestAlg::Sha384 => {
                    k.verify(rsa::Pss::new_with_salt::<sha2::Sha384>(*salt), hashed, sig)
                }
                DigestAlg::Sha512 => {
                    k.verify(rsa::Pss::new_with_salt::<sha2::Sha512>(*salt), hashed, sig)
                }
            };
            r.map_err(|_| CryptoError::BadSignature)
        }
        (Scheme::Ecdsa(_), PublicKey::P256(k)) => {
            let s = p256::ecdsa::Signature::from_der(sig).map_err(|_| CryptoError::BadSignature)?;
            k.verify_prehash(hashed, &s)
                .map_err(|_| CryptoError::BadSignature)
        }
        (Scheme::Ecdsa(_), PublicKey::P384(k)) => {
            let s = p384::ecdsa::Signature::from_der(sig).map_err(|_| CryptoError::BadSignature)?;
            k.verify_prehash(hashed, &s)
                .map_err(|_| CryptoError::BadSignature)
        }
        (_, PublicKey::Unsupported(s)) => Err(CryptoError::UnsupportedKey(s.clone())),
        (Scheme::Pkcs1(_), _) => Err(mismatch("RSA PKCS#1 v1.5")),
        (Scheme::Pss { .. }, _) => Err(mismatch("RSASSA-PSS")),
        (Scheme::Ecdsa(_), _) => Err(mismatch("ECDSA")),
    }
}

/// The shape certificates, CRLs and basic OCSP responses share:
/// `SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING signature, ... }`, kept as original bytes so
/// the signature is checked over exactly what was signed.
#[derive(Debug, Clone)]
pub struct SignedObject {
    pub tbs: Vec<u8>,
    pub alg_oid: String,
    /// DER of the algorithm parameters, if any (NULL counts as none).
    pub alg_params: Option<Vec<u8>>,
    pub signature: Vec<u8>,
}

impl SignedObject {
    /// Read the first three elements of the outer SEQUENCE of `der` (more may follow).
    pub fn parse(der: &[u8]) -> Result<SignedObject, String> {
        let (outer, _) = ber::read(der, 0).map_err(|e| e.0)?;
        let parts = outer.children().map_err(|e| e.0)?;
        let (Some(tbs), Some(alg), Some(sig)) = (parts.first(), parts.get(1), parts.get(2)) else {
            return Err("not a signed structure (tbs, algorithm, signature)".into());
        };
        let alg_parts = alg.children().map_err(|e| e.0)?;
        let alg_oid =
            ber::oid(alg_parts.first().ok_or("no signature algorithm")?).map_err(|e| e.0)?;
        let alg_params = alg_parts
            .get(1)
            .filter(|p| p.tag != 0x05)
            .map(|p| p.raw.to_vec());
        if sig.tag != 0x03 {
            return Err("the signature is not a BIT STRING".into());
        }
        let signature = sig.content.get(1..).ok_or("empty signature")?.to_vec();
        Ok(SignedObject {
            tbs: tbs.raw.to_vec(),
            alg_oid,
            alg_params,
            signature,
        })
    }

    /// Verify with `key`; returns the digest the signature used.
    pub fn verify_with(&self, key: &PublicKey) -> Result<DigestAlg, CryptoError> {
        verify(
            key,
            &self.alg_oid,
            self.alg_params.as_deref(),
            None,
            &[&self.tbs],
            &self.signature,
        )
    }
}
