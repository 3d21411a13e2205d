//! ASN.1 below the typed decoders: a BER/DER TLV reader that keeps original bytes
//! ([`tlv`]), and every object identifier kyso recognises ([`oid`]).

pub mod oid;
pub mod tlv;
