//! Headless Chromium driven through the DevTools protocol: a page that stays open, so the
//! test can read the DOM its script rendered, watch it change as Server-Sent Events arrive,
//! and take a screenshot. (`chromium --dump-dom` cannot: the page's open event stream keeps
//! its virtual time from ever running out.)

use super::{wait_for_line, Child};
use base64::Engine;
use serde_json::{json, Value};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// The browser, with one page open.
pub struct Browser {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    _process: Child,
}

impl Browser {
    /// Starts `chromium` (or `$CHROMIUM`) with a 1200×800 window and opens `url`. Panics when
    /// there is no Chromium: the test needs a real browser and must not pass without one.
    pub fn open(url: &str, work: &Path) -> Browser {
        let program = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
        let log = work.join("chromium.log");
        let process = Command::new(&program)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--window-size=1200,800",
            ])
            .arg(format!("--user-data-dir={}", work.join("chromium").display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {program} ({e}): install Chromium (Debian: apt-get install chromium) or set CHROMIUM")
            });
        let process = Child::new("chromium", process);
        let line = wait_for_line(&log, "DevTools listening on ", Duration::from_secs(30));
        let endpoint = line.trim_start_matches("DevTools listening on ").trim();
        let (socket, _) = tungstenite::connect(endpoint).expect("DevTools WebSocket");
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
        }
        let mut browser = Browser {
            socket,
            session: String::new(),
            next_id: 0,
            _process: process,
        };
        let target = browser.call("Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].clone();
        let attached = browser.call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_owned();
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1200, "height": 800, "deviceScaleFactor": 1, "mobile": false }),
        );
        browser.call("Page.navigate", json!({ "url": url }));
        browser
    }

    /// Sends one command (to the page once attached) and returns its result.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut command = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            command["sessionId"] = json!(self.session);
        }
        self.socket
            .send(Message::text(command.to_string()))
            .expect("DevTools send");
        loop {
            let message = self.socket.read().expect("DevTools read");
            let Message::Text(text) = message else {
                continue;
            };
            let reply: Value = serde_json::from_str(&text).expect("DevTools JSON");
            if reply["id"] == json!(id) {
                assert!(reply["error"].is_null(), "{method}: {}", reply["error"]);
                return reply["result"].clone();
            }
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        assert!(
            result["exceptionDetails"].is_null(),
            "{expression}: {}",
            result["exceptionDetails"]
        );
        result["result"]["value"].clone()
    }

    /// Writes a PNG of the page as it is shown.
    pub fn screenshot(&mut self, path: &Path) {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }
}
