//! Numbers as readers take them.

/// Two real numbers as writers save them again: poppler rounds what it read to 10 decimals,
/// pypdf to 6 (`595.303937007874` becomes `595.303937`), so numbers within a millionth are the
/// same. Only numbers of at least a thousandth, of one sign: a tiny scale factor or shear in a
/// `/Matrix` multiplies whatever the content draws, and a millionth of it is no rounding.
pub(crate) fn same_number(a: f64, b: f64) -> bool {
    a == b || (a.signum() == b.signum() && a.abs().min(b.abs()) >= 1e-3 && (a - b).abs() <= 1e-6)
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
        // A review's attacks: a tiny scale tripled, a shear from nothing, a huge translation.
        assert!(!same_number(0.000005, 0.000014));
        assert!(!same_number(0.0, -0.000004));
        assert!(!same_number(-10000000.5, -9999900.5));
    }
}
