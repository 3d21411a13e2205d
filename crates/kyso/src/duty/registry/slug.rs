//! Ids made from names, so that nobody types one: "UBND phường Hương Xuân" becomes
//! `ubnd-phuong-huong-xuan` (lower-case ASCII: the marks of Vietnamese letters taken off, đ as
//! d, anything else a dash), and `-2`, `-3`… when the id is taken.

/// The longest id made.
const MAX: usize = 60;

/// `name` as an id's letters: lower-case ASCII letters and digits joined by single dashes.
pub fn of(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    for c in name.nfd() {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if ('\u{0300}'..='\u{036f}').contains(&c) => continue,
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut s = out.trim_end_matches('-').to_string();
    if s.len() > MAX {
        s.truncate(MAX);
        s = s.trim_end_matches('-').to_string();
    }
    s
}

/// A new id for `name` that `taken` does not hold (`fallback` when the name has no letters).
pub fn fresh(name: &str, fallback: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let base = match of(name) {
        s if s.is_empty() => fallback.to_string(),
        s => s,
    };
    unique(&base, taken)
}

/// `base`, or `base-2`, `base-3`… the first that `taken` does not hold.
pub fn unique(base: &str, taken: &dyn Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .unwrap_or_else(|| base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_names_make_plain_ids() {
        assert_eq!(of("UBND phường Hương Xuân"), "ubnd-phuong-huong-xuan");
        assert_eq!(
            of("Trung tâm Văn hóa - Thông tin và Thể thao"),
            "trung-tam-van-hoa-thong-tin-va-the-thao"
        );
        assert_eq!(of("Đặng Thị Ánh Tuyết"), "dang-thi-anh-tuyet");
        assert_eq!(of("  Phòng Tư pháp!! "), "phong-tu-phap");
        assert_eq!(of("<script>"), "script");
        assert!(of(&"ạ".repeat(200)).len() <= MAX);
        let taken = |id: &str| id == "phong-noi-vu" || id == "phong-noi-vu-2";
        assert_eq!(fresh("Phòng Nội vụ", "don-vi", &taken), "phong-noi-vu-3");
        assert_eq!(fresh("???", "don-vi", &taken), "don-vi");
    }
}
