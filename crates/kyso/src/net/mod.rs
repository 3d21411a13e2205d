//! The network: CRL downloads ([`crl_fetch`]), the online OCSP client ([`ocsp_fetch`], the
//! verifier's [`kyso_verify::pki::OnlineOcsp`] port), the issuers published at caIssuers
//! addresses ([`ca_issuers`], its [`kyso_verify::pki::IssuerSource`] port) and e-mail ([`mail`], the reminders).

pub mod ca_issuers;
pub mod crl_fetch;
pub mod mail;
pub mod ocsp_fetch;
pub mod policy;
