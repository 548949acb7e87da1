//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;

/// `--help`.
pub const HELP: &str = "\
dashboard: the sensor network's web page and SQLite database, fed through an MQTT broker

USAGE: dashboard [OPTIONS]

OPTIONS:
  --broker HOST:PORT   MQTT 3.1.1 broker                        [127.0.0.1:1883]
  --http ADDR          address of the web page, port 0 for any
                       free one (the address is printed)        [127.0.0.1:8080]
  --db FILE            SQLite database, created (with its
                       directory) if missing                    [dashboard.db]
  --id ID              MQTT client identifier of the persistent
                       session                                  [mqttwire-dashboard]
  -h, --help           print this help

It subscribes to sensors/# at QoS 1 with a persistent session (Clean Session 0),
stores every message in the table `readings` of FILE before acknowledging it, and
serves a page with each sensor's latest value, its room's status and a chart of
its recent readings, updated live. The first line on stdout is
`http://ADDR/`.

For tests, DASHBOARD_EXIT_BEFORE_PUBACK=N in the environment makes it exit
(code 3) after storing N messages, before acknowledging the last one.
";

/// What the command line asks for.
#[derive(Debug)]
pub struct Options {
    /// The broker's `HOST:PORT`, resolved at each connection attempt.
    pub broker: String,
    /// Where the web page is served.
    pub http: SocketAddr,
    /// The SQLite database file.
    pub db: PathBuf,
    /// The MQTT client identifier: fixed, so the broker keeps the session between runs.
    pub client_id: String,
}

/// Parses the arguments (without the program name); `Ok(None)` asks for `--help`.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        broker: "127.0.0.1:1883".into(),
        http: SocketAddr::from(([127, 0, 0, 1], 8080)),
        db: PathBuf::from("dashboard.db"),
        client_id: "mqttwire-dashboard".into(),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--broker" => {
                let broker = value()?;
                if !broker.contains(':') {
                    return Err(format!("--broker {broker}: expected HOST:PORT"));
                }
                options.broker = broker;
            }
            "--http" => {
                let http = value()?;
                options.http = http
                    .parse()
                    .map_err(|e| format!("--http {http}: expected IP:PORT ({e})"))?;
            }
            "--db" => options.db = PathBuf::from(value()?),
            "--id" => options.client_id = value()?,
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    Ok(Some(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_and_overrides() {
        let o = parse(args(&[])).unwrap().unwrap();
        assert_eq!(o.broker, "127.0.0.1:1883");
        assert_eq!(o.http, SocketAddr::from(([127, 0, 0, 1], 8080)));
        let o = parse(args(&[
            "--broker",
            "h:1",
            "--http",
            "127.0.0.1:0",
            "--db",
            "x.db",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!((o.broker.as_str(), o.http.port()), ("h:1", 0));
        assert_eq!(o.db, PathBuf::from("x.db"));
    }

    #[test]
    fn help_and_errors() {
        assert!(parse(args(&["--help"])).unwrap().is_none());
        assert!(parse(args(&["--db"]))
            .unwrap_err()
            .contains("needs a value"));
        assert!(parse(args(&["--http", "nowhere"])).is_err());
        assert!(parse(args(&["--broker", "nohost"])).is_err());
        assert!(parse(args(&["--what"]))
            .unwrap_err()
            .contains("unknown option"));
    }
}
