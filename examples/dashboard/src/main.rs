//! The sensor network's dashboard: subscribes through mqttwire to `sensors/#`, stores every
//! message in SQLite before acknowledging it, and serves a live web page of the readings.
//!
//! ```text
//! cargo run --manifest-path examples/dashboard/Cargo.toml -- --broker 127.0.0.1:1883 --db target/dashboard.db
//! ```
//!
//! Run with `--help` for every option.

mod cli;
mod mqtt;
mod store;
mod web;

use std::io::Write;
use std::process::ExitCode;
use store::{SharedStore, Store};
use tokio::sync::broadcast;

/// Readings held for a page that has not taken them yet; past that it reloads.
const EVENT_BUFFER: usize = 1024;

fn main() -> ExitCode {
    let options = match cli::parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{}", cli::HELP);
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("dashboard: {e}\n\n{}", cli::HELP);
            return ExitCode::from(2);
        }
    };
    // The database first: a file that cannot be used is an error before anything starts.
    let store = match Store::open(&options.db) {
        Ok(store) => SharedStore::new(store),
        Err(e) => {
            eprintln!("dashboard: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("dashboard: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(options, store)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dashboard: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Serves the page and keeps the MQTT session until the web server fails.
async fn serve(options: cli::Options, store: SharedStore) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(options.http)
        .await
        .map_err(|e| format!("--http {}: {e}", options.http))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    // The first line on stdout, for whoever started us with port 0.
    println!("http://{address}/");
    let _ = std::io::stdout().flush();

    let (events, _) = broadcast::channel(EVENT_BUFFER);
    tokio::spawn(mqtt::run(
        options.broker,
        options.client_id,
        store.clone(),
        events.clone(),
    ));
    axum::serve(listener, web::router(web::App { store, events }))
        .await
        .map_err(|e| format!("web server: {e}"))
}
