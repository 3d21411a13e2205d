//! The report's other sheets: what is still missing this month, each person's posts summed and
//! ranked, the units ranked, and a closed period's amendments.

use crate::duty::office_report::OfficeReport;
use crate::duty::ranking;
use crate::export::cell::neutralise;
use crate::export::letterhead::{self, Letterhead};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// A closed period's amendments, on a sheet of their own beside the closed figures.
pub(super) fn amendments_sheet(
    wb: &mut Workbook,
    amendments: &[crate::duty::period::Amendment],
    bold: &Format,
) -> Result<(), XlsxError> {
    let sheet = wb.add_worksheet().set_name("Điều chỉnh sau khi chốt")?;
    for (c, h) in crate::export::cell::AMENDMENT_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, bold)?;
    }
    for (i, a) in amendments.iter().enumerate() {
        for (c, t) in crate::export::cell::amendment_row(a).iter().enumerate() {
            sheet.write_string(1 + i as u32, c as u16, neutralise(t))?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    for (c, w) in [22.0, 40.0, 30.0, 16.0, 16.0, 60.0].iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    Ok(())
}

/// The second sheet: what is still missing in the current month, for chasing.
pub(super) fn missing_sheet(
    wb: &mut Workbook,
    r: &OfficeReport,
    bold: &Format,
) -> Result<(), XlsxError> {
    let missing = wb.add_worksheet().set_name(format!(
        "Chưa nộp {:02}-{}",
        r.current_month.month, r.current_month.year
    ))?;
    for (c, h) in ["Mã đơn vị", "Tên đơn vị", "Yêu cầu", "Lãnh đạo"]
        .iter()
        .enumerate()
    {
        missing.write_string_with_format(0, c as u16, *h, bold)?;
    }
    for (i, m) in r.missing_now.iter().enumerate() {
        let row = 1 + i as u32;
        let req = match m.requirement {
            crate::duty::credit::Requirement::Organisation => "Ký số cơ quan",
            crate::duty::credit::Requirement::Leader => "Ký số lãnh đạo",
        };
        missing.write_string(row, 0, neutralise(&m.unit))?;
        missing.write_string(row, 1, neutralise(&m.unit_name))?;
        missing.write_string(row, 2, req)?;
        missing.write_string(row, 3, neutralise(m.leader_name.as_deref().unwrap_or("")))?;
    }
    missing.set_freeze_panes(1, 0)?;
    for (c, w) in [22.0, 40.0, 16.0, 34.0].iter().enumerate() {
        missing.set_column_width(c as u16, *w)?;
    }
    Ok(())
}

/// A ranked table under the letterhead: headers, rows of text then months met, required and
/// the percentage, the count at 100 %, the list under it, and the signature block.
struct Ranked<'a> {
    title: String,
    headers: [&'a str; 6],
    widths: [f64; 6],
    /// (text cells, satisfied, required, percent)
    rows: Vec<([String; 2], usize, usize, Option<f64>)>,
    /// "người", "đơn vị"
    noun: &'a str,
}

fn ranked_sheet(
    sheet: &mut Worksheet,
    t: &Ranked,
    r: &OfficeReport,
    head: &Letterhead,
) -> Result<(), XlsxError> {
    let last = t.headers.len() as u16 - 1;
    let date = super::xlsx::made_on(r);
    let top = head.write_top(sheet, last, date)?;
    let centred = Format::new()
        .set_bold()
        .set_align(rust_xlsxwriter::FormatAlign::Center);
    sheet.merge_range(top, 0, top, last, &neutralise(&t.title), &centred)?;
    let period = crate::vn::period(r.year, r.quarter);
    sheet.write_string(top + 1, 0, neutralise(&period))?;
    let header = top + 3;
    let cell = letterhead::cell();
    let bold = cell.clone().set_bold().set_text_wrap();
    let pct = cell.clone().set_num_format("0.0");
    for (c, h) in t.headers.iter().enumerate() {
        sheet.write_string_with_format(header, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, t.widths[c])?;
    }
    for (i, (text, sat, req, p)) in t.rows.iter().enumerate() {
        let row = header + 1 + i as u32;
        sheet.write_number_with_format(row, 0, (i + 1) as f64, &cell)?;
        sheet.write_string_with_format(row, 1, neutralise(&text[0]), &cell)?;
        sheet.write_string_with_format(row, 2, neutralise(&text[1]), &cell)?;
        sheet.write_number_with_format(row, 3, *sat as f64, &cell)?;
        sheet.write_number_with_format(row, 4, *req as f64, &cell)?;
        match p {
            Some(p) => sheet.write_number_with_format(row, 5, *p, &pct)?,
            None => sheet.write_blank(row, 5, &cell)?,
        };
    }
    let mut row = header + 2 + t.rows.len() as u32;
    let full = t
        .rows
        .iter()
        .filter(|x| ranking::complete(x.2, x.1))
        .count();
    let counted = t.rows.iter().filter(|x| x.2 > 0).count();
    sheet.write_string_with_format(
        row,
        1,
        format!("Đạt 100%: {full}/{counted} {}", t.noun),
        &Format::new().set_bold(),
    )?;
    let under: Vec<&str> = t
        .rows
        .iter()
        .filter(|x| x.2 > 0 && !ranking::complete(x.2, x.1))
        .map(|x| x.0[0].as_str())
        .collect();
    if !under.is_empty() {
        row += 1;
        sheet.write_string(
            row,
            1,
            neutralise(&format!("Chưa đạt 100%: {}", under.join("; "))),
        )?;
    }
    sheet.set_freeze_panes(header + 1, 0)?;
    head.write_foot(sheet, row + 3, last)?;
    letterhead::print_setup(sheet, header)
}

/// Each person: their posts summed (kiêm nhiệm counts each post), ranked; for Home Affairs.
pub(super) fn persons_sheet(
    wb: &mut Workbook,
    r: &OfficeReport,
    head: &Letterhead,
) -> Result<(), XlsxError> {
    let rows = ranking::persons(r)
        .into_iter()
        .map(|p| {
            (
                [p.name, p.posts.join("; ")],
                p.satisfied,
                p.required,
                p.percent,
            )
        })
        .collect();
    let t = Ranked {
        title: "KẾT QUẢ KÝ SỐ CỦA LÃNH ĐẠO THEO TỪNG NGƯỜI".into(),
        headers: [
            "Xếp hạng",
            "Họ tên",
            "Chức vụ – đơn vị",
            "Số tháng đã nộp",
            "Số tháng phải nộp",
            "Tỷ lệ (%)",
        ],
        widths: [10.0, 28.0, 60.0, 14.0, 16.0, 10.0],
        rows,
        noun: "người",
    };
    ranked_sheet(wb.add_worksheet().set_name("Theo người")?, &t, r, head)
}

/// The units' organisation figures, ranked.
pub(super) fn units_sheet(
    wb: &mut Workbook,
    r: &OfficeReport,
    head: &Letterhead,
) -> Result<(), XlsxError> {
    let rows = ranking::units(r)
        .into_iter()
        .map(|u| {
            (
                [u.name, u.kind],
                u.score.satisfied,
                u.score.required,
                u.score.percent,
            )
        })
        .collect();
    let t = Ranked {
        title: "XẾP HẠNG ĐƠN VỊ (KÝ SỐ CƠ QUAN)".into(),
        headers: [
            "Xếp hạng",
            "Tên đơn vị",
            "Loại đơn vị",
            "Số tháng đã nộp",
            "Số tháng phải nộp",
            "Tỷ lệ (%)",
        ],
        widths: [10.0, 44.0, 26.0, 14.0, 16.0, 10.0],
        rows,
        noun: "đơn vị",
    };
    ranked_sheet(wb.add_worksheet().set_name("Xếp hạng đơn vị")?, &t, r, head)
}
