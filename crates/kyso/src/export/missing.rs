//! What is still missing in a month ("còn thiếu"), for chasing the units: CSV and XLSX, one row
//! per requirement not met, with the unit's văn thư and whether a certificate is enrolled.

use crate::duty::office_report::Missing;
use crate::duty::period::Month;
use crate::export::cell::{csv_row, neutralise};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

const HEADERS: [&str; 8] = [
    "Mã đơn vị",
    "Tên đơn vị",
    "Yêu cầu",
    "Lãnh đạo",
    "Ghi chú",
    "Văn thư",
    "Điện thoại",
    "Thư điện tử",
];

fn cells(m: &Missing) -> [String; 8] {
    let c = m.contact.clone().unwrap_or_default();
    [
        m.unit.clone(),
        m.unit_name.clone(),
        match m.requirement {
            crate::duty::credit::Requirement::Organisation => "Ký số cơ quan".into(),
            crate::duty::credit::Requirement::Leader => "Ký số lãnh đạo".into(),
        },
        m.leader_name.clone().unwrap_or_default(),
        note(m),
        c.name,
        c.phone,
        c.email,
    ]
}

/// The row's note: no certificate enrolled, and the files of the next month that may be this
/// month's.
fn note(m: &Missing) -> String {
    let mut parts = Vec::new();
    if m.no_certificate {
        parts.push("chưa có chứng thư số".to_string());
    }
    if !m.movable.is_empty() {
        let names: Vec<&str> = m
            .movable
            .iter()
            .map(|f| f.file_name.as_deref().unwrap_or("tệp không tên"))
            .collect();
        parts.push(format!(
            "có thể đã nộp ({}, ghi thời điểm ký rạng sáng ngày đầu tháng sau)",
            names.join(", ")
        ));
    }
    parts.join("; ")
}

/// The list as CSV: UTF-8 with a BOM, the month in the first line.
pub fn csv(month: Month, list: &[Missing]) -> String {
    let mut out = String::from("\u{feff}");
    out += &csv_row(&[format!("Còn thiếu tháng {}", month.vn())]);
    out += &csv_row(&HEADERS);
    for m in list {
        out += &csv_row(&cells(m));
    }
    out
}

/// The list as an XLSX workbook of one sheet.
pub fn xlsx(month: Month, list: &[Missing]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = wb
        .add_worksheet()
        .set_name(format!("Còn thiếu {:02}-{}", month.month, month.year))?;
    sheet.write_string_with_format(0, 0, format!("Còn thiếu tháng {}", month.vn()), &bold)?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    for (i, m) in list.iter().enumerate() {
        for (c, t) in cells(m).iter().enumerate() {
            sheet.write_string(3 + i as u32, c as u16, neutralise(t))?;
        }
    }
    sheet.set_freeze_panes(3, 0)?;
    for (c, w) in [22.0, 40.0, 16.0, 30.0, 22.0, 24.0, 16.0, 28.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *w)?;
    }
    wb.save_to_buffer()
}
