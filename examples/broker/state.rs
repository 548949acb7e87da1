//! The broker's shared state: sessions, subscriptions, retained messages and delayed Wills,
//! and how a message is routed to subscribers and delivered to each.
//!
//! Routing is mqttwire's: a `SubscriptionIndex` keeps every subscription with its options
//! (shared ones included) and turns a message into one delivery per receiver, a
//! `RetainedIndex` keeps the retained messages and finds those a new subscription receives.

use crate::connection::accept_publish;
use crate::forward::{self, Skipped};
use crate::limits;
use crate::peer::{Expiry, Peer};
use crate::retained::Retained;
use crate::sharing::{Connected, Sharing};
use mqttwire::{
    Deliveries, Packet, PacketId, PubRel, Publish, QoS, QosPid, ShareError, Subscribed,
    SubscriptionIndex, SubscriptionOptions, TopicFilter, TopicName,
};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::{Shutdown, TcpStream};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Drops are logged at once, then counted and logged at most this often, per client.
const DROP_REPORT_INTERVAL: Duration = Duration::from_secs(1);

/// Everything shared between connections.
pub struct Broker {
    pub sessions: HashMap<String, Session>,
    /// Which client subscribed to which filter, with which options, and the share groups
    /// (`$share/{group}/{filter}`): the index finds the subscriptions a topic name matches
    /// without looking at the others, and merges a client's overlapping ones.
    subscriptions: SubscriptionIndex<Arc<str>>,
    /// Which member of a share group receives a message (`--share-choice`).
    sharing: Sharing,
    /// The deliveries of the message being routed: kept to reuse its room.
    deliveries: Deliveries<Arc<str>>,
    /// The last retained message of each topic [MQTT-3.3.1-5], until it expires.
    retained: Retained,
    /// Counts the ids handed to clients that sent an empty one.
    pub generated_ids: u64,
    /// Clients with PUBLISH packets waiting for room in a subscriber's queue (`Session::held`);
    /// [`Broker::release_held`] forgets the ones that have none left.
    pub holding: HashSet<String>,
    /// Wills waiting for their Will Delay Interval (MQTT 5.0, section 3.1.3.2.2), by client id.
    pending_wills: HashMap<String, PendingWill>,
}

/// A Will to publish at `due`, unless its client connects again first [MQTT-3.1.3-9].
struct PendingWill {
    due: Instant,
    message: Message,
}

/// An application message on its way to subscribers: a PUBLISH as the broker received it (or
/// made it, for a Will or a `$SYS` topic) and the QoS to deliver it at. Each delivery sends a
/// clone of the PUBLISH with its own QoS, packet identifier and RETAIN: the clones share one
/// buffer (the frame a received PUBLISH was decoded from), so the topic and the payload are
/// never copied (a 5.0 subscriber gets a copy when its properties change). The PUBLISH's own
/// QoS and packet identifier (the sender's, or QoS 0 for a message the broker made) are not
/// used. It always has a topic name and never a Topic Alias (see `aliases.rs`).
#[derive(Clone)]
pub struct Message {
    pub publish: Publish,
    pub qos: QoS,
    /// The client that published it, for No Local; `None` for the broker's own.
    pub from: Option<Arc<str>>,
    /// When its Message Expiry Interval runs out, if it has one.
    pub expires: Option<Instant>,
    /// The Subscription Identifiers of the subscriptions it matched, for one subscriber.
    pub subscription_ids: Vec<u32>,
}

impl Message {
    /// A message received (or made) now.
    pub fn new(publish: Publish, qos: QoS, from: Option<Arc<str>>) -> Message {
        Message {
            expires: forward::expiry(&publish, Instant::now()),
            publish,
            qos,
            from,
            subscription_ids: Vec::new(),
        }
    }

    pub fn expired(&self, now: Instant) -> bool {
        self.expires.is_some_and(|at| at <= now)
    }
}

/// What the broker keeps for a client id (section 4.1), whether it is connected or not.
pub struct Session {
    /// The client id, for the log and for the subscription index (one allocation per session).
    id: Arc<str>,
    /// The live connection, if the client is connected.
    pub link: Option<Link>,
    /// How long the session outlives its connection.
    pub expiry: Expiry,
    /// Since when the client has been away (the session expires from then).
    away_since: Option<Instant>,
    /// The filters the client subscribed to (`$share/...` ones included), to remove them
    /// from `Broker::subscriptions`, which keeps their options, when the session ends.
    filters: HashSet<TopicFilter>,
    /// QoS 1/2 messages sent to the client and not yet acknowledged.
    pub inflight: BTreeMap<PacketId, Inflight>,
    /// QoS 1/2 messages waiting for room in `inflight` (or for the client to come back): at most
    /// `max_queued` from clients' PUBLISH packets (see [`Broker::blocked`]), plus Wills and
    /// retained messages.
    queue: VecDeque<Message>,
    /// QoS 1/2 PUBLISH packets from this client's connection, oldest first, not routed nor
    /// acknowledged yet because a subscriber's queue was full (backpressure). At most
    /// `max_inflight`: then the connection is not read until there is room.
    pub held: VecDeque<Publish>,
    /// Since when this client, connected and with a full queue, has been holding up a publisher
    /// without acknowledging anything: after `stall_timeout` it is disconnected.
    pub stalled_since: Option<Instant>,
    /// Messages dropped for this client, for the log.
    drops: Drops,
    /// QoS 2 messages received from the client, routed, and waiting for its PUBREL: a PUBLISH
    /// with one of these identifiers is a resend and must not be routed again.
    pub awaiting_release: HashSet<PacketId>,
    last_id: u16,
}

/// The connection a session is attached to.
pub struct Link {
    pub conn: u64,
    /// What the client announced in its CONNECT.
    pub peer: Peer,
    /// Packets for the writer thread.
    pub tx: Sender<Packet>,
    /// QoS 0 PUBLISH packets in `tx` that the writer has not taken yet (it decrements).
    pub backlog: Arc<AtomicUsize>,
    /// To close the socket from another thread (a takeover, a slow consumer).
    pub stream: TcpStream,
    /// Closed by the watchdog as a slow consumer.
    pub evicted: bool,
}

/// Counts of messages dropped for a client: since the last log line, and in all.
#[derive(Default)]
struct Drops {
    qos0: u64,
    qos12: u64,
    total_qos0: u64,
    total_qos12: u64,
    reported: Option<Instant>,
}

/// A message sent to a client at QoS 1 or 2 and not yet fully acknowledged.
pub enum Inflight {
    /// PUBLISH sent, waiting for PUBACK (QoS 1) or PUBREC (QoS 2).
    Published(Publish),
    /// PUBREL sent, waiting for PUBCOMP (QoS 2).
    Released,
}

impl Broker {
    pub fn new(sharing: Sharing) -> Broker {
        Broker {
            sessions: HashMap::new(),
            subscriptions: SubscriptionIndex::new(),
            sharing,
            deliveries: Deliveries::new(),
            retained: Retained::default(),
            generated_ids: 0,
            holding: HashSet::new(),
            pending_wills: HashMap::new(),
        }
    }

    /// The connected subscribers whose queue is full and that a QoS `qos` message on `topic`
    /// from `publisher` would be queued for if it were routed now: the index's preview, which
    /// makes the choices the routing itself will make next without making them.
    fn full_subscribers(&mut self, topic: &TopicName, qos: QoS, publisher: &str) -> Vec<String> {
        let max = limits().max_queued;
        let choice = Connected {
            policy: &mut self.sharing,
            connected: |client: &str| is_connected(&self.sessions, client),
        };
        let publisher = self.sessions.get(publisher).map(|s| &s.id);
        let deliveries =
            self.subscriptions
                .preview(topic, publisher, &choice, &mut self.deliveries);
        deliveries
            .iter()
            .filter(|(delivery, _)| qos.min(delivery.qos) != QoS::AtMostOnce)
            .map(|(delivery, _)| &*delivery.client)
            .filter(|client| {
                self.sessions
                    .get(*client)
                    .is_some_and(|s| s.link.is_some() && s.queue.len() >= max)
            })
            .map(str::to_owned)
            .collect()
    }

    /// Whether `publisher`'s QoS `qos` PUBLISH on `topic` must wait for room (backpressure): a
    /// connected subscriber it would be queued for has a full queue. Such subscribers are
    /// holding a publisher up: their stall timer starts if it is not running.
    pub fn blocked(&mut self, topic: &TopicName, qos: QoS, publisher: &str, now: Instant) -> bool {
        let full = self.full_subscribers(topic, qos, publisher);
        for client in &full {
            if let Some(session) = self.sessions.get_mut(client) {
                session.stalled_since.get_or_insert(now);
            }
        }
        !full.is_empty()
    }

    /// Routes held PUBLISH packets, each publisher's in the order they came, as far as their
    /// subscribers have room, and acknowledges them to their publishers.
    pub fn release_held(&mut self, now: Instant) {
        if self.holding.is_empty() {
            return;
        }
        let publishers: Vec<String> = self.holding.iter().cloned().collect();
        for client in publishers {
            loop {
                let Some(head) = self.sessions.get(&client).and_then(|s| s.held.front()) else {
                    self.holding.remove(&client);
                    break;
                };
                let (topic, qos) = (head.topic_name(), head.qos());
                if topic.is_some_and(|topic| self.blocked(&topic, qos, &client, now)) {
                    break;
                }
                let Some(publish) = self
                    .sessions
                    .get_mut(&client)
                    .and_then(|s| s.held.pop_front())
                else {
                    break;
                };
                if let Some(ack) = accept_publish(self, &client, publish) {
                    if let Some(session) = self.sessions.get(&client) {
                        session.send(ack);
                    }
                }
            }
        }
    }

    /// The watchdog's round: routes what has room now, disconnects the subscribers that have
    /// held a publisher up for `stall_timeout` without acknowledging anything, logs the drops
    /// that are due, publishes the delayed Wills that are due, ends expired sessions and
    /// removes expired retained messages.
    pub fn tick(&mut self, now: Instant) {
        self.release_held(now);
        // A subscriber stalls only while it holds up the oldest held PUBLISH of a publisher.
        let mut stalling = HashSet::new();
        let holding: Vec<String> = self.holding.iter().cloned().collect();
        for client in holding {
            let head = self.sessions.get(&client).and_then(|s| s.held.front());
            if let Some((qos, topic)) = head.and_then(|h| Some((h.qos(), h.topic_name()?))) {
                stalling.extend(self.full_subscribers(&topic, qos, &client));
            }
        }
        for (client, session) in &mut self.sessions {
            if !stalling.contains(client) {
                session.stalled_since = None;
            }
            session.evict_if_stalled(now);
            session.report_drops(now, false);
        }
        let due: Vec<String> = self
            .pending_wills
            .iter()
            .filter(|(_, will)| will.due <= now)
            .map(|(client, _)| client.clone())
            .collect();
        for client in due {
            self.publish_pending_will(&client);
        }
        let expired: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.expired(now))
            .map(|(client, _)| client.clone())
            .collect();
        for client in expired {
            eprintln!("{client}: session expired");
            self.end_session(&client);
        }
        let removed = self.retained.sweep(now);
        if removed > 0 {
            eprintln!(
                "removed {} past their Message Expiry Interval; {} retained",
                count_of(removed, "retained message"),
                self.retained.len()
            );
        }
    }

    /// Publishes `message`, a Will, after `delay`; at once for none. A Will waiting for its
    /// delay is published when its session ends, if that comes first [MQTT-3.1.3-9].
    pub fn publish_will(&mut self, client: &str, message: Message, delay: Option<Instant>) {
        match delay {
            Some(due) => {
                self.pending_wills
                    .insert(client.to_owned(), PendingWill { due, message });
            }
            None => {
                eprintln!(
                    "{client}: publishing its Will on {}",
                    message.publish.topic()
                );
                self.publish(message);
            }
        }
    }

    fn publish_pending_will(&mut self, client: &str) {
        if let Some(will) = self.pending_wills.remove(client) {
            self.publish_will(client, will.message, None);
        }
    }

    /// A client connected again: its delayed Will is not published [MQTT-3.1.3-9].
    pub fn cancel_will(&mut self, client: &str) {
        if self.pending_wills.remove(client).is_some() {
            eprintln!("{client}: came back within its Will Delay Interval; Will not published");
        }
    }

    /// Hands a message to every matching subscriber, at the lower of the message's QoS and the
    /// subscription's, and updates the retained messages when it asks for it. Returns how many
    /// deliveries it made (clients, and share groups).
    pub fn publish(&mut self, message: Message) -> usize {
        let Some(topic) = message.publish.topic_name() else {
            return 0; // never: messages have their topic name (see `Message`)
        };
        if message.publish.retain() {
            if message.publish.payload().is_empty() {
                // An empty retained message clears the topic, and is not kept [MQTT-3.3.1-6],
                // [MQTT-3.3.1-7] (3.1.1: [MQTT-3.3.1-10], [MQTT-3.3.1-11]).
                self.retained.clear(&topic);
            } else {
                self.retained.set(&topic, message.clone());
            }
        }
        // One delivery per client, at the highest QoS of its matching subscriptions with all
        // their identifiers [MQTT-3.3.4-2], [MQTT-3.3.4-3], none back to its publisher through
        // a No Local subscription [MQTT-3.8.3-3]; and one per share group, to the member the
        // policy picks, a connected one if it can (section 4.8.2).
        let deliveries = route(
            &self.subscriptions,
            &self.sessions,
            &mut self.sharing,
            &topic,
            message.from.as_ref(),
            &mut self.deliveries,
        );
        for (delivery, ids) in deliveries.iter() {
            if let Some(session) = self.sessions.get_mut(&*delivery.client) {
                let mut publish = message.publish.clone();
                // Messages forwarded to existing subscriptions are not marked retained
                // [MQTT-3.3.1-12], unless Retain As Published says so [MQTT-3.3.1-13].
                publish.set_retain(delivery.retain_as_published && message.publish.retain());
                session.deliver(Message {
                    publish,
                    qos: message.qos.min(delivery.qos),
                    from: message.from.clone(),
                    expires: message.expires,
                    subscription_ids: ids.to_vec(),
                });
            }
        }
        deliveries.len()
    }

    /// Publishes a retained `$SYS` message, the broker's own status topics.
    pub fn publish_sys(&mut self, topic: &str, payload: &str) {
        if let Ok(topic) = TopicName::new(topic) {
            let mut publish = Publish::new(topic, QosPid::AtMostOnce, payload);
            publish.set_retain(true);
            self.publish(Message::new(publish, QoS::AtMostOnce, None));
        }
    }

    pub fn publish_client_count(&mut self) {
        let connected = self.sessions.values().filter(|s| s.link.is_some()).count();
        self.publish_sys("$SYS/broker/clients/connected", &connected.to_string());
    }

    /// Records a subscription with its options and Subscription Identifier `id` (a
    /// `$share/{group}/{filter}` one makes the client a member of the group); says whether
    /// the client already had one to this filter, which the new one replaces [MQTT-3.8.4-3],
    /// and whether it is a shared one.
    ///
    /// Fails, changing nothing, for a filter that starts with `$share/` but is not of the form
    /// of section 4.8.2 [MQTT-4.8.2-1], [MQTT-4.8.2-2] (only a 3.1.1 client can send one: the
    /// 5.0 decoder refuses them).
    pub fn subscribe(
        &mut self,
        client: &str,
        filter: &TopicFilter,
        options: SubscriptionOptions,
        id: Option<NonZeroU32>,
    ) -> Result<Subscribed, ShareError> {
        let key = self.client_id(client);
        let subscribed = self.subscriptions.subscribe(key, filter, options, id)?;
        if let Some(session) = self.sessions.get_mut(client) {
            session.filters.insert(filter.clone());
        }
        Ok(subscribed)
    }

    /// `client` as the subscription index and messages keep it: its session's copy, shared.
    pub fn client_id(&self, client: &str) -> Arc<str> {
        match self.sessions.get(client) {
            Some(session) => Arc::clone(&session.id),
            None => Arc::from(client),
        }
    }

    /// Removes a subscription (a `$share/...` one: the client's membership of the group);
    /// returns whether there was one.
    pub fn unsubscribe(&mut self, client: &str, filter: &TopicFilter) -> bool {
        if let Some(session) = self.sessions.get_mut(client) {
            session.filters.remove(filter);
        }
        // A malformed `$share/` filter cannot have been subscribed to.
        self.subscriptions
            .unsubscribe(client, filter)
            .unwrap_or(false)
    }

    /// Forgets a session and its subscriptions; logs the messages it had not delivered, and
    /// publishes its delayed Will, if it has one.
    pub fn end_session(&mut self, client: &str) {
        if let Some(mut session) = self.sessions.remove(client) {
            session.report_drops(Instant::now(), true);
            let unacknowledged = session
                .inflight
                .values()
                .filter(|m| matches!(m, Inflight::Published(_)))
                .count();
            if unacknowledged + session.queue.len() > 0 {
                eprintln!(
                    "{client}: session ended with {} QoS 1/2 messages queued and {unacknowledged} \
                     sent but not acknowledged: discarded with it",
                    session.queue.len()
                );
            }
            // A session that ends leaves its share groups too (section 4.8.2).
            for filter in &session.filters {
                let _ = self.subscriptions.unsubscribe(client, filter);
            }
        }
        self.publish_pending_will(client);
    }

    /// The retained messages a new non-shared subscription to `filter` receives (the index
    /// finds them without looking at the others, and applies the `$` rule), marked retained
    /// (section 3.3.1.3) at the lower of their QoS and `qos`, with the subscription's identifier
    /// `id`; expired ones are left out [MQTT-3.3.2-5].
    pub fn retained_for(
        &self,
        filter: &TopicFilter,
        qos: QoS,
        id: Option<NonZeroU32>,
    ) -> Vec<Message> {
        self.retained
            .matching(filter, Instant::now())
            .map(|m| {
                let mut publish = m.publish.clone();
                publish.set_retain(true);
                Message {
                    publish,
                    qos: m.qos.min(qos),
                    from: m.from.clone(),
                    expires: m.expires,
                    subscription_ids: id.map(NonZeroU32::get).into_iter().collect(),
                }
            })
            .collect()
    }
}

impl Session {
    pub fn new(id: &str) -> Session {
        Session {
            id: Arc::from(id),
            link: None,
            expiry: Expiry::AtDisconnect,
            away_since: None,
            filters: HashSet::new(),
            inflight: BTreeMap::new(),
            queue: VecDeque::new(),
            held: VecDeque::new(),
            stalled_since: None,
            drops: Drops::default(),
            awaiting_release: HashSet::new(),
            last_id: 0,
        }
    }

    /// Whether the session ends when its connection does.
    pub fn ends_with_connection(&self) -> bool {
        self.expiry == Expiry::AtDisconnect
    }

    /// The connection is gone (the session outlives it).
    pub fn detach(&mut self, now: Instant) {
        // Dropping the link drops the channel, which ends the writer thread.
        self.link = None;
        self.away_since = Some(now);
    }

    /// A connection takes the session.
    pub fn attach(&mut self, link: Link) {
        self.link = Some(link);
        self.away_since = None;
    }

    /// Whether the client has been away for longer than its Session Expiry Interval.
    fn expired(&self, now: Instant) -> bool {
        match (self.expiry, self.away_since) {
            (Expiry::After(interval), Some(since)) => now.duration_since(since) >= interval,
            _ => false,
        }
    }

    /// The client's connection speaks MQTT 5.0.
    pub fn v5(&self) -> bool {
        self.link.as_ref().is_some_and(|l| l.peer.v5())
    }

    /// Sends `packet` to the client if it is connected.
    pub fn send(&self, packet: Packet) {
        if let Some(link) = &self.link {
            // A closed channel means the writer is gone: the connection is closing and its
            // reader will clean up, so the packet can be dropped here.
            let _ = link.tx.send(packet);
        }
    }

    /// Takes a message for this client: QoS 0 goes out now or never, QoS 1 and 2 go through
    /// the queue so that the in-flight window and offline sessions are respected. Drops (QoS 0
    /// over the writer's backlog limit, QoS 1/2 for an absent client whose queue is full) are
    /// counted and logged.
    pub fn deliver(&mut self, message: Message) {
        let max = limits().max_queued;
        if message.qos == QoS::AtMostOnce {
            // Not kept for an absent client (a server may discard them, section 3.1.2.4).
            let Some(link) = &self.link else { return };
            if link.backlog.load(Ordering::Relaxed) >= max {
                self.drops.qos0 += 1;
                self.report_drops(Instant::now(), false);
                return;
            }
            if let Some(publish) = self.outgoing(message, QosPid::AtMostOnce) {
                if let Some(link) = &self.link {
                    link.backlog.fetch_add(1, Ordering::Relaxed);
                }
                self.send(publish.into());
            }
            return;
        }
        if self.link.is_none() && self.queue.len() >= max {
            // Keep the oldest: the client gets what was published up to the limit, in order.
            self.drops.qos12 += 1;
            self.report_drops(Instant::now(), false);
            return;
        }
        // A connected client's queue passes the limit only for Wills and retained messages: a
        // client's PUBLISH waits for room (`Broker::blocked`).
        self.queue.push_back(message);
        self.pump();
    }

    /// `message` at `qos` as it goes to this client's connection now, or `None` when it must
    /// not go: expired, or larger than the client's Maximum Packet Size (logged).
    fn outgoing(&self, message: Message, qos: QosPid) -> Option<Publish> {
        let link = self.link.as_ref()?;
        let mut publish = message.publish;
        publish.set_qos(qos);
        let now = Instant::now();
        match forward::for_peer(
            &publish,
            message.expires,
            &message.subscription_ids,
            &link.peer,
            now,
        ) {
            Ok(publish) => Some(publish),
            Err(Skipped::Expired) => {
                crate::trace(|| format!("{}: message on {} expired", self.id, publish.topic()));
                None
            }
            Err(Skipped::TooLarge(size, max)) => {
                eprintln!(
                    "{}: message on {} not sent: {size} bytes, above the client's Maximum \
                     Packet Size of {max} [MQTT-3.1.2-25]",
                    self.id,
                    publish.topic()
                );
                None
            }
        }
    }

    /// Logs the messages dropped since the last report, at once for the first drop after a
    /// quiet second, then at most once per [`DROP_REPORT_INTERVAL`] (`force`: now).
    fn report_drops(&mut self, now: Instant, force: bool) {
        let drops = &mut self.drops;
        if drops.qos0 == 0 && drops.qos12 == 0 {
            return;
        }
        let recent = drops
            .reported
            .is_some_and(|t| now.duration_since(t) < DROP_REPORT_INTERVAL);
        if recent && !force {
            return;
        }
        drops.total_qos0 += drops.qos0;
        drops.total_qos12 += drops.qos12;
        let mut what = Vec::new();
        if drops.qos12 > 0 {
            what.push(format!(
                "{} (it is away and its session is full: it keeps {} queued and {} \
                 unacknowledged)",
                count_of(drops.qos12, "QoS 1/2 message"),
                self.queue.len(),
                self.inflight.len()
            ));
        }
        if drops.qos0 > 0 {
            what.push(format!(
                "{} ({} already wait to be written to it)",
                count_of(drops.qos0, "QoS 0 message"),
                limits().max_queued
            ));
        }
        eprintln!(
            "{}: dropped {}; in all {} QoS 1/2 and {} QoS 0 messages dropped for this session",
            self.id,
            what.join(" and "),
            drops.total_qos12,
            drops.total_qos0
        );
        drops.qos0 = 0;
        drops.qos12 = 0;
        drops.reported = Some(now);
    }

    /// Disconnects this client if it has held up a publisher for `stall_timeout` without
    /// acknowledging anything (its reader then cleans up as for any other end).
    fn evict_if_stalled(&mut self, now: Instant) {
        let timeout = limits().stall_timeout;
        let persistent = !self.ends_with_connection();
        let (Some(since), Some(link)) = (self.stalled_since, self.link.as_mut()) else {
            return;
        };
        if link.evicted || now.duration_since(since) < timeout {
            return;
        }
        link.evicted = true;
        eprintln!(
            "{}: disconnecting a slow consumer (connection {}): its queue is full ({} messages \
             waiting, {} in flight) and it acknowledged nothing for {timeout:?} while a \
             publisher waited for room; {}",
            self.id,
            link.conn,
            self.queue.len(),
            self.inflight.len(),
            if persistent {
                "its persistent session keeps them"
            } else {
                "its session ends with the connection"
            }
        );
        let _ = link.stream.shutdown(Shutdown::Both);
    }

    /// Moves queued messages into the in-flight window while there is room and a connection.
    /// The window is `--max-inflight`, or the client's Receive Maximum if that is lower
    /// [MQTT-3.3.4-9].
    pub fn pump(&mut self) {
        while let Some(link) = &self.link {
            let window = limits()
                .max_inflight
                .min(usize::from(link.peer.receive_maximum));
            if self.inflight.len() >= window {
                break;
            }
            let Some(message) = self.queue.pop_front() else {
                break;
            };
            let id = self.free_packet_id();
            let Some(qos) = QosPid::new(message.qos, Some(id)) else {
                continue;
            };
            let Some(publish) = self.outgoing(message, qos) else {
                continue;
            };
            self.send(publish.clone().into());
            self.inflight.insert(id, Inflight::Published(publish));
        }
    }

    /// A packet identifier not used by any message in flight (there are fewer than
    /// `max_inflight` of them, at most 65,535, so one is always free).
    fn free_packet_id(&mut self) -> PacketId {
        loop {
            self.last_id = self.last_id.wrapping_add(1);
            if let Some(id) = PacketId::new(self.last_id) {
                if !self.inflight.contains_key(&id) {
                    return id;
                }
            }
        }
    }

    /// After a persistent session is resumed: unacknowledged PUBLISH packets are sent again
    /// with DUP set and PUBREL packets again as they were [MQTT-4.4.0-1].
    pub fn resend_inflight(&mut self) {
        for (id, state) in &self.inflight {
            let packet = match state {
                Inflight::Published(p) => {
                    let mut again = p.clone();
                    again.set_dup(true);
                    again.into()
                }
                Inflight::Released => PubRel::new(*id).into(),
            };
            self.send(packet);
        }
        self.pump();
    }
}

/// Writes into `out` the deliveries of a message on `topic` from `publisher`: the index's,
/// each share group's going to a connected member if it can (see [`Connected`]).
fn route<'o>(
    subscriptions: &SubscriptionIndex<Arc<str>>,
    sessions: &HashMap<String, Session>,
    policy: &mut Sharing,
    topic: &TopicName,
    publisher: Option<&Arc<str>>,
    out: &'o mut Deliveries<Arc<str>>,
) -> &'o Deliveries<Arc<str>> {
    let mut choice = Connected {
        policy,
        connected: |client: &str| is_connected(sessions, client),
    };
    subscriptions.route(topic, publisher, &mut choice, out)
}

/// Whether `client` has a session with a live connection.
fn is_connected(sessions: &HashMap<String, Session>, client: &str) -> bool {
    sessions.get(client).is_some_and(|s| s.link.is_some())
}

/// "1 message", "2 messages".
fn count_of(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
