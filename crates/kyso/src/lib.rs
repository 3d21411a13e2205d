#![recursion_limit = "512"]
//! kyso verifies digitally signed PDF files against the BCY (Ban Cơ yếu Chính phủ) PKI and keeps
//! the evidence of monthly signing duties. See ARCHITECTURE.md for the architecture.

pub mod cli;
pub mod closing;
pub mod compliance;
pub mod config;
pub mod credit_cache;
pub mod crl_fetch;
pub mod demo;
pub mod enrolment;
pub mod http;
pub mod late;
pub mod listing;
pub mod maintenance;
pub mod metrics;
pub mod note;
pub mod ocsp_fetch;
pub mod office_report;
pub mod office_report_files;
pub mod period;
pub mod receipt;
pub mod registry;
pub mod registry_import;
pub mod registry_lookup;
pub mod registry_past;
pub mod registry_persons;
pub mod reverify;
pub mod spreadsheet;
pub mod startup;
pub mod store;
pub mod tables;
pub mod trust;
pub mod ui;

/// mimalloc: the Office's tables at national scale build and drop millions of small records,
/// where the system allocator spends more time than the tables (measured: `benches/national.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
