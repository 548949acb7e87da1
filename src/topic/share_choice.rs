//! Which member of a share group receives a message: the [`ShareChoice`] trait and the usual
//! policies ([`RoundRobin`], [`Random`], [`HashPublisher`]).

use super::{TopicFilter, TopicName};
use alloc::vec::Vec;
use core::hash::{Hash, Hasher};

/// A share group a message is routed to, as a [`ShareChoice`] sees it.
#[derive(Debug)]
#[non_exhaustive]
pub struct ShareGroup<'a, C> {
    /// A number that identifies the group while it exists, below the number of groups the
    /// index ever held at once: a policy can keep its state per group in a `Vec` indexed by it.
    /// A group created after another one disappeared may reuse its number.
    pub id: u32,
    /// The ShareName.
    pub share_name: &'a str,
    /// The topic filter the group subscribed to.
    pub filter: &'a TopicFilter,
    /// The members, in the order they joined; never empty.
    pub members: &'a [C],
    /// The client that published the message, if the caller said.
    pub publisher: Option<&'a C>,
    /// The topic of the message.
    pub topic: &'a TopicName,
}

/// Picks the member of a share group that receives a message (section 4.8.2 leaves the choice
/// to the server).
///
/// The trait is object safe: [`SubscriptionIndex::route`](super::SubscriptionIndex::route)
/// takes a `&mut dyn ShareChoice<C>` or a `Box<dyn ShareChoice<C>>` as well as a policy, so a
/// server can pick its policy at run time.
pub trait ShareChoice<C> {
    /// The index in `group.members` of the member that receives the message, or `None` to
    /// deliver it to no member (say, when a policy that knows which members are connected
    /// finds none). An index out of range also delivers to no member.
    fn choose(&mut self, group: &ShareGroup<'_, C>) -> Option<usize>;

    /// The member [`choose`](Self::choose) would pick for `group` now, without changing the
    /// policy's state: where a message would go, for
    /// [`SubscriptionIndex::preview`](super::SubscriptionIndex::preview).
    fn peek(&self, group: &ShareGroup<'_, C>) -> Option<usize>;
}

impl<C, T: ShareChoice<C> + ?Sized> ShareChoice<C> for &mut T {
    fn choose(&mut self, group: &ShareGroup<'_, C>) -> Option<usize> {
        (**self).choose(group)
    }

    fn peek(&self, group: &ShareGroup<'_, C>) -> Option<usize> {
        (**self).peek(group)
    }
}

impl<C, T: ShareChoice<C> + ?Sized> ShareChoice<C> for alloc::boxed::Box<T> {
    fn choose(&mut self, group: &ShareGroup<'_, C>) -> Option<usize> {
        (**self).choose(group)
    }

    fn peek(&self, group: &ShareGroup<'_, C>) -> Option<usize> {
        (**self).peek(group)
    }
}

/// Each group's members in turn.
///
/// Keeps a counter per group: allocates when it first sees a group with a higher
/// [`id`](ShareGroup::id) than before.
#[derive(Debug, Clone, Default)]
pub struct RoundRobin {
    next: Vec<u32>,
}

impl RoundRobin {
    /// A policy that has seen no group yet. Does not allocate.
    pub const fn new() -> Self {
        RoundRobin { next: Vec::new() }
    }
}

impl<C> ShareChoice<C> for RoundRobin {
    fn choose(&mut self, group: &ShareGroup<'_, C>) -> Option<usize> {
        let chosen = self.peek(group)?;
        let id = usize::try_from(group.id).ok()?;
        if self.next.len() <= id {
            self.next.resize(id.checked_add(1)?, 0);
        }
        let next = self.next.get_mut(id)?;
        // `chosen + 1` is at most the number of members, which fits in memory.
        *next = u32::try_from(chosen.wrapping_add(1)).unwrap_or(0);
        Some(chosen)
    }

    fn peek(&self, group: &ShareGroup<'_, C>) -> Option<usize> {
        // A group not seen yet starts with its first member.
        let next = usize::try_from(group.id)
            .ok()
            .and_then(|id| self.next.get(id))
            .copied()
            .unwrap_or(0);
        usize::try_from(next).ok()?.checked_rem(group.members.len())
    }
}

/// A member at random (xorshift64*, seeded by the caller: the library has no entropy source).
#[derive(Debug, Clone)]
pub struct Random {
    state: u64,
}

impl Random {
    /// A policy whose choices follow from `seed` (0 is taken as 1).
    pub const fn new(seed: u64) -> Self {
        Random {
            state: if seed == 0 { 1 } else { seed },
        }
    }

    /// The state after this one.
    const fn step(mut state: u64) -> u64 {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state
    }

    /// The member `state` picks among `members`.
    fn pick(state: u64, members: usize) -> Option<usize> {
        let random = state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32;
        let members = u64::try_from(members).ok()?;
        usize::try_from(random.checked_rem(members)?).ok()
    }
}

/// One state for all groups: [`peek`](ShareChoice::peek) tells what the next
/// [`choose`](ShareChoice::choose) picks, whichever group that is for; so when a message goes to
/// several groups, the preview of the second is not the member routing will pick.
impl<C> ShareChoice<C> for Random {
    fn choose(&mut self, group: &ShareGroup<'_, C>) -> Option<usize> {
        self.state = Random::step(self.state);
        Random::pick(self.state, group.members.len())
    }

    fn peek(&self, group: &ShareGroup<'_, C>) -> Option<usize> {
        Random::pick(Random::step(self.state), group.members.len())
    }
}

/// The member chosen by a hash of the publishing client (EMQX's `hash_clientid`): the messages
/// of one publisher all go to the same member while the group does not change. Messages whose
/// publisher is not given go to the first member.
#[derive(Debug, Clone, Copy, Default)]
pub struct HashPublisher;

impl<C: Hash> ShareChoice<C> for HashPublisher {
    fn choose(&mut self, group: &ShareGroup<'_, C>) -> Option<usize> {
        self.peek(group)
    }

    fn peek(&self, group: &ShareGroup<'_, C>) -> Option<usize> {
        let Some(publisher) = group.publisher else {
            return Some(0);
        };
        let mut hasher = Fnv1a(0xcbf2_9ce4_8422_2325);
        publisher.hash(&mut hasher);
        let members = u64::try_from(group.members.len()).ok()?;
        usize::try_from(hasher.finish().checked_rem(members)?).ok()
    }
}

/// FNV-1a, 64 bits: a `Hasher` without `std`, stable across runs and builds.
struct Fnv1a(u64);

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
