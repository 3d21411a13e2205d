//! What kyso may fetch, and from where. Every address it fetches (a CRL, an OCSP answer) comes
//! from a certificate, and a certificate can be made by anyone holding a signing key: so an
//! address is used only when the certificate's chain validated to a trusted anchor without a
//! chain, validity or name finding ([`vouched`]); at most [`MAX_URLS_PER_CERT`] of a
//! certificate's addresses are tried; redirects are never followed; and the connection goes
//! only to public addresses (not loopback, private, link-local, multicast or unspecified ones)
//! unless the operator allows them (`fetch_private_addresses`), and only to the hosts of
//! `fetch_hosts` when that list is set. The address check is made on the addresses the host
//! resolves to at connection time, so a name that points at a private address is refused too.

use kyso_verify::report::{Problem, ProblemCode, SignatureReport, SubIndication};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// The most addresses of one certificate (OCSP responders, CRL distribution points) tried.
pub const MAX_URLS_PER_CERT: usize = 3;

/// Where fetching may go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Loopback, private, link-local and the like allowed (a test, a responder on the LAN).
    pub allow_private: bool,
    /// When not empty, the only hosts fetched from (lower case).
    pub hosts: Vec<String>,
}

/// Whether a signature's chain vouches for the addresses its certificates name: it reached a
/// trusted anchor, and nothing was found wrong with the chain's constraints, validity or names
/// (RFC 5280 §6.1). Revocation findings do not count against it: asking is how they are
/// settled.
pub fn vouched(sig: &SignatureReport) -> bool {
    !sig.chain.is_empty() && chain_clean(&sig.problems, sig.sub_indication)
}

/// Whether nothing was found wrong with a path's constraints, validity or names, and it
/// reached an anchor.
pub fn chain_clean(problems: &[Problem], sub_indication: Option<SubIndication>) -> bool {
    let chain_findings = [
        ProblemCode::NoChain,
        ProblemCode::IssuerNotCa,
        ProblemCode::PathLengthExceeded,
        ProblemCode::IssuerKeyUsage,
        ProblemCode::UnknownCriticalExtension,
        ProblemCode::NameNotPermitted,
        ProblemCode::CertificateNonconforming,
        ProblemCode::NameConstraintBudgetExceeded,
        ProblemCode::CertificateNotValidAtTime,
        ProblemCode::PathBudgetExceeded,
        ProblemCode::SignerCertificateMissing,
        ProblemCode::SigningCertificateMismatch,
    ];
    let refused = matches!(
        sub_indication,
        Some(
            SubIndication::NoCertificateChainFound
                | SubIndication::ChainConstraintsFailure
                | SubIndication::OutOfBoundsNoPoe
                | SubIndication::NoSigningCertificateFound
        )
    );
    !refused && !problems.iter().any(|p| chain_findings.contains(&p.code))
}

/// Whether `ip` is an address on the public Internet.
fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v) => {
            let o = v.octets();
            !(v.is_loopback()
                || v.is_private()
                || v.is_link_local()
                || v.is_multicast()
                || v.is_broadcast()
                || v.is_unspecified()
                || v.is_documentation()
                || o[0] == 0
                // Shared address space (RFC 6598) and benchmarking (RFC 2544).
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (18..20).contains(&o[1]))
                || o[0] >= 240)
        }
        IpAddr::V6(v) => {
            if let Some(v4) = v.to_ipv4_mapped() {
                return public(IpAddr::V4(v4));
            }
            let s = v.segments();
            !(v.is_loopback()
                || v.is_unspecified()
                || v.is_multicast()
                // Unique local fc00::/7 and link-local fe80::/10.
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80)
        }
    }
}

impl FetchPolicy {
    /// Whether `url` may be asked at all (its scheme and host; the addresses are checked when
    /// connecting).
    pub fn check_url(&self, url: &str) -> Result<(), String> {
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
            .ok_or_else(|| format!("{url}: only http and https addresses are fetched"))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = authority
            .rsplit_once('@')
            .map_or(authority, |(_, h)| h)
            .trim_start_matches('[');
        let host = match host.rsplit_once(']') {
            Some((h, _)) => h,
            None => host.rsplit_once(':').map_or(host, |(h, _)| h),
        }
        .to_ascii_lowercase();
        if host.is_empty() {
            return Err(format!("{url}: no host"));
        }
        if !self.hosts.is_empty() && !self.hosts.iter().any(|h| *h == host) {
            return Err(format!("{url}: {host} is not in fetch_hosts"));
        }
        Ok(())
    }

    /// An HTTP client that follows no redirect, gives up after `timeout`, and connects only to
    /// the addresses this policy allows.
    pub fn agent(&self, timeout: Duration) -> ureq::Agent {
        let allow_private = self.allow_private;
        ureq::AgentBuilder::new()
            .timeout_connect(timeout)
            .timeout(timeout)
            .redirects(0)
            .resolver(move |netloc: &str| -> std::io::Result<Vec<SocketAddr>> {
                let all: Vec<SocketAddr> = netloc.to_socket_addrs()?.collect();
                let allowed: Vec<SocketAddr> = all
                    .iter()
                    .copied()
                    .filter(|a| allow_private || public(a.ip()))
                    .collect();
                if allowed.is_empty() {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::PermissionDenied,
                        format!(
                            "{netloc} is not a public address (set fetch_private_addresses to allow it)"
                        ),
                    ));
                }
                Ok(allowed)
            })
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_and_listed_hosts() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!public(private.parse().unwrap()), "{private}");
        }
        for ok in ["203.113.1.1", "8.8.8.8", "2001:4860::8888"] {
            assert!(public(ok.parse().unwrap()), "{ok}");
        }
        let p = FetchPolicy {
            allow_private: false,
            hosts: vec!["ca.gov.vn".into()],
        };
        assert!(p.check_url("http://ca.gov.vn/pki/pub/crl/cpca.crl").is_ok());
        assert!(p.check_url("http://CA.gov.vn:80/x").is_ok());
        assert!(p.check_url("http://evil.example/x").is_err());
        assert!(p.check_url("http://ca.gov.vn@evil.example/x").is_err());
        assert!(p.check_url("ftp://ca.gov.vn/x").is_err());
        assert!(p.check_url("http://[::1]:8080/x").is_err());
    }

    #[test]
    fn the_agent_refuses_a_name_for_a_private_address() {
        let agent = FetchPolicy::default().agent(Duration::from_secs(1));
        let e = agent.get("http://localhost:9/").call().unwrap_err();
        assert!(e.to_string().contains("not a public address"), "{e}");
    }
}
