//! `tourcrm`: the one binary. A small CLI over the libraries: serve (panel, bot, scheduler),
//! migrate, staff, keys, demo-data.

#![deny(unsafe_code)]

#[cfg(target_os = "linux")]
mod affinity;
mod bench;
mod cli;
mod config;
mod demo;
mod malloc;
mod scheduler;
mod serve;
mod startup;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    malloc::tune();
    let args = cli::Cli::parse();
    let serving = matches!(args.command, None | Some(cli::Command::Serve));
    startup::init_tracing(serving);
    let config = match config::Config::load(&config::Env) {
        Ok(c) => c,
        Err(e) => {
            // One line naming the variable; exit code 2 = bad configuration.
            eprintln!("tourcrm: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = startup::check_key_file(&config) {
        eprintln!("tourcrm: {}", startup::describe(&e));
        return ExitCode::from(startup::exit_code(&e));
    }
    let runtime = match startup::runtime(&config, serving) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tourcrm: {}", startup::describe(&e));
            return ExitCode::from(startup::exit_code(&e));
        }
    };
    match runtime.block_on(cli::run(args, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tourcrm: {}", startup::describe(&e));
            ExitCode::from(startup::exit_code(&e))
        }
    }
}
