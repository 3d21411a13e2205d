//! The Office's report as files: CSV (UTF-8 with a BOM) and XLSX (rust_xlsxwriter): Vietnamese
//! headers, dates dd/mm/yyyy, months MM/yyyy, a frozen header row and set column widths. Every
//! text cell is neutralised against formula injection (`spreadsheet::neutralise`), in both.

use crate::duty::office_report::{OfficeReport, Score, Totals};
use crate::duty::period::Month;
use crate::export::cell::{csv_row, neutralise};
use crate::export::letterhead::{self, Letterhead};
use crate::export::xlsx_sheets as sheets;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

const HEADERS: [&str; 10] = [
    "Loại đơn vị",
    "Mã đơn vị",
    "Tên đơn vị",
    "Yêu cầu",
    "Lãnh đạo",
    "Chức vụ",
    "Số tháng đã nộp",
    "Số tháng phải nộp",
    "Tỷ lệ (%)",
    "Tháng còn thiếu",
];

fn months_vi(ms: &[Month]) -> String {
    ms.iter().map(|m| m.vn()).collect::<Vec<_>>().join(", ")
}

/// "Quý 1 năm 2026" or "Năm 2026".
pub fn period_vi(r: &OfficeReport) -> String {
    crate::vn::period(r.year, r.quarter)
}

/// One line of the table: text cells, then the score's numbers.
struct Line {
    text: [String; 6],
    score: (usize, usize, Option<f64>),
    missing: String,
}

fn score_line(text: [String; 6], s: &Score) -> Line {
    Line {
        text,
        score: (s.satisfied, s.required, s.percent),
        missing: months_vi(&s.missing),
    }
}

fn total_lines(label: &str, t: &Totals) -> [Line; 2] {
    let row = |req: &str, (sat, reqd, pct): (usize, usize, Option<f64>)| Line {
        text: [
            label.to_string(),
            String::new(),
            format!("{} đơn vị", t.units),
            req.to_string(),
            String::new(),
            String::new(),
        ],
        score: (sat, reqd, pct),
        missing: String::new(),
    };
    [
        row(
            "Ký số cơ quan",
            (
                t.organisation_satisfied,
                t.organisation_required,
                t.organisation_percent,
            ),
        ),
        row(
            "Ký số lãnh đạo",
            (t.leader_satisfied, t.leader_required, t.leader_percent),
        ),
    ]
}

/// Every line: units and their leaders by kind, each kind's totals, then the town's.
fn lines(r: &OfficeReport) -> Vec<Line> {
    let mut out = Vec::new();
    for g in &r.groups {
        for u in &g.units {
            let base = |req: &str, name: &str, title: &str| {
                [
                    g.label.clone(),
                    u.id.clone(),
                    u.name.clone(),
                    req.to_string(),
                    name.to_string(),
                    title.to_string(),
                ]
            };
            out.push(score_line(base("Ký số cơ quan", "", ""), &u.organisation));
            for l in &u.leaders {
                out.push(score_line(
                    base("Ký số lãnh đạo", &l.name, &l.title),
                    &l.score,
                ));
            }
        }
        out.extend(total_lines(&format!("Tổng {}", g.label), &g.totals));
    }
    out.extend(total_lines("Toàn thị xã", &r.town));
    out
}

/// The report as CSV: UTF-8 with a BOM (spreadsheet programs then read Vietnamese), CRLF.
pub fn csv(r: &OfficeReport) -> String {
    let mut out = String::from("\u{feff}");
    out += &csv_row(&HEADERS);
    for l in lines(r) {
        let (sat, req, pct) = l.score;
        let mut fields: Vec<String> = l.text.to_vec();
        fields.extend([
            sat.to_string(),
            req.to_string(),
            pct.map(|p| format!("{p:.1}")).unwrap_or_default(),
            l.missing,
        ]);
        out += &csv_row(&fields);
    }
    out += &crate::export::csv::amendments_section(&r.amendments);
    out
}

/// The report as an XLSX workbook, as the Office files it: the table under the Office's
/// letterhead, set up to print, with the signature block; then what is missing in the current
/// month, each person's posts summed, the units ranked, and the amendments of a closed period.
pub fn xlsx(r: &OfficeReport, head: &Letterhead) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet().set_name("Báo cáo")?;
    let after = report_sheet(sheet, r, head)?;
    letterhead::print_setup(sheet, after)?;
    let bold = Format::new().set_bold();
    sheets::missing_sheet(&mut wb, r, &bold)?;
    sheets::persons_sheet(&mut wb, r, head)?;
    sheets::units_sheet(&mut wb, r, head)?;
    if !r.amendments.is_empty() {
        sheets::amendments_sheet(&mut wb, &r.amendments, &bold)?;
    }
    wb.save_to_buffer()
}

/// The date the report was made, in Vietnam time.
pub(super) fn made_on(r: &OfficeReport) -> time::Date {
    time::OffsetDateTime::parse(
        &r.generated_at,
        &time::format_description::well_known::Rfc3339,
    )
    .map(|t| crate::vn::local(t).date())
    .unwrap_or(time::Date::MIN)
}

/// What administrators did in the period, in one line.
pub fn adjustments_vi(a: &crate::duty::office_report::Adjustments) -> String {
    format!(
        "Trong kỳ: {} hồ sơ nộp muộn được chấp nhận, {} hồ sơ được chuyển về tháng ký, {} lần đính chính danh mục.",
        a.accepted_late, a.moved, a.corrections
    )
}

/// What the report covers, in one line under its title.
fn coverage(r: &OfficeReport) -> String {
    let progress = match r.in_progress {
        Some(m) => format!("; tháng {} đang diễn ra, chưa tính", m.vn()),
        None => String::new(),
    };
    let closed = match &r.closed {
        Some(c) => format!(
            "; số liệu đã chốt lúc {} (giờ Việt Nam){}",
            crate::vn::datetime(c.closed_at),
            if r.amendments.is_empty() {
                ""
            } else {
                "; các điều chỉnh sau khi chốt ở trang \"Điều chỉnh sau khi chốt\""
            }
        ),
        None => String::new(),
    };
    format!(
        "Lập ngày {}; {}các tháng đã tính: {}{progress}{closed}",
        crate::vn::date(time::OffsetDateTime::new_utc(
            made_on(r),
            time::Time::MIDNIGHT
        )),
        r.tracking_from
            .map(|f| format!("số liệu từ tháng {}; ", f.vn()))
            .unwrap_or_default(),
        months_vi(&r.counted),
    )
}

/// The report's table under the letterhead, bordered, the signature block under it; the row
/// of its headers.
fn report_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    r: &OfficeReport,
    head: &Letterhead,
) -> Result<u32, XlsxError> {
    let last = HEADERS.len() as u16 - 1;
    let top = head.write_top(sheet, last, made_on(r))?;
    let title = Format::new()
        .set_bold()
        .set_align(rust_xlsxwriter::FormatAlign::Center);
    let heading = format!("BÁO CÁO THỰC HIỆN KÝ SỐ - {}", period_vi(r).to_uppercase());
    sheet.merge_range(top, 0, top, last, &neutralise(&heading), &title)?;
    sheet.write_string(top + 1, 0, coverage(r))?;
    sheet.write_string(top + 2, 0, adjustments_vi(&r.adjustments))?;
    let header = top + 3;
    let bordered = letterhead::cell();
    let bold = bordered.clone().set_bold().set_text_wrap();
    let pct = bordered.clone().set_num_format("0.0");
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(header, c as u16, *h, &bold)?;
    }
    let lines = lines(r);
    for (i, l) in lines.iter().enumerate() {
        let row = header + 1 + i as u32;
        for (c, t) in l.text.iter().enumerate() {
            sheet.write_string_with_format(row, c as u16, neutralise(t), &bordered)?;
        }
        sheet.write_number_with_format(row, 6, l.score.0 as f64, &bordered)?;
        sheet.write_number_with_format(row, 7, l.score.1 as f64, &bordered)?;
        match l.score.2 {
            Some(p) => sheet.write_number_with_format(row, 8, p, &pct)?,
            None => sheet.write_blank(row, 8, &bordered)?,
        };
        sheet.write_string_with_format(row, 9, &l.missing, &bordered)?;
    }
    sheet.set_freeze_panes(header + 1, 0)?;
    for (c, w) in [26.0, 22.0, 40.0, 16.0, 26.0, 18.0, 14.0, 16.0, 10.0, 30.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *w)?;
    }
    head.write_foot(sheet, header + lines.len() as u32 + 3, last)?;
    Ok(header)
}
