//! The registry of units and leaders (DESIGN.md §4): the records ([`model`]), the file's
//! person form ([`file`]), what a registry must hold ([`validate`]), the registry indexed for a
//! table ([`lookup`]) and what a change does to past months ([`past`]).

pub mod file;
pub mod lookup;
pub mod model;
#[cfg(test)]
mod model_tests;
pub mod past;
pub mod slug;
pub mod validate;

pub use model::*;
pub use validate::valid_email;
