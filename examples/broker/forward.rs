//! A message as it goes to one subscriber (section 3.3.4 of 5.0): for a 5.0 subscriber, with
//! the Message Expiry Interval lowered by the time the message waited in the broker
//! [MQTT-3.3.2-6] and the Subscription Identifiers of the subscriptions it matched
//! [MQTT-3.3.4-3]; for a 3.1.1 subscriber, as it is (its encoding leaves the properties out).
//! Then the size check against the subscriber's Maximum Packet Size [MQTT-3.1.2-25].

use crate::peer::Peer;
use mqttwire::{Properties, PropertiesRef, Property, PropertyId, Publish};
use std::time::{Duration, Instant};

/// When a message expires: `received` plus its Message Expiry Interval, if it has one.
pub fn expiry(publish: &Publish, received: Instant) -> Option<Instant> {
    let seconds = publish.properties().message_expiry_interval()?;
    Some(received + Duration::from_secs(seconds.into()))
}

/// Why a message is not sent to a subscriber.
pub enum Skipped {
    /// Its Message Expiry Interval has passed [MQTT-3.3.2-5].
    Expired,
    /// It is larger than the subscriber's Maximum Packet Size: the broker discards it for that
    /// subscriber [MQTT-3.1.2-25]. (`size`, `max`)
    TooLarge(usize, usize),
}

/// `publish` (the message as the broker keeps it: topic name, no Topic Alias, no
/// Subscription Identifier) as it goes to `peer` now.
pub fn for_peer(
    publish: &Publish,
    expires: Option<Instant>,
    subscription_ids: &[u32],
    peer: &Peer,
    now: Instant,
) -> Result<Publish, Skipped> {
    let remaining = match expires {
        Some(at) => {
            let left = at.saturating_duration_since(now);
            if left.is_zero() {
                return Err(Skipped::Expired);
            }
            // Whole seconds, rounded up: a message with 0.3 s left has not expired.
            let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            Some(u32::try_from(seconds).unwrap_or(u32::MAX))
        }
        None => None,
    };
    let outgoing = if peer.v5() && (remaining.is_some() || !subscription_ids.is_empty()) {
        let added = remaining
            .map(Property::MessageExpiryInterval)
            .into_iter()
            .chain(
                subscription_ids
                    .iter()
                    .map(|id| Property::SubscriptionIdentifier(*id)),
            );
        with_properties(
            publish.clone(),
            publish.properties(),
            &[
                PropertyId::MessageExpiryInterval,
                PropertyId::SubscriptionIdentifier,
            ],
            added,
        )
    } else {
        publish.clone()
    };
    let encoder = peer.encoder();
    let size = encoder.encoded_len(&outgoing);
    if size > encoder.max_packet_size_limit() {
        return Err(Skipped::TooLarge(size, encoder.max_packet_size_limit()));
    }
    Ok(outgoing)
}

/// `publish` with the properties `from` (a packet's) less the `left_out` ones, then `added`.
/// They come from a valid packet, and what is added is a valid PUBLISH property, so the
/// message is left as it is only if that somehow fails.
pub fn with_properties<'a>(
    publish: Publish,
    from: PropertiesRef<'a>,
    left_out: &[PropertyId],
    added: impl IntoIterator<Item = Property<'a>>,
) -> Publish {
    let kept = from.iter().filter(|p| !left_out.contains(&p.id()));
    match Properties::new(kept.chain(added)) {
        Ok(properties) => publish
            .clone()
            .with_properties(properties)
            .unwrap_or(publish),
        Err(_) => publish,
    }
}
