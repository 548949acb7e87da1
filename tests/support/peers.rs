//! Real MQTT peers for the interop tests (`tests/interop.rs`, `tests/interop_v5.rs`): finding
//! them (a missing one fails the test that asked for it), starting them on 127.0.0.1, waiting
//! for them with bounded waits, and killing them when dropped.
//!
//! Included with `#[path]` by the interop test files (not part of `support/mod.rs`, so the
//! conformance tests do not compile it).

// Each test file uses the helpers it needs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The longest a test waits for any one step.
pub const STEP: Duration = Duration::from_secs(10);

/// Fails the test for a missing peer. The tests that need one are ignored unless asked for
/// (`--include-ignored`, as `.ci/interop.sh` does), and a test asked for that cannot run must
/// not pass.
pub fn missing(what: &str) -> ! {
    panic!("{what} is not installed; install it, or run .ci/interop.sh, which installs every peer");
}

/// An executable on PATH, or in the sbin directories where Debian puts mosquitto.
pub fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The tools a test needs; fails the test on the first missing one.
pub fn tools<const N: usize>(names: [&str; N]) -> [PathBuf; N] {
    names.map(|name| tool(name).unwrap_or_else(|| missing(name)))
}

/// A child process killed (and reaped) when dropped, so a failing test leaves nothing behind.
pub struct Proc(pub Option<Child>);

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Proc {
    pub fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("child process")
    }

    /// Waits for the child to exit, at most `timeout` (then kills it), and collects its output.
    pub fn finish(mut self, timeout: Duration) -> Output {
        let mut child = self.0.take().expect("child process");
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        child.wait_with_output().expect("collect child output")
    }
}

pub fn spawn(cmd: &mut Command) -> Proc {
    Proc(Some(
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}")),
    ))
}

/// The child's stdout, line by line, read by a thread (so that a test can wait for a line
/// with a timeout). The channel closes when the child closes its stdout.
pub fn stdout_lines(child: &mut Proc) -> mpsc::Receiver<String> {
    let stdout = child.child().stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Every line until the channel closes (the child exited) or `timeout` passes.
pub fn collect_lines(rx: &mpsc::Receiver<String>, timeout: Duration) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    let mut lines = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => lines.push(line),
            Err(_) => break,
        }
    }
    lines
}

/// Runs a command to its end, within `timeout`; panics with its output when it fails.
pub fn run_ok(cmd: &mut Command, timeout: Duration) -> String {
    let shown = format!("{cmd:?}");
    let out = spawn(cmd).finish(timeout);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{shown} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A port that was free a moment ago (for mosquitto, which cannot report one it picked).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

pub fn wait_for_port(port: u16) {
    let deadline = Instant::now() + STEP;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A private scratch directory for this test process.
pub fn scratch(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "mqttwire-interop-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// mosquitto on a free loopback port, with a minimal configuration.
pub fn start_mosquitto() -> (Proc, u16) {
    start_mosquitto_with("")
}

/// mosquitto on a free loopback port, with more lines of configuration.
pub fn start_mosquitto_with(extra_config: &str) -> (Proc, u16) {
    let [mosquitto] = tools(["mosquitto"]);
    let port = free_port();
    let dir = scratch("mosquitto");
    let config = dir.join("mosquitto.conf");
    std::fs::write(
        &config,
        format!(
            "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n{extra_config}"
        ),
    )
    .expect("write mosquitto.conf");
    let child = spawn(Command::new(mosquitto).arg("-c").arg(&config));
    wait_for_port(port);
    // mosquitto has read its configuration: the directory is not needed any more.
    let _ = std::fs::remove_dir_all(&dir);
    (child, port)
}

/// The child's stderr, line by line, read by a thread.
pub fn stderr_lines(child: &mut Proc) -> mpsc::Receiver<String> {
    let stderr = child.child().stderr.take().expect("piped stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The Python that has paho-mqtt (`MQTTWIRE_PYTHON`, default `python3`); fails the test when
/// it has not.
pub fn python_with_paho() -> String {
    let python = std::env::var("MQTTWIRE_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_paho = Command::new(&python)
        .args(["-c", "import paho.mqtt.client"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_paho {
        missing(&format!("paho-mqtt (for {python})"));
    }
    python
}

/// A script of `tests/interop/`.
pub fn interop_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(name)
}

/// One read from `stream` into `buf`, waiting until `deadline` at most: `false` when the
/// deadline has passed. Panics if the peer closes the connection (`peer` names it) or the read
/// fails.
pub fn read_until(
    stream: &mut TcpStream,
    buf: &mut bytes::BytesMut,
    deadline: Instant,
    peer: &str,
) -> bool {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return false;
    }
    stream.set_read_timeout(Some(left)).expect("timeout");
    let mut chunk = [0u8; 8192];
    match stream.read(&mut chunk) {
        Ok(0) => panic!("the {peer} closed the connection"),
        Ok(n) => buf.extend_from_slice(&chunk[..n]),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        Err(e) => panic!("read: {e}"),
    }
    true
}

/// Whether the peer closes `stream` within `timeout` (anything received before the close is
/// ignored).
pub fn closed_within(stream: &mut TcpStream, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    let mut chunk = [0u8; 1024];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .ok();
        match stream.read(&mut chunk) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return true, // reset
        }
    }
    false
}
