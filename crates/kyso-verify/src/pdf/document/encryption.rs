//! Encrypted documents (ISO 32000-2 §7.6): the newest `/Encrypt` opened with the empty user
//! password, strings decrypted as objects are read, streams decrypted before they are decoded.

use super::Document;
use crate::pdf::crypt::{Crypt, CryptError, Method};
use crate::pdf::object::{dict_get, Dict, Indirect, Object};
use crate::pdf::{stream, PdfError};

/// Whether the document is encrypted (ISO 32000-2 §7.6) and whether kyso could read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encryption {
    None,
    /// Opened with the empty user password: strings and streams are read decrypted.
    Opened {
        method: Method,
    },
    /// Left encrypted: signatures are still checked, the objects' contents are not readable.
    Closed {
        method: Option<Method>,
        why: CryptError,
    },
}

impl Document<'_> {
    /// The newest trailer's `/Encrypt` (as readers use it), opened with the empty user
    /// password (§7.6.4). Its own object is never decrypted, nor are the chain's xref streams
    /// (§7.5.8.2) or the trailer's `/ID`. A newest trailer without `/Encrypt` leaves the file
    /// plain, as readers show it (an update that drops the encryption is refused later).
    pub(super) fn open_encryption(&mut self) {
        let Some(trailer) = self
            .revisions
            .last()
            .map(|r| &r.trailer)
            .filter(|t| dict_get(t, b"Encrypt").is_some())
        else {
            return;
        };
        self.encrypt_objects = self
            .revisions
            .iter()
            .filter_map(|r| dict_get(&r.trailer, b"Encrypt").and_then(Object::as_ref))
            .collect();
        let id0 = dict_get(trailer, b"ID")
            .and_then(Object::as_array)
            .and_then(|a| match a.first() {
                Some(Object::Str(b, _, _)) => Some(b.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let dict = match dict_get(trailer, b"Encrypt") {
            Some(Object::Dict(d)) => Some(d.clone()),
            Some(Object::Ref(n, _)) => match self.object(self.latest(), *n) {
                Ok(Some(Object::Dict(d))) => Some(d),
                _ => None,
            },
            _ => None,
        };
        let method = dict.as_ref().and_then(Crypt::declared);
        let opened = dict
            .ok_or(CryptError::Malformed(
                "/Encrypt is not a readable dictionary",
            ))
            .and_then(|d| Crypt::open(&d, &id0));
        match opened {
            Ok(c) => {
                self.encryption = Encryption::Opened { method: c.method() };
                if !c.encrypts_metadata() {
                    self.plain_metadata = self.catalog_metadata();
                }
                self.crypt = Some(c);
            }
            Err(why) => self.encryption = Encryption::Closed { method, why },
        }
    }

    /// The strings of an object read from the file, decrypted (§7.6.2). Not decrypted: the
    /// encryption dictionary, xref streams, and a signature dictionary's `/Contents`.
    pub(super) fn decrypt_strings(&self, ind: &mut Indirect) {
        let Some(c) = &self.crypt else { return };
        if self.encrypt_objects.contains(&(ind.num, ind.gen))
            || self.is_xref_stream_at(ind.span.start)
        {
            return;
        }
        fn walk(c: &Crypt, id: (u32, u16), o: &mut Object) {
            match o {
                Object::Str(b, _, _) => {
                    if let Some(plain) = c.string(id, b) {
                        *b = plain;
                    }
                }
                Object::Array(a) => a.iter_mut().for_each(|o| walk(c, id, o)),
                Object::Dict(d) | Object::Stream(d, _) => {
                    // §7.6.2: a signature dictionary's /Contents is not encrypted.
                    let signature = dict_get(d, b"ByteRange").is_some()
                        && matches!(
                            dict_get(d, b"Type").and_then(Object::as_name),
                            None | Some(b"Sig") | Some(b"DocTimeStamp")
                        );
                    for (k, v) in d.iter_mut() {
                        if !(signature && k == b"Contents") {
                            walk(c, id, v);
                        }
                    }
                }
                _ => {}
            }
        }
        walk(c, (ind.num, ind.gen), &mut ind.object);
    }

    /// The data of stream `id` (its dictionary `dict`, its raw bytes at `data`), decrypted and
    /// decoded under the document's budget.
    pub(crate) fn decode_stream(
        &self,
        id: (u32, u16),
        dict: &Dict,
        data: std::ops::Range<usize>,
    ) -> Result<Vec<u8>, PdfError> {
        self.decode_stream_within(id, dict, data, None)
    }

    /// [`Document::decode_stream`] producing at most `cap` bytes of validation data
    /// ([`stream::decode_within`]).
    pub(crate) fn decode_stream_within(
        &self,
        id: (u32, u16),
        dict: &Dict,
        data: std::ops::Range<usize>,
        cap: Option<u64>,
    ) -> Result<Vec<u8>, PdfError> {
        let raw = self.bytes.get(data).ok_or(PdfError::Syntax {
            offset: 0,
            what: "stream data inside the file".into(),
        })?;
        match &self.crypt {
            None => stream::decode_within(&self.meter, dict, raw, cap),
            Some(c) => {
                let exempt = self.plain_metadata.contains(&id.0);
                let plain = c
                    .stream(id, dict, raw, exempt)
                    .ok_or_else(|| PdfError::Syntax {
                        offset: 0,
                        what: format!("encrypted data of stream {} (it does not decrypt)", id.0),
                    })?;
                stream::decode_within(&self.meter, dict, &plain, cap)
            }
        }
    }
}
