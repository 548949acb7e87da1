//! Which member of a share group (`$share/{group}/{filter}`, section 4.8.2) receives a message:
//! the policy chosen with `--share-choice`, one of mqttwire's [`ShareChoice`] policies.

use mqttwire::{HashPublisher, Random, RoundRobin, ShareChoice, ShareGroup};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

/// The `--share-choice` policy, with its state.
pub type Sharing = Box<dyn ShareChoice<Arc<str>> + Send>;

/// The values `--share-choice` takes.
pub const NAMES: &str = "round-robin, random or hash";

/// The policy named `name` on the command line: each group's members in turn, a member at
/// random, or the member a hash of the publisher's client id picks (one publisher's messages
/// keep going to the same member while the group does not change).
pub fn from_name(name: &str) -> Option<Sharing> {
    match name {
        "round-robin" => Some(Box::new(RoundRobin::new())),
        "random" => Some(Box::new(Random::new(seed()))),
        "hash" => Some(Box::new(HashPublisher)),
        _ => None,
    }
}

/// A policy steered towards connected members: when it picks a member whose client is away (a
/// persistent session without its connection), the message goes to the next connected member
/// after it, in the order they joined, so that it goes to a member that can take it now
/// (section 4.8.2 lets the server choose). When no member is connected, the pick's session
/// keeps the message until its client comes back.
pub struct Connected<'a, F> {
    pub policy: &'a mut Sharing,
    /// Whether the client with this id is connected.
    pub connected: F,
}

impl<F: Fn(&str) -> bool> Connected<'_, F> {
    /// `pick` if its client is connected, else the next connected member after it.
    fn steer(&self, group: &ShareGroup<'_, Arc<str>>, pick: usize) -> usize {
        let members = group.members.len();
        (0..members)
            .filter_map(|offset| pick.checked_add(offset)?.checked_rem(members))
            .find(|&at| group.members.get(at).is_some_and(|c| (self.connected)(c)))
            .unwrap_or(pick)
    }
}

impl<F: Fn(&str) -> bool> ShareChoice<Arc<str>> for Connected<'_, F> {
    fn choose(&mut self, group: &ShareGroup<'_, Arc<str>>) -> Option<usize> {
        let pick = self.policy.choose(group)?;
        Some(self.steer(group, pick))
    }

    fn peek(&self, group: &ShareGroup<'_, Arc<str>>) -> Option<usize> {
        let pick = self.policy.peek(group)?;
        Some(self.steer(group, pick))
    }
}

/// A seed that differs from run to run: the standard library's random hash keys (the library
/// has no entropy source of its own, and the example needs no random crate for this).
fn seed() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u8(0);
    hasher.finish()
}
