//! The command line: what each subcommand does, in terms of the libraries.

use crate::config::{Config, MasterKeySource};
use crate::{demo, serve, startup};
use clap::{Parser, Subcommand};
use crm::domain::Role;
use crm::services::{MasterKeyHome, NewStaffInput, RotationReport, Staff};
use crm::{Actor, text};
use secrecy::ExposeSecret;

#[derive(Debug, Parser)]
#[command(name = "tourcrm", version, about = text::get("cli", "about"))]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the admin panel, the Telegram bot (when TELOXIDE_TOKEN is set) and the scheduler.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Manage the encryption keys of personal data.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Fill an empty database with a demo travel agency: staff, hotels, tours, clients, bookings, payments.
    DemoData,
    /// Measure speed (figures for humans; nothing is asserted).
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// One dialogue step of the pure state machine (registration conversations).
    Dialogue {
        #[arg(long, default_value_t = 20_000)]
        iterations: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a staff member; prints the login, a one-time panel password and a Telegram invite link.
    Add {
        #[arg(long, value_parser = ["admin", "operator", "agent", "accountant"])]
        role: String,
        /// Full name, e.g. "Смирнова Анна".
        #[arg(long)]
        name: String,
        #[arg(long)]
        login: String,
    },
    /// List staff members.
    List,
    /// Issue a new Telegram invite link for a staff member (the old one stops working).
    Invite {
        #[arg(long)]
        login: String,
    },
    /// Lift the sign-in lock of a login after too many wrong passwords (e.g. the only admin's).
    Unlock {
        #[arg(long)]
        login: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new data key, re-encrypt every record under it and delete the old one.
    Rotate {
        /// Also replace the master key (when someone may have learned it): every data key is
        /// wrapped by a new one, written to the key file (or printed once for TOURCRM_MASTER_KEY).
        #[arg(long)]
        master: bool,
    },
}

/// The invite as a deep link when the bot's username is known, else as the bare code.
async fn print_invite(config: &Config, token: &str) {
    match startup::bot_username(config).await {
        Some(username) => {
            println!("{}", text::fill("cli", "invite_link", &[("username", &username), ("token", &token)]));
        }
        None => println!("{}", text::fill("cli", "invite_code", &[("token", &token)])),
    }
}

/// The staff member with this login (as typed: case and spaces do not matter).
async fn staff_member(crm: &crm::Crm, login: &str) -> Result<Staff, startup::StartError> {
    let login = login.trim().to_ascii_lowercase();
    let staff = crm.list_staff(&Actor::System).await?;
    staff
        .into_iter()
        .find(|s| s.login == login)
        .ok_or_else(|| startup::StartError::Refused(text::fill("cli", "no_such_login", &[("login", &login)])))
}

pub async fn run(cli: Cli, config: Config) -> Result<(), startup::StartError> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(config).await,
        Command::Migrate => {
            let store = startup::open_store(&config).await?;
            store.close().await;
            println!(
                "{}",
                text::fill("cli", "migrated", &[("database", &startup::redacted_url(&config.database_url))])
            );
            Ok(())
        }
        Command::Staff(StaffCommand::Add { role, name, login }) => {
            let crm = startup::open_crm(&config).await?;
            let role = Role::parse(&role).map_err(crm::Error::from)?;
            let created = crm.add_staff(&Actor::System, NewStaffInput { login: &login, name: &name, role }).await?;
            println!(
                "{}",
                text::fill("cli", "staff_added", &[("name", &created.staff.name), ("role", &role.title_ru())])
            );
            println!("{}", text::fill("cli", "login", &[("login", &created.staff.login)]));
            println!("{}", text::fill("cli", "password", &[("password", &created.password)]));
            println!("  {}", text::get("cli", "password_note"));
            print_invite(&config, &created.invite_token).await;
            crm.store().close().await;
            Ok(())
        }
        Command::Staff(StaffCommand::Invite { login }) => {
            let crm = startup::open_crm(&config).await?;
            let member = staff_member(&crm, &login).await?;
            let token = crm.new_invite(&Actor::System, member.id).await?;
            println!("{}", text::fill("cli", "new_invite", &[("name", &member.name), ("login", &member.login)]));
            print_invite(&config, &token).await;
            crm.store().close().await;
            Ok(())
        }
        Command::Staff(StaffCommand::Unlock { login }) => {
            let crm = startup::open_crm(&config).await?;
            let member = staff_member(&crm, &login).await?;
            let who: [(&str, &dyn std::fmt::Display); 2] = [("name", &member.name), ("login", &member.login)];
            if crm.unlock_staff(&Actor::System, member.id).await? {
                println!("{}", text::fill("cli", "unlocked", &who));
            } else {
                println!("{}", text::fill("cli", "not_locked", &who));
            }
            crm.store().close().await;
            Ok(())
        }
        Command::Staff(StaffCommand::List) => {
            let crm = startup::open_crm(&config).await?;
            let locks = crm.staff_locks(&Actor::System).await?;
            for s in crm.list_staff(&Actor::System).await? {
                let tg = s.telegram_username.as_deref().map(|u| format!("@{u}")).unwrap_or_else(|| "—".into());
                let mut state =
                    if s.active { text::get("cli", "staff_active") } else { text::get("cli", "staff_disabled") }
                        .to_owned();
                if let Some(until) = locks.get(&s.id) {
                    let until = crm::domain::format_local_datetime(*until, crm::domain::DEFAULT_TZ);
                    state = format!("{state}, {}", text::fill("cli", "staff_locked", &[("until", &until)]));
                }
                println!("{:>4}  {:<20} {:<30} {:<14} {:<16} {}", s.id, s.login, s.name, s.role.title_ru(), tg, state);
            }
            crm.store().close().await;
            Ok(())
        }
        Command::DemoData => {
            let crm = startup::open_crm(&config).await?;
            // Checked before anything is written: a refused run changes nothing.
            if !demo::is_empty(&crm).await? {
                crm.store().close().await;
                return Err(startup::StartError::Refused(demo::NOT_EMPTY.to_owned()));
            }
            let summary = demo::fill(&crm).await;
            crm.store().close().await;
            demo::print(&summary?);
            Ok(())
        }
        Command::Bench(BenchCommand::Dialogue { iterations }) => {
            crate::bench::dialogue(iterations);
            Ok(())
        }
        Command::Keys(KeysCommand::Rotate { master: false }) => {
            let crm = startup::open_crm(&config).await?;
            let report = crm.rotate_keys(&Actor::System).await;
            crm.store().close().await;
            print_rotation(&report?);
            Ok(())
        }
        Command::Keys(KeysCommand::Rotate { master: true }) => {
            let crm = startup::open_crm(&config).await?;
            let home = match &config.master_key {
                MasterKeySource::File(path) => MasterKeyHome::File(path),
                MasterKeySource::Env(_) => MasterKeyHome::Environment,
            };
            let report = crm.rotate_master_key(&Actor::System, home).await;
            crm.store().close().await;
            let report = report?;
            print_rotation(&report.data);
            if let Some(key) = &report.new_key {
                println!("{}", text::fill("cli", "master_key_printed", &[("key", &key.expose_secret())]));
                println!("  {}", text::get("cli", "master_key_env_note"));
            } else if let MasterKeySource::File(path) = &config.master_key {
                println!(
                    "{}",
                    text::fill(
                        "cli",
                        "master_key_replaced",
                        &[("path", &path.display()), ("rewrapped", &report.rewrapped)]
                    )
                );
                println!("  {}", text::get("cli", "master_key_file_note"));
            }
            Ok(())
        }
    }
}

fn print_rotation(report: &RotationReport) {
    let deleted = if report.deleted.is_empty() { "—".to_owned() } else { report.deleted.join(", ") };
    println!(
        "{}",
        text::fill(
            "cli",
            "keys_rotated",
            &[("key", &report.new_key), ("resealed", &report.resealed), ("deleted", &deleted)]
        )
    );
}
