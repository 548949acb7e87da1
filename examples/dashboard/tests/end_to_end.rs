//! The whole sensor network, for real: the example broker and sensors of the repository, the
//! dashboard with a database in a temporary directory, and its page in headless Chromium.
//!
//! Needs `cargo build --examples` in the repository root (see `support::example`) and
//! Chromium (`chromium` on the PATH, or `$CHROMIUM`); `.ci/dashboard.sh` provides both. With
//! `DASHBOARD_SCREENSHOT=FILE` the page is also saved as a PNG (the README's screenshot).

mod support;

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::browser::Browser;
use support::{count_lines, example, publish_once, wait_for_line, wait_until, work_dir, Child};

const SHORT: Duration = Duration::from_secs(20);

/// The dashboard binary, on `db`, its page on any free port.
fn dashboard(broker: &str, db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mqttwire-dashboard"));
    command.args(["--broker", broker, "--http", "127.0.0.1:0", "--db"]);
    command.arg(db);
    command
}

/// Starts the example sensor at QoS 1, 20 ms between readings, with `args` (split at spaces).
fn sensor(port: &str, work: &Path, name: &str, args: &str) -> Child {
    let mut command = Command::new(example("sensor"));
    command.args(["--port", port, "--qos", "1", "--interval", "20"]);
    command.args(args.split(' '));
    Child::start(name, &mut command, work)
}

/// The values a sensor printed (`<topic> <value>` lines on stdout).
fn sent(work: &Path, name: &str) -> Vec<f64> {
    std::fs::read_to_string(work.join(format!("{name}.out")))
        .unwrap()
        .lines()
        .map(|line| line.rsplit(' ').next().unwrap().parse().unwrap())
        .collect()
}

/// Every QoS 1 row of the database: topic → (value or text) in the order stored.
fn stored(db: &Path) -> BTreeMap<String, Vec<String>> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut statement = conn
        .prepare("SELECT topic, coalesce(value, text) FROM readings WHERE qos = 1 ORDER BY id")
        .unwrap();
    let mut rows = BTreeMap::<String, Vec<String>>::new();
    for row in statement
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, rusqlite::types::Value>(1)?,
            ))
        })
        .unwrap()
    {
        let (topic, value) = row.unwrap();
        let value = match value {
            rusqlite::types::Value::Real(v) => v.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        };
        rows.entry(topic).or_default().push(value);
    }
    rows
}

fn as_strings(values: &[f64]) -> Vec<String> {
    values.iter().map(f64::to_string).collect()
}

/// What the page shows: each sensor's value, each room's status, each chart's points (all
/// empty while the page is still loading).
const PAGE_STATE: &str = r#"JSON.stringify({
  live: document.getElementById("live")?.dataset.state,
  values: Object.fromEntries([...document.querySelectorAll(".value")]
    .map(e => [e.dataset.topic, e.textContent])),
  statuses: Object.fromEntries([...document.querySelectorAll(".status")]
    .map(e => [e.dataset.room, e.dataset.status])),
  points: Object.fromEntries([...document.querySelectorAll(".sensor")]
    .map(e => [e.dataset.topic, Number(e.querySelector(".chart").dataset.points)])),
})"#;

fn page_state(browser: &mut Browser) -> Value {
    serde_json::from_str(browser.eval(PAGE_STATE).as_str().unwrap()).unwrap()
}

#[test]
fn sensors_to_broker_to_database_and_browser_across_restarts() {
    let work = work_dir("end_to_end");
    let db = work.join("readings.db");
    let err = |name: &str| work.join(format!("{name}.err"));

    let mut command = Command::new(example("broker"));
    let broker = Child::start("broker", command.args(["--port", "0"]), &work);
    let listening = wait_for_line(&work.join("broker.out"), "listening on ", SHORT);
    let broker_addr = listening["listening on ".len()..].trim().to_owned();
    let port = broker_addr.rsplit(':').next().unwrap().to_owned();

    let dashboard1 = Child::start("dashboard1", &mut dashboard(&broker_addr, &db), &work);
    let url = wait_for_line(&work.join("dashboard1.out"), "http://", SHORT);
    wait_for_line(&err("dashboard1"), "subscribed to sensors/#", SHORT);

    // Two sensors at once; the hall one vanishes without DISCONNECT, so only its Will can
    // say it is offline (an abrupt sensor does not publish "offline" itself).
    let kitchen = "--room kitchen --kind temperature";
    let one = sensor(
        &port,
        &work,
        "kitchen",
        &format!("{kitchen} --count 10 --will"),
    );
    let hall = "--room hall --kind humidity --count 10 --will --abrupt";
    let two = sensor(&port, &work, "hall", hall);
    one.wait_success();
    two.wait_success();
    let mut kitchen_sent = sent(&work, "kitchen");
    let hall_sent = sent(&work, "hall");
    assert_eq!((kitchen_sent.len(), hall_sent.len()), (10, 10));

    let stored_at_least = |kitchen: usize| {
        let rows = stored(&db);
        let done = rows.get("sensors/kitchen/temperature").map_or(0, Vec::len) >= kitchen
            && rows.get("sensors/hall/humidity").map_or(0, Vec::len) >= hall_sent.len()
            && rows.get("sensors/hall/status").map_or(0, Vec::len) >= 2
            && rows.get("sensors/kitchen/status").map_or(0, Vec::len) >= 2;
        done.then_some(rows)
    };
    let rows = wait_until("the readings in the database", SHORT, || {
        stored_at_least(10)
    });
    assert_eq!(
        rows["sensors/hall/status"],
        ["online", "offline"],
        "the Will"
    );
    assert_eq!(rows["sensors/kitchen/status"], ["online", "offline"]);

    // The page, rendered by its script from /api/recent.
    let mut browser = Browser::open(&url, &work);
    let state = wait_until("the page showing every reading", SHORT, || {
        let state = page_state(&mut browser);
        (state["statuses"]["hall"] == "offline"
            && state["values"]["sensors/kitchen/temperature"].is_string()
            && state["values"]["sensors/hall/humidity"].is_string()
            && state["live"] == "live")
            .then_some(state)
    });
    let shown = |topic: &str| state["values"][topic].as_str().unwrap().parse::<f64>();
    assert_eq!(shown("sensors/kitchen/temperature"), Ok(kitchen_sent[9]));
    assert_eq!(shown("sensors/hall/humidity"), Ok(hall_sent[9]));
    assert_eq!(
        state["statuses"]["hall"], "offline",
        "the abrupt sensor's Will"
    );
    assert_eq!(state["statuses"]["kitchen"], "offline");
    assert_eq!(state["points"]["sensors/kitchen/temperature"], 10);
    assert_eq!(state["points"]["sensors/hall/humidity"], 10);

    // Live, through Server-Sent Events: a new sensor with a payload that is not a number
    // appears on the open page; the dashboard logs it and keeps going.
    publish_once(&broker_addr, "sensors/garage/door", "open");
    wait_until("the live update on the page", SHORT, || {
        let state = page_state(&mut browser);
        (state["values"]["sensors/garage/door"] == "open").then_some(())
    });
    let not_a_number = "\"open\" is not a number, stored as text";
    wait_for_line(&err("dashboard1"), not_a_number, SHORT);
    if let Some(path) = std::env::var_os("DASHBOARD_SCREENSHOT") {
        browser.screenshot(Path::new(&path));
    }
    drop(browser);

    // The dashboard is killed; readings published meanwhile wait in its session on the broker.
    dashboard1.kill();
    sensor(&port, &work, "away", &format!("{kitchen} --count 15")).wait_success();
    let away_sent = sent(&work, "away");
    assert_eq!(away_sent.len(), 15);
    kitchen_sent.extend(&away_sent);

    // Back, it gets them; it stops at the worst moment, the third stored and not acknowledged,
    // so the broker sends that one again (DUP) to the next run, which must not store it twice.
    let mut command = dashboard(&broker_addr, &db);
    command.env("DASHBOARD_EXIT_BEFORE_PUBACK", "3");
    let dashboard2 = Child::start("dashboard2", &mut command, &work);
    assert_eq!(dashboard2.wait(), Some(3), "exit before PUBACK");
    assert_eq!(count_lines(&err("dashboard2"), "session present: true"), 1);
    let dashboard3 = Child::start("dashboard3", &mut dashboard(&broker_addr, &db), &work);
    wait_until("the readings sent while away", SHORT, || {
        stored_at_least(25)
    });
    wait_for_line(
        &err("dashboard3"),
        "a copy (DUP) of the message already stored",
        SHORT,
    );

    // The broker restarts, on the same port and without the session (it keeps them in
    // memory); the dashboard reconnects, subscribes again and goes on storing.
    broker.kill();
    let mut command = Command::new(example("broker"));
    let broker = Child::start("broker2", command.args(["--port", &port]), &work);
    wait_for_line(&work.join("broker2.out"), "listening on ", SHORT);
    wait_for_line(&err("dashboard3"), "subscribed to sensors/#", SHORT);
    sensor(&port, &work, "after", &format!("{kitchen} --count 5")).wait_success();
    kitchen_sent.extend(sent(&work, "after"));
    wait_until("the readings after the broker restart", SHORT, || {
        stored_at_least(30)
    });
    // Time for a late copy to arrive, if there were one, before counting.
    std::thread::sleep(Duration::from_millis(500));

    // Exactly every QoS 1 message sent, each once, in order: none lost, none twice.
    let rows = stored(&db);
    assert_eq!(
        rows["sensors/kitchen/temperature"],
        as_strings(&kitchen_sent)
    );
    assert_eq!(rows["sensors/hall/humidity"], as_strings(&hall_sent));
    assert_eq!(rows["sensors/garage/door"], ["open"]);
    assert_eq!(rows["sensors/hall/status"], ["online", "offline"]);
    assert_eq!(rows["sensors/kitchen/status"], ["online", "offline"]);
    assert_eq!(rows.len(), 5, "{rows:?}");
    drop((dashboard3, broker));
}

/// Runs the dashboard on `db` against a broker that is not there and returns its exit code
/// and stderr: with a database it cannot use, it must stop at once.
fn refused(db: &Path) -> (Option<i32>, String) {
    let output = dashboard("127.0.0.1:9", db).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

#[test]
fn a_database_that_cannot_be_used_is_a_clear_error_at_start() {
    let work = work_dir("refused");
    let not_a_database = work.join("notes.txt");
    std::fs::write(&not_a_database, "x".repeat(4096)).unwrap();
    let (code, stderr) = refused(&not_a_database);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("not a database"), "{stderr}");

    // A directory that cannot be made: a file is in the way.
    let under_a_file = not_a_database.join("readings.db");
    let (code, stderr) = refused(&under_a_file);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("--db") && stderr.contains("cannot create its directory"),
        "{stderr}"
    );

    // A directory where the file should be.
    let (code, stderr) = refused(&work);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot use the database"), "{stderr}");

    // Another program holds the write lock for the whole run.
    let locked = work.join("locked.db");
    let holder = Connection::open(&locked).unwrap();
    holder
        .execute_batch("CREATE TABLE t(x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
        .unwrap();
    let (code, stderr) = refused(&locked);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("locked") && stderr.contains("another program"),
        "{stderr}"
    );
    drop(holder);
}

#[test]
fn help_and_usage_errors() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mqttwire-dashboard"))
            .args(args)
            .output()
            .unwrap()
    };
    let help = run(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--broker HOST:PORT"));
    let usage = run(&["--bogus"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("unknown option --bogus"));
}
