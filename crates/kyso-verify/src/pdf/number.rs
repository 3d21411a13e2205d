//! Numbers as readers take them.

/// Two real numbers as a reader takes them: ISO 32000-2 Annex C gives reals about five
/// significant decimal digits, and writers that save an object again round what they read
/// (poppler to 10 decimals, pypdf to 6: `595.303937007874` becomes `595.303937`). Numbers equal
/// to one part in 100,000 draw the same (0.006 pt at 600 pt).
pub(crate) fn same_number(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-5 * a.abs().max(b.abs()).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::same_number;

    /// A writer that saves a page again rounds its numbers; a moved box is a change.
    #[test]
    fn reals_equal_as_readers_take_them() {
        assert!(same_number(595.303937007874, 595.303937));
        assert!(same_number(841.889763779528, 841.8897637795));
        assert!(same_number(595.0, 595.0000001));
        assert!(!same_number(595.3, 595.4));
        assert!(!same_number(0.5, 0.49));
        assert!(!same_number(0.0, 0.001));
    }
}
