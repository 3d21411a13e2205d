//! The network: CRL downloads ([`crl_fetch`]) and the online OCSP client ([`ocsp_fetch`], the
//! verifier's [`kyso_verify::pki::OnlineOcsp`] port).

pub mod crl_fetch;
pub mod ocsp_fetch;
pub mod policy;
