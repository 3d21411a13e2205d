//! The command line's arguments (clap): every command, option and its help text.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "kyso",
    version,
    about = "Verify digitally signed PDFs (BCY / Ban Cơ yếu Chính phủ PKI)",
    after_help = EXIT_STATUS
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

const EXIT_STATUS: &str = "Exit status:\n  0  success (verify: every file VALID)\n  1  verify: a file is not VALID (INVALID, INDETERMINATE, UNSIGNED); other commands: the command failed\n  2  usage error, unreadable trust files, or a file that could not be evaluated";

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Verify the signatures of PDF files.
    #[command(after_help = EXIT_STATUS)]
    Verify(VerifyArgs),
    /// Run the HTTP service.
    Serve {
        /// Configuration file (TOML; also KYSO_CONFIG). Every key has a default.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Start without trust anchors (a trial: every signature is then INDETERMINATE); the
        /// service otherwise refuses to start without them (also allow_no_anchors).
        #[arg(long)]
        allow_no_anchors: bool,
    },
    /// Run the service with the fixture test PKI and a demo registry of Hương Trà units.
    Demo {
        /// Where the demo keeps its data [default: kyso-demo in the system's temporary directory,
        /// outside the checkout].
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// The fixtures directory of the source tree.
        #[arg(long, default_value = "fixtures")]
        fixtures: PathBuf,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Staff accounts for the pages (a password each; the service may be running).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The registry of units, leaders and certificate enrolments.
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// CRLs.
    Crl {
        #[command(subcommand)]
        command: CrlCommand,
    },
    /// Re-verify every stored submission with the current trust store and CRLs (service
    /// stopped); changed verdicts are kept in each submission's history.
    Reverify {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// The evidence store.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Certificates.
    Cert {
        #[command(subcommand)]
        command: CertCommand,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on stdout: `kyso man > kyso.1`; with --dir, write a page per
    /// command there (kyso.1, kyso-verify.1, kyso-user-add.1, …).
    Man {
        /// Write every page into this directory (e.g. /usr/local/share/man/man1).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Print a fresh random token and the configuration block to paste.
    New {
        #[arg(long)]
        name: String,
        /// submit, read or admin; repeatable.
        #[arg(long = "scope", required = true, value_parser = ["submit", "read", "admin"])]
        scopes: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account; the password is read from the first line of standard input
    /// (at least 10 characters), e.g. `kyso user add ... < password.txt`.
    Add {
        /// The sign-in name: lower-case letters, digits, `.`, `-`, `_`.
        name: String,
        /// admin (the Office's administrator), reader (every figure, no change) or clerk (one
        /// unit's clerk: its months, files and uploads only).
        #[arg(long, value_parser = ["admin", "reader", "clerk"])]
        role: String,
        /// The clerk's unit (an id of the registry); only with --role clerk.
        #[arg(long)]
        unit: Option<String>,
        /// The person's name as the pages show it.
        #[arg(long)]
        display_name: String,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Every account: name, role, unit, whether disabled.
    List {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Set a new password (read from the first line of standard input).
    Passwd {
        name: String,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Disable an account (its sessions end at their next request), or enable it again.
    Disable {
        name: String,
        /// Enable the account again.
        #[arg(long)]
        enable: bool,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum CertCommand {
    /// Check a certificate (e.g. a token's, before enrolling it) with the same path building,
    /// certificate checks and revocation as signatures: chain to a trusted anchor, validity at
    /// --at, key usage for signing, name constraints, CRLs.
    #[command(after_help = EXIT_STATUS)]
    Verify(CertArgs),
}

#[derive(Args, Debug)]
pub struct CertArgs {
    #[command(flatten)]
    pub trust: TrustOpts,
    /// One JSON object per certificate on stdout.
    #[arg(long)]
    pub json: bool,
    /// Certificate files (PEM or DER; a PEM file may hold several).
    #[arg(required = true, value_name = "CERT")]
    pub certs: Vec<PathBuf>,
}

/// Where trust, revocation and time come from (`verify` and `cert verify`).
#[derive(Args, Debug)]
pub struct TrustOpts {
    /// Trust anchors: PEM (one or many certificates) or DER files, or directories. Repeatable.
    /// Without it, the configured trust store is used.
    #[arg(long = "trust", value_name = "PATH")]
    pub trust: Vec<PathBuf>,
    /// Extra CA certificates for path building (same forms). Repeatable.
    #[arg(long = "intermediates", value_name = "PATH")]
    pub intermediates: Vec<PathBuf>,
    /// CRL files (DER or PEM) or directories. Repeatable.
    #[arg(long = "crl", value_name = "PATH")]
    pub crl: Vec<PathBuf>,
    /// Validation time, RFC 3339 (default: now).
    #[arg(long = "at", value_name = "RFC3339")]
    pub at: Option<String>,
    /// Configuration file for the default trust store (also KYSO_CONFIG).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Policy: a certificate whose revocation cannot be checked (no CRL, no OCSP answer) is
    /// INDETERMINATE.
    #[arg(long)]
    pub require_revocation: bool,
    /// Ask the OCSP responders the certificates name (authorityInfoAccess), RFC 6960.
    #[arg(long)]
    pub ocsp: bool,
}

#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// Import (upsert) a registry TOML file into the data directory (service stopped).
    Import {
        file: PathBuf,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Create the data directory if it does not exist yet (a first installation).
        #[arg(long)]
        create_data_dir: bool,
        /// Show what the import would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Apply changes that alter months already past, as an explicit correction with this
        /// reason (kept in the audit log); without it such an import is refused.
        #[arg(long, value_name = "REASON")]
        correction: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum CrlCommand {
    /// Download the CRLs named by the trusted CAs (and crl_urls), verify them, keep the newest.
    Refresh {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum StoreCommand {
    /// Rebuild the sled index from the evidence files (service stopped).
    Reindex {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Re-hash every stored PDF and compare records, PDFs and index (read-only; service
    /// stopped). Exit status 0 when all is consistent, 1 otherwise; one line per problem.
    Verify {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Also verify every stored PDF again (with the configured trust store, at its receipt
        /// time) and report each whose stored report says otherwise. Changes nothing.
        #[arg(long)]
        reverify: bool,
    },
    /// Copy the evidence (PDFs, records, registry; not the index) into DIR, new or empty, with
    /// a manifest of SHA-256 sums written last (service stopped).
    Backup {
        dir: PathBuf,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Copy a whole store into an empty one of the other kind, then compare them by counts and
    /// SHA-256 (services stopped): FROM and TO are each a data directory or a PostgreSQL
    /// address (postgres://user@host:5432/db).
    Migrate {
        #[arg(long, value_name = "DIR|postgres://…")]
        from: String,
        #[arg(long, value_name = "DIR|postgres://…")]
        to: String,
        /// The database server's CA certificate (PEM): connect with TLS and check its
        /// certificate (as `store_ca` does for the service).
        #[arg(long, value_name = "FILE")]
        ca: Option<PathBuf>,
    },
    /// Check a backup against its manifest, copy it into the configured data directory (which
    /// must not hold a store yet), rebuild the index and verify the result.
    Restore {
        dir: PathBuf,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Restore a backup that carries no seal (made by a release before backups were
        /// sealed); only for a backup whose origin you know.
        #[arg(long)]
        unsealed: bool,
    },
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub trust: TrustOpts,
    /// One JSON report per file on stdout (one object per line).
    #[arg(long)]
    pub json: bool,
    /// Policy: accept SHA-1 as the digest of document signatures (refused by default).
    #[arg(long)]
    pub allow_sha1_signatures: bool,
    /// PDF files to verify; a directory means the `.pdf` files under it, `-` standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}
