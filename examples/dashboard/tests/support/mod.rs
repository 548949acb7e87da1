//! Processes, files to wait on, and a one-message MQTT publisher for the end-to-end test.

pub mod browser;

use bytes::BytesMut;
use mqttwire::{
    Connect, Decoder, Disconnect, Encode, MqttString, Packet, PacketId, Publish, QosPid, TopicName,
};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when the test lets go of it, pass or fail.
pub struct Child {
    name: String,
    process: std::process::Child,
}

impl Child {
    pub fn new(name: &str, process: std::process::Child) -> Child {
        Child {
            name: name.into(),
            process,
        }
    }

    /// Starts `command`, stdout and stderr to `<work>/<name>.out` and `.err`.
    pub fn start(name: &str, command: &mut Command, work: &Path) -> Child {
        let process = command
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(work.join(format!("{name}.out"))).unwrap())
            .stderr(std::fs::File::create(work.join(format!("{name}.err"))).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        Child::new(name, process)
    }

    /// Waits (a minute at most) for the process to end by itself and returns its exit code.
    pub fn wait(mut self) -> Option<i32> {
        let what = format!("{} to end", self.name);
        let status = wait_until(&what, Duration::from_secs(60), || {
            self.process.try_wait().unwrap()
        });
        status.code()
    }

    /// Waits for the process to end by itself and checks that it succeeded.
    pub fn wait_success(self) {
        let name = self.name.clone();
        assert_eq!(self.wait(), Some(0), "{name} failed");
    }

    /// SIGKILL: no chance to say goodbye.
    pub fn kill(mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A fresh directory for one test's files (kept after the test, for its logs).
pub fn work_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An example program of the repository, built by `cargo build --examples` at its root: in
/// `$MQTTWIRE_EXAMPLES` if set (for another target directory), else in `target/debug/examples`.
pub fn example(name: &str) -> PathBuf {
    let dir = std::env::var_os("MQTTWIRE_EXAMPLES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/examples"),
        PathBuf::from,
    );
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --examples` in the repository root first",
        path.display()
    );
    path
}

/// Polls `cond` every 50 ms until it returns `Some`, or panics with `what` after `timeout`.
pub fn wait_until<T>(what: &str, timeout: Duration, mut cond: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = cond() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?}: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The first line of `file` that contains `pattern`, once it has been written.
pub fn wait_for_line(file: &Path, pattern: &str, timeout: Duration) -> String {
    wait_until(
        &format!("{pattern:?} in {}", file.display()),
        timeout,
        || {
            let text = std::fs::read_to_string(file).ok()?;
            let line = text.lines().find(|line| line.contains(pattern))?;
            Some(line[line.find(pattern)?..].to_owned())
        },
    )
}

/// How many lines of `file` contain `pattern`.
pub fn count_lines(file: &Path, pattern: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains(pattern))
        .count()
}

/// Publishes one message at QoS 1 and waits for its PUBACK: a sensor with a payload of our
/// choosing.
pub fn publish_once(broker: &str, topic: &str, payload: &str) {
    let mut stream = TcpStream::connect(broker).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = BytesMut::new();
    let mut next = |stream: &mut TcpStream| loop {
        if let Some(packet) = Decoder::new().decode(&mut buf).unwrap() {
            return packet;
        }
        let mut chunk = [0; 1024];
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "the broker closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    };
    let connect = Connect::new(MqttString::new("end-to-end-publisher").unwrap());
    stream.write_all(&connect.to_bytes().unwrap()).unwrap();
    assert!(matches!(next(&mut stream), Packet::ConnAck(a) if a.reason_code.is_success()));
    let id = PacketId::new(1).unwrap();
    let publish = Publish::new(
        TopicName::new(topic).unwrap(),
        QosPid::AtLeastOnce(id),
        payload,
    );
    stream.write_all(&publish.to_bytes().unwrap()).unwrap();
    assert!(matches!(next(&mut stream), Packet::PubAck(a) if a.packet_id == id));
    let disconnect = Packet::Disconnect(Disconnect::new());
    stream.write_all(&disconnect.to_bytes().unwrap()).unwrap();
}
