//! Distinguished names (RFC 5280 §4.1.2.4): as people read them (RFC 4514) and as path
//! building, CRL scopes and name constraints compare them (RFC 5280 §7.1).

use crate::der::oid;

/// A name for comparison (RFC 5280 §7.1, the RFC 4518 matching rules in short): each RDN in
/// order, its attributes sorted, string values case-folded with leading, trailing and repeated
/// inner spaces removed; other values by their bytes.
pub fn comparable_name(n: &x509_parser::x509::X509Name) -> String {
    n.iter().map(comparable_rdn).collect::<Vec<_>>().join(",")
}

/// One RDN for comparison: its attributes sorted, each `oid=value`.
pub fn comparable_rdn(rdn: &x509_parser::x509::RelativeDistinguishedName) -> String {
    let mut atvs: Vec<String> = rdn
        .iter()
        .map(|atv| {
            let value = match atv.as_str() {
                Ok(v) => v
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase(),
                Err(_) => format!("#{}", hex::encode(atv.attr_value().data)),
            };
            format!("{}={value}", atv.attr_type().to_id_string())
        })
        .collect();
    atvs.sort();
    atvs.join("+")
}

/// RFC 4514 order (most specific first), UTF-8.
pub fn name_string(n: &x509_parser::x509::X509Name) -> String {
    let mut parts = Vec::new();
    for rdn in n.iter() {
        for atv in rdn.iter() {
            let key = match atv.attr_type().to_id_string().as_str() {
                oid::COMMON_NAME => "CN".to_string(),
                oid::COUNTRY => "C".to_string(),
                oid::LOCALITY => "L".to_string(),
                oid::STATE => "ST".to_string(),
                oid::ORGANIZATION => "O".to_string(),
                oid::ORGANIZATIONAL_UNIT => "OU".to_string(),
                oid::SERIAL_NUMBER => "serialNumber".to_string(),
                oid::USER_ID => "UID".to_string(),
                oid::EMAIL_ADDRESS => "emailAddress".to_string(),
                other => other.to_string(),
            };
            let val = atv
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|_| format!("#{}", hex::encode(atv.attr_value().data)));
            let esc = val
                .replace('\\', "\\\\")
                .replace(',', "\\,")
                .replace('+', "\\+")
                .replace('"', "\\\"");
            parts.push(format!("{key}={esc}"));
        }
    }
    parts.reverse();
    parts.join(",")
}
