//! Keys RustCrypto's SubjectPublicKeyInfo parsers do not read (RFC 5280 §4.1.2.7): Ed448
//! (RFC 8410 §4) and RSA moduli above 4,096 bits (RFC 3279 §2.3.1).

use crate::der::oid;
use crate::der::tlv;

/// The largest RSA modulus kyso verifies with: RustCrypto's parser stops at 4,096 bits, real
/// CAs use 6,144 and 8,192, and a public-key operation stays cheap up to here (e = 65537).
const MAX_RSA_BITS: usize = 16_384;

/// An RSA key of 4,097 to [`MAX_RSA_BITS`] bits (RFC 8017 §A.1.1 RSAPublicKey in an
/// rsaEncryption SubjectPublicKeyInfo, RFC 3279 §2.3.1).
pub(super) fn large_rsa_key(spki_der: &[u8]) -> Option<rsa::RsaPublicKey> {
    let (spki, _) = tlv::read(spki_der, 0).ok()?;
    let parts = spki.children().ok()?;
    let alg = parts.first()?.children().ok()?;
    if tlv::oid(alg.first()?).ok()? != oid::RSA_ENCRYPTION {
        return None;
    }
    let bits = parts.get(1).filter(|b| b.tag == 0x03)?;
    let (key, _) = tlv::read(bits.content.strip_prefix(&[0])?, 0).ok()?;
    let ints = key.children().ok()?;
    let (n, e) = (ints.first()?, ints.get(1)?);
    if n.tag != 0x02 || e.tag != 0x02 || ints.len() != 2 {
        return None;
    }
    let n = rsa::BigUint::from_bytes_be(&n.content);
    let e = rsa::BigUint::from_bytes_be(&e.content);
    rsa::RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS).ok()
}

/// The 57-byte key of an Ed448 SubjectPublicKeyInfo (RFC 8410 §4: id-Ed448, no parameters).
pub(super) fn ed448_key(spki_der: &[u8]) -> Option<ed448_goldilocks::VerifyingKey> {
    let (spki, _) = tlv::read(spki_der, 0).ok()?;
    let parts = spki.children().ok()?;
    let alg = parts.first()?.children().ok()?;
    if tlv::oid(alg.first()?).ok()? != oid::ED448 || alg.len() != 1 {
        return None;
    }
    let bits = parts.get(1).filter(|b| b.tag == 0x03)?;
    let key: &[u8; 57] = bits.content.strip_prefix(&[0])?.try_into().ok()?;
    ed448_goldilocks::VerifyingKey::from_bytes(key).ok()
}
