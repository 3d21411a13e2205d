//! The Office's tables as CSV for spreadsheet programs: UTF-8 with a BOM, Vietnamese headers,
//! every cell neutralised ([`crate::export::cell`]).

use crate::duty::period::Amendment;
use crate::duty::tables::{Count, MonthTable, PeriodTable};
use crate::export::cell::{amendment_row, csv_row, AMENDMENT_HEADERS};

/// A period's counts as CSV for spreadsheet programs: UTF-8 with a BOM, Vietnamese headers,
/// one row per requirement of each unit, the months still missing as mm/yyyy.
pub fn period_csv(t: &PeriodTable) -> String {
    let mut out = String::from("\u{feff}");
    out += &csv_row(&[
        "Kỳ",
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại đơn vị",
        "Yêu cầu",
        "Mã lãnh đạo",
        "Lãnh đạo",
        "Chức vụ",
        "Số tháng phải nộp",
        "Số tháng đã nộp",
        "Tháng còn thiếu",
    ]);
    let period = match t.quarter {
        Some(q) => format!("Quý {q}/{}", t.year),
        None => format!("Năm {}", t.year),
    };
    let missing = |c: &Count| {
        c.missing
            .iter()
            .map(|m| m.vn())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for u in &t.units {
        let row = |req: &str, id: &str, name: &str, title: &str, c: &Count| {
            csv_row(&[
                period.as_str(),
                &u.id,
                &u.name,
                u.kind.label_vi(),
                req,
                id,
                name,
                title,
                &c.required.to_string(),
                &c.satisfied.to_string(),
                &missing(c),
            ])
        };
        out += &row("Ký số cơ quan", "", "", "", &u.organisation);
        for l in &u.leaders {
            out += &row("Ký số lãnh đạo", &l.id, &l.name, &l.title, &l.count);
        }
    }
    out
}

/// The month's table as CSV for spreadsheet programs: UTF-8 with a BOM, Vietnamese headers,
/// one row per requirement. `file` names a file for the clerk (its name as sent and when it was
/// received) from its id.
pub fn month_csv(t: &MonthTable, file: &dyn Fn(&str) -> String) -> String {
    let mut out = String::from("\u{feff}");
    out += &csv_row(&[
        "Tháng",
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại đơn vị",
        "Yêu cầu",
        "Lãnh đạo",
        "Chức vụ",
        "Đã nộp",
        "Hồ sơ",
    ]);
    let month = t.month.vn();
    for u in &t.units {
        let row = |req: &str, name: &str, title: &str, ok: bool, subs: &[String]| {
            csv_row(&[
                month.as_str(),
                &u.id,
                &u.name,
                u.kind.label_vi(),
                req,
                name,
                title,
                if ok { "Có" } else { "Chưa" },
                &subs
                    .iter()
                    .map(|id| file(id))
                    .collect::<Vec<_>>()
                    .join("; "),
            ])
        };
        out += &row(
            "Ký số cơ quan",
            "",
            "",
            u.organisation.satisfied,
            &u.organisation.submissions,
        );
        for l in &u.leaders {
            out += &row(
                "Ký số lãnh đạo",
                &l.name,
                &l.title,
                l.satisfied,
                &l.submissions,
            );
        }
    }
    out += &amendments_section(&t.amendments);
    out
}

/// A closed period's amendments, after its figures and an empty line, under their own title
/// ("Điều chỉnh sau khi chốt"): beside the closed figures, never inside them.
pub fn amendments_section(amendments: &[Amendment]) -> String {
    if amendments.is_empty() {
        return String::new();
    }
    let mut out = String::from("\r\n");
    out += &csv_row(&["Điều chỉnh sau khi chốt"]);
    out += &csv_row(&AMENDMENT_HEADERS);
    for a in amendments {
        out += &csv_row(&amendment_row(a));
    }
    out
}
