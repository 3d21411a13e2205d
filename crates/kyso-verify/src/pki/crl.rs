//! A CRL (RFC 5280 §5.1), kept as its DER. Its entries (revokedCertificates, §5.1.2.6) are
//! read once when it is parsed (each checked, its extensions noted for the scope, the reader
//! told how many it has read so far) and are looked up later by walking the DER again: a CRL of
//! millions of entries stays one buffer, never millions of objects.

use super::cert::{int_key_of, strip_zeros, Cert, KU_CRL_SIGN};
use super::crl_scope::{self, CrlScope};
use super::crypto::{sha256, SignedObject};
use super::name::{comparable_name, name_string};
use super::sigcache;
use super::PkiError;
use crate::der::{oid, tlv};
use std::ops::Range;
use std::sync::OnceLock;
use time::OffsetDateTime;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::{CertificateRevocationList, RevokedCertificate};

/// How many entries a parse reads between two calls of its progress callback
/// ([`Crl::read`]).
pub const ENTRIES_PER_CALL: usize = 4096;

/// A parsed CRL, owned.
#[derive(Debug, Clone)]
pub struct Crl {
    /// Its DER, as given.
    pub der: Vec<u8>,
    /// The SHA-256 of `der`, taken when it was parsed (what its kept signature is kept under,
    /// [`super::sigcache`]).
    pub sha256: [u8; 32],
    /// The issuer, RFC 4514 order.
    pub issuer: String,
    /// The issuer Name's DER.
    pub issuer_raw: Vec<u8>,
    /// authorityKeyIdentifier's keyIdentifier (RFC 5280 §5.2.1).
    pub aki: Option<Vec<u8>>,
    /// thisUpdate (RFC 5280 §5.1.2.4).
    pub this_update: OffsetDateTime,
    /// nextUpdate (RFC 5280 §5.1.2.5).
    pub next_update: Option<OffsetDateTime>,
    /// How many entries it lists (revokedCertificates, RFC 5280 §5.1.2.6).
    pub entries: usize,
    /// Where the entries are in `der` (the content of revokedCertificates; empty without).
    entry_bytes: Range<usize>,
    /// Whether an entry has a certificateIssuer extension (§5.3.3): lookups then follow which
    /// issuer each entry is about.
    names_issuers: bool,
    /// A delta CRL (RFC 5280 §5.2.4): the number of the complete CRL it updates.
    pub delta_base: Option<Vec<u8>>,
    /// Which certificates it may answer for.
    pub(crate) scope: CrlScope,
    /// The issuer, compared as RFC 5280 §7.1 asks.
    pub(crate) issuer_cmp: String,
    /// The signature algorithm and value; the signed part is `der[tbs]`.
    signed: SignedObject,
    /// Where tbsCertList is in `der`.
    tbs: Range<usize>,
    /// cRLNumber (RFC 5280 §5.2.3), big-endian.
    pub number: Option<Vec<u8>>,
    /// Whether cRLNumber is marked critical (§5.2.3: "This extension is non-critical").
    pub number_critical: bool,
    /// The entries sorted by serial, made at the first lookup.
    index: OnceLock<SerialIndex>,
}

/// Where each entry and its serial are in revokedCertificates' content, sorted by serial (then
/// by position): a lookup is a binary search instead of a walk of the whole list, and the CRL
/// stays one buffer (12 bytes more an entry).
#[derive(Debug, Clone, Default)]
struct SerialIndex {
    slots: Vec<Slot>,
    /// The list is too long for 32-bit offsets: lookups walk it.
    walk: bool,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The entry's offset.
    entry: u32,
    /// Its serial's offset and length, in the INTEGER's minimal form ([`int_key_of`]).
    serial: u32,
    len: u32,
}

impl SerialIndex {
    fn of(list: &[u8]) -> SerialIndex {
        let Ok(_) = u32::try_from(list.len()) else {
            return SerialIndex {
                slots: Vec::new(),
                walk: true,
            };
        };
        // The offsets fit in 32 bits: they are within `list`.
        let at = |part: &[u8]| offset_in(list, part) as u32;
        let mut slots: Vec<Slot> = (RawEntries { rest: list })
            .map_while(Result::ok)
            .map(|e| {
                let key = int_key_of(e.serial);
                Slot {
                    entry: at(e.raw),
                    serial: at(key),
                    len: key.len() as u32,
                }
            })
            .collect();
        slots.sort_unstable_by(|a, b| {
            serial_of(list, a)
                .cmp(serial_of(list, b))
                .then(a.entry.cmp(&b.entry))
        });
        SerialIndex { slots, walk: false }
    }

    /// The entries whose serial is `key` (minimal form), in the order the CRL lists them.
    fn find<'a>(&self, list: &'a [u8], key: &[u8]) -> Vec<&'a [u8]> {
        if self.walk {
            return (RawEntries { rest: list })
                .map_while(Result::ok)
                .filter(|e| int_key_of(e.serial) == key)
                .map(|e| e.raw)
                .collect();
        }
        let first = self.slots.partition_point(|s| serial_of(list, s) < key);
        self.slots
            .get(first..)
            .unwrap_or_default()
            .iter()
            .take_while(|s| serial_of(list, s) == key)
            .filter_map(|s| list.get(s.entry as usize..))
            .filter_map(|rest| read_entry(rest).ok().map(|(e, _)| e.raw))
            .collect()
    }
}

fn serial_of<'a>(list: &'a [u8], s: &Slot) -> &'a [u8] {
    let start = s.serial as usize;
    list.get(start..start + s.len as usize).unwrap_or_default()
}

/// One entry of revokedCertificates as the DER has it.
struct RawEntry<'a> {
    /// The whole entry.
    raw: &'a [u8],
    /// userCertificate's INTEGER content.
    serial: &'a [u8],
    /// Whether crlEntryExtensions follow the revocationDate.
    has_extensions: bool,
}

/// The entries of a revokedCertificates content, in order, without parsing more of each than
/// its serial; the first malformed one ends the walk with its error.
struct RawEntries<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for RawEntries<'a> {
    type Item = Result<RawEntry<'a>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match read_entry(self.rest) {
            Ok((entry, rest)) => {
                self.rest = rest;
                Some(Ok(entry))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// `SEQUENCE { userCertificate INTEGER, revocationDate Time, crlEntryExtensions OPTIONAL }`
/// (RFC 5280 §5.1), from the front of `buf`.
fn read_entry(buf: &[u8]) -> Result<(RawEntry<'_>, &[u8]), String> {
    let (entry, rest) = tlv::read(buf, 1).map_err(|e| e.0)?;
    let (serial, after) = tlv::read(entry.content, 2).map_err(|e| e.0)?;
    let (_, extensions) = tlv::read(after, 2).map_err(|e| e.0)?;
    if entry.tag != 0x30 || serial.tag != 0x02 {
        return Err("a revoked certificate entry that is not SEQUENCE { INTEGER, ... }".into());
    }
    let raw = RawEntry {
        raw: entry.raw,
        serial: serial.content,
        has_extensions: !extensions.is_empty(),
    };
    Ok((raw, rest))
}

/// Where the parts of a CertificateList are (RFC 5280 §5.1).
struct Layout {
    /// Its length (bytes may follow it: a `/DSS` stream may pad it).
    end: usize,
    /// The content of revokedCertificates.
    entries: Range<usize>,
    /// A copy of it without revokedCertificates (small, whatever the number of entries), for
    /// x509-parser to read the rest.
    header: Vec<u8>,
}

/// The offset of `part` (a slice of `whole`) in `whole`.
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// The position of revokedCertificates among tbsCertList's fields: after the optional
/// version, signature, issuer, thisUpdate and the optional nextUpdate, a SEQUENCE.
fn revoked_position(fields: &[tlv::Tlv]) -> Option<usize> {
    let mut i = if fields.first()?.tag == 0x02 { 4 } else { 3 };
    if matches!(fields.get(i)?.tag, 0x17 | 0x18) {
        i += 1;
    }
    (fields.get(i)?.tag == 0x30).then_some(i)
}

fn layout(der: &[u8]) -> Result<Layout, String> {
    let (top, _) = tlv::read(der, 0).map_err(|e| e.0)?;
    let parts = top.children().map_err(|e| e.0)?;
    let tbs = parts.first().ok_or("no tbsCertList")?;
    let fields = tbs.children().map_err(|e| e.0)?;
    let list_at = revoked_position(&fields);
    let list = list_at.and_then(|i| fields.get(i));
    if top.indefinite || tbs.indefinite || list.is_some_and(|l| l.indefinite) {
        return Err("an indefinite length: a CRL is DER (RFC 5280 §5.1)".into());
    }
    let kept: Vec<u8> = fields
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != list_at)
        .flat_map(|(_, f)| f.raw.iter().copied())
        .collect();
    let mut content = vec![0x30];
    content.extend(tlv::definite_length(kept.len()));
    content.extend(kept);
    for p in parts.iter().skip(1) {
        content.extend_from_slice(p.raw);
    }
    let mut header = vec![0x30];
    header.extend(tlv::definite_length(content.len()));
    header.extend(content);
    let entries = list.map_or(0..0, |l| {
        let start = offset_in(der, l.content);
        start..start + l.content.len()
    });
    Ok(Layout {
        end: top.raw.len(),
        entries,
        header,
    })
}

/// What the reading of the entries found.
struct EntrySummary {
    count: usize,
    names_issuers: bool,
}

/// Read every entry once (RFC 5280 §5.1.2.6, §5.3): each must parse, and its extensions go
/// into the scope. `progress` is told every [`ENTRIES_PER_CALL`] entries; false stops.
fn read_entries(
    list: &[u8],
    scope: &mut CrlScope,
    progress: &mut dyn FnMut(usize) -> bool,
) -> Result<EntrySummary, String> {
    let mut s = EntrySummary {
        count: 0,
        names_issuers: false,
    };
    let stop = || "the document's budget for CRL entries is spent".to_string();
    for entry in (RawEntries { rest: list }) {
        let entry = entry?;
        let (rest, r) = RevokedCertificate::from_der(entry.raw)
            .map_err(|e| format!("a revoked certificate entry: {e}"))?;
        if !rest.is_empty() {
            return Err("bytes after a revoked certificate entry".into());
        }
        scope.note_entry(r.extensions());
        s.names_issuers |= crl_scope::certificate_issuer(r.extensions()).is_some();
        s.count += 1;
        if s.count % ENTRIES_PER_CALL == 0 && !progress(ENTRIES_PER_CALL) {
            return Err(stop());
        }
    }
    if !progress(s.count % ENTRIES_PER_CALL) {
        return Err(stop());
    }
    Ok(s)
}

/// authorityKeyIdentifier, cRLNumber and deltaCRLIndicator (RFC 5280 §5.2.1, §5.2.3, §5.2.4).
#[allow(clippy::type_complexity)]
fn numbers(x: &CertificateRevocationList) -> (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>) {
    let mut aki = None;
    let mut number = None;
    for ext in x.tbs_cert_list.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            ParsedExtension::CRLNumber(n) => number = Some(strip_zeros(&n.to_bytes_be())),
            _ => {}
        }
    }
    let delta_base = x
        .tbs_cert_list
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == oid::DELTA_CRL_INDICATOR)
        .map(|e| match e.value {
            // The base CRL number, as an unsigned magnitude like `number`.
            [0x02, len, rest @ ..] if usize::from(*len) == rest.len() => strip_zeros(rest),
            other => other.to_vec(),
        });
    (aki, number, delta_base)
}

impl Crl {
    /// Parse one DER CRL (RFC 5280 §5.1).
    pub fn from_der(der: &[u8]) -> Result<Crl, PkiError> {
        Crl::read(der.to_vec(), &mut |_| true)
    }

    /// Parse one DER CRL (RFC 5280 §5.1), keeping `der` (not copied). Every entry is read
    /// once and `progress(n)` told of each `n` more read (4 096 at a time);
    /// when it answers false, the reading stops and the CRL is refused (a document's budget).
    pub fn read(
        mut der: Vec<u8>,
        progress: &mut dyn FnMut(usize) -> bool,
    ) -> Result<Crl, PkiError> {
        let bad = |w: String| PkiError::BadCrl(w);
        let layout = layout(&der).map_err(bad)?;
        der.truncate(layout.end);
        let (_, x) =
            CertificateRevocationList::from_der(&layout.header).map_err(|e| bad(format!("{e}")))?;
        let (signed, tbs) = SignedObject::parse_in_place(&der).map_err(bad)?;
        let (aki, number, delta_base) = numbers(&x);
        let issuer_cmp = comparable_name(x.issuer());
        let mut scope = CrlScope::read(&issuer_cmp, x.tbs_cert_list.extensions());
        let list = der.get(layout.entries.clone()).unwrap_or_default();
        let summary = read_entries(list, &mut scope, progress).map_err(bad)?;
        Ok(Crl {
            issuer: name_string(x.issuer()),
            issuer_raw: x.issuer().as_raw().to_vec(),
            issuer_cmp,
            aki,
            this_update: x.last_update().to_datetime(),
            next_update: x.next_update().map(|t| t.to_datetime()),
            entries: summary.count,
            entry_bytes: layout.entries,
            names_issuers: summary.names_issuers,
            delta_base,
            scope,
            signed,
            tbs,
            number_critical: x
                .tbs_cert_list
                .extensions()
                .iter()
                .any(|e| e.critical && e.oid.to_id_string() == oid::CRL_NUMBER),
            number,
            sha256: sha256(&der),
            index: OnceLock::new(),
            der,
        })
    }

    /// What the entries about `cert` (its issuer and serial) say: when the last one that
    /// revokes it says it was revoked, and whether one takes it off hold (removeFromCRL, RFC
    /// 5280 §5.3.1 reason 8, in a delta CRL).
    fn entries_about(&self, cert: &Cert) -> (Option<OffsetDateTime>, bool) {
        let (mut revoked, mut removed) = (None, false);
        if !self.names_issuers && cert.issuer_cmp != self.issuer_cmp {
            return (revoked, removed);
        }
        let list = self.der.get(self.entry_bytes.clone()).unwrap_or_default();
        let about = if self.names_issuers {
            self.indirect_entries_about(list, cert)
        } else {
            self.index
                .get_or_init(|| SerialIndex::of(list))
                .find(list, &cert.serial_key)
        };
        for raw in about {
            let Ok((_, r)) = RevokedCertificate::from_der(raw) else {
                continue;
            };
            if r.reason_code().is_some_and(|(_, c)| c.0 == 8) {
                removed = true;
            } else {
                revoked = Some(r.revocation_date.to_datetime());
            }
        }
        (revoked, removed)
    }

    /// The entries of an indirect CRL (§5.3.3) about `cert`, in order: an entry's
    /// certificateIssuer names the issuer of it and of the entries after it; before the first
    /// one, entries are the CRL issuer's. The whole list is walked.
    fn indirect_entries_about<'a>(&self, list: &'a [u8], cert: &Cert) -> Vec<&'a [u8]> {
        let mut out = Vec::new();
        let mut current: Option<String> = None;
        for entry in (RawEntries { rest: list }).map_while(Result::ok) {
            if entry.has_extensions {
                let named = RevokedCertificate::from_der(entry.raw)
                    .ok()
                    .and_then(|(_, r)| crl_scope::certificate_issuer(r.extensions()));
                if let Some(named) = named {
                    current = (named != self.issuer_cmp).then_some(named);
                }
            }
            let issuer = current.as_deref().unwrap_or(&self.issuer_cmp);
            if issuer == cert.issuer_cmp && int_key_of(entry.serial) == cert.serial_key {
                out.push(entry.raw);
            }
        }
        out
    }

    /// Whether this (delta) CRL takes `cert` off hold (removeFromCRL).
    pub(crate) fn removes(&self, cert: &Cert) -> bool {
        self.entries_about(cert).1
    }

    /// When this CRL lists `cert` as revoked (the entry for its issuer and serial).
    pub(crate) fn revocation_of(&self, cert: &Cert) -> Option<OffsetDateTime> {
        self.entries_about(cert).0
    }

    /// Whether it is a CRL a conforming issuer writes, as far as its use as proof goes: RFC
    /// 5280 §5.2.3, "conforming CRL issuers MUST include this extension in all CRLs" and mark
    /// it non-critical. One without cRLNumber, or with it critical, proves nothing (the
    /// certificate's status stays unknown): without a number, which CRL is newest is unknown.
    pub fn conforming(&self) -> bool {
        self.number.is_some() && !self.number_critical
    }

    /// Whether `issuer` may sign CRLs and its key verifies this CRL's signature. RFC 5280
    /// §6.3.3 (f): a CRL issuer whose certificate has a keyUsage extension must have cRLSign
    /// (§4.2.1.3); without the extension its key is unrestricted.
    /// The signature itself is verified once per key and CRL ([`super::sigcache`]); the
    /// keyUsage is looked at every time.
    pub fn signed_by(&self, issuer: &Cert) -> bool {
        let may_sign_crls = issuer.key_usage.is_none() || issuer.has_key_usage(KU_CRL_SIGN);
        if !may_sign_crls {
            return false;
        }
        let what = sigcache::Verified {
            issuer_spki: issuer.spki_sha256,
            object: self.sha256,
        };
        let tbs = self.der.get(self.tbs.clone()).unwrap_or_default();
        sigcache::verified(what, || self.signed.verify_over(tbs, &issuer.key)).is_ok()
    }
}

#[cfg(test)]
#[path = "crl_tests.rs"]
mod tests;
