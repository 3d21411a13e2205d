//! Text cells for spreadsheet programs (CSV, XLSX). A cell that begins with `=`, `+`, `-`, `@`,
//! a tab or a carriage return is taken as a formula by Excel and LibreOffice (OWASP "CSV
//! injection"): a registry value such as `=HYPERLINK(...)` must come out as text. Such a cell
//! gets a leading apostrophe, which the programs show as nothing and read as "text".

/// `s` made safe as a text cell.
pub fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// One CSV field (RFC 4180 quoting), neutralised.
pub fn csv_field(s: &str) -> String {
    let s = neutralise(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One CSV line (CRLF-terminated) of neutralised fields.
pub fn csv_row<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        for evil in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+cmd|' /C calc'!A0",
            "@SUM(1+1)",
            "-2+3",
            "\tx",
            "\rx",
        ] {
            let f = csv_field(evil);
            assert!(
                f.starts_with("'") || f.starts_with("\"'"),
                "{evil:?} -> {f:?}"
            );
        }
        assert_eq!(
            csv_field("UBND phường Hương Xuân"),
            "UBND phường Hương Xuân"
        );
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_row(&["=1", "x"]), "'=1,x\r\n");
    }
}

/// The header of the amendments beside a closed period's figures.
pub const AMENDMENT_HEADERS: [&str; 6] = [
    "Mã đơn vị",
    "Tên đơn vị",
    "Yêu cầu",
    "Khi chốt",
    "Hiện nay",
    "Nguyên nhân",
];

/// One amendment as text cells: a month's figure is met or not, a period's is months met out
/// of months required; a requirement that did not exist is "không phải nộp".
pub fn amendment_row(a: &crate::duty::period::Amendment) -> [String; 6] {
    let figure = |satisfied: &serde_json::Value, required: usize| match satisfied {
        serde_json::Value::Null => "không phải nộp".to_string(),
        serde_json::Value::Bool(true) => "đã nộp".to_string(),
        serde_json::Value::Bool(false) => "chưa nộp".to_string(),
        v => format!("{}/{required} tháng", v.as_u64().unwrap_or(0)),
    };
    [
        a.unit.clone(),
        a.unit_name.clone(),
        a.requirement_name.clone(),
        figure(&a.closed, a.closed_required),
        figure(&a.now, a.now_required),
        a.causes.join("; "),
    ]
}
