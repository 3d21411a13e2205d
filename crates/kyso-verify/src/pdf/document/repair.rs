//! What the reader repaired to read a file, as conforming readers do (ISO 32000-2 §7.5: offsets,
//! stream lengths, duplicate entries, a missing `/Prev`).

/// Something the reader had to repair to read the file, as conforming readers do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// Bytes before `%PDF-`: offsets are counted from the header.
    HeaderOffset(usize),
    /// A section or object was found near, not at, its written offset; `listed_by` is where
    /// the revision whose entry needed it starts.
    Offset {
        /// The offset written in the file.
        written: usize,
        /// Where the object or section was found.
        found: usize,
        /// Where the revision that listed it starts.
        listed_by: usize,
    },
    /// A stream's `/Length` was wrong; its data ends at `endstream`.
    StreamLength {
        /// Where the stream's object starts.
        offset: usize,
    },
    /// Two entries for one object where readers disagree on which wins: listed twice in one
    /// section (the first is kept, as poppler, MuPDF, Ghostscript and qpdf do), or given
    /// differently by a hybrid file's table and its `/XRefStm` (the table's is kept).
    Ambiguous {
        /// Where the section starts.
        offset: usize,
        /// The object number.
        num: u32,
    },
    /// An update whose section (at `offset`) has no `/Prev`, though older revisions precede
    /// it: readers rebuild the xref from the whole file and still show the older objects.
    MissingPrev {
        /// Where the section starts.
        offset: usize,
    },
    /// A table entry not written as `offset generation n|f` with whitespace between: readers
    /// that tokenize it read something else and rebuild the xref.
    XrefEntry {
        /// Where the entry starts.
        offset: usize,
    },
    /// An object whose header carries another generation than its xref entry: readers find
    /// no such object and rebuild the xref.
    Generation {
        /// Where the object starts.
        offset: usize,
        /// The object number.
        num: u32,
    },
    /// A section whose `/Prev` names a section already read (a loop) or the file's start
    /// (`/Prev 0`): the chain ends there, as pdfsig's reader ends it.
    PrevLoop {
        /// Where the section with that `/Prev` starts.
        offset: usize,
    },
}

impl Repair {
    /// Where in the file the repaired structure is: a repair after a signed revision's end
    /// concerns bytes nobody signed, where readers may show something else.
    pub fn position(&self) -> usize {
        match self {
            Repair::HeaderOffset(_) => 0,
            Repair::Offset {
                written,
                found,
                listed_by,
            } => (*written).max(*found).max(*listed_by),
            Repair::StreamLength { offset }
            | Repair::Ambiguous { offset, .. }
            | Repair::MissingPrev { offset }
            | Repair::PrevLoop { offset }
            | Repair::XrefEntry { offset }
            | Repair::Generation { offset, .. } => *offset,
        }
    }
}

impl std::fmt::Display for Repair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Repair::HeaderOffset(n) => write!(f, "{n} bytes come before the %PDF- header; offsets were counted from the header"),
            Repair::Offset { written, found, .. } => write!(f, "the cross-reference table gives offset {written}, but the object or section starts at {found}"),
            Repair::StreamLength { offset } => write!(f, "the stream of the object at byte {offset} is not as long as its /Length says; its data ends at endstream"),
            Repair::Ambiguous { offset, num } => write!(f, "the cross-reference section at byte {offset} gives object {num} twice (table and /XRefStm, or one section); readers differ on which they show"),
            Repair::MissingPrev { offset } => write!(f, "the cross-reference section at byte {offset} has no /Prev although revisions precede it; readers rebuild the cross-reference from the whole file"),
            Repair::XrefEntry { offset } => write!(f, "the cross-reference entry at byte {offset} is not written as offset, generation and type apart; readers read it otherwise and rebuild the cross-reference"),
            Repair::Generation { offset, num } => write!(f, "object {num} at byte {offset} carries another generation than its cross-reference entry; readers do not find it and rebuild the cross-reference"),
            Repair::PrevLoop { offset } => write!(f, "the /Prev of the cross-reference section at byte {offset} names a section already read or the start of the file; the chain of revisions ends there"),
        }
    }
}
