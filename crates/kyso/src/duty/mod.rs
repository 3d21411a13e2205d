//! The rules of plan 655/KH-UBND, pure: time is an argument, nothing here reads the clock,
//! the disk or the network. Months and periods in Vietnam time, the registry of units and
//! leaders, what a submission earns, the notes a clerk reads, the Office's tables.

pub mod credit;
pub mod note;
pub mod office_report;
pub mod period;
pub mod ranking;
pub mod registry;
pub mod submission;
pub mod tables;
pub mod words;
