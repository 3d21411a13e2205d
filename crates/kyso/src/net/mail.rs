//! Sending e-mail (the reminders to the units still missing, `crate::app::reminders`): one
//! plain-text message per call over SMTP (RFC 5321), with STARTTLS (RFC 3207) required by
//! default, implicit TLS (RFC 8314) or, for a server on the same machine, none.

use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

/// The longest one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// One message: to whom, about what, and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// What sends a [`Letter`]: the SMTP server in service, anything else in a test.
pub trait Postman: Send + Sync {
    /// Hand the letter over; `Err` says why it was not accepted.
    fn send(&self, letter: &Letter) -> Result<(), String>;
}

/// How the SMTP connection is protected (`[reminders] tls`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum SmtpTls {
    /// `starttls` (the default): STARTTLS (RFC 3207), refused if the server does not offer it.
    #[serde(rename = "starttls")]
    StartTls,
    /// `tls`: TLS from the first byte (RFC 8314, usually port 465).
    #[serde(rename = "tls")]
    Tls,
    /// `none`: only for a server on the same machine, or a test.
    #[serde(rename = "none")]
    None,
}

/// Where and how to send: the server, its protection, the login and the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// Empty: no login.
    pub username: String,
    /// A file holding the password (its first line), required with a user name.
    pub password_file: Option<PathBuf>,
    /// The sender, e.g. `Văn phòng <vanphong@example.gov.vn>`.
    pub from: String,
}

/// The SMTP server messages go through.
pub struct Smtp {
    transport: SmtpTransport,
    from: Mailbox,
}

impl Smtp {
    /// The server `cfg` names; `Err` says what in the configuration is wrong (checked at start).
    pub fn new(cfg: &Server) -> Result<Smtp, String> {
        let host = cfg.host.as_str();
        let from: Mailbox = cfg.from.parse().map_err(|e| {
            format!(
                "[reminders] from = {:?} is not an e-mail address ({e}); e.g. \"Văn phòng <vanphong@example.gov.vn>\"",
                cfg.from
            )
        })?;
        let params = || {
            TlsParameters::new(host.to_string())
                .map_err(|e| format!("[reminders] TLS for {host}: {e}"))
        };
        let tls = match cfg.tls {
            SmtpTls::StartTls => Tls::Required(params()?),
            SmtpTls::Tls => Tls::Wrapper(params()?),
            SmtpTls::None => Tls::None,
        };
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(cfg.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if !cfg.username.is_empty() {
            builder = builder.credentials(Credentials::new(cfg.username.clone(), password(cfg)?));
        }
        Ok(Smtp {
            transport: builder.build(),
            from,
        })
    }
}

/// The password from `password_file` (its first line), required with a user name.
fn password(cfg: &Server) -> Result<String, String> {
    let path = cfg.password_file.as_ref().ok_or_else(|| {
        "[reminders] username is set but password_file is not (a file holding the SMTP password)"
            .to_string()
    })?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("[reminders] password_file {}: {e}", path.display()))?;
    Ok(text.lines().next().unwrap_or_default().to_string())
}

impl Postman for Smtp {
    fn send(&self, letter: &Letter) -> Result<(), String> {
        let to: Mailbox = letter
            .to
            .parse()
            .map_err(|e| format!("the address {:?}: {e}", letter.to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(letter.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(letter.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
