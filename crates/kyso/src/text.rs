//! Text that others wrote, made safe to show and to keep: characters that are invisible or
//! reorder what is shown (controls, bidirectional overrides and isolates such as U+202E, zero-
//! width characters, line and paragraph separators) are shown as `\u{…}`, so a certificate
//! subject or a file name cannot disguise itself; and a reason a person gives is one line of
//! bounded length.

/// Whether `c` is invisible or changes how the text around it is shown.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// `s` with every hidden character written as `\u{XXXX}`.
pub fn visible(s: &str) -> String {
    if !s.chars().any(is_hidden) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if is_hidden(c) {
                format!("\\u{{{:04X}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A reason given by a person (a correction, an accepted late file): trimmed, NFC, one line of
/// at most `max` characters with nothing hidden in it; `None` when blank.
pub fn reason(given: &str, max: usize) -> Result<Option<String>, String> {
    use unicode_normalization::UnicodeNormalization;
    let text = given.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max || text.chars().any(is_hidden) {
        return Err(format!(
            "a reason is one line of at most {max} characters, without control or direction-changing characters"
        ));
    }
    Ok(Some(text.nfc().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_shown_and_refused_in_reasons() {
        assert_eq!(visible("CN=abc"), "CN=abc");
        assert_eq!(visible("CN=\u{202E}fdp.exe"), "CN=\\u{202E}fdp.exe");
        assert_eq!(visible("a\u{0}b\u{1B}"), "a\\u{0000}b\\u{001B}");
        assert_eq!(reason("  ok  ", 5).unwrap().as_deref(), Some("ok"));
        assert_eq!(reason("   ", 5).unwrap(), None);
        for bad in ["a\nb", "a\u{1B}[31m", "a\u{0}", "x\u{202E}y", "123456"] {
            assert!(reason(bad, 5).is_err(), "{bad:?}");
        }
    }
}
