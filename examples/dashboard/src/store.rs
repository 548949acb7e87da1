//! The SQLite database: every message received, in the table `readings`.
//!
//! A QoS 1 message is acknowledged (PUBACK) only after [`Store::record`] has committed it, so
//! a message the broker counts as delivered is on disk. A message can then arrive twice: the
//! dashboard may stop after the commit and before its PUBACK reached the broker, which sends
//! the message again, with DUP set, when the session resumes [MQTT-4.4.0-1]. The table
//! `deliveries` keeps, for each packet identifier of the broker's session, the topic and
//! payload last committed under it (a new session empties it); a DUP copy that matches them
//! is not stored again. A broker reuses an identifier only after receiving our PUBACK for it
//! [MQTT-2.3.1-4], so a DUP message with that identifier is either the copy of the one we
//! stored or a later message whose first sending never reached us. The one case this cannot
//! tell apart: that later message with the same topic and payload as well, which is then not
//! stored (a reading equal to the one last stored under that identifier).

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use serde::Serialize;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::task::JoinError;

/// The tables, created when missing. `received_at` is UTC, ISO 8601 with milliseconds, as
/// SQLite's own date functions read it. A numeric payload goes to `value`, anything else to
/// `text`; `packet_id` is NULL at QoS 0.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS readings (
    id          INTEGER PRIMARY KEY,
    received_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    topic       TEXT    NOT NULL,
    value       REAL    NULL,
    text        TEXT    NULL,
    qos         INTEGER NOT NULL,
    retained    INTEGER NOT NULL,
    packet_id   INTEGER NULL
);
CREATE INDEX IF NOT EXISTS readings_by_topic ON readings (topic, id);
CREATE TABLE IF NOT EXISTS deliveries (
    packet_id INTEGER PRIMARY KEY,
    topic     TEXT    NOT NULL,
    payload   BLOB    NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions (
    broker    TEXT NOT NULL,
    client_id TEXT NOT NULL,
    filter    TEXT NOT NULL,
    PRIMARY KEY (broker, client_id, filter)
);
";

const INSERT_READING: &str = "
INSERT INTO readings (topic, value, text, qos, retained, packet_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
RETURNING id, received_at";

const REMEMBER_DELIVERY: &str =
    "INSERT OR REPLACE INTO deliveries (packet_id, topic, payload) VALUES (?1, ?2, ?3)";

const FIND_DELIVERY: &str = "SELECT topic, payload FROM deliveries WHERE packet_id = ?1";

/// The last `?1` readings of each topic, oldest first.
const RECENT: &str = "
SELECT id, received_at, topic, value, text, qos, retained FROM (
    SELECT *, row_number() OVER (PARTITION BY topic ORDER BY id DESC) AS age FROM readings
) WHERE age <= ?1 ORDER BY id";

const FIND_SUBSCRIPTION: &str =
    "SELECT 1 FROM subscriptions WHERE broker = ?1 AND client_id = ?2 AND filter = ?3";
const ADD_SUBSCRIPTION: &str =
    "INSERT OR IGNORE INTO subscriptions (broker, client_id, filter) VALUES (?1, ?2, ?3)";
const FORGET_SESSION: &str = "DELETE FROM subscriptions WHERE broker = ?1 AND client_id = ?2";
const FORGET_DELIVERIES: &str = "DELETE FROM deliveries";

/// A PUBLISH as the store sees it.
#[derive(Debug, Clone)]
pub struct Message {
    /// The topic name.
    pub topic: String,
    /// The payload, as received.
    pub payload: Vec<u8>,
    /// 0 or 1 (the subscription asks for QoS 1 at most).
    pub qos: u8,
    /// The RETAIN flag: a retained message the broker sent on SUBSCRIBE.
    pub retained: bool,
    /// The DUP flag: the broker may have sent this message before.
    pub dup: bool,
    /// The packet identifier (QoS 1).
    pub packet_id: Option<u16>,
}

/// One row of `readings`; also what the web page receives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    /// The row id: readings of one topic arrive in increasing id order.
    pub id: i64,
    /// When it was committed, UTC, ISO 8601.
    pub received_at: String,
    /// The topic name.
    pub topic: String,
    /// The payload as a number, when it is one.
    pub value: Option<f64>,
    /// The payload as text (invalid UTF-8 replaced), when it is not a number.
    pub text: Option<String>,
    /// The QoS it was received at.
    pub qos: u8,
    /// Whether the broker sent it from its retained store.
    pub retained: bool,
}

/// What [`Store::record`] did with a message.
#[derive(Debug, PartialEq)]
pub enum Recorded {
    /// Stored as this row.
    New(Reading),
    /// A copy (DUP) of the message already stored under its packet identifier: not stored.
    Duplicate,
}

/// The database connection.
pub struct Store {
    conn: Connection,
}

/// The store, shared by the MQTT session and the web page. SQLite's calls block (a commit
/// waits for the disk), so they run on tokio's blocking threads, one at a time.
#[derive(Clone)]
pub struct SharedStore(Arc<Mutex<Store>>);

impl SharedStore {
    /// Shares `store`.
    pub fn new(store: Store) -> SharedStore {
        SharedStore(Arc::new(Mutex::new(store)))
    }

    /// Runs `f` on the store, on a blocking thread.
    ///
    /// # Errors
    ///
    /// When `f` panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> Result<T, JoinError> {
        let store = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || {
            // A panic in an earlier call left no transaction open: rusqlite rolls back a
            // transaction that is dropped.
            f(&mut store.lock().unwrap_or_else(PoisonError::into_inner))
        })
        .await
    }
}

/// The payload as a finite number, if it is one (surrounding white space allowed).
pub fn parse_value(payload: &[u8]) -> Option<f64> {
    let value: f64 = std::str::from_utf8(payload).ok()?.trim().parse().ok()?;
    value.is_finite().then_some(value)
}

impl Store {
    /// Opens (or creates, with its directory) the database and checks at once that it can be
    /// written: a file that is not a database, read-only, or locked by another program is an
    /// error here, at start, not at the first reading.
    ///
    /// # Errors
    ///
    /// A message naming the file and what is wrong with it.
    pub fn open(path: &Path) -> Result<Store, String> {
        let context = |e: rusqlite::Error| {
            let hint = match e.sqlite_error_code() {
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                    " (another program holds a lock on it)"
                }
                Some(ErrorCode::ReadOnly) => " (it cannot be written)",
                Some(ErrorCode::CannotOpen) => " (check that its directory is writable)",
                _ => "",
            };
            format!(
                "--db {}: cannot use the database: {e}{hint}",
                path.display()
            )
        };
        // Its directory too (such as `target/`), as a new file would be.
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                format!("--db {}: cannot create its directory: {e}", path.display())
            })?;
        }
        let conn = Connection::open(path).map_err(context)?;
        Store::init(conn).map_err(context)
    }

    /// An in-memory database, for tests.
    #[cfg(test)]
    fn in_memory() -> Store {
        Store::init(Connection::open_in_memory().unwrap()).unwrap()
    }

    fn init(conn: Connection) -> rusqlite::Result<Store> {
        // A lock held by another program is waited for this long, then reported.
        conn.busy_timeout(Duration::from_secs(2))?;
        // WAL: the web page reads while readings are written. FULL: a committed reading is on
        // disk before its PUBACK is sent.
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.execute_batch("PRAGMA synchronous = FULL")?;
        // An IMMEDIATE transaction takes the write lock, so a read-only or locked file fails
        // here even when the tables already exist.
        conn.execute_batch(&format!("BEGIN IMMEDIATE; {SCHEMA} COMMIT;"))?;
        // A table of the same name but other columns fails here too.
        for sql in [
            INSERT_READING,
            REMEMBER_DELIVERY,
            FIND_DELIVERY,
            RECENT,
            FIND_SUBSCRIPTION,
            ADD_SUBSCRIPTION,
            FORGET_SESSION,
            FORGET_DELIVERIES,
        ] {
            conn.prepare_cached(sql)?;
        }
        conn.busy_timeout(Duration::from_secs(10))?;
        Ok(Store { conn })
    }

    /// Stores a message in one transaction, unless it is a DUP copy of the message last stored
    /// under its packet identifier (see the module's documentation).
    ///
    /// # Errors
    ///
    /// SQLite's: the message is then not stored and must not be acknowledged.
    pub fn record(&mut self, message: &Message) -> rusqlite::Result<Recorded> {
        let tx = self.conn.transaction()?;
        if let (Some(id), true) = (message.packet_id, message.dup) {
            let last: Option<(String, Vec<u8>)> = tx
                .prepare_cached(FIND_DELIVERY)?
                .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            if last.is_some_and(|(topic, payload)| {
                topic == message.topic && payload == message.payload
            }) {
                return Ok(Recorded::Duplicate);
            }
        }
        let value = parse_value(&message.payload);
        let text = match value {
            Some(_) => None,
            None => Some(String::from_utf8_lossy(&message.payload).into_owned()),
        };
        let (id, received_at) = tx.prepare_cached(INSERT_READING)?.query_row(
            params![
                message.topic,
                value,
                text,
                message.qos,
                message.retained,
                message.packet_id
            ],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if let Some(packet_id) = message.packet_id {
            tx.prepare_cached(REMEMBER_DELIVERY)?.execute(params![
                packet_id,
                message.topic,
                message.payload
            ])?;
        }
        tx.commit()?;
        Ok(Recorded::New(Reading {
            id,
            received_at,
            topic: message.topic.clone(),
            value,
            text,
            qos: message.qos,
            retained: message.retained,
        }))
    }

    /// Whether `broker` acknowledged (SUBACK) a subscription to `filter` in the session it keeps
    /// for `client_id`. A session can exist without it: one whose first connection ended
    /// before the SUBACK.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn is_subscribed(
        &self,
        broker: &str,
        client_id: &str,
        filter: &str,
    ) -> rusqlite::Result<bool> {
        let mut statement = self.conn.prepare_cached(FIND_SUBSCRIPTION)?;
        statement.exists([broker, client_id, filter])
    }

    /// Records the broker's SUBACK for `filter`.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn subscribed(
        &mut self,
        broker: &str,
        client_id: &str,
        filter: &str,
    ) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(ADD_SUBSCRIPTION)?
            .execute([broker, client_id, filter])?;
        Ok(())
    }

    /// The broker has no session for `client_id` (Session Present 0): it starts a new one,
    /// without subscriptions, whose packet identifiers say nothing of the old one's.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn new_session(&mut self, broker: &str, client_id: &str) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        tx.prepare_cached(FORGET_SESSION)?
            .execute([broker, client_id])?;
        tx.prepare_cached(FORGET_DELIVERIES)?.execute([])?;
        tx.commit()
    }

    /// The last `per_topic` readings of every topic, oldest first.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn recent(&self, per_topic: u32) -> rusqlite::Result<Vec<Reading>> {
        let mut statement = self.conn.prepare_cached(RECENT)?;
        let rows = statement.query_map([per_topic], |row| {
            Ok(Reading {
                id: row.get(0)?,
                received_at: row.get(1)?,
                topic: row.get(2)?,
                value: row.get(3)?,
                text: row.get(4)?,
                qos: row.get(5)?,
                retained: row.get(6)?,
            })
        })?;
        rows.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(topic: &str, payload: &str, packet_id: u16, dup: bool) -> Message {
        Message {
            topic: topic.into(),
            payload: payload.as_bytes().to_vec(),
            qos: 1,
            retained: false,
            dup,
            packet_id: Some(packet_id),
        }
    }

    fn count(store: &Store) -> i64 {
        store
            .conn
            .query_row("SELECT count(*) FROM readings", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn numbers_go_to_value_and_anything_else_to_text() {
        let mut store = Store::in_memory();
        let Recorded::New(number) = store
            .record(&message("s/a/t", " 21.50\n", 1, false))
            .unwrap()
        else {
            panic!("not stored")
        };
        assert_eq!((number.value, number.text), (Some(21.5), None));
        for payload in ["warm", "NaN", "inf", ""] {
            let Recorded::New(text) = store.record(&message("s/a/t", payload, 2, false)).unwrap()
            else {
                panic!("not stored")
            };
            assert_eq!((text.value, text.text.as_deref()), (None, Some(payload)));
        }
        let mut bad_utf8 = message("s/a/t", "", 3, false);
        bad_utf8.payload = vec![0xff, b'1'];
        let Recorded::New(row) = store.record(&bad_utf8).unwrap() else {
            panic!("not stored")
        };
        assert_eq!(row.text.as_deref(), Some("\u{fffd}1"));
    }

    #[test]
    fn a_dup_copy_of_the_last_message_under_its_identifier_is_stored_once() {
        let mut store = Store::in_memory();
        assert!(matches!(
            store.record(&message("s/a/t", "1", 7, false)).unwrap(),
            Recorded::New(_)
        ));
        // The broker resends it after a restart of the dashboard [MQTT-4.4.0-1].
        assert_eq!(
            store.record(&message("s/a/t", "1", 7, true)).unwrap(),
            Recorded::Duplicate
        );
        assert_eq!(count(&store), 1);
    }

    #[test]
    fn messages_that_are_not_copies_are_all_stored() {
        let mut store = Store::in_memory();
        store.record(&message("s/a/t", "1", 7, false)).unwrap();
        // Same identifier without DUP: the broker reused it after our PUBACK [MQTT-2.3.1-4].
        store.record(&message("s/a/t", "1", 7, false)).unwrap();
        // DUP with another payload or topic: a message whose first sending we missed.
        store.record(&message("s/a/t", "2", 7, true)).unwrap();
        store.record(&message("s/b/t", "2", 7, true)).unwrap();
        // DUP with an identifier never seen.
        store.record(&message("s/a/t", "1", 8, true)).unwrap();
        // QoS 0 has no identifier and no copies.
        let mut qos0 = message("s/a/t", "1", 1, true);
        (qos0.qos, qos0.packet_id) = (0, None);
        store.record(&qos0).unwrap();
        assert_eq!(count(&store), 6);
    }

    #[test]
    fn recent_keeps_the_last_readings_of_each_topic_oldest_first() {
        let mut store = Store::in_memory();
        for i in 1..=5u16 {
            store
                .record(&message("s/a/t", &i.to_string(), i, false))
                .unwrap();
            store
                .record(&message("s/b/t", &(i * 10).to_string(), i, false))
                .unwrap();
        }
        let recent = store.recent(2).unwrap();
        let values: Vec<_> = recent.iter().map(|r| (r.topic.as_str(), r.value)).collect();
        assert_eq!(
            values,
            [
                ("s/a/t", Some(4.0)),
                ("s/b/t", Some(40.0)),
                ("s/a/t", Some(5.0)),
                ("s/b/t", Some(50.0))
            ]
        );
        assert!(recent.windows(2).all(|w| w[0].id < w[1].id));
    }

    #[test]
    fn subscriptions_are_remembered_per_broker_client_and_filter_until_a_new_session() {
        let mut store = Store::in_memory();
        assert!(!store.is_subscribed("b:1", "me", "s/#").unwrap());
        store.subscribed("b:1", "me", "s/#").unwrap();
        store.subscribed("b:1", "me", "s/#").unwrap();
        store.subscribed("b:2", "me", "s/#").unwrap();
        assert!(store.is_subscribed("b:1", "me", "s/#").unwrap());
        assert!(!store.is_subscribed("b:1", "you", "s/#").unwrap());
        assert!(!store.is_subscribed("b:1", "me", "t/#").unwrap());
        store.new_session("b:1", "me").unwrap();
        assert!(!store.is_subscribed("b:1", "me", "s/#").unwrap());
        assert!(store.is_subscribed("b:2", "me", "s/#").unwrap());
    }

    #[test]
    fn a_new_session_forgets_the_identifiers_of_the_old_one() {
        let mut store = Store::in_memory();
        store.record(&message("s/a/t", "1", 7, false)).unwrap();
        store.new_session("b:1", "me").unwrap();
        // Identifier 7 of the new session, DUP: its first sending was lost, not a copy.
        let again = store.record(&message("s/a/t", "1", 7, true)).unwrap();
        assert!(matches!(again, Recorded::New(_)));
        assert_eq!(count(&store), 2);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_at_open() {
        let path = std::env::temp_dir().join(format!("dashboard-notdb-{}", std::process::id()));
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        let error = Store::open(&path).err().unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(error.contains("not a database"), "{error}");
    }
}
