//! `[reminders]`: the SMTP server and the monthly run of the reminders (`crate::app::reminders`).

use crate::app::reminders::Schedule;
use crate::net::mail::{Server, SmtpTls};
use serde::Deserialize;
use std::path::PathBuf;

/// `[reminders]`: on `day` of each month, from `hour` (Vietnam time), each unit that still
/// misses something that month gets one e-mail at its contact's address, listing what is
/// missing; every send is recorded (`reminders/sent.jsonl`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Reminders {
    /// The SMTP server; empty: no reminders.
    pub smtp_host: String,
    pub smtp_port: u16,
    /// How the connection is protected.
    pub tls: SmtpTls,
    pub username: String,
    /// A file holding the SMTP password (never the password in the configuration).
    pub password_file: Option<PathBuf>,
    /// The sender, e.g. `Văn phòng HĐND và UBND <vanphong@huongtra.gov.vn>`.
    pub from: String,
    /// Day of the month reminders go out (1–28).
    pub day: u8,
    /// Hour of that day from which they go out (0–23, Vietnam time).
    pub hour: u8,
    /// The sending office's name, signed at the end of each reminder.
    pub office: String,
}

impl Default for Reminders {
    fn default() -> Self {
        Reminders {
            smtp_host: String::new(),
            smtp_port: 587,
            tls: SmtpTls::StartTls,
            username: String::new(),
            password_file: None,
            from: String::new(),
            day: 25,
            hour: 8,
            office: "Văn phòng HĐND và UBND".into(),
        }
    }
}

impl Reminders {
    /// Whether reminders are configured.
    pub fn enabled(&self) -> bool {
        !self.smtp_host.trim().is_empty()
    }

    /// The day and hour in range, and a sender when reminders are on.
    pub(super) fn check(&self) -> Result<(), String> {
        if !(1..=28).contains(&self.day) {
            return Err(format!(
                "[reminders] day = {}: a day every month has (1 to 28)",
                self.day
            ));
        }
        if self.hour > 23 {
            return Err(format!("[reminders] hour = {}: 0 to 23", self.hour));
        }
        if self.enabled() && self.from.trim().is_empty() {
            return Err(
                "[reminders] smtp_host is set but from is not (the sender's address)".into(),
            );
        }
        Ok(())
    }

    /// The SMTP server, for `crate::net::mail::Smtp`.
    pub fn server(&self) -> Server {
        Server {
            host: self.smtp_host.trim().to_string(),
            port: self.smtp_port,
            tls: self.tls,
            username: self.username.clone(),
            password_file: self.password_file.clone(),
            from: self.from.clone(),
        }
    }

    /// When the monthly run writes, and who signs.
    pub fn schedule(&self) -> Schedule {
        Schedule {
            day: self.day,
            hour: self.hour,
            office: self.office.clone(),
        }
    }
}
