//! The TSTInfo of an RFC 3161 timestamp token (§2.4.2).

use super::{asn1, time_value, CmsError};
use der::Decode;
use time::OffsetDateTime;

/// The parts of an RFC 3161 TSTInfo that verification needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TstInfo {
    /// The messageImprint's hash algorithm, dotted.
    pub imprint_hash_oid: String,
    /// The messageImprint's hashedMessage.
    pub imprint: Vec<u8>,
    /// genTime: when the token was made.
    pub gen_time: OffsetDateTime,
}

/// TSTInfo (RFC 3161 §2.4.2), version 1, decoded whole.
pub fn tst_info(der: &[u8]) -> Result<TstInfo, CmsError> {
    let bad = |w: String| CmsError::Malformed(format!("TSTInfo: {w}"));
    let t = asn1::TstInfo::from_der(der).map_err(|e| bad(e.to_string()))?;
    if t.version.0 != [1] {
        return Err(bad("version is not 1".into()));
    }
    if der::Tagged::tag(&t.gen_time) != der::Tag::GeneralizedTime {
        return Err(bad("genTime is not a GeneralizedTime".into()));
    }
    Ok(TstInfo {
        imprint_hash_oid: t.message_imprint.hash_algorithm.oid.to_string(),
        imprint: t.message_imprint.hashed_message.into_bytes().into_vec(),
        gen_time: time_value(&t.gen_time)?,
    })
}
