#![recursion_limit = "512"]
//! kyso verifies digitally signed PDF files against the BCY (Ban Cơ yếu Chính phủ) PKI and keeps
//! the evidence of monthly signing duties. See ARCHITECTURE.md for the architecture.

pub mod app;
pub mod cli;
pub mod config;
pub mod duty;
pub mod export;
pub mod metrics;
pub mod net;
pub mod startup;
pub mod store;
pub mod text;
pub mod trust;
pub mod vn;
pub mod web;

/// mimalloc: the Office's tables at national scale build and drop millions of small records,
/// where the system allocator spends more time than the tables (measured: `benches/national.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
