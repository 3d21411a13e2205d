//! The registry of units and leaders (DESIGN.md §4): the records ([`model`]), the file's
//! person form ([`file`]), the registry indexed for a table ([`lookup`]) and what a change does
//! to past months ([`past`]).

pub mod file;
pub mod lookup;
pub mod model;
#[cfg(test)]
mod model_tests;
pub mod past;

pub use model::*;
