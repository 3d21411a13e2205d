//! How to reach the database: its address, and TLS when the operator names the database
//! server's CA (`store_ca`). With a CA the connection must be TLS (`sslmode=require` is forced,
//! so a server that offers no TLS is refused rather than used in clear) and the server's
//! certificate must chain to that CA and name the host of the address (rustls, RFC 5280 path
//! validation and RFC 6125 name checks). Without one the connection is plain, and an address
//! that asks for TLS (`sslmode=require`) is refused at start with what to set.

use super::listen::Messages;
use super::{db_error, redacted, CONNECT_WITHIN};
use crate::store::StoreError;
use std::path::{Path, PathBuf};
use tokio_postgres::config::SslMode;
use tokio_postgres::Client;

/// Where the PostgreSQL store is: its address, the connections one instance keeps at most, and
/// the CA certificate(s) its server's certificate must chain to (TLS), if any.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    pub pool: usize,
    pub ca: Option<PathBuf>,
}

impl Target {
    pub fn new(url: &str, pool: usize) -> Target {
        Target {
            url: url.to_string(),
            pool,
            ca: None,
        }
    }
}

#[derive(Clone)]
enum Tls {
    Plain,
    Rustls(tokio_postgres_rustls::MakeRustlsConnect),
}

/// A parsed address with its TLS: what every connection of a [`super::Database`] is made from.
#[derive(Clone)]
pub(super) struct Link {
    pub url: String,
    config: tokio_postgres::Config,
    tls: Tls,
}

impl Link {
    pub fn new(target: &Target) -> Result<Link, StoreError> {
        let mut config: tokio_postgres::Config = target
            .url
            .parse()
            .map_err(|e| db_error(format!("store address: {e}")))?;
        // TCP keepalives: a dead peer is noticed in minutes, not the system's two hours.
        config.keepalives_idle(std::time::Duration::from_secs(60));
        let tls = match &target.ca {
            Some(ca) => {
                config.ssl_mode(SslMode::Require);
                Tls::Rustls(rustls_for(ca)?)
            }
            None if config.get_ssl_mode() == SslMode::Require => {
                return Err(db_error(format!(
                    "{} asks for TLS (sslmode=require): name the database server's CA certificate with store_ca (KYSO_STORE_CA)",
                    redacted(&target.url)
                )))
            }
            None => {
                config.ssl_mode(SslMode::Disable);
                Tls::Plain
            }
        };
        Ok(Link {
            url: target.url.clone(),
            config,
            tls,
        })
    }

    /// A connection, its driver spawned.
    pub async fn connect(&self) -> Result<Client, StoreError> {
        let (client, conn) = self.connect_raw().await?;
        super::listen::drive(conn);
        Ok(client)
    }

    /// A connection whose messages (`LISTEN` notifications) go to `to`.
    pub async fn connect_listening(
        &self,
        to: tokio::sync::mpsc::UnboundedSender<String>,
    ) -> Result<Client, StoreError> {
        let (client, conn) = self.connect_raw().await?;
        super::listen::forward(conn, to);
        Ok(client)
    }

    /// A connection and its driver (boxed: its type depends on the TLS).
    async fn connect_raw(&self) -> Result<(Client, Box<dyn Messages>), StoreError> {
        let made = async {
            match &self.tls {
                Tls::Plain => self
                    .config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map(|(c, conn)| (c, Box::new(conn) as Box<dyn Messages>)),
                Tls::Rustls(make) => self
                    .config
                    .connect(make.clone())
                    .await
                    .map(|(c, conn)| (c, Box::new(conn) as Box<dyn Messages>)),
            }
        };
        tokio::time::timeout(CONNECT_WITHIN, made)
            .await
            .map_err(|_| self.unreachable("no answer within 5 s"))?
            .map_err(|e| self.unreachable(&with_causes(&e)))
    }

    fn unreachable(&self, why: &str) -> StoreError {
        db_error(format!("{}: {why}", redacted(&self.url)))
    }
}

/// An error with its causes ("error performing TLS handshake: invalid peer certificate: ...").
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s += &format!(": {c}");
        cause = c.source();
    }
    s
}

/// The rustls client configuration trusting the CA certificate(s) in `ca` (PEM).
fn rustls_for(ca: &Path) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    let text =
        std::fs::read(ca).map_err(|e| db_error(format!("store_ca {}: {e}", ca.display())))?;
    let mut roots = rustls::RootCertStore::empty();
    for p in
        pem::parse_many(&text).map_err(|e| db_error(format!("store_ca {}: {e}", ca.display())))?
    {
        if p.tag() == "CERTIFICATE" {
            roots
                .add(rustls::pki_types::CertificateDer::from(
                    p.contents().to_vec(),
                ))
                .map_err(|e| db_error(format!("store_ca {}: {e}", ca.display())))?;
        }
    }
    if roots.is_empty() {
        return Err(db_error(format!(
            "store_ca {}: no certificate in it",
            ca.display()
        )));
    }
    // The crate's one provider (ring, as for SMTP), its default protocol versions (TLS 1.2, 1.3).
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}
