//! The retained messages: mqttwire's `RetainedIndex`, and the expiry of those with a Message
//! Expiry Interval (MQTT 5.0).
//!
//! An expired retained message must no longer go to new subscribers [MQTT-3.3.2-5], and
//! keeping it would let memory grow with every topic ever retained with an expiry. A periodic
//! scan of the whole index would cost in proportion to all retained topics, expiring or not;
//! so the deadlines sit in a min-heap instead, and the watchdog's [`Retained::sweep`] removes
//! what is due, at most one `TICK` late. Lookups skip expired messages themselves, so that
//! late sweep is never visible to clients.

use crate::state::Message;
use mqttwire::{RetainedIndex, TopicFilter, TopicName};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// The last retained message of each topic [MQTT-3.3.1-5], and when those that expire do.
#[derive(Default)]
pub struct Retained {
    index: RetainedIndex<Message>,
    /// The expiry of each retained message that has one, earliest first. A message replaced or
    /// cleared before its expiry leaves a stale entry, which the sweep recognises (the topic's
    /// message then is another one, not expired) and drops.
    deadlines: BinaryHeap<Reverse<(Instant, TopicName)>>,
}

impl Retained {
    /// Makes `message` the retained message of `topic`.
    pub fn set(&mut self, topic: &TopicName, message: Message) {
        let expires = message.expires;
        self.index.set(topic, message);
        if let Some(at) = expires {
            self.deadlines.push(Reverse((at, topic.clone())));
            // Stale entries pile up when messages with a long expiry are replaced often:
            // rebuild from the index once they outnumber the live ones (amortised O(1) each).
            let live = self.index.len();
            if self.deadlines.len() > live.saturating_mul(2).saturating_add(64) {
                self.deadlines = self
                    .index
                    .iter()
                    .filter_map(|(topic, m)| Some(Reverse((m.expires?, topic.clone()))))
                    .collect();
            }
        }
    }

    /// Removes the retained message of `topic`, if it has one.
    pub fn clear(&mut self, topic: &TopicName) {
        self.index.clear(topic);
    }

    /// The unexpired retained messages `filter` matches (the index applies the `$` rule).
    pub fn matching<'a>(
        &'a self,
        filter: &'a TopicFilter,
        now: Instant,
    ) -> impl Iterator<Item = &'a Message> + 'a {
        self.index
            .matching(filter)
            .map(|(_, m)| m)
            .filter(move |m| !m.expired(now))
    }

    /// Removes the retained messages that expired by `now`; returns how many there were.
    pub fn sweep(&mut self, now: Instant) -> u64 {
        let mut removed = 0;
        while let Some(Reverse((at, _))) = self.deadlines.peek() {
            if *at > now {
                break;
            }
            let Some(Reverse((_, topic))) = self.deadlines.pop() else {
                break;
            };
            if self.index.get(&topic).is_some_and(|m| m.expired(now)) {
                self.index.clear(&topic);
                removed += 1;
            }
        }
        removed
    }

    /// How many topics have a retained message.
    pub fn len(&self) -> usize {
        self.index.len()
    }
}
