//! The MQTT side: one persistent session on the broker, kept up for as long as the program
//! runs, every message stored before it is acknowledged.

use crate::store::{Message, Reading, Recorded, SharedStore};
use futures_util::{SinkExt, StreamExt};
use mqttwire::{
    Connect, MqttCodec, MqttString, Packet, PacketId, PubAck, Publish, QoS, QosPid, Subscribe,
    SubscribeReturnCode, Subscription, TopicFilter,
};
use std::error::Error;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::broadcast;
use tokio::time::{sleep, timeout, timeout_at, Instant};
use tokio_util::codec::Framed;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// The topics the dashboard shows: every sensor's readings and statuses.
const FILTER: &str = "sensors/#";
/// The keep-alive period announced in CONNECT: PINGREQ after this long without sending.
const KEEP_ALIVE: Duration = Duration::from_secs(30);
/// How long connecting, and then waiting for CONNACK, may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The first wait before reconnecting; it doubles after each failed attempt up to
/// [`MAX_BACKOFF`], and starts again from here after a connection that lasted that long.
const MIN_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Keeps a session with `broker` forever: connects, subscribes to [`FILTER`] unless the
/// broker's session for `client_id` has the subscription already, stores each message in
/// `store` and then acknowledges it, and announces each new reading on `events`. Reconnects
/// with exponential back-off.
pub async fn run(
    broker: String,
    client_id: String,
    store: SharedStore,
    events: broadcast::Sender<Reading>,
) {
    let mut backoff = MIN_BACKOFF;
    loop {
        let started = Instant::now();
        let error = match session(&broker, &client_id, &store, &events).await {
            Ok(never) => match never {},
            Err(e) => e,
        };
        // A connection that lasted starts the back-off again; one that ends as soon as it is
        // accepted (another client with our identifier, a database that fails) does not.
        if started.elapsed() >= MAX_BACKOFF {
            backoff = MIN_BACKOFF;
        }
        eprintln!("broker {broker}: {error}; reconnecting in {backoff:?}");
        sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One connection, until it fails.
async fn session(
    broker: &str,
    client_id: &str,
    store: &SharedStore,
    events: &broadcast::Sender<Reading>,
) -> Result<std::convert::Infallible> {
    let socket = timeout(CONNECT_TIMEOUT, TcpStream::connect(broker))
        .await
        .map_err(|_| "no connection within 10 s")??;
    socket.set_nodelay(true)?;
    let mut framed = Framed::new(socket, MqttCodec::new());
    let connect = Connect::new(MqttString::new(client_id)?)
        .with_keep_alive(KEEP_ALIVE.as_secs().try_into()?)
        // Clean Session 0: the broker keeps the subscription and the QoS 1 messages that
        // arrive while the dashboard is away, and sends them when it returns.
        .with_clean_session(false);
    framed.send(connect).await?;
    let ack = match timeout(CONNECT_TIMEOUT, framed.next()).await {
        Ok(Some(Ok(Packet::ConnAck(ack)))) => ack,
        Ok(Some(Ok(other))) => return Err(format!("expected CONNACK, got {other:?}").into()),
        Ok(Some(Err(e))) => return Err(e.into()),
        Ok(None) => return Err("closed before CONNACK".into()),
        Err(_) => return Err("no CONNACK within 10 s".into()),
    };
    if !ack.reason_code.is_success() {
        return Err(format!("connection refused: {}", ack.reason_code).into());
    }
    eprintln!(
        "connected to {broker} as {client_id} (session present: {})",
        ack.session_present
    );
    // Subscribe unless the broker's session has the subscription already: subscribing again
    // would make it send every retained message again [MQTT-3.8.4-3].
    let key = (broker.to_owned(), client_id.to_owned());
    let subscribed = if ack.session_present {
        let key = key.clone();
        store
            .run(move |s| s.is_subscribed(&key.0, &key.1, FILTER))
            .await??
    } else {
        let key = key.clone();
        store.run(move |s| s.new_session(&key.0, &key.1)).await??;
        false
    };
    let subscribe_id = PacketId::try_from(1)?;
    if !subscribed {
        let filter = TopicFilter::new(FILTER)?;
        let subscription = Subscription::new(filter, QoS::AtLeastOnce);
        framed
            .send(Subscribe::new(subscribe_id, [subscription])?)
            .await?;
    }

    let mut last_sent = Instant::now();
    let mut ping_sent: Option<Instant> = None;
    loop {
        let wake = ping_sent.unwrap_or(last_sent) + KEEP_ALIVE;
        let packet = match timeout_at(wake, framed.next()).await {
            Err(_) if ping_sent.is_some() => return Err("the broker did not answer PINGREQ".into()),
            Err(_) => {
                framed.send(Packet::PingReq).await?;
                ping_sent = Some(Instant::now());
                last_sent = Instant::now();
                continue;
            }
            Ok(None) => return Err("the broker closed the connection".into()),
            // A malformed packet ends the connection [MQTT-4.8.0-1].
            Ok(Some(packet)) => packet?,
        };
        match packet {
            Packet::Publish(publish) => {
                if let Some(id) = store_message(publish, store, events).await? {
                    // Only now that the message is committed [MQTT-4.3.2-2].
                    framed.send(PubAck::new(id)).await?;
                    last_sent = Instant::now();
                }
            }
            Packet::PingResp => ping_sent = None,
            Packet::SubAck(ack) if ack.packet_id() == subscribe_id => {
                for code in ack.reason_codes() {
                    match code.to_v311() {
                        SubscribeReturnCode::Success(qos) => {
                            let key = key.clone();
                            store
                                .run(move |s| s.subscribed(&key.0, &key.1, FILTER))
                                .await??;
                            eprintln!("subscribed to {FILTER} (QoS {} granted)", qos.bits());
                        }
                        SubscribeReturnCode::Failure => {
                            return Err(format!("the broker refused {FILTER}").into());
                        }
                    }
                }
            }
            other => eprintln!("ignoring unexpected {:?}", other.packet_type()),
        }
    }
}

/// Stores one PUBLISH and announces it; returns the identifier to acknowledge (QoS 1).
async fn store_message(
    publish: Publish,
    store: &SharedStore,
    events: &broadcast::Sender<Reading>,
) -> Result<Option<PacketId>> {
    let (qos, packet_id) = match publish.qos_pid() {
        QosPid::AtMostOnce => (0, None),
        QosPid::AtLeastOnce(id) => (1, Some(id)),
        // The subscription granted QoS 1 at most [MQTT-3.8.4-6]: a QoS 2 message is the
        // broker's mistake, and acknowledging it with PUBACK would be another.
        QosPid::ExactlyOnce(_) => return Err("QoS 2 PUBLISH on a QoS 1 subscription".into()),
    };
    let message = Message {
        topic: publish.topic().to_owned(),
        payload: publish.payload().to_vec(),
        qos,
        retained: publish.retain(),
        dup: publish.dup(),
        packet_id: packet_id.map(PacketId::get),
    };
    let (message, recorded) = store
        .run(move |store| {
            let recorded = store.record(&message);
            (message, recorded)
        })
        .await?;
    // Not stored: not acknowledged either; the connection ends and the broker sends the
    // message again in the resumed session.
    match recorded.map_err(|e| format!("cannot store a message on {}: {e}", message.topic))? {
        Recorded::New(reading) => {
            if reading.text.is_some() && !is_status(&reading.topic) {
                eprintln!(
                    "{}: payload {:?} is not a number, stored as text",
                    reading.topic,
                    reading.text.as_deref().unwrap_or_default()
                );
            }
            // No page open is no error.
            let _ = events.send(reading);
            exit_if_asked_before_puback();
        }
        Recorded::Duplicate => eprintln!(
            "{}: a copy (DUP) of the message already stored, not stored again",
            message.topic
        ),
    }
    Ok(packet_id)
}

/// `sensors/<room>/status`: online/offline, text by design.
fn is_status(topic: &str) -> bool {
    topic.ends_with("/status")
}

/// The environment variable that makes the program exit after storing that many messages,
/// before acknowledging the last one: the worst moment for a crash, when the broker sends the
/// message again (DUP) although it is stored. For the end-to-end test.
const EXIT_BEFORE_PUBACK: &str = "DASHBOARD_EXIT_BEFORE_PUBACK";

/// Exits (code 3) if this is the message [`EXIT_BEFORE_PUBACK`] asks for.
fn exit_if_asked_before_puback() {
    static STORED: AtomicU64 = AtomicU64::new(0);
    static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
    let limit = LIMIT.get_or_init(|| std::env::var(EXIT_BEFORE_PUBACK).ok()?.parse().ok());
    let stored = STORED.fetch_add(1, Ordering::Relaxed) + 1;
    if *limit == Some(stored) {
        eprintln!("{EXIT_BEFORE_PUBACK}: exiting after {stored} messages stored, before PUBACK");
        std::process::exit(3);
    }
}
