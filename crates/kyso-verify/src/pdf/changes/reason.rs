//! Why a change after a signature is not allowed: one variant per rule that refuses it, with
//! the objects, fields and keys concerned as data. Its text is the sentence the report shows
//! (after "the document was changed after this signature: ").

use crate::pdf::{PdfError, Repair};
use std::collections::BTreeSet;
use std::fmt;

/// One reason a change made after a signature is not allowed (ISO 32000-2 §12.8.2), or one of
/// the notes that close a list of reasons. Revisions are counted from 0, oldest first; the
/// text counts them from 1.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChangeReason {
    /// Bytes after the last `%%EOF` that no revision accounts for.
    #[error("{bytes} bytes after the last %%EOF do not belong to any revision (an update without an xref, or data hidden after the end of the file)")]
    TrailingData {
        /// How many bytes.
        bytes: usize,
    },
    /// A later trailer's `/Root` names another catalog than the signed revision's.
    #[error("revision {} points the trailer's /Root to another catalog: a new document hidden behind the signed one", .revision + 1)]
    NewRoot {
        /// The revision whose trailer does.
        revision: usize,
    },
    /// A later trailer encrypts a document signed unencrypted (ISO 32000-2 §7.6.1).
    #[error("revision {} adds encryption after signing", .revision + 1)]
    EncryptionAdded {
        /// The revision whose trailer does.
        revision: usize,
    },
    /// A later trailer drops the signed document's encryption.
    #[error("revision {} removes the encryption after signing", .revision + 1)]
    EncryptionRemoved {
        /// The revision whose trailer does.
        revision: usize,
    },
    /// A later trailer names another encryption dictionary, or the dictionary was rewritten.
    #[error("revision {} changes the document's encryption after signing", .revision + 1)]
    EncryptionChanged {
        /// The revision that does.
        revision: usize,
    },
    /// A later trailer changes the first `/ID` string, from which the key is derived
    /// (ISO 32000-2 §7.6.4.3.2).
    #[error("revision {} changes the file identifier the encryption key is derived from", .revision + 1)]
    FileIdChanged {
        /// The revision whose trailer does.
        revision: usize,
    },
    /// An object of the signed revision that changed later cannot be read in the signed
    /// revision.
    #[error("object {object} of the signed revision cannot be read: {error}")]
    SignedObjectUnreadable {
        /// The object number.
        object: u32,
        /// Why it cannot be read.
        error: PdfError,
    },
    /// An object written after signing cannot be read.
    #[error("object {object} written after signing cannot be read: {error}")]
    NewObjectUnreadable {
        /// The object number.
        object: u32,
        /// Why it cannot be read.
        error: PdfError,
    },
    /// An object of the signed revision was freed (or no longer resolves) later.
    #[error("object {object} was deleted after signing")]
    Deleted {
        /// The object number.
        object: u32,
    },
    /// Keys of a dictionary changed that no rule allows to change.
    #[error("object {object} ({kind}) was changed after signing: {keys}")]
    KeysChanged {
        /// The object number.
        object: u32,
        /// What the object is: `/Type` written as a name (`/Catalog`), or `dictionary`.
        kind: String,
        /// The keys added, removed or changed.
        keys: Keys,
    },
    /// An object was replaced by one of another kind (a dictionary by an array, say).
    #[error("object {object} ({kind}) was replaced after signing")]
    Replaced {
        /// The object number.
        object: u32,
        /// What the object was.
        kind: String,
    },
    /// A stream's dictionary or data changed.
    #[error("object {object} ({kind}) is a stream whose content was changed after signing")]
    StreamChanged {
        /// The object number.
        object: u32,
        /// What the object is.
        kind: String,
    },
    /// The catalog lost its `/AcroForm`.
    #[error("object {catalog} (/Catalog): /AcroForm was removed after signing")]
    AcroFormRemoved {
        /// The catalog's object number.
        catalog: u32,
    },
    /// The certification (`/Perms /DocMDP`, ISO 32000-2 §12.8.4) was added, removed or changed.
    #[error(
        "object {catalog} (/Catalog): the certification (/Perms /DocMDP) was changed after signing"
    )]
    CertificationChanged {
        /// The catalog's object number.
        catalog: u32,
    },
    /// A page lost annotations.
    #[error("object {page} (/Page): annotations were removed after signing")]
    AnnotationsRemoved {
        /// The page's object number.
        page: u32,
    },
    /// A visible signature or timestamp widget after a certification with P=1.
    #[error("the signature widget {widget} added after a certification that allows no change (DocMDP P=1) is visible: only an invisible document timestamp may follow it")]
    DrawnWithoutPermission {
        /// The widget's object number.
        widget: u32,
    },
    /// An empty signature field given a value that is not a new signature of its own.
    #[error("signature field {name} (object {object}) was given a value after signing that is not a new signature of its own")]
    NotASignature {
        /// The field's fully qualified name.
        name: String,
        /// Its object number.
        object: u32,
    },
    /// A visible signature widget that is not its field's only widget.
    #[error("the visible signature widget {widget} added after signing is not its field's only widget (its /Parent does not list it alone)")]
    WidgetNotOfItsField {
        /// The widget's object number.
        widget: u32,
    },
    /// A new object under a number the signed revision already referred to.
    #[error("object {object} was written after signing under a number the signed document already referred to (a reference to nothing then, to this now)")]
    DanglingReferenceFilled {
        /// The object number.
        object: u32,
    },
    /// An `N G obj` header in bytes written after signing that no xref section lists.
    #[error("the bytes written after signing hold an object at byte {offset} that no xref section lists: readers that rebuild the xref would show it")]
    HiddenObject {
        /// Where its header starts in the file.
        offset: usize,
    },
    /// An object's generation number changed after signing while the signed document still
    /// names it under the old one.
    #[error("object {object} was written under another generation number after signing: readers look it up as another object")]
    GenerationChanged {
        /// The object number.
        object: u32,
    },
    /// A later trailer without `/Root`.
    #[error("revision {} has a trailer without /Root: readers rebuild the xref from whatever objects they find", .revision + 1)]
    TrailerWithoutRoot {
        /// The revision whose trailer does.
        revision: usize,
    },
    /// A reference written after signing names another generation than its target's, or an
    /// object the xref does not have.
    #[error("object {object}, written after signing, refers to object {target} under another generation than the xref gives it, or to none: readers would rebuild the xref to find it")]
    ReferenceGenerationMismatch {
        /// The object holding the reference.
        object: u32,
        /// The object it names.
        target: u32,
    },
    /// `/NeedAppearances` turned on after signing (ISO 32000-2 §12.7.3, Table 224).
    #[error("object {form} (/AcroForm): /NeedAppearances was turned on after signing, so viewers draw every field again from its value instead of as it was signed")]
    AppearancesRegenerated {
        /// The form's object number (or the catalog's, for a form written in it).
        form: u32,
    },
    /// An indirect array that is neither a page's `/Annots` nor a form's `/Fields` or a field's
    /// `/Kids` (a page's `/Contents`, say) changed.
    #[error("object {array} (array) was changed after signing; only a page's annotations and a form's fields may grow")]
    ArrayChanged {
        /// The array's object number.
        array: u32,
    },
    /// An indirect array (`/Annots`, `/Fields`) lost or replaced entries.
    #[error("object {array} (array) was changed after signing: entries removed or replaced")]
    ArrayEntriesRemoved {
        /// The array's object number.
        array: u32,
    },
    /// An indirect array gained an entry that is neither a signature field nor an annotation.
    #[error("object {array} (array): entry {entry} added after signing is neither a signature field nor an allowed annotation")]
    ArrayEntryAdded {
        /// The array's object number.
        array: u32,
        /// The object number of the new entry.
        entry: u32,
    },
    /// A new annotation cannot be read.
    #[error("annotation {annotation} added after signing cannot be read")]
    AnnotationUnreadable {
        /// The annotation's object number.
        annotation: u32,
    },
    /// A new visible signature widget whose field holds no signature: its appearance can paint
    /// over signed content (the Sneaky Signature attack).
    #[error("a visible signature field {widget} without a signature was added after signing: its appearance can paint over signed content")]
    UnsignedVisibleSignature {
        /// The widget's object number.
        widget: u32,
    },
    /// A new visible signature widget larger than a quarter of its page.
    #[error("the visible signature {widget} added after signing covers more than a quarter of the page: it can paint over signed content")]
    LargeSignatureWidget {
        /// The widget's object number.
        widget: u32,
    },
    /// A new annotation other than a signature widget, or than a sticky note where DocMDP P=3
    /// allows one (the Evil Annotation attack).
    #[error("annotation {annotation} (/{subtype}) added after signing is not a signature field; it can draw over signed content{}", annotations_hint(.annotations_allowed))]
    AnnotationAdded {
        /// The annotation's object number.
        annotation: u32,
        /// Its `/Subtype`.
        subtype: String,
        /// Whether the certification allows annotations (DocMDP P=3).
        annotations_allowed: bool,
    },
    /// `/AcroForm /Fields` lost fields.
    #[error("object {form} (/AcroForm): form fields were removed after signing")]
    FieldsRemoved {
        /// The object number of the dictionary that holds the form (the catalog or the form).
        form: u32,
    },
    /// `/AcroForm /Fields` gained a field that is not a signature field.
    #[error(
        "object {form} (/AcroForm): field {field} added after signing is not a signature field"
    )]
    FieldAdded {
        /// The object number of the dictionary that holds the form.
        form: u32,
        /// The new field's object number.
        field: u32,
    },
    /// A signature field changed beyond its value and appearance.
    #[error("signature field {name} (object {object}) was changed after signing: {keys}")]
    SignatureFieldChanged {
        /// The field's fully qualified name.
        name: String,
        /// Its object number.
        object: u32,
        /// The keys changed beyond those signing sets.
        keys: Keys,
    },
    /// A signature field that already held a signature got another value.
    #[error("signature field {name} (object {object}) was already signed and got a new value after signing")]
    SignatureReplaced {
        /// The field's fully qualified name.
        name: String,
        /// Its object number.
        object: u32,
    },
    /// A form field was filled in under DocMDP P=1 (ISO 32000-2 §12.8.2.2).
    #[error("form field {name} (object {object}) was filled in although the certification allows no change")]
    FilledWithoutPermission {
        /// The field's fully qualified name.
        name: String,
        /// Its object number.
        object: u32,
    },
    /// A form field locked by a FieldMDP transform was changed (ISO 32000-2 §12.8.2.4).
    #[error(
        "form field {name} (object {object}) is locked by a signature (FieldMDP) but was changed"
    )]
    FieldLocked {
        /// The field's fully qualified name.
        name: String,
        /// Its object number.
        object: u32,
    },
    /// A form field changed beyond its value and appearance.
    #[error(
        "form field {name} (object {object}) was changed after signing beyond its value: {keys}"
    )]
    FieldChangedBeyondValue {
        /// The field's fully qualified name.
        name: String,
        /// Its object number.
        object: u32,
        /// The keys changed beyond the value's.
        keys: Keys,
    },
    /// A field's appearance redrawn after signing while its value stayed as signed: what it
    /// shows may not be what was signed (the shadow attack "replace": the value was already
    /// the attacker's text when signed, hidden behind another appearance).
    #[error("form field {name} (object {object}) got a new appearance after signing without a new value: what it shows may not be what was signed (shadow attack \"replace\")")]
    AppearanceWithoutValue {
        /// The field's fully qualified name.
        name: String,
        /// Its object number.
        object: u32,
    },
    /// A signature other than a document timestamp after a certification with DocMDP P=1.
    #[error("signature field {field} was signed after a certification that allows no change (DocMDP P=1); only document timestamps may follow it")]
    SignedWithoutPermission {
        /// The field's object number.
        field: u32,
    },
    /// The reader repaired bytes written after the signature (ISO 32000-2 §7.5).
    #[error("the update after signing is damaged ({repair}); readers that repair it may show content that was not signed")]
    DamagedUpdate {
        /// What was repaired.
        repair: Repair,
    },
    /// Enough reasons were found, or a budget was spent: the rest was not judged.
    #[error("further changes were not examined")]
    NotExamined,
    /// The reasons left out of a list kept short.
    #[error("and {count} more")]
    More {
        /// How many.
        count: usize,
    },
}

/// Dictionary keys, written `/A, /B` in key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys(pub BTreeSet<Vec<u8>>);

impl fmt::Display for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: Vec<String> = self
            .0
            .iter()
            .map(|k| format!("/{}", String::from_utf8_lossy(k)))
            .collect();
        f.write_str(&text.join(", "))
    }
}

/// What [`ChangeReason::AnnotationAdded`] adds when the certification allows no annotation.
fn annotations_hint(annotations_allowed: &bool) -> &'static str {
    if *annotations_allowed {
        ""
    } else {
        " (annotations need a certification with DocMDP P=3, and then only sticky notes)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(k: &[&str]) -> Keys {
        Keys(k.iter().map(|k| k.as_bytes().to_vec()).collect())
    }

    /// Each reason reads as the sentence the report has always shown for it.
    #[test]
    fn reasons_read_as_before() {
        let error = PdfError::Unsupported("x".into());
        let cases: Vec<(ChangeReason, &str)> = vec![
            (ChangeReason::TrailingData { bytes: 7 }, "7 bytes after the last %%EOF do not belong to any revision (an update without an xref, or data hidden after the end of the file)"),
            (ChangeReason::NewRoot { revision: 1 }, "revision 2 points the trailer's /Root to another catalog: a new document hidden behind the signed one"),
            (ChangeReason::EncryptionAdded { revision: 2 }, "revision 3 adds encryption after signing"),
            (ChangeReason::EncryptionRemoved { revision: 2 }, "revision 3 removes the encryption after signing"),
            (ChangeReason::EncryptionChanged { revision: 2 }, "revision 3 changes the document's encryption after signing"),
            (ChangeReason::FileIdChanged { revision: 0 }, "revision 1 changes the file identifier the encryption key is derived from"),
            (ChangeReason::SignedObjectUnreadable { object: 4, error: error.clone() }, "object 4 of the signed revision cannot be read: unsupported PDF feature: x"),
            (ChangeReason::NewObjectUnreadable { object: 4, error }, "object 4 written after signing cannot be read: unsupported PDF feature: x"),
            (ChangeReason::Deleted { object: 5 }, "object 5 was deleted after signing"),
            (ChangeReason::KeysChanged { object: 6, kind: "/Catalog".into(), keys: keys(&["OpenAction", "AA"]) }, "object 6 (/Catalog) was changed after signing: /AA, /OpenAction"),
            (ChangeReason::Replaced { object: 6, kind: "dictionary".into() }, "object 6 (dictionary) was replaced after signing"),
            (ChangeReason::StreamChanged { object: 6, kind: "stream".into() }, "object 6 (stream) is a stream whose content was changed after signing"),
            (ChangeReason::AcroFormRemoved { catalog: 1 }, "object 1 (/Catalog): /AcroForm was removed after signing"),
            (ChangeReason::CertificationChanged { catalog: 1 }, "object 1 (/Catalog): the certification (/Perms /DocMDP) was changed after signing"),
            (ChangeReason::AnnotationsRemoved { page: 3 }, "object 3 (/Page): annotations were removed after signing"),
            (ChangeReason::DrawnWithoutPermission { widget: 21 }, "the signature widget 21 added after a certification that allows no change (DocMDP P=1) is visible: only an invisible document timestamp may follow it"),
            (ChangeReason::NotASignature { name: "n".into(), object: 12 }, "signature field n (object 12) was given a value after signing that is not a new signature of its own"),
            (ChangeReason::WidgetNotOfItsField { widget: 21 }, "the visible signature widget 21 added after signing is not its field's only widget (its /Parent does not list it alone)"),
            (ChangeReason::DanglingReferenceFilled { object: 40 }, "object 40 was written after signing under a number the signed document already referred to (a reference to nothing then, to this now)"),
            (ChangeReason::HiddenObject { offset: 900 }, "the bytes written after signing hold an object at byte 900 that no xref section lists: readers that rebuild the xref would show it"),
            (ChangeReason::GenerationChanged { object: 8 }, "object 8 was written under another generation number after signing: readers look it up as another object"),
            (ChangeReason::TrailerWithoutRoot { revision: 2 }, "revision 3 has a trailer without /Root: readers rebuild the xref from whatever objects they find"),
            (ChangeReason::ReferenceGenerationMismatch { object: 1, target: 41 }, "object 1, written after signing, refers to object 41 under another generation than the xref gives it, or to none: readers would rebuild the xref to find it"),
            (ChangeReason::AppearancesRegenerated { form: 8 }, "object 8 (/AcroForm): /NeedAppearances was turned on after signing, so viewers draw every field again from its value instead of as it was signed"),
            (ChangeReason::ArrayChanged { array: 8 }, "object 8 (array) was changed after signing; only a page's annotations and a form's fields may grow"),
            (ChangeReason::ArrayEntriesRemoved { array: 8 }, "object 8 (array) was changed after signing: entries removed or replaced"),
            (ChangeReason::ArrayEntryAdded { array: 8, entry: 9 }, "object 8 (array): entry 9 added after signing is neither a signature field nor an allowed annotation"),
            (ChangeReason::AnnotationUnreadable { annotation: 9 }, "annotation 9 added after signing cannot be read"),
            (ChangeReason::UnsignedVisibleSignature { widget: 9 }, "a visible signature field 9 without a signature was added after signing: its appearance can paint over signed content"),
            (ChangeReason::LargeSignatureWidget { widget: 9 }, "the visible signature 9 added after signing covers more than a quarter of the page: it can paint over signed content"),
            (ChangeReason::AnnotationAdded { annotation: 9, subtype: "FreeText".into(), annotations_allowed: true }, "annotation 9 (/FreeText) added after signing is not a signature field; it can draw over signed content"),
            (ChangeReason::AnnotationAdded { annotation: 9, subtype: "Text".into(), annotations_allowed: false }, "annotation 9 (/Text) added after signing is not a signature field; it can draw over signed content (annotations need a certification with DocMDP P=3, and then only sticky notes)"),
            (ChangeReason::FieldsRemoved { form: 2 }, "object 2 (/AcroForm): form fields were removed after signing"),
            (ChangeReason::FieldAdded { form: 2, field: 10 }, "object 2 (/AcroForm): field 10 added after signing is not a signature field"),
            (ChangeReason::SignatureFieldChanged { name: "a.b".into(), object: 11, keys: keys(&["Rect"]) }, "signature field a.b (object 11) was changed after signing: /Rect"),
            (ChangeReason::SignatureReplaced { name: "a.b".into(), object: 11 }, "signature field a.b (object 11) was already signed and got a new value after signing"),
            (ChangeReason::FilledWithoutPermission { name: "n".into(), object: 12 }, "form field n (object 12) was filled in although the certification allows no change"),
            (ChangeReason::FieldLocked { name: "n".into(), object: 12 }, "form field n (object 12) is locked by a signature (FieldMDP) but was changed"),
            (ChangeReason::FieldChangedBeyondValue { name: "n".into(), object: 12, keys: keys(&["Rect", "FT"]) }, "form field n (object 12) was changed after signing beyond its value: /FT, /Rect"),
            (ChangeReason::AppearanceWithoutValue { name: "n".into(), object: 12 }, "form field n (object 12) got a new appearance after signing without a new value: what it shows may not be what was signed (shadow attack \"replace\")"),
            (ChangeReason::SignedWithoutPermission { field: 13 }, "signature field 13 was signed after a certification that allows no change (DocMDP P=1); only document timestamps may follow it"),
            (ChangeReason::DamagedUpdate { repair: Repair::StreamLength { offset: 100 } }, "the update after signing is damaged (the stream of the object at byte 100 is not as long as its /Length says; its data ends at endstream); readers that repair it may show content that was not signed"),
            (ChangeReason::NotExamined, "further changes were not examined"),
            (ChangeReason::More { count: 3 }, "and 3 more"),
        ];
        for (reason, text) in cases {
            assert_eq!(reason.to_string(), text);
        }
    }
}
