//! What the other instances changed: a dedicated connection `LISTEN`s on [`CHANNEL`], where
//! every write of a submission or of the registry is announced inside its transaction (so the
//! announcement is delivered at commit, and only then). The store applies each to its index.
//! While the connection is down announcements are lost, so after it is made again the store is
//! told to read everything again ([`Change::Resync`]).

use super::link::Link;
use super::{Database, CHANNEL};
use crate::store::StoreError;
use futures_util::StreamExt;
use std::sync::mpsc::Sender;
use std::time::Duration;
use tokio_postgres::AsyncMessage;

/// An announcement, as the store applies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// The listener is listening (the first time): what is written from now on is announced.
    Listening,
    /// Submission `id` was written (new, or its record replaced).
    Submission(String),
    /// The registry or its settings changed.
    Registry,
    /// The listener was reconnected: announcements may have been lost.
    Resync,
}

/// An announcement `s <id> <origin>` or `r <origin>`; `None` for one of `own` (this process
/// applied its own change already) or one it cannot read.
fn parse(payload: &str, own: &str) -> Option<Change> {
    let mut words = payload.split(' ');
    let change = match (words.next(), words.next(), words.next()) {
        (Some("s"), Some(id), Some(origin)) => (Change::Submission(id.to_string()), origin),
        (Some("r"), Some(origin), None) => (Change::Registry, origin),
        _ => return None,
    };
    (change.1 != own && words.next().is_none()).then_some(change.0)
}

/// A connection's stream of asynchronous messages, whatever its TLS.
pub(super) trait Messages: Send {
    fn poll_message(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<AsyncMessage, tokio_postgres::Error>>>;
}

impl<S, T> Messages for tokio_postgres::Connection<S, T>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send,
{
    fn poll_message(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<AsyncMessage, tokio_postgres::Error>>> {
        tokio_postgres::Connection::poll_message(self, cx)
    }
}

/// Drive `conn`, sending the payload of every notification to `to`.
pub(super) fn forward(mut conn: Box<dyn Messages>, to: tokio::sync::mpsc::UnboundedSender<String>) {
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| conn.poll_message(cx));
        while let Some(Ok(m)) = messages.next().await {
            if let AsyncMessage::Notification(n) = m {
                if to.send(n.payload().to_string()).is_err() {
                    return;
                }
            }
        }
    });
}

/// After this long without an announcement the listening connection is asked `SELECT 1`.
const QUIET: Duration = Duration::from_secs(30);

/// Drive `conn` until it ends (a pooled connection: its messages are only notices).
pub(super) fn drive(mut conn: Box<dyn Messages>) {
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| conn.poll_message(cx));
        while let Some(m) = messages.next().await {
            if let Err(e) = m {
                tracing::warn!("database connection ended: {e}");
                return;
            }
        }
    });
}

/// Wait this long before listening again after the connection broke.
const RETRY: Duration = Duration::from_secs(1);

impl Database {
    /// Listen for announcements until `to` is gone, reconnecting as needed.
    pub(crate) fn listen(&self, to: Sender<Change>) {
        let (link, own) = (self.link.clone(), self.origin.clone());
        self.spawn(async move {
            let mut first = true;
            loop {
                match listen_once(&link, &own, &to, first).await {
                    Ok(()) => return,
                    Err(e) => tracing::warn!("listening for other instances' changes: {e}"),
                }
                first = false;
                tokio::time::sleep(RETRY).await;
            }
        });
    }
}

/// Listen on one connection; `Ok` when the store is gone, `Err` when the connection broke.
async fn listen_once(
    link: &Link,
    own: &str,
    to: &Sender<Change>,
    first: bool,
) -> Result<(), StoreError> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let client = link.connect_listening(tx).await?;
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(super::db_error)?;
    let hello = if first {
        Change::Listening
    } else {
        Change::Resync
    };
    if to.send(hello).is_err() {
        return Ok(());
    }
    loop {
        // A quiet connection is asked whether it still answers: a half-open one (a failover, a
        // dropped NAT entry) would otherwise look alive for hours while announcements are lost.
        let payload = match tokio::time::timeout(QUIET, rx.recv()).await {
            Ok(Some(p)) => p,
            Ok(None) => return Err(super::db_error("the listening connection ended")),
            Err(_) => {
                let alive = tokio::time::timeout(QUIET, client.simple_query("SELECT 1")).await;
                if !matches!(alive, Ok(Ok(_))) {
                    return Err(super::db_error(
                        "the listening connection stopped answering",
                    ));
                }
                continue;
            }
        };
        if let Some(c) = parse(&payload, own) {
            if to.send(c).is_err() {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_parse_and_own_ones_are_left_out() {
        assert_eq!(
            parse("s abc 01", "02"),
            Some(Change::Submission("abc".into()))
        );
        assert_eq!(parse("r 01", "02"), Some(Change::Registry));
        assert_eq!(parse("s abc 02", "02"), None);
        assert_eq!(parse("r 02", "02"), None);
        assert_eq!(parse("x", "02"), None);
        assert_eq!(parse("s abc", "02"), None);
        assert_eq!(parse("s a b c", "02"), None);
    }
}
