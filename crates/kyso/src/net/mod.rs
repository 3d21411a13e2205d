//! The network: CRL downloads ([`crl_fetch`]), the online OCSP client ([`ocsp_fetch`], the
//! verifier's [`kyso_verify::pki::OnlineOcsp`] port) and e-mail ([`mail`], the reminders).

pub mod crl_fetch;
pub mod mail;
pub mod ocsp_fetch;
pub mod policy;
