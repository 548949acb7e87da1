//! The `broker` example's routing, which is mqttwire's `SubscriptionIndex` and
//! `RetainedIndex`, seen from its clients over loopback TCP: shared subscriptions for 3.1.1 and
//! 5.0 members with each `--share-choice`, retained messages (set, replace, clear, expiry, the
//! `$` rule, none for shared subscriptions), No Local, and overlapping subscriptions delivered
//! once at the highest QoS with all their Subscription Identifiers.
//!
//! The clients are mqttwire's own (`support/client.rs`): these tests need no peer and run in a
//! plain `cargo test`.

#[path = "support/client.rs"]
mod client;
#[path = "support/examples.rs"]
mod examples;
#[path = "support/peers.rs"]
mod peers;

use client::{filter, message, new_connect, payload, Client};
use examples::start_broker_with;
use mqttwire::{
    Properties, Property, Protocol, PubAckReasonCode, QoS, RetainHandling, SubAckReasonCode,
    Subscription,
};
use peers::{stderr_lines, STEP};
use std::time::{Duration, Instant};

/// How long a test waits to be sure that nothing more arrives.
const QUIET: Duration = Duration::from_millis(500);

/// Each message on `jobs/1` .. `jobs/{count}`, QoS 1, from a client of its own.
fn publish_jobs(port: u16, count: usize) -> Vec<String> {
    let mut publisher = Client::connect(port, "jobs-publisher", Protocol::V5);
    let sent: Vec<String> = (1..=count).map(|n| format!("job {n}")).collect();
    for (n, text) in sent.iter().enumerate() {
        let code = publisher.publish(message(&format!("jobs/{}", n + 1), text, QoS::AtLeastOnce));
        // A shared subscription is a subscription: not 0x10 No matching subscribers.
        assert_eq!(code, Some(PubAckReasonCode::Success));
    }
    publisher.disconnect();
    sent
}

/// Section 4.8.2: a message matching a shared subscription goes to exactly one of the group's
/// sessions, each group its own copy, and every non-shared subscriber a copy; a 3.1.1 client
/// joins a group as a 5.0 one does; round-robin (the default) takes the members in turn; a
/// member that unsubscribes leaves the group (section 3.10.4). The 5.0 CONNACK says Shared
/// Subscription Available 1 (section 3.2.2.3.13).
#[test]
fn shared_subscription_one_member_per_message_in_turn() {
    let (_broker, port) = start_broker_with(&[]);
    let (mut first, ack) = Client::connect_with_ack(port, "member-v5", Protocol::V5);
    assert_eq!(ack.properties.shared_subscription_available(), Some(true));
    first.subscribe("$share/workers/jobs/#", QoS::AtLeastOnce);
    let mut second = Client::connect(port, "member-v311", Protocol::V311);
    second.subscribe("$share/workers/jobs/#", QoS::AtLeastOnce);
    let mut other_group = Client::connect(port, "auditor", Protocol::V5);
    other_group.subscribe("$share/audit/jobs/+", QoS::AtLeastOnce);
    let mut plain = Client::connect(port, "archiver", Protocol::V311);
    plain.subscribe("jobs/#", QoS::AtLeastOnce);

    let sent = publish_jobs(port, 4);
    assert_eq!(
        plain.payloads_until_quiet(QUIET),
        sent,
        "non-shared: every message"
    );
    assert_eq!(
        other_group.payloads_until_quiet(QUIET),
        sent,
        "the only member of its group: every message"
    );
    // Round robin, in the order the members joined.
    assert_eq!(first.payloads_until_quiet(QUIET), ["job 1", "job 3"]);
    assert_eq!(second.payloads_until_quiet(QUIET), ["job 2", "job 4"]);

    // A 3.1.1 client may send a `$share/` filter that 4.8.2 forbids (a 5.0 decoder refuses
    // it): refused with 0x80 Failure [MQTT-4.8.2-1], [MQTT-4.8.2-2].
    for malformed in ["$share//jobs/#", "$share/workers"] {
        let codes = second.subscribe_with(
            vec![Subscription::new(filter(malformed), QoS::AtLeastOnce)],
            Properties::EMPTY,
        );
        assert_eq!(codes, [SubAckReasonCode::UnspecifiedError], "{malformed}");
    }

    // The 3.1.1 member leaves: the 5.0 one gets everything.
    second.unsubscribe("$share/workers/jobs/#");
    let sent = publish_jobs(port, 2);
    assert_eq!(first.payloads_until_quiet(QUIET), sent);
    assert!(second.payloads_until_quiet(QUIET).is_empty());
}

/// A member whose client is away (a persistent session without its connection) is skipped
/// while another member is connected (section 4.8.2 leaves the choice to the server): the
/// messages are not left waiting for it.
#[test]
fn shared_subscription_prefers_connected_members() {
    let (_broker, port) = start_broker_with(&[]);
    let persistent = || new_connect("away-member", Protocol::V311).with_clean_session(false);
    let (mut away, _) = Client::connect_with(port, persistent());
    away.subscribe("$share/g/jobs/+", QoS::AtLeastOnce);
    let mut present = Client::connect(port, "present-member", Protocol::V5);
    present.subscribe("$share/g/jobs/+", QoS::AtLeastOnce);
    let mut watcher = Client::connect(port, "watcher", Protocol::V5);
    watcher.subscribe("$SYS/broker/clients/connected", QoS::AtMostOnce);
    assert_eq!(watcher.payloads_until_quiet(QUIET), ["3"]);

    away.disconnect();
    // The broker published the new count once it had detached the session.
    let count = watcher.message(STEP).expect("client count");
    assert_eq!(payload(&count), "2");
    let sent = publish_jobs(port, 2);
    assert_eq!(present.payloads_until_quiet(QUIET), sent);

    let (mut back, ack) = Client::connect_with(port, persistent());
    assert!(
        ack.session_present,
        "the session and its membership were kept"
    );
    assert!(back.payloads_until_quiet(QUIET).is_empty());
}

/// `--share-choice hash`: one publisher's messages all go to one member of the group (section
/// 4.8.2 leaves the choice to the server), and still to exactly one.
#[test]
fn shared_subscription_hash_of_the_publisher() {
    let (_broker, port) = start_broker_with(&["--share-choice", "hash"]);
    let mut members = ["hash-a", "hash-b", "hash-c"].map(|name| {
        let mut member = Client::connect(port, name, Protocol::V5);
        member.subscribe("$share/g/jobs/+", QoS::AtLeastOnce);
        member
    });
    let sent = publish_jobs(port, 6);
    let received: Vec<Vec<String>> = members
        .iter_mut()
        .map(|member| member.payloads_until_quiet(QUIET))
        .collect();
    let busy: Vec<&Vec<String>> = received.iter().filter(|r| !r.is_empty()).collect();
    assert_eq!(busy, [&sent], "one member gets them all: {received:?}");
}

/// `--share-choice random`: each message to exactly one member; an unknown choice is refused.
#[test]
fn shared_subscription_random_member() {
    let (_broker, port) = start_broker_with(&["--share-choice", "random"]);
    let mut members = ["random-a", "random-b"].map(|name| {
        let mut member = Client::connect(port, name, Protocol::V311);
        member.subscribe("$share/g/jobs/+", QoS::AtLeastOnce);
        member
    });
    let sent = publish_jobs(port, 8);
    let mut received: Vec<String> = members
        .iter_mut()
        .flat_map(|member| member.payloads_until_quiet(QUIET))
        .collect();
    received.sort();
    assert_eq!(received, sent, "each message once");

    let refused = std::process::Command::new(examples::example("broker"))
        .args(["--share-choice", "fastest"])
        .output()
        .expect("run the broker");
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("--share-choice takes round-robin, random or hash, not fastest"),
        "{stderr}"
    );
}

/// Retained messages: a new subscription receives those its filter matches, marked retained
/// [MQTT-3.3.1-9], and not those of `$` topics for a filter starting with a wildcard
/// [MQTT-4.7.2-1]; a new retained message replaces the topic's [MQTT-3.3.1-5]; an empty one
/// clears it [MQTT-3.3.1-6] and is not kept [MQTT-3.3.1-7]; a shared subscription receives no
/// retained message (sections 3.8.4 and 4.8.2).
#[test]
fn retained_messages_for_new_subscriptions() {
    let (_broker, port) = start_broker_with(&[]);
    let mut publisher = Client::connect(port, "retainer", Protocol::V5);
    for (topic, text) in [
        ("a/x/1", "one"),
        ("b/x/y/2", "two"),
        ("c/y/3", "other"),
        ("$dollar/x/4", "dollar"),
    ] {
        publisher.publish(message(topic, text, QoS::AtLeastOnce).with_retain(true));
    }
    let retained_of = |name: &str, filter_: &str| {
        let mut client = Client::connect(port, name, Protocol::V5);
        client.subscribe(filter_, QoS::AtLeastOnce);
        let messages: Vec<_> = std::iter::from_fn(|| client.message(QUIET)).collect();
        assert!(messages.iter().all(|m| m.retain()), "[MQTT-3.3.1-9]");
        let mut payloads: Vec<String> = messages.iter().map(|m| payload(m).to_owned()).collect();
        payloads.sort();
        (client, payloads)
    };
    let (_, got) = retained_of("new-1", "+/x/#");
    assert_eq!(got, ["one", "two"]);
    let (_, got) = retained_of("new-dollar", "$dollar/#");
    assert_eq!(got, ["dollar"]);
    let (mut shared, got) = retained_of("new-shared", "$share/g/+/x/#");
    assert!(got.is_empty(), "shared subscription got {got:?}");

    // Replace one, clear the other; the live copies reach the shared subscription.
    publisher.publish(message("b/x/y/2", "two again", QoS::AtLeastOnce).with_retain(true));
    publisher.publish(message("a/x/1", "", QoS::AtLeastOnce).with_retain(true));
    assert_eq!(shared.payloads_until_quiet(QUIET), ["two again", ""]);
    let (_, got) = retained_of("new-2", "+/x/#");
    assert_eq!(got, ["two again"]);
    let (_, got) = retained_of("new-3", "a/x/1");
    assert!(
        got.is_empty(),
        "cleared, and the empty message not kept: {got:?}"
    );
}

/// A retained message whose Message Expiry Interval has passed is no longer sent to new
/// subscribers [MQTT-3.3.2-5], and the broker removes it from its index (it says so on
/// stderr), also after many replacements (the broker's deadlines then hold stale entries);
/// one replaced before its expiry by a message without one stays.
#[test]
fn expired_retained_messages_are_removed() {
    let (mut broker, port) = start_broker_with(&[]);
    let log = stderr_lines(&mut broker);
    let mut publisher = Client::connect(port, "expiring", Protocol::V5);
    let expiring = |topic: &str, text: &str| {
        let properties = Properties::new([Property::MessageExpiryInterval(2)]).expect("props");
        message(topic, text, QoS::AtLeastOnce)
            .with_retain(true)
            .with_properties(properties)
            .expect("expiry")
    };
    for n in 1..=200 {
        publisher.publish(expiring("expiry/gone", &format!("gone {n}")));
    }
    publisher.publish(expiring("expiry/replaced", "replaced"));
    publisher.publish(message("expiry/replaced", "kept", QoS::AtLeastOnce).with_retain(true));
    publisher.publish(message("expiry/plain", "plain", QoS::AtLeastOnce).with_retain(true));
    let retained = |name: &str| {
        let mut client = Client::connect(port, name, Protocol::V5);
        client.subscribe("expiry/#", QoS::AtLeastOnce);
        let mut got = client.payloads_until_quiet(QUIET);
        got.sort();
        got
    };
    assert_eq!(retained("before"), ["gone 200", "kept", "plain"]);

    let deadline = Instant::now() + STEP;
    let removal = std::iter::from_fn(|| {
        let left = deadline.checked_duration_since(Instant::now())?;
        log.recv_timeout(left).ok()
    })
    .find(|line| line.contains("past their Message Expiry Interval"));
    let removal = removal.expect("the broker logs the removal");
    assert!(
        removal.starts_with("removed 1 retained message "),
        "only the expired one: {removal}"
    );
    assert_eq!(retained("after"), ["kept", "plain"]);
}

/// A 5.0 subscription with No Local does not get back its own client's messages
/// [MQTT-3.8.3-3], but does get the others'.
#[test]
fn no_local() {
    let (_broker, port) = start_broker_with(&[]);
    let [mut chatty, mut listener] = ["chatty", "listener"].map(|name| {
        let mut client = Client::connect(port, name, Protocol::V5);
        let no_local = Subscription::new(filter("room/#"), QoS::AtLeastOnce).with_no_local(true);
        let codes = client.subscribe_with(vec![no_local], Properties::EMPTY);
        assert_eq!(codes, [SubAckReasonCode::GrantedQos1]);
        client
    });
    // No PUBLISH comes before the PUBACK (`publish` would fail): not the client's own.
    chatty.publish(message("room/1", "from chatty", QoS::AtLeastOnce));
    assert_eq!(listener.payloads_until_quiet(QUIET), ["from chatty"]);
    assert!(
        chatty.payloads_until_quiet(QUIET).is_empty(),
        "[MQTT-3.8.3-3]"
    );
    listener.publish(message("room/1", "from listener", QoS::AtLeastOnce));
    assert_eq!(chatty.payloads_until_quiet(QUIET), ["from listener"]);
    assert!(
        listener.payloads_until_quiet(QUIET).is_empty(),
        "[MQTT-3.8.3-3]"
    );
}

/// A client whose subscriptions overlap gets one copy, at the highest QoS of the matching
/// subscriptions [MQTT-3.3.4-2], with the Subscription Identifiers of all of them
/// [MQTT-3.3.4-3], [MQTT-3.3.4-4]; a shared subscription that also matches is a copy of its
/// own with its identifier alone [MQTT-3.3.4-5].
#[test]
fn overlapping_subscriptions_at_the_highest_qos() {
    let (_broker, port) = start_broker_with(&[]);
    let mut sub = Client::connect(port, "overlapping", Protocol::V5);
    for (filter_, qos, id) in [
        ("t/#", QoS::AtMostOnce, 1),
        ("t/+", QoS::AtLeastOnce, 2),
        ("$share/g/t/x", QoS::AtMostOnce, 3),
    ] {
        let codes = sub.subscribe_with(
            vec![Subscription::new(filter(filter_), qos)],
            Properties::new([Property::SubscriptionIdentifier(id)]).expect("properties"),
        );
        assert_eq!(codes, [SubAckReasonCode::granted(qos)]);
    }
    let mut publisher = Client::connect(port, "overlap-publisher", Protocol::V5);
    publisher.publish(message("t/x", "both", QoS::AtLeastOnce));

    let mut copies: Vec<(QoS, Vec<u32>)> = std::iter::from_fn(|| sub.message(QUIET))
        .map(|p| {
            assert_eq!(payload(&p), "both");
            let mut ids: Vec<u32> = p.properties().subscription_identifiers().collect();
            ids.sort_unstable();
            (p.qos(), ids)
        })
        .collect();
    copies.sort();
    assert_eq!(
        copies,
        [(QoS::AtMostOnce, vec![3]), (QoS::AtLeastOnce, vec![1, 2])]
    );

    // Only `t/#` matches `t/x/y`: its QoS and its identifier.
    publisher.publish(message("t/x/y", "one", QoS::AtLeastOnce));
    let p = sub.message(STEP).expect("t/x/y");
    assert_eq!(p.qos(), QoS::AtMostOnce);
    assert_eq!(
        p.properties()
            .subscription_identifiers()
            .collect::<Vec<_>>(),
        [1]
    );
    assert!(sub.message(QUIET).is_none(), "one copy");
}

/// Retain Handling is honoured with the retained index: 1 sends only for a new subscription
/// [MQTT-3.3.1-10], 2 never [MQTT-3.3.1-11].
#[test]
fn retain_handling() {
    let (_broker, port) = start_broker_with(&[]);
    let mut publisher = Client::connect(port, "rh-publisher", Protocol::V5);
    publisher.publish(message("rh/a", "kept", QoS::AtLeastOnce).with_retain(true));
    let mut sub = Client::connect(port, "rh-sub", Protocol::V5);
    let with = |handling| {
        vec![Subscription::new(filter("rh/+"), QoS::AtLeastOnce).with_retain_handling(handling)]
    };
    sub.subscribe_with(with(RetainHandling::DoNotSend), Properties::EMPTY);
    assert!(
        sub.payloads_until_quiet(QUIET).is_empty(),
        "[MQTT-3.3.1-11]"
    );
    sub.subscribe_with(
        with(RetainHandling::SendOnSubscribeIfNew),
        Properties::EMPTY,
    );
    assert!(
        sub.payloads_until_quiet(QUIET).is_empty(),
        "[MQTT-3.3.1-10]: the subscription existed"
    );
    sub.unsubscribe("rh/+");
    sub.subscribe_with(
        with(RetainHandling::SendOnSubscribeIfNew),
        Properties::EMPTY,
    );
    assert_eq!(sub.payloads_until_quiet(QUIET), ["kept"], "[MQTT-3.3.1-10]");
}
