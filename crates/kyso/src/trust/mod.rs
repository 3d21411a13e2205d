//! The trust store from the operator's files: anchors, intermediates and CRLs read from disk
//! ([`files`]), checked against the BCY pins compiled into the binary ([`pins`]).

pub mod files;
pub mod pins;
