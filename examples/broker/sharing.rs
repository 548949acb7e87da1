//! Which member of a share group (`$share/{group}/{filter}`, section 4.8.2) receives a message:
//! the policy chosen with `--share-choice`, one of mqttwire's [`ShareChoice`] policies.

use mqttwire::{HashPublisher, Random, RoundRobin, ShareChoice, ShareGroup};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

/// The `--share-choice` policy, with its state.
#[derive(Clone, Debug)]
pub enum Sharing {
    /// Each group's members in turn.
    RoundRobin(RoundRobin),
    /// A member at random.
    Random(Random),
    /// The member a hash of the publisher's client id picks: one publisher's messages keep
    /// going to the same member while the group does not change.
    Hash(HashPublisher),
}

impl Sharing {
    /// The values `--share-choice` takes.
    pub const NAMES: &'static str = "round-robin, random or hash";

    /// The policy named `name` on the command line.
    pub fn from_name(name: &str) -> Option<Sharing> {
        match name {
            "round-robin" => Some(Sharing::RoundRobin(RoundRobin::new())),
            "random" => Some(Sharing::Random(Random::new(seed()))),
            "hash" => Some(Sharing::Hash(HashPublisher)),
            _ => None,
        }
    }
}

impl Default for Sharing {
    fn default() -> Self {
        Sharing::RoundRobin(RoundRobin::new())
    }
}

impl ShareChoice<Arc<str>> for Sharing {
    fn choose(&mut self, group: &ShareGroup<'_, Arc<str>>) -> Option<usize> {
        match self {
            Sharing::RoundRobin(policy) => policy.choose(group),
            Sharing::Random(policy) => policy.choose(group),
            Sharing::Hash(policy) => policy.choose(group),
        }
    }
}

/// [`Sharing`] steered towards connected members: when the policy picks a member whose client
/// is away (a persistent session without its connection), it is asked again, up to once per
/// member, so that the message goes to a member that can take it now (section 4.8.2 lets the
/// server choose). When no member is connected, the first pick's session keeps the message
/// until its client comes back. Round robin thus skips the absent members in turn; hash keeps
/// its pick (it picks the same member each time).
pub struct Connected<'a, F> {
    pub policy: &'a mut Sharing,
    /// Whether the client with this id is connected.
    pub connected: F,
}

impl<F: Fn(&str) -> bool> ShareChoice<Arc<str>> for Connected<'_, F> {
    fn choose(&mut self, group: &ShareGroup<'_, Arc<str>>) -> Option<usize> {
        let is_connected = |at: usize| group.members.get(at).is_some_and(|c| (self.connected)(c));
        let first = self.policy.choose(group)?;
        if is_connected(first) {
            return Some(first);
        }
        for _ in 1..group.members.len() {
            let next = self.policy.choose(group)?;
            if is_connected(next) {
                return Some(next);
            }
        }
        Some(first)
    }
}

/// A seed that differs from run to run: the standard library's random hash keys (the library
/// has no entropy source of its own, and the example needs no random crate for this).
fn seed() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u8(0);
    hasher.finish()
}
