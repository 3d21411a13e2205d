//! Signature primitives: RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA P-256/P-384/P-521 over SHA-1, SHA-2
//! and SHA-3 digests (FIPS 202; OIDs of NIST CSOR and RFC 8702), and Ed25519 (RFC 8032, used in
//! CMS as RFC 8419 says). A signature over a message is first offered to ring
//! (`super::ring_verify`, the common cases, faster); what ring does not verify is decided here
//! with RustCrypto.

use crate::der::oid;
use crate::der::tlv;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use sha2::Digest as _;
use signature::hazmat::PrehashVerifier;

/// A digest algorithm kyso computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlg {
    /// SHA-1 (FIPS 180-4).
    Sha1,
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-384 (FIPS 180-4).
    Sha384,
    /// SHA-512 (FIPS 180-4).
    Sha512,
    /// SHA3-256 (FIPS 202).
    Sha3_256,
    /// SHA3-384 (FIPS 202).
    Sha3_384,
    /// SHA3-512 (FIPS 202).
    Sha3_512,
    /// SHAKE256 with 512 bits of output (RFC 8419 §2.3, the digest of Ed448 in CMS).
    Shake256_512,
}

/// Run `$body` with `$D` bound to the hash type of a [`DigestAlg`]; `$xof` for SHAKE256,
/// which has no fixed output and so no `Digest` type.
macro_rules! with_digest {
    ($alg:expr, $D:ident => $body:expr, xof => $xof:expr) => {
        match $alg {
            DigestAlg::Shake256_512 => $xof,
            DigestAlg::Sha1 => {
                type $D = sha1::Sha1;
                $body
            }
            DigestAlg::Sha256 => {
                type $D = sha2::Sha256;
                $body
            }
            DigestAlg::Sha384 => {
                type $D = sha2::Sha384;
                $body
            }
            DigestAlg::Sha512 => {
                type $D = sha2::Sha512;
                $body
            }
            DigestAlg::Sha3_256 => {
                type $D = sha3::Sha3_256;
                $body
            }
            DigestAlg::Sha3_384 => {
                type $D = sha3::Sha3_384;
                $body
            }
            DigestAlg::Sha3_512 => {
                type $D = sha3::Sha3_512;
                $body
            }
        }
    };
}

impl DigestAlg {
    /// The digest an AlgorithmIdentifier's OID names (dotted form), if kyso computes it.
    pub fn from_oid(oid: &str) -> Option<Self> {
        Some(match oid {
            oid::SHA1 => DigestAlg::Sha1,
            oid::SHA256 => DigestAlg::Sha256,
            oid::SHA384 => DigestAlg::Sha384,
            oid::SHA512 => DigestAlg::Sha512,
            oid::SHA3_256 => DigestAlg::Sha3_256,
            oid::SHA3_384 => DigestAlg::Sha3_384,
            oid::SHA3_512 => DigestAlg::Sha3_512,
            // id-shake256 (RFC 8702) and id-shake256-len, whose length RFC 8419 fixes at 512.
            oid::SHAKE256 | oid::SHAKE256_LEN => DigestAlg::Shake256_512,
            _ => return None,
        })
    }

    /// Its usual name (`SHA-256`).
    pub fn name(self) -> &'static str {
        match self {
            DigestAlg::Sha1 => "SHA-1",
            DigestAlg::Sha256 => "SHA-256",
            DigestAlg::Sha384 => "SHA-384",
            DigestAlg::Sha512 => "SHA-512",
            DigestAlg::Sha3_256 => "SHA3-256",
            DigestAlg::Sha3_384 => "SHA3-384",
            DigestAlg::Sha3_512 => "SHA3-512",
            DigestAlg::Shake256_512 => "SHAKE256",
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
        with_digest!(self, D => run::<D>(pieces), xof => {
            use sha3::digest::{ExtendableOutput, Update, XofReader};
            let mut h = sha3::Shake256::default();
            for p in pieces {
                h.update(p);
            }
            let mut out = vec![0u8; 64];
            h.finalize_xof().read(&mut out);
            out
        })
    }
}

/// The SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(data).into()
}

/// A certificate's public key (RFC 5280 §4.1.2.7), ready to verify with.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// RSA (RFC 8017).
    Rsa(rsa::RsaPublicKey),
    /// ECDSA on P-256 (FIPS 186-5).
    P256(p256::ecdsa::VerifyingKey),
    /// ECDSA on P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// ECDSA on P-521.
    P521(Box<P521Key>),
    /// Ed25519 (RFC 8032, RFC 8410).
    Ed25519(ed25519_dalek::VerifyingKey),
    /// Ed448 (RFC 8032, RFC 8410).
    Ed448(Box<ed448_goldilocks::VerifyingKey>),
    /// A key kyso cannot use, and what it is.
    Unsupported(String),
}

/// A P-521 key (its type implements no `Debug`).
#[derive(Clone)]
pub struct P521Key(p521::ecdsa::VerifyingKey);

impl std::fmt::Debug for P521Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("P521Key")
    }
}

impl PublicKey {
    /// From a SubjectPublicKeyInfo's DER.
    pub(crate) fn from_spki(spki_der: &[u8]) -> Self {
        if let Ok(k) = rsa::RsaPublicKey::from_public_key_der(spki_der) {
            return PublicKey::Rsa(k);
        }
        if let Some(k) = super::spki::large_rsa_key(spki_der) {
            return PublicKey::Rsa(k);
        }
        if let Ok(k) = p256::PublicKey::from_public_key_der(spki_der) {
            return PublicKey::P256(k.into());
        }
        if let Ok(k) = p384::PublicKey::from_public_key_der(spki_der) {
            return PublicKey::P384(k.into());
        }
        if let Ok(k) = p521::PublicKey::from_public_key_der(spki_der) {
            if let Ok(v) = p521::ecdsa::VerifyingKey::from_affine(*k.as_affine()) {
                return PublicKey::P521(Box::new(P521Key(v)));
            }
        }
        if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_der(spki_der) {
            return PublicKey::Ed25519(k);
        }
        if let Some(k) = super::spki::ed448_key(spki_der) {
            return PublicKey::Ed448(Box::new(k));
        }
        PublicKey::Unsupported(
            "a public key that is not RSA, ECDSA P-256/P-384/P-521, Ed25519 or Ed448".into(),
        )
    }

    /// What the key is (`RSA-2048`, `ECDSA P-256`).
    pub(crate) fn describe(&self) -> String {
        match self {
            PublicKey::Rsa(k) => format!("RSA-{}", k.n().bits()),
            PublicKey::P256(_) => "ECDSA P-256".into(),
            PublicKey::P384(_) => "ECDSA P-384".into(),
            PublicKey::P521(_) => "ECDSA P-521".into(),
            PublicKey::Ed25519(_) => "Ed25519".into(),
            PublicKey::Ed448(_) => "Ed448".into(),
            PublicKey::Unsupported(s) => s.clone(),
        }
    }

    /// The modulus size of an RSA key.
    pub fn rsa_bits(&self) -> Option<usize> {
        match self {
            PublicKey::Rsa(k) => Some(k.n().bits()),
            _ => None,
        }
    }
}

/// Why a signature value was not verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A signature algorithm (or parameters) kyso does not verify.
    #[error("unsupported signature algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// A signature algorithm for another kind of key.
    #[error("the signature algorithm {alg} does not fit the {key} key")]
    KeyMismatch {
        /// The algorithm, by name or OID.
        alg: String,
        /// The key, as [`PublicKey`] describes it.
        key: String,
    },
    /// The value does not verify: the wrong key, or altered data.
    #[error("the signature value does not verify with the signer's public key")]
    BadSignature,
    /// A key kyso cannot use.
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
}

enum Scheme {
    Pkcs1(DigestAlg),
    Pss {
        digest: DigestAlg,
        salt: usize,
    },
    Ecdsa(DigestAlg),
    /// PureEdDSA: the signature is over the message itself; RFC 8419 §3.1 has CMS digest
    /// the content with SHA-512 for Ed25519 and SHAKE256/512 for Ed448.
    Ed25519,
    Ed448,
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
        oid::RSA_ENCRYPTION => Scheme::Pkcs1(hint()?),
        oid::SHA1_WITH_RSA => Scheme::Pkcs1(DigestAlg::Sha1),
        oid::SHA256_WITH_RSA => Scheme::Pkcs1(DigestAlg::Sha256),
        oid::SHA384_WITH_RSA => Scheme::Pkcs1(DigestAlg::Sha384),
        oid::SHA512_WITH_RSA => Scheme::Pkcs1(DigestAlg::Sha512),
        oid::RSASSA_PSS => pss_params(params)?,
        oid::EC_PUBLIC_KEY => Scheme::Ecdsa(hint()?),
        oid::ECDSA_WITH_SHA1 => Scheme::Ecdsa(DigestAlg::Sha1),
        oid::ECDSA_WITH_SHA256 => Scheme::Ecdsa(DigestAlg::Sha256),
        oid::ECDSA_WITH_SHA384 => Scheme::Ecdsa(DigestAlg::Sha384),
        oid::ECDSA_WITH_SHA512 => Scheme::Ecdsa(DigestAlg::Sha512),
        // NIST CSOR sigAlgs: ECDSA and RSA PKCS#1 v1.5 with SHA-3 (RFC 8702 for PSS).
        oid::ECDSA_WITH_SHA3_256 => Scheme::Ecdsa(DigestAlg::Sha3_256),
        oid::ECDSA_WITH_SHA3_384 => Scheme::Ecdsa(DigestAlg::Sha3_384),
        oid::ECDSA_WITH_SHA3_512 => Scheme::Ecdsa(DigestAlg::Sha3_512),
        oid::RSA_WITH_SHA3_256 => Scheme::Pkcs1(DigestAlg::Sha3_256),
        oid::RSA_WITH_SHA3_384 => Scheme::Pkcs1(DigestAlg::Sha3_384),
        oid::RSA_WITH_SHA3_512 => Scheme::Pkcs1(DigestAlg::Sha3_512),
        // RFC 8410 / RFC 8419: id-Ed25519.
        oid::ED25519 => Scheme::Ed25519,
        oid::ED448 => Scheme::Ed448,
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
        let (seq, _) = tlv::read(p, 0).map_err(|e| bad(&e.0))?;
        for f in seq.children().map_err(|e| bad(&e.0))? {
            let inner = f.children().map_err(|e| bad(&e.0))?;
            let first = inner.first().ok_or_else(|| bad("empty field"))?;
            match f.tag {
                0xa0 => {
                    let a = first.children().map_err(|e| bad(&e.0))?;
                    let o =
                        tlv::oid(a.first().ok_or_else(|| bad("hash"))?).map_err(|e| bad(&e.0))?;
                    digest = DigestAlg::from_oid(&o).ok_or_else(|| bad(&o))?;
                }
                0xa1 => {
                    let a = first.children().map_err(|e| bad(&e.0))?;
                    let mgf =
                        tlv::oid(a.first().ok_or_else(|| bad("mgf"))?).map_err(|e| bad(&e.0))?;
                    if mgf != oid::MGF1 {
                        return Err(bad("mask generation is not MGF1"));
                    }
                    let h = a
                        .get(1)
                        .ok_or_else(|| bad("MGF1 hash"))?
                        .children()
                        .map_err(|e| bad(&e.0))?;
                    let o = tlv::oid(h.first().ok_or_else(|| bad("MGF1 hash"))?)
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
pub(crate) fn verify(
    key: &PublicKey,
    sig_alg_oid: &str,
    sig_alg_params: Option<&[u8]>,
    digest_hint: Option<DigestAlg>,
    message: &[&[u8]],
    signature: &[u8],
) -> Result<DigestAlg, CryptoError> {
    let scheme = scheme(sig_alg_oid, sig_alg_params, digest_hint)?;
    let digest = scheme.digest();
    if matches!(scheme, Scheme::Ed25519 | Scheme::Ed448) {
        return verify_pure(key, message, signature).map(|_| digest);
    }
    // ring first, where it covers the key and scheme; its "no" (or silence) leaves the
    // verdict to the code below.
    if let Some(asked) = scheme.for_ring() {
        let whole;
        let m: &[u8] = match message {
            [one] => one,
            pieces => {
                whole = pieces.concat();
                &whole
            }
        };
        if super::ring_verify::verified(key, asked, m, signature) {
            return Ok(digest);
        }
    }
    verify_prehashed(key, &scheme, &digest.hash(message), signature).map(|_| digest)
}

/// PureEdDSA over the message: Ed25519 (RFC 8032 §5.1.7, strict: no malleable signatures) or
/// Ed448 with an empty context (§5.2.7, as RFC 8419 §3.1 requires).
fn verify_pure(key: &PublicKey, message: &[&[u8]], sig: &[u8]) -> Result<(), CryptoError> {
    let msg = message.concat();
    match key {
        PublicKey::Ed25519(k) => {
            let sig =
                ed25519_dalek::Signature::from_slice(sig).map_err(|_| CryptoError::BadSignature)?;
            k.verify_strict(&msg, &sig)
                .map_err(|_| CryptoError::BadSignature)
        }
        PublicKey::Ed448(k) => {
            let sig = ed448_goldilocks::Signature::try_from(sig)
                .map_err(|_| CryptoError::BadSignature)?;
            k.verify_raw(&sig, &msg)
                .map_err(|_| CryptoError::BadSignature)
        }
        _ => Err(CryptoError::KeyMismatch {
            alg: "EdDSA".into(),
            key: key.describe(),
        }),
    }
}

/// The digest algorithm a signature algorithm hashes with.
pub(crate) fn signature_digest(
    sig_alg_oid: &str,
    sig_alg_params: Option<&[u8]>,
    digest_hint: Option<DigestAlg>,
) -> Result<DigestAlg, CryptoError> {
    Ok(scheme(sig_alg_oid, sig_alg_params, digest_hint)?.digest())
}

/// Verify `signature` over a message whose digest (with [`signature_digest`]) is `hashed`.
pub(crate) fn verify_digest(
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
    /// The scheme as `super::ring_verify` may be asked about it.
    fn for_ring(&self) -> Option<super::ring_verify::Asked> {
        use super::ring_verify::Asked;
        match *self {
            Scheme::Pkcs1(d) => Some(Asked::Pkcs1(d)),
            Scheme::Pss { digest, salt } => Some(Asked::Pss { digest, salt }),
            Scheme::Ecdsa(d) => Some(Asked::Ecdsa(d)),
            Scheme::Ed25519 | Scheme::Ed448 => None,
        }
    }

    fn digest(&self) -> DigestAlg {
        match self {
            Scheme::Pkcs1(d) | Scheme::Pss { digest: d, .. } | Scheme::Ecdsa(d) => *d,
            Scheme::Ed25519 => DigestAlg::Sha512,
            Scheme::Ed448 => DigestAlg::Shake256_512,
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
            let padding = with_digest!(*d, D => rsa::Pkcs1v15Sign::new::<D>(),
                xof => return Err(mismatch("RSA PKCS#1 v1.5 with SHAKE256")));
            k.verify(padding, hashed, sig)
                .map_err(|_| CryptoError::BadSignature)
        }
        (Scheme::Pss { digest, salt }, PublicKey::Rsa(k)) => {
            let r = with_digest!(*digest, D => k.verify(rsa::Pss::new_with_salt::<D>(*salt), hashed, sig),
                xof => return Err(mismatch("RSASSA-PSS with SHAKE256")));
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
        (Scheme::Ecdsa(_), PublicKey::P521(k)) => {
            let s = p521::ecdsa::Signature::from_der(sig).map_err(|_| CryptoError::BadSignature)?;
            k.0.verify_prehash(hashed, &s)
                .map_err(|_| CryptoError::BadSignature)
        }
        // PureEdDSA needs the message, which a caller holding only its digest cannot give
        // (a CMS without signed attributes).
        (Scheme::Ed25519 | Scheme::Ed448, _) => Err(CryptoError::UnsupportedAlgorithm(
            "EdDSA over a digest (a CMS without signed attributes)".into(),
        )),
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
    /// The DER of the signed part (tbsCertificate, tbsCertList, tbsResponseData).
    pub tbs: Vec<u8>,
    /// The signature algorithm's OID, dotted.
    pub alg_oid: String,
    /// DER of the algorithm parameters, if any (NULL counts as none).
    pub alg_params: Option<Vec<u8>>,
    /// The signature value (the BIT STRING's bytes).
    pub signature: Vec<u8>,
}

impl SignedObject {
    /// Read the first three elements of the outer SEQUENCE of `der` (more may follow).
    pub(crate) fn parse(der: &[u8]) -> Result<SignedObject, String> {
        let (signed, tbs) = SignedObject::parse_in_place(der)?;
        let tbs = der.get(tbs).ok_or("the signed part")?.to_vec();
        Ok(SignedObject { tbs, ..signed })
    }

    /// [`SignedObject::parse`] without copying the signed part (a CRL may be megabytes): `tbs`
    /// is left empty and where it is in `der` is returned, for [`SignedObject::verify_over`].
    pub(crate) fn parse_in_place(
        der: &[u8],
    ) -> Result<(SignedObject, std::ops::Range<usize>), String> {
        let (outer, _) = tlv::read(der, 0).map_err(|e| e.0)?;
        let parts = outer.children().map_err(|e| e.0)?;
        let (Some(tbs), Some(alg), Some(sig)) = (parts.first(), parts.get(1), parts.get(2)) else {
            return Err("not a signed structure (tbs, algorithm, signature)".into());
        };
        let alg_parts = alg.children().map_err(|e| e.0)?;
        let alg_oid =
            tlv::oid(alg_parts.first().ok_or("no signature algorithm")?).map_err(|e| e.0)?;
        let alg_params = alg_parts
            .get(1)
            .filter(|p| p.tag != 0x05)
            .map(|p| p.raw.to_vec());
        if sig.tag != 0x03 {
            return Err("the signature is not a BIT STRING".into());
        }
        let signature = sig.content.get(1..).ok_or("empty signature")?.to_vec();
        // `tbs.raw` is a slice of `der`: its offset is the distance between their starts.
        let start = tbs.raw.as_ptr() as usize - der.as_ptr() as usize;
        let signed = SignedObject {
            tbs: Vec::new(),
            alg_oid,
            alg_params,
            signature,
        };
        Ok((signed, start..start + tbs.raw.len()))
    }

    /// Verify with `key`; returns the digest the signature used.
    pub(crate) fn verify_with(&self, key: &PublicKey) -> Result<DigestAlg, CryptoError> {
        self.verify_over(&self.tbs, key)
    }

    /// Verify that `tbs` (the signed part, kept elsewhere) is signed with `key`.
    pub(crate) fn verify_over(
        &self,
        tbs: &[u8],
        key: &PublicKey,
    ) -> Result<DigestAlg, CryptoError> {
        verify(
            key,
            &self.alg_oid,
            self.alg_params.as_deref(),
            None,
            &[tbs],
            &self.signature,
        )
    }
}
