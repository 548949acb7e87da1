//! The whole sensor network, for real: the example broker and sensors of the repository, the
//! dashboard with a database in a temporary directory, and its page in headless Chromium.
//!
//! Needs `cargo build --examples` in the repository root and Chromium (`chromium` on the
//! PATH, or `$CHROMIUM`); `.ci/dashboard.sh` provides both. With `DASHBOARD_SCREENSHOT=FILE`
//! the page is also saved as a PNG (the README's screenshot is made so).

mod support;

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use support::browser::Browser;
use support::{count_lines, example, publish_once, wait_for_line, wait_until, work_dir, Child};

const SHORT: Duration = Duration::from_secs(20);

/// Starts the dashboard on any free port and returns it with its page's URL.
fn start_dashboard(broker: &str, db: &Path, work: &Path, run: u32) -> (Child, String) {
    let name = format!("dashboard{run}");
    let dashboard = Child::start(
        &name,
        Path::new(env!("CARGO_BIN_EXE_mqttwire-dashboard")),
        &["--broker", broker, "--http", "127.0.0.1:0", "--db", db.to_str().unwrap()],
        work,
    );
    let url = wait_for_line(&work.join(format!("{name}.out")), "http://", SHORT);
    (dashboard, url)
}

/// Starts the example sensor at QoS 1, 20 ms between readings, on the broker's port.
fn sensor(broker_port: &str, work: &Path, name: &str, args: &[&str]) -> Child {
    let mut all = vec!["--port", broker_port, "--qos", "1", "--interval", "20"];
    all.extend_from_slice(args);
    Child::start(name, &example("sensor"), &all, work)
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
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, rusqlite::types::Value>(1)?)))
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

/// What the page shows: each sensor's value, each room's status, each chart's points.
const PAGE_STATE: &str = r#"JSON.stringify({
  live: document.getElementById("live").dataset.state,
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

    let broker = Child::start("broker", &example("broker"), &["--port", "0"], &work);
    let listening = wait_for_line(&work.join("broker.out"), "listening on ", SHORT);
    let broker_addr = listening.trim_start_matches("listening on ").trim().to_owned();
    let port = broker_addr.rsplit(':').next().unwrap().to_owned();

    let (dashboard, url) = start_dashboard(&broker_addr, &db, &work, 1);
    wait_for_line(&work.join("dashboard1.err"), "subscribed to sensors/#", SHORT);

    // Two sensors at once; the hall one vanishes without DISCONNECT, so only its Will can
    // say it is offline (an abrupt sensor does not publish "offline" itself).
    let kitchen = sensor(&port, &work, "kitchen", &["--room", "kitchen", "--kind", "temperature", "--count", "10", "--will"]);
    let hall = sensor(&port, &work, "hall", &["--room", "hall", "--kind", "humidity", "--count", "10", "--will", "--abrupt"]);
    kitchen.wait_success();
    hall.wait_success();
    let mut kitchen_sent = sent(&work, "kitchen");
    let hall_sent = sent(&work, "hall");
    assert_eq!((kitchen_sent.len(), hall_sent.len()), (10, 10));

    let expect_rows = |db: &Path, kitchen: usize| {
        let rows = stored(db);
        let done = rows.get("sensors/kitchen/temperature").map_or(0, Vec::len) >= kitchen
            && rows.get("sensors/hall/humidity").map_or(0, Vec::len) >= hall_sent.len()
            && rows.get("sensors/hall/status").map_or(0, Vec::len) >= 2;
        done.then_some(rows)
    };
    let rows = wait_until("the readings in the database", SHORT, || expect_rows(&db, 10));
    assert_eq!(rows["sensors/hall/status"], ["online", "offline"], "the Will");
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
    let shown = |topic: &str| state["values"][topic].as_str().unwrap().parse::<f64>().unwrap();
    assert_eq!(shown("sensors/kitchen/temperature"), *kitchen_sent.last().unwrap());
    assert_eq!(shown("sensors/hall/humidity"), *hall_sent.last().unwrap());
    assert_eq!(state["statuses"]["hall"], "offline", "the abrupt sensor's Will");
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
    wait_for_line(&work.join("dashboard1.err"), "\"open\" is not a number, stored as text", SHORT);
    if let Some(path) = std::env::var_os("DASHBOARD_SCREENSHOT") {
        browser.screenshot(Path::new(&path));
    }
    drop(browser);

    // The dashboard dies; readings published meanwhile wait in its session on the broker.
    dashboard.kill();
    let away = sensor(&port, &work, "away", &["--room", "kitchen", "--kind", "temperature", "--count", "15"]);
    away.wait_success();
    let away_sent = sent(&work, "away");
    assert_eq!(away_sent.len(), 15);
    kitchen_sent.extend(&away_sent);
    let (dashboard, _) = start_dashboard(&broker_addr, &db, &work, 2);
    wait_for_line(&work.join("dashboard2.err"), "session present: true", SHORT);
    wait_until("the readings sent while away", SHORT, || expect_rows(&db, 25));

    // The broker restarts (on the same port, without the session: it keeps them in memory);
    // the dashboard reconnects, subscribes again and goes on storing.
    broker.kill();
    let broker = Child::start("broker2", &example("broker"), &["--port", &port], &work);
    wait_for_line(&work.join("broker2.out"), "listening on ", SHORT);
    wait_until("the dashboard back on the new broker", SHORT, || {
        (count_lines(&work.join("dashboard2.err"), "subscribed to sensors/#") >= 1).then_some(())
    });
    let after = sensor(&port, &work, "after", &["--room", "kitchen", "--kind", "temperature", "--count", "5"]);
    after.wait_success();
    kitchen_sent.extend(sent(&work, "after"));
    wait_until("the readings after the broker restart", SHORT, || expect_rows(&db, 30));
    // Let any late copy arrive before counting.
    std::thread::sleep(Duration::from_millis(500));

    // Exactly every QoS 1 message sent, each once, in order: none lost, none twice.
    let rows = stored(&db);
    assert_eq!(rows["sensors/kitchen/temperature"], as_strings(&kitchen_sent));
    assert_eq!(rows["sensors/hall/humidity"], as_strings(&hall_sent));
    assert_eq!(rows["sensors/garage/door"], ["open"]);
    assert_eq!(rows["sensors/hall/status"], ["online", "offline"]);
    // The new broker has the kitchen's retained "offline" no more; after it only the
    // `after` run's statuses would appear, and it ran without --will.
    assert_eq!(rows["sensors/kitchen/status"], ["online", "offline"]);
    assert_eq!(rows.len(), 5, "{rows:?}");
    drop((dashboard, broker));
}

/// Runs the dashboard on `db` against a broker that is not there and returns its exit code
/// and stderr: with a database it cannot use, it must stop at once.
fn refused(db: &str) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_mqttwire-dashboard"))
        .args(["--broker", "127.0.0.1:9", "--http", "127.0.0.1:0", "--db", db])
        .output()
        .unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_database_that_cannot_be_used_is_a_clear_error_at_start() {
    let work = work_dir("refused");
    let missing_dir = work.join("no/such/dir/readings.db");
    let (code, stderr) = refused(missing_dir.to_str().unwrap());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot use the database") && stderr.contains("--db"), "{stderr}");

    let not_a_database = work.join("notes.txt");
    std::fs::write(&not_a_database, "x".repeat(4096)).unwrap();
    let (code, stderr) = refused(not_a_database.to_str().unwrap());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("not a database"), "{stderr}");

    // Another program holds the write lock for the whole run.
    let locked = work.join("locked.db");
    let holder = Connection::open(&locked).unwrap();
    holder.execute_batch("CREATE TABLE t(x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);").unwrap();
    let (code, stderr) = refused(locked.to_str().unwrap());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("locked") && stderr.contains("another program"), "{stderr}");
    drop(holder);
}

#[test]
fn help_and_usage_errors() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mqttwire-dashboard"))
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
