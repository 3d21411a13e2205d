//! What the Office takes away: spreadsheet cells made safe ([`cell`]) and the report's XLSX
//! and CSV files ([`xlsx`]).

pub mod cell;
pub mod csv;
pub mod missing;
pub mod xlsx;
