//! Wiring only: parse the command line, pick the data source, run one command.
//! Errors that reach here are printed as one line and exit with code 2.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("irsa-inspector: {err:#}");
            ExitCode::from(2)
        }
    }
}
