//! What the Office takes away: spreadsheet cells made safe ([`cell`]), the report's XLSX
//! and CSV files ([`xlsx`]), and CSV in the form Excel in Vietnamese reads ([`dialect`]).

pub mod cell;
pub mod csv;
pub mod dialect;
pub mod letterhead;
pub mod missing;
pub mod xlsx;
pub mod xlsx_sheets;
