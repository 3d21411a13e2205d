//! The digests a verification needs of the file's bytes: the SHA-256 of the whole document (for
//! the report) and the digest of each signature's signed byte ranges (ISO 32000-2 §12.8.1), each
//! computed once.
//!
//! On a large file hashing is most of the cost, so it starts on the other core before the file
//! is parsed: the last `/ByteRange` near the end of the file is read as a guess of the newest
//! signature's range, and one SHA-256 pass over the bytes before its `/Contents` serves both the
//! document digest and that range's digest (the range's first piece is a prefix of the file).
//! The guess decides nothing: a digest is used only for the exact range the checks ask for,
//! after they have checked it, and any other range is hashed when asked.

use crate::pdf;
use crate::pki::crypto::DigestAlg;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::thread::{Scope, ScopedJoinHandle};

/// Below this size a thread costs more than it saves.
const AHEAD_FROM: usize = 1 << 20;
/// How far from the end of the file the newest `/ByteRange` is looked for first (where an
/// incremental signature puts it), before the whole file (a file signed as it was written).
const GUESS_WINDOW: usize = 1 << 20;

/// A byte range `[0, gap_start) + [gap_end, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Span {
    gap_start: usize,
    gap_end: usize,
    end: usize,
}

impl Span {
    fn of(r: &pdf::SignedRange) -> Span {
        Span {
            gap_start: r.gap.start,
            gap_end: r.gap.end,
            end: r.end,
        }
    }
}

/// What the other core hashed.
struct Ahead {
    document: Option<[u8; 32]>,
    range: Option<(Span, Vec<u8>)>,
}

/// The digests of one verification.
pub(super) struct DigestCache<'scope> {
    done: HashMap<(DigestAlg, Span), Vec<u8>>,
    document: Option<[u8; 32]>,
    /// Whether the document's digest is wanted (the caller does not have it).
    want_document: bool,
    ahead: Option<(Option<Span>, Vec<ScopedJoinHandle<'scope, Ahead>>)>,
}

/// What the checks ask of the digests (a trait, so the checks need not name the thread
/// scope's lifetime).
pub(super) trait Digests {
    /// The digest of the range's signed bytes with `alg`.
    fn get(&mut self, alg: DigestAlg, bytes: &[u8], r: &pdf::SignedRange) -> Vec<u8>;
}

impl<'scope> DigestCache<'scope> {
    /// Start hashing `bytes` on another thread of `scope` if the file is large: the document
    /// digest unless the caller has it (`document_known`), and the guessed newest range.
    pub(super) fn start<'env>(
        scope: &'scope Scope<'scope, 'env>,
        bytes: &'env [u8],
        document_known: bool,
    ) -> DigestCache<'scope> {
        let mut cache = DigestCache {
            done: HashMap::new(),
            document: None,
            want_document: !document_known,
            ahead: None,
        };
        if bytes.len() >= AHEAD_FROM {
            let guess = guess_newest_range(bytes);
            let want_document = !document_known;
            // One thread, not one per digest: with two cores a third thread would slow the
            // parse on this one (measured: 30 ms became 35 ms on the 60,000-object file).
            let handles = if guess.is_some() || want_document {
                vec![scope.spawn(move || hash_ahead(bytes, want_document, guess))]
            } else {
                Vec::new()
            };
            cache.ahead = (!handles.is_empty()).then_some((guess, handles));
        }
        cache
    }

    /// Wait for the other thread and keep what it hashed.
    fn join(&mut self) {
        for handle in self.ahead.take().map(|(_, h)| h).unwrap_or_default() {
            // Hashing cannot fail short of a panic; then everything is hashed when asked.
            if let Ok(a) = handle.join() {
                if a.document.is_some() {
                    self.document = a.document;
                }
                if let Some((span, d)) = a.range {
                    self.done.insert((DigestAlg::Sha256, span), d);
                }
            }
        }
    }

    /// The SHA-256 of the whole document.
    pub(super) fn document_sha256(&mut self, bytes: &[u8]) -> [u8; 32] {
        self.join();
        *self
            .document
            .get_or_insert_with(|| crate::pki::crypto::sha256(bytes))
    }
}

impl Digests for DigestCache<'_> {
    fn get(&mut self, alg: DigestAlg, bytes: &[u8], r: &pdf::SignedRange) -> Vec<u8> {
        let span = Span::of(r);
        if alg == DigestAlg::Sha256 && self.ahead.as_ref().is_some_and(|(g, _)| *g == Some(span)) {
            self.join();
        }
        // A small file: the first SHA-256 range asked for shares its first piece with the
        // document, so one pass over that prefix serves both digests.
        let shared = alg == DigestAlg::Sha256
            && self.want_document
            && self.document.is_none()
            && self.ahead.is_none()
            && span.gap_start <= span.gap_end
            && span.end <= bytes.len();
        if shared && !self.done.contains_key(&(alg, span)) {
            let a = hash_ahead(bytes, true, Some(span));
            self.document = a.document;
            self.done.extend(a.range.map(|(s, d)| ((alg, s), d)));
        }
        self.done
            .entry((alg, span))
            .or_insert_with(|| alg.hash(&r.pieces(bytes)))
            .clone()
    }
}

/// One pass over the prefix the document and the guessed range share, then each one's rest.
fn hash_ahead(bytes: &[u8], want_document: bool, guess: Option<Span>) -> Ahead {
    let Some(g) = guess else {
        return Ahead {
            document: want_document.then(|| Sha256::digest(bytes).into()),
            range: None,
        };
    };
    let mut prefix = Sha256::new();
    prefix.update(&bytes[..g.gap_start]);
    let mut range = prefix.clone();
    range.update(&bytes[g.gap_end..g.end]);
    let document = want_document.then(|| {
        prefix.update(&bytes[g.gap_start..]);
        prefix.finalize().into()
    });
    Ahead {
        document,
        range: Some((g, range.finalize().to_vec())),
    }
}

/// The last `/ByteRange [0 a b c]` of the file, if its numbers describe a range inside the
/// file. Only a guess, judged by nothing but its use as a cache key.
fn guess_newest_range(bytes: &[u8]) -> Option<Span> {
    let from = bytes.len().saturating_sub(GUESS_WINDOW);
    let last = |from: usize| {
        memchr::memmem::find_iter(&bytes[from..], b"/ByteRange")
            .last()
            .map(|at| from + at)
    };
    let at = last(from).or_else(|| last(0))?;
    let mut rest = &bytes[at + b"/ByteRange".len()..];
    rest = rest.trim_ascii_start().strip_prefix(b"[")?;
    let mut numbers = [0usize; 4];
    for n in &mut numbers {
        rest = rest.trim_ascii_start();
        let digits = rest
            .iter()
            .take(20)
            .take_while(|b| b.is_ascii_digit())
            .count();
        *n = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
        rest = &rest[digits..];
    }
    let [start, gap_start, gap_end, tail_len] = numbers;
    let end = gap_end.checked_add(tail_len)?;
    (start == 0 && gap_start <= gap_end && end <= bytes.len()).then_some(Span {
        gap_start,
        gap_end,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(gap_start: usize, gap_end: usize, end: usize) -> pdf::SignedRange {
        pdf::SignedRange {
            gap: gap_start..gap_end,
            end,
            coverage: pdf::Coverage::EntireFile,
            revision: Some(0),
        }
    }

    /// A large file whose last /ByteRange is guessed: the digests computed ahead are the ones
    /// computed directly, for the guessed range and for another one.
    #[test]
    fn digests_computed_ahead_equal_direct_ones() {
        let mut bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let len = bytes.len();
        let (gs, ge) = (len - 5000, len - 1000);
        let dict = format!("/ByteRange [0 {gs} {ge} {}]", len - ge);
        bytes[len - 4000..len - 4000 + dict.len()].copy_from_slice(dict.as_bytes());
        assert_eq!(
            guess_newest_range(&bytes),
            Some(Span {
                gap_start: gs,
                gap_end: ge,
                end: len
            })
        );
        for known in [false, true] {
            std::thread::scope(|s| {
                let mut c = DigestCache::start(s, &bytes, known);
                let r = range(gs, ge, len);
                let direct = DigestAlg::Sha256.hash(&r.pieces(&bytes));
                assert_eq!(c.get(DigestAlg::Sha256, &bytes, &r), direct);
                let other = range(10, 20, 1000);
                assert_eq!(
                    c.get(DigestAlg::Sha256, &bytes, &other),
                    DigestAlg::Sha256.hash(&other.pieces(&bytes))
                );
                assert_eq!(
                    c.get(DigestAlg::Sha384, &bytes, &r),
                    DigestAlg::Sha384.hash(&r.pieces(&bytes))
                );
                assert_eq!(
                    c.document_sha256(&bytes),
                    crate::pki::crypto::sha256(&bytes)
                );
            });
        }
    }

    /// A small file: the range's digest and the document's, taken in one pass over their
    /// common prefix, are the ones computed directly; a second range is hashed alone.
    #[test]
    fn a_small_files_digests_share_their_prefix() {
        let bytes: Vec<u8> = (0..40_000u32).map(|i| (i % 253) as u8).collect();
        std::thread::scope(|s| {
            let mut c = DigestCache::start(s, &bytes, false);
            let r = range(30_000, 38_000, 40_000);
            let direct = DigestAlg::Sha256.hash(&r.pieces(&bytes));
            assert_eq!(c.get(DigestAlg::Sha256, &bytes, &r), direct);
            let other = range(100, 200, 30_000);
            assert_eq!(
                c.get(DigestAlg::Sha256, &bytes, &other),
                DigestAlg::Sha256.hash(&other.pieces(&bytes))
            );
            assert_eq!(
                c.document_sha256(&bytes),
                crate::pki::crypto::sha256(&bytes)
            );
        });
    }

    #[test]
    fn guesses_outside_the_file_are_dropped() {
        let mut bytes = vec![b' '; 2_000_000];
        let len = bytes.len();
        for bad in [
            format!("/ByteRange [0 10 20 {len}]"),
            "/ByteRange [1 10 20 30]".to_string(),
            "/ByteRange [0 30 20 30]".to_string(),
            "/ByteRange [0 10 20 99999999999999999999999]".to_string(),
            "/ByteRange 0 10 20 30".to_string(),
        ] {
            bytes[len - 100..len - 100 + bad.len()].copy_from_slice(bad.as_bytes());
            assert_eq!(guess_newest_range(&bytes), None, "{bad}");
            bytes[len - 100..].fill(b' ');
        }
    }
}
