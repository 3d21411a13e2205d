//! Integration tests of the HTTP service: each starts the real `kyso serve` on port 0 with a
//! temporary data directory and talks HTTP to it.

mod accounts;
mod auth;
mod backup;
mod browser;
mod ca_issuers;
mod chasing;
mod compliance;
mod contract;
mod durability;
mod helpers;
mod hostile;
#[path = "../common/hostile_pdf.rs"]
mod hostile_pdf;
mod instances;
mod limits;
mod listing;
mod local_time;
mod month_move;
mod observe;
mod ocsp;
mod ocsp_delegated;
#[path = "../common/ocsp_pki.rs"]
mod ocsp_pki;
mod office_report;
mod old_store;
mod periods;
mod registry;
mod registry_history;
mod reminders;
mod revocation;
mod script;
mod storage;
mod tracking;
mod ui_periods;
mod ui_registry;
mod ui_upload;
mod upload;
mod words;
