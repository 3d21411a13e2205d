//! `kyso user ...`: staff accounts, written beside the evidence in the data directory (plain
//! files, so the service may be running).

use super::args::UserCommand;
use super::with_config;
use crate::app::accounts::{self, NewUser};
use crate::store::users::Role;

/// The first line of standard input (a password), without its line ending.
fn password_from_stdin() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("reading the password from standard input: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn role_of(s: &str) -> Role {
    match s {
        "admin" => Role::Admin,
        "reader" => Role::Reader,
        _ => Role::UnitClerk,
    }
}

pub(super) fn run(command: UserCommand) -> i32 {
    match command {
        UserCommand::Add {
            name,
            role,
            unit,
            display_name,
            config,
        } => with_config(config, |cfg| {
            let data = cfg.accounts().map_err(|e| e.to_string())?;
            let new = NewUser {
                name,
                display_name,
                role: role_of(&role),
                unit,
                password: password_from_stdin()?,
            };
            let known = |u: &str| data.unit_known(u);
            let u = accounts::add(&data, &known, new, time::OffsetDateTime::now_utc())
                .map_err(|e| e.to_string())?;
            Ok((
                format!("account {} created ({})", u.name, u.role.label_vi()),
                true,
            ))
        }),
        UserCommand::List { config } => with_config(config, |cfg| {
            let all = cfg
                .accounts()
                .and_then(|a| a.all())
                .map_err(|e| e.to_string())?;
            let lines: Vec<String> = all
                .iter()
                .map(|u| {
                    format!(
                        "{}\t{}\t{:?}\t{}\t{}",
                        u.name,
                        u.display_name,
                        u.role,
                        u.unit.as_deref().unwrap_or("-"),
                        if u.disabled { "disabled" } else { "enabled" }
                    )
                })
                .collect();
            Ok((lines.join("\n"), true))
        }),
        UserCommand::Passwd { name, config } => with_config(config, |cfg| {
            let p = password_from_stdin()?;
            let data = cfg.accounts().map_err(|e| e.to_string())?;
            accounts::update(&data, &name, Some(&p), None).map_err(|e| e.to_string())?;
            Ok((format!("password of {name} changed"), true))
        }),
        UserCommand::Disable {
            name,
            enable,
            config,
        } => with_config(config, |cfg| {
            let data = cfg.accounts().map_err(|e| e.to_string())?;
            accounts::update(&data, &name, None, Some(!enable)).map_err(|e| e.to_string())?;
            let what = if enable { "enabled" } else { "disabled" };
            Ok((format!("account {name} {what}"), true))
        }),
    }
}
