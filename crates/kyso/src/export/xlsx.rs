//! The Office's report as files: CSV (UTF-8 with a BOM) and XLSX (rust_xlsxwriter): Vietnamese
//! headers, dates dd/mm/yyyy, months MM/yyyy, a frozen header row and set column widths. Every
//! text cell is neutralised against formula injection (`spreadsheet::neutralise`), in both.

use crate::duty::office_report::{OfficeReport, Score, Totals};
use crate::duty::period::Month;
use crate::export::cell::{csv_row, neutralise};
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

/// The report as an XLSX workbook: the table, then what is missing in the current month.
pub fn xlsx(r: &OfficeReport) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0");
    let sheet = wb.add_worksheet().set_name("Báo cáo")?;
    sheet.write_string_with_format(
        0,
        0,
        neutralise(&format!("Báo cáo thực hiện ký số - {}", period_vi(r))),
        &bold,
    )?;
    let generated = time::OffsetDateTime::parse(
        &r.generated_at,
        &time::format_description::well_known::Rfc3339,
    )
    .map(crate::vn::date)
    .unwrap_or_default();
    let progress = match r.in_progress {
        Some(m) => format!("; tháng {} đang diễn ra, chưa tính", m.vn()),
        None => String::new(),
    };
    sheet.write_string(
        1,
        0,
        format!(
            "Lập ngày {generated}; {}các tháng đã tính: {}{progress}{}",
            r.tracking_from
                .map(|f| format!("số liệu từ tháng {}; ", f.vn()))
                .unwrap_or_default(),
            months_vi(&r.counted),
            match &r.closed {
                Some(c) => format!(
                    "; số liệu đã chốt lúc {} (giờ Việt Nam){}",
                    crate::vn::datetime(c.closed_at),
                    if r.amendments.is_empty() {
                        String::new()
                    } else {
                        "; các điều chỉnh sau khi chốt ở trang \"Điều chỉnh sau khi chốt\""
                            .to_string()
                    }
                ),
                None => String::new(),
            }
        ),
    )?;
    const HEAD: u32 = 3;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(HEAD, c as u16, *h, &bold)?;
    }
    for (i, l) in lines(r).iter().enumerate() {
        let row = HEAD + 1 + i as u32;
        for (c, t) in l.text.iter().enumerate() {
            sheet.write_string(row, c as u16, neutralise(t))?;
        }
        sheet.write_number(row, 6, l.score.0 as f64)?;
        sheet.write_number(row, 7, l.score.1 as f64)?;
        if let Some(p) = l.score.2 {
            sheet.write_number_with_format(row, 8, p, &pct)?;
        }
        sheet.write_string(row, 9, &l.missing)?;
    }
    sheet.set_freeze_panes(HEAD + 1, 0)?;
    for (c, w) in [26.0, 22.0, 40.0, 16.0, 26.0, 18.0, 14.0, 16.0, 10.0, 30.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *w)?;
    }
    missing_sheet(&mut wb, r, &bold)?;
    if !r.amendments.is_empty() {
        amendments_sheet(&mut wb, &r.amendments, &bold)?;
    }
    wb.save_to_buffer()
}

/// A closed period's amendments, on a sheet of their own beside the closed figures.
fn amendments_sheet(
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
fn missing_sheet(wb: &mut Workbook, r: &OfficeReport, bold: &Format) -> Result<(), XlsxError> {
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
