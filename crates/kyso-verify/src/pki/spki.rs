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
    let (bits, _) = key_bits(spki_der, oid::RSA_ENCRYPTION)?;
    let (key, _) = tlv::read(bits, 0).ok()?;
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
    let (bits, params) = key_bits(spki_der, oid::ED448)?;
    if params {
        return None;
    }
    let key: &[u8; 57] = bits.try_into().ok()?;
    ed448_goldilocks::VerifyingKey::from_bytes(key).ok()
}

/// The subjectPublicKey bits (RFC 5280 §4.1.2.7) of a SubjectPublicKeyInfo whose algorithm is
/// `alg`, and whether the algorithm has parameters.
fn key_bits<'a>(spki_der: &'a [u8], alg: &str) -> Option<(&'a [u8], bool)> {
    let (spki, _) = tlv::read(spki_der, 0).ok()?;
    let parts = spki.children().ok()?;
    let id = parts.first()?.children().ok()?;
    if tlv::oid(id.first()?).ok()? != alg {
        return None;
    }
    let bits = parts.get(1).filter(|b| b.tag == 0x03)?;
    Some((bits.content.strip_prefix(&[0])?, id.len() != 1))
}
