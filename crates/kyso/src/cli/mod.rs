//! The `kyso` command line. Holds no domain logic: it loads inputs and prints reports.

mod args;
mod cert;
pub mod demo;
pub mod maintenance;
mod users;
mod verify;

use args::{CertCommand, Cli, Command, CrlCommand, RegistryCommand, StoreCommand, TokenCommand};

use crate::config::Config;
use clap::Parser;
use std::path::{Path, PathBuf};

/// Run the CLI; returns the process exit status.
/// Warnings of the library (an OCSP responder that failed, ...) on stderr, for the commands
/// other than `serve` and `demo` (which set up the service's logging).
fn command_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KYSO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .with_target(false)
        .try_init();
}

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    if !matches!(cli.command, Command::Serve { .. } | Command::Demo { .. }) {
        command_logging();
    }
    match cli.command {
        Command::Verify(a) => verify::run_verify(a),
        Command::Cert {
            command: CertCommand::Verify(a),
        } => cert::run(a),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "kyso", &mut std::io::stdout());
            0
        }
        Command::Man { dir } => man(dir.as_deref()),
        Command::Serve {
            config,
            allow_no_anchors,
        } => match load_config(config.as_deref()) {
            Ok(mut cfg) => {
                cfg.allow_no_anchors |= allow_no_anchors;
                crate::startup::run(cfg, None)
            }
            Err(e) => fail(&e),
        },
        Command::Demo {
            data_dir,
            bind,
            fixtures,
        } => {
            let data_dir = data_dir.unwrap_or_else(|| std::env::temp_dir().join("kyso-demo"));
            crate::cli::demo::demo(&data_dir, &bind, &fixtures)
        }
        Command::Token {
            command: TokenCommand::New { name, scopes },
        } => token_new(&name, &scopes),
        Command::Registry {
            command:
                RegistryCommand::Import {
                    file,
                    config,
                    create_data_dir,
                    dry_run,
                    correction,
                },
        } => with_config(config, |cfg| {
            if dry_run {
                return crate::cli::maintenance::registry_changes(cfg, &file).map(|m| (m, true));
            }
            crate::cli::maintenance::import_registry(
                cfg,
                &file,
                create_data_dir,
                correction.as_deref(),
            )
            .map(|m| (m, true))
        }),
        Command::Crl {
            command: CrlCommand::Refresh { config },
        } => with_config(config, crate::cli::maintenance::crl_refresh),
        Command::Reverify { config } => with_config(config, |cfg| {
            crate::cli::maintenance::reverify(cfg).map(|m| (m, true))
        }),
        Command::Store { command } => store_command(command),
        Command::User { command } => users::run(command),
    }
}

/// `kyso man [--dir DIR]`: the manual page on stdout, or a page per command in `DIR`.
fn man(dir: Option<&std::path::Path>) -> i32 {
    let cmd = <Cli as clap::CommandFactory>::command();
    let written = match dir {
        Some(d) => std::fs::create_dir_all(d)
            .and_then(|()| clap_mangen::generate_to(cmd, d))
            .map(|()| eprintln!("kyso: manual pages written to {}", d.display())),
        None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout()),
    };
    match written {
        Ok(()) => 0,
        Err(e) => fail(&e.to_string()),
    }
}

/// `kyso store ...`: the maintenance commands on the evidence store.
fn store_command(command: StoreCommand) -> i32 {
    match command {
        StoreCommand::Reindex { config } => with_config(config, |cfg| {
            crate::cli::maintenance::reindex(cfg).map(|m| (m, true))
        }),
        StoreCommand::Backup { dir, config } => with_config(config, |cfg| {
            crate::cli::maintenance::store_backup(cfg, &dir).map(|m| (m, true))
        }),
        StoreCommand::Restore {
            dir,
            config,
            unsealed,
        } => with_config(config, |cfg| {
            crate::cli::maintenance::store_restore(cfg, &dir, unsealed)
        }),
        StoreCommand::Verify { config, reverify } => with_config(config, |cfg| {
            crate::cli::maintenance::store_verify(cfg, reverify)
        }),
        StoreCommand::Migrate { from, to, ca } => print_outcome(
            crate::cli::maintenance::store_migrate(&from, &to, ca.as_deref()),
        ),
    }
}

/// Load the configuration, run `f`, print its summary; the exit status of [`print_outcome`].
fn with_config(
    config: Option<PathBuf>,
    f: impl FnOnce(&Config) -> Result<(String, bool), String>,
) -> i32 {
    print_outcome(load_config(config.as_deref()).and_then(|cfg| f(&cfg)))
}

/// Print a command's summary; exit 0 when it succeeded cleanly, 1 otherwise.
fn print_outcome(r: Result<(String, bool), String>) -> i32 {
    match r {
        Ok((msg, clean)) => {
            println!("{msg}");
            i32::from(!clean)
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &str) -> i32 {
    eprintln!("kyso: {e}");
    1
}

/// The configuration: `--config`, else KYSO_CONFIG, else the embedded defaults; then KYSO_*.
pub fn load_config(path: Option<&Path>) -> Result<Config, String> {
    let p = path
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("KYSO_CONFIG").map(PathBuf::from));
    Config::load(p.as_deref(), &|k| std::env::var(k).ok()).map_err(|e| e.to_string())
}

fn token_new(name: &str, scopes: &[String]) -> i32 {
    let mut raw = [0u8; 32];
    if let Err(e) = getrandom::getrandom(&mut raw) {
        return fail(&format!("no randomness available: {e}"));
    }
    let token = format!("kyso_{}", hex::encode(raw));
    let digest = hex::encode(kyso_verify::pki::crypto::sha256(token.as_bytes()));
    let scopes = scopes
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    println!("# Token for {name} (shown once; kyso stores only its SHA-256):\n# {token}\n");
    println!("[[token]]\nname = {name:?}\nsha256 = \"{digest}\"\nscopes = [{scopes}]");
    0
}
