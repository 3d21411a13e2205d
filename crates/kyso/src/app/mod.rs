//! The use cases: the only code that joins the store, the duty rules and the verifier. The API
//! and the pages call the same functions here.

pub mod closing;
pub mod credit_cache;
pub mod enrolment;
pub mod late;
pub mod listing;
pub mod receipt;
pub mod registry_import;
pub mod reverify;
pub mod tables;
