//! Reading an encrypted document: the standard security handler (ISO 32000-2 §7.6.4) opened with
//! the empty user password, and the crypt filters it names (§7.6.5, RC4 and AES).
//!
//! A signature never needs this: the byte ranges and the CMS in `/Contents` are not encrypted
//! (§7.6.2). The modification analysis does: without it, objects inside object streams cannot
//! be read and strings (field names, dates) are ciphertext, and AES writes a new IV each time an
//! object is saved, so an unchanged string would look changed. Many offices' files are
//! encrypted only to restrict printing or copying ("permission-only", empty user password);
//! those are read in full. A document that needs a user password is left encrypted and the
//! verifier says what it could not check.

use super::object::{dict_get, Dict, Object};
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use md5::{Digest, Md5};
use sha2::{Sha256, Sha384, Sha512};

/// The padding string of §7.6.4.3.2, Algorithm 2, step a.
const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
    0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

/// How strings or streams are encrypted (§7.6.5, the crypt filter's /CFM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `/Identity` or `/None`: not encrypted.
    Identity,
    Rc4,
    Aes128,
    Aes256,
}

/// Why an encrypted document could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptError {
    #[error("it is encrypted with a user password (opening it needs the password)")]
    NeedsPassword,
    #[error("its encryption is not the standard security handler kyso reads: {0}")]
    Unsupported(String),
    #[error("its encryption dictionary is malformed: {0}")]
    Malformed(&'static str),
}

/// The key and methods of an opened document.
#[derive(Debug, Clone)]
pub struct Crypt {
    key: Vec<u8>,
    strings: Method,
    streams: Method,
    encrypt_metadata: bool,
    /// The crypt filters `/CF` defines, by name (for a stream's own `/Crypt` filter).
    named: Vec<(Vec<u8>, Method)>,
}

impl Crypt {
    /// Open the standard security handler with the empty user password. `id0` is the first
    /// string of the trailer's /ID.
    pub fn open(enc: &Dict, id0: &[u8]) -> Result<Crypt, CryptError> {
        let name = |k: &[u8]| dict_get(enc, k).and_then(Object::as_name);
        let int = |k: &[u8]| dict_get(enc, k).and_then(Object::as_int);
        let bytes = |k: &'static [u8]| match dict_get(enc, k) {
            Some(Object::Str(b, _, _)) => Ok(b.as_slice()),
            _ => Err(CryptError::Malformed("missing /O, /U, /OE or /UE string")),
        };
        if name(b"Filter") != Some(b"Standard") {
            let f = name(b"Filter")
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            return Err(CryptError::Unsupported(format!("/Filter /{f}")));
        }
        let v = int(b"V").unwrap_or(0);
        let r = int(b"R").ok_or(CryptError::Malformed("no /R"))?;
        let encrypt_metadata =
            !matches!(dict_get(enc, b"EncryptMetadata"), Some(Object::Bool(false)));
        let (strings, streams) = match v {
            1 | 2 => (Method::Rc4, Method::Rc4),
            4 | 5 => (crypt_filter(enc, b"StrF")?, crypt_filter(enc, b"StmF")?),
            other => return Err(CryptError::Unsupported(format!("/V {other}"))),
        };
        let key = match r {
            2..=4 => {
                let len = match v {
                    1 => 5,
                    4 => 16,
                    _ => (int(b"Length").unwrap_or(40) / 8).clamp(5, 16) as usize,
                };
                let p = int(b"P").ok_or(CryptError::Malformed("no /P"))? as i32;
                let key = file_key_md5(r, len, bytes(b"O")?, p, id0, encrypt_metadata);
                if !user_password_ok(r, &key, bytes(b"U")?, id0) {
                    return Err(CryptError::NeedsPassword);
                }
                key
            }
            5 | 6 => file_key_aes256(r, bytes(b"U")?, bytes(b"UE")?)?,
            other => return Err(CryptError::Unsupported(format!("/R {other}"))),
        };
        let named = dict_get(enc, b"CF")
            .and_then(Object::as_dict)
            .map(|cf| {
                cf.iter()
                    .filter_map(|(name, _)| Some((name.clone(), named_filter(cf, name).ok()?)))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Crypt {
            key,
            strings,
            streams,
            encrypt_metadata,
            named,
        })
    }

    /// The method in use (streams', or strings' when streams are plain), for the report.
    pub fn method(&self) -> Method {
        if self.streams == Method::Identity {
            self.strings
        } else {
            self.streams
        }
    }

    /// The method an encryption dictionary names, whether or not it can be opened.
    pub fn declared(enc: &Dict) -> Option<Method> {
        if dict_get(enc, b"Filter").and_then(Object::as_name) != Some(b"Standard") {
            return None;
        }
        match dict_get(enc, b"V").and_then(Object::as_int) {
            Some(1 | 2) => Some(Method::Rc4),
            Some(4 | 5) => match crypt_filter(enc, b"StmF").ok()? {
                Method::Identity => crypt_filter(enc, b"StrF").ok(),
                m => Some(m),
            },
            _ => None,
        }
    }

    /// A string of object `num gen` (§7.6.2).
    pub fn string(&self, id: (u32, u16), data: &[u8]) -> Option<Vec<u8>> {
        self.decrypt(self.strings, id, data)
    }

    /// Whether metadata streams are encrypted (`/EncryptMetadata`, default true).
    pub fn encrypts_metadata(&self) -> bool {
        self.encrypt_metadata
    }

    /// The raw data of stream `num gen` with dictionary `dict`, before its filters are applied.
    /// `plain_metadata`: the catalog's metadata stream under `/EncryptMetadata false`. A stream
    /// whose first filter is `/Crypt` (§7.4.10) names its crypt filter in `/DecodeParms /Name`
    /// (default `/Identity`), looked up in `/CF` like /StmF; one it cannot name is not read.
    pub fn stream(
        &self,
        id: (u32, u16),
        dict: &Dict,
        data: &[u8],
        plain_metadata: bool,
    ) -> Option<Vec<u8>> {
        if plain_metadata {
            return Some(data.to_vec());
        }
        let first_filter = match dict_get(dict, b"Filter") {
            Some(Object::Name(n)) => Some(n.as_slice()),
            Some(Object::Array(a)) => a.first().and_then(Object::as_name),
            _ => None,
        };
        if first_filter != Some(b"Crypt") {
            return self.decrypt(self.streams, id, data);
        }
        let parms = match dict_get(dict, b"DecodeParms") {
            Some(Object::Array(a)) => a.first().and_then(Object::as_dict),
            Some(o) => o.as_dict(),
            None => None,
        };
        let method = match parms
            .and_then(|p| dict_get(p, b"Name"))
            .and_then(Object::as_name)
        {
            None | Some(b"Identity") => Method::Identity,
            Some(name) => self.named.iter().find(|(n, _)| n == name)?.1,
        };
        self.decrypt(method, id, data)
    }

    fn decrypt(&self, method: Method, (num, gen): (u32, u16), data: &[u8]) -> Option<Vec<u8>> {
        match method {
            Method::Identity => Some(data.to_vec()),
            Method::Rc4 => Some(rc4(&self.object_key(num, gen, false), data)),
            Method::Aes128 => aes_cbc_decrypt(&self.object_key(num, gen, true), data),
            Method::Aes256 => aes_cbc_decrypt(&self.key, data),
        }
    }

    /// §7.6.3.1, Algorithm 1: the key of one object.
    fn object_key(&self, num: u32, gen: u16, aes: bool) -> Vec<u8> {
        let mut h = Md5::new();
        h.update(&self.key);
        h.update(&num.to_le_bytes()[..3]);
        h.update(gen.to_le_bytes());
        if aes {
            h.update(b"sAlT");
        }
        let d = h.finalize();
        d[..(self.key.len() + 5).min(16)].to_vec()
    }
}

/// A crypt filter named by /StrF or /StmF in /CF (§7.6.5, Table 25).
fn crypt_filter(enc: &Dict, which: &[u8]) -> Result<Method, CryptError> {
    let name = match dict_get(enc, which).and_then(Object::as_name) {
        None | Some(b"Identity") => return Ok(Method::Identity),
        Some(n) => n,
    };
    let cf = dict_get(enc, b"CF")
        .and_then(Object::as_dict)
        .ok_or(CryptError::Malformed(
            "a crypt filter named but not defined in /CF",
        ))?;
    named_filter(cf, name)
}

/// The method of crypt filter `name` in the `/CF` dictionary.
fn named_filter(cf: &Dict, name: &[u8]) -> Result<Method, CryptError> {
    let cf = dict_get(cf, name)
        .and_then(Object::as_dict)
        .ok_or(CryptError::Malformed(
            "a crypt filter named but not defined in /CF",
        ))?;
    match dict_get(cf, b"CFM").and_then(Object::as_name) {
        None | Some(b"None") => Ok(Method::Identity),
        Some(b"V2") => Ok(Method::Rc4),
        Some(b"AESV2") => Ok(Method::Aes128),
        Some(b"AESV3") => Ok(Method::Aes256),
        Some(other) => Err(CryptError::Unsupported(format!(
            "crypt filter method /{}",
            String::from_utf8_lossy(other)
        ))),
    }
}

/// §7.6.4.3.2, Algorithm 2 (revisions 2 to 4), with the empty password.
fn file_key_md5(r: i64, len: usize, o: &[u8], p: i32, id0: &[u8], meta: bool) -> Vec<u8> {
    let mut h = Md5::new();
    h.update(PAD);
    h.update(&o[..o.len().min(32)]);
    h.update(p.to_le_bytes());
    h.update(id0);
    if r >= 4 && !meta {
        h.update([0xFF; 4]);
    }
    let mut d = h.finalize().to_vec();
    if r >= 3 {
        for _ in 0..50 {
            d = Md5::digest(&d[..len]).to_vec();
        }
    }
    d.truncate(len);
    d
}

/// §7.6.4.4.2 and .3, Algorithms 4 and 5: the empty password is the user password when `/U`
/// is what it yields.
fn user_password_ok(r: i64, key: &[u8], u: &[u8], id0: &[u8]) -> bool {
    if r == 2 {
        return rc4(key, &PAD) == u;
    }
    let mut h = Md5::new();
    h.update(PAD);
    h.update(id0);
    let mut x = rc4(key, &h.finalize());
    for i in 1..=19u8 {
        let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
        x = rc4(&k, &x);
    }
    u.len() >= 16 && x[..] == u[..16]
}

/// §7.6.4.3.3, Algorithm 2.A (revisions 5 and 6), with the empty password: check it against
/// /U's validation salt, then unwrap /UE with the key from /U's key salt.
fn file_key_aes256(r: i64, u: &[u8], ue: &[u8]) -> Result<Vec<u8>, CryptError> {
    if u.len() < 48 || ue.len() < 32 {
        return Err(CryptError::Malformed("/U or /UE too short"));
    }
    if hash_2b(r, &u[32..40])[..] != u[..32] {
        return Err(CryptError::NeedsPassword);
    }
    let k = hash_2b(r, &u[40..48]);
    let cipher = aes::Aes256::new_from_slice(&k).map_err(|_| CryptError::Malformed("/UE key"))?;
    // No IV (zero) and no padding: plain CBC over two blocks.
    let mut prev = [0u8; 16];
    let mut key = Vec::with_capacity(32);
    for block in ue[..32].chunks_exact(16) {
        let mut b = block16(block);
        cipher.decrypt_block(&mut b);
        key.extend(b.iter().zip(prev).map(|(x, p)| x ^ p));
        prev.copy_from_slice(block);
    }
    Ok(key)
}

/// §7.6.4.3.4, Algorithm 2.B (revision 6; revision 5 used SHA-256 alone), for the empty
/// password and no user data.
fn hash_2b(r: i64, salt: &[u8]) -> [u8; 32] {
    let mut k: Vec<u8> = Sha256::digest(salt).to_vec();
    if r == 5 {
        return first32(&k);
    }
    let mut round: u32 = 0;
    loop {
        let k1: Vec<u8> = k.repeat(64);
        let e = aes128_cbc_encrypt(&k[..16], &k[16..32], &k1);
        let m = e[..16].iter().map(|&b| b as u32).sum::<u32>() % 3;
        k = match m {
            0 => Sha256::digest(&e).to_vec(),
            1 => Sha384::digest(&e).to_vec(),
            _ => Sha512::digest(&e).to_vec(),
        };
        round += 1;
        if round >= 64 && u32::from(*e.last().unwrap_or(&0)) <= round - 32 {
            return first32(&k);
        }
    }
}

/// One AES block from a 16-byte slice (shorter input is zero-padded; callers pass whole blocks).
fn block16(b: &[u8]) -> aes::Block {
    let mut out = aes::Block::default();
    let n = b.len().min(16);
    out[..n].copy_from_slice(&b[..n]);
    out
}

fn first32(k: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&k[..32]);
    out
}

fn aes128_cbc_encrypt(key: &[u8], iv: &[u8], data: &[u8]) -> Vec<u8> {
    let Ok(cipher) = aes::Aes128::new_from_slice(key) else {
        return Vec::new();
    };
    let mut prev = block16(iv);
    let mut out = Vec::with_capacity(data.len());
    for block in data.chunks_exact(16) {
        let mut b = block16(block);
        b.iter_mut().zip(prev.iter()).for_each(|(x, p)| *x ^= p);
        cipher.encrypt_block(&mut b);
        out.extend_from_slice(&b);
        prev = b;
    }
    out
}

/// AES-CBC with the IV in the first 16 bytes and PKCS#5 padding (§7.6.3.1, AESV2/AESV3). Data
/// that is not whole blocks or whose padding is wrong does not decrypt.
fn aes_cbc_decrypt(key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    if data.is_empty() {
        return Some(Vec::new());
    }
    if data.len() < 32 || data.len() % 16 != 0 {
        return None;
    }
    let (iv, body) = data.split_at(16);
    let mut out = Vec::with_capacity(body.len());
    let mut prev: &[u8] = iv;
    let step = |b: &mut aes::Block, key_len: usize| match key_len {
        16 => aes::Aes128::new_from_slice(key)
            .ok()
            .map(|c| c.decrypt_block(b)),
        _ => aes::Aes256::new_from_slice(key)
            .ok()
            .map(|c| c.decrypt_block(b)),
    };
    for block in body.chunks_exact(16) {
        let mut b = block16(block);
        step(&mut b, key.len())?;
        out.extend(b.iter().zip(prev).map(|(x, p)| x ^ p));
        prev = block;
    }
    let pad = *out.last()? as usize;
    if pad == 0 || pad > 16 || out[out.len() - pad..].iter().any(|&b| b as usize != pad) {
        return None;
    }
    out.truncate(out.len() - pad);
    Some(out)
}

/// RC4 (the "V2" crypt filter method).
fn rc4(key: &[u8], data: &[u8]) -> Vec<u8> {
    if key.is_empty() {
        return data.to_vec();
    }
    let mut s: [u8; 256] = std::array::from_fn(|i| i as u8);
    let mut j: u8 = 0;
    for i in 0..256 {
        j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
        s.swap(i, j as usize);
    }
    let (mut i, mut j) = (0u8, 0u8);
    data.iter()
        .map(|&b| {
            i = i.wrapping_add(1);
            j = j.wrapping_add(s[i as usize]);
            s.swap(i as usize, j as usize);
            b ^ s[s[i as usize].wrapping_add(s[j as usize]) as usize]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rc4_matches_the_published_test_vector() {
        // RFC 6229 is for keystreams; the classic "Key"/"Plaintext" vector from the original
        // posting is widely reproduced.
        assert_eq!(hex::encode(rc4(b"Key", b"Plaintext")), "bbf316e8d940af0ad3");
    }

    #[test]
    fn aes_padding_errors_do_not_decrypt() {
        assert_eq!(aes_cbc_decrypt(&[0u8; 16], &[0u8; 31]), None);
        assert_eq!(aes_cbc_decrypt(&[0u8; 16], &[0u8; 20]), None);
    }
}
