//! The Office's letterhead on the sheets it files, laid out as an administrative document
//! (Decree 30/2020/NĐ-CP, Appendix I): the authority above and the Office's name top left, the
//! national title and motto top right, the place and date; at the foot the signature block
//! ("Người lập biểu" and the head of the Office). And the page set up to print: A4 landscape,
//! one page wide, the header row repeated, page numbers.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

/// Who files: from the configuration's `[office]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letterhead {
    /// The authority the Office belongs to, e.g. "UBND thị xã Hương Trà".
    pub parent: String,
    /// The Office, e.g. "Văn phòng HĐND và UBND".
    pub office: String,
    /// The place written before the date, e.g. "Hương Trà".
    pub place: String,
    /// The title of who signs the report, e.g. "Chánh Văn phòng".
    pub head: String,
}

impl Default for Letterhead {
    fn default() -> Self {
        Letterhead {
            parent: String::new(),
            office: "Văn phòng HĐND và UBND".into(),
            place: String::new(),
            head: "Chánh Văn phòng".into(),
        }
    }
}

/// A4 (the paper size code of the XLSX format).
const A4: u8 = 9;

/// A table cell with a thin border.
pub fn cell() -> Format {
    Format::new().set_border(FormatBorder::Thin)
}

impl Letterhead {
    /// The letterhead over columns `0..=last` of rows 0 to 2; the first row free after it.
    pub fn write_top(
        &self,
        sheet: &mut Worksheet,
        last: u16,
        date: time::Date,
    ) -> Result<u32, XlsxError> {
        let centred = Format::new().set_align(FormatAlign::Center);
        let bold = centred.clone().set_bold();
        let italic = centred.clone().set_italic();
        let split = (last / 2).max(1);
        let left = |s: &str| crate::export::cell::neutralise(&s.to_uppercase());
        sheet.merge_range(0, 0, 0, split - 1, &left(&self.parent), &centred)?;
        sheet.merge_range(1, 0, 1, split - 1, &left(&self.office), &bold)?;
        sheet.merge_range(
            0,
            split,
            0,
            last,
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            &bold,
        )?;
        sheet.merge_range(1, split, 1, last, "Độc lập - Tự do - Hạnh phúc", &bold)?;
        let place = if self.place.trim().is_empty() {
            String::new()
        } else {
            format!("{}, ", self.place.trim())
        };
        let dated = format!(
            "{place}ngày {:02} tháng {:02} năm {}",
            date.day(),
            date.month() as u8,
            date.year()
        );
        sheet.merge_range(
            2,
            split,
            2,
            last,
            &crate::export::cell::neutralise(&dated),
            &italic,
        )?;
        Ok(4)
    }

    /// The signature block from row `row`: who made the sheet, and the head of the Office.
    pub fn write_foot(&self, sheet: &mut Worksheet, row: u32, last: u16) -> Result<(), XlsxError> {
        let bold = Format::new().set_align(FormatAlign::Center).set_bold();
        let italic = Format::new().set_align(FormatAlign::Center).set_italic();
        let split = (last / 2).max(1);
        sheet.merge_range(row, 0, row, split - 1, "NGƯỜI LẬP BIỂU", &bold)?;
        let head = crate::export::cell::neutralise(&self.head.to_uppercase());
        sheet.merge_range(row, split, row, last, &head, &bold)?;
        sheet.merge_range(
            row + 1,
            0,
            row + 1,
            split - 1,
            "(Ký, ghi rõ họ tên)",
            &italic,
        )?;
        sheet.merge_range(
            row + 1,
            split,
            row + 1,
            last,
            "(Ký, ghi rõ họ tên, đóng dấu)",
            &italic,
        )?;
        Ok(())
    }
}

/// The sheet set up to print: A4 landscape, one page wide, row `header` repeated on every
/// page, "Trang N/M" at the foot, no grid lines (the table has its borders).
pub fn print_setup(sheet: &mut Worksheet, header: u32) -> Result<(), XlsxError> {
    sheet
        .set_paper_size(A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3)
        .set_footer("&CTrang &P/&N");
    sheet.set_repeat_rows(header, header)?;
    Ok(())
}
