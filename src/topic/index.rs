//! `SubscriptionIndex`: the subscriptions of a server's clients with their options, shared
//! subscriptions included, and what a published message becomes: one delivery per receiver.

use super::share_choice::{ShareChoice, ShareGroup};
use super::{ShareError, SharedFilter, SubscriptionTree, TopicFilter, TopicName};
use crate::{QoS, SubscriptionOptions};
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::num::NonZeroU32;
use core::ops::Range;

/// The subscriptions of a server's clients, with their options, to route each published
/// message to the clients that receive it.
///
/// `C` identifies a client (its Client Identifier, or a handle to its session): compared to
/// apply No Local and to merge a client's overlapping subscriptions, cloned into each
/// [`Delivery`], so it should be cheap to clone (an integer, an `Arc<str>`).
///
/// - **Shared subscriptions** (section 4.8.2): a filter `$share/{ShareName}/{filter}` makes its
///   client a member of the group named ShareName on `{filter}`; each message that matches goes
///   to one member per group, chosen by a [`ShareChoice`] ([`RoundRobin`](super::RoundRobin),
///   [`Random`](super::Random), [`HashPublisher`](super::HashPublisher) or the server's own).
///   The `$share/...` text is never an ordinary filter here, for MQTT 3.1.1 clients as for
///   5.0 ones (as mosquitto and EMQX accept both).
/// - **Options** (section 3.8.3.1): the maximum QoS, No Local (a message is not delivered to
///   the subscriber that published it) [MQTT-3.8.3-3], Retain As Published, and the
///   Subscription Identifier (section 3.8.2.1.2).
/// - **Overlapping subscriptions** of one client give one delivery, at the highest QoS of the
///   matching subscriptions [MQTT-3.3.4-2], with the Subscription Identifiers of all of them
///   [MQTT-3.3.4-3], [MQTT-3.3.4-4]. A delivery through a shared subscription is a copy of its
///   own, with that subscription's identifier alone [MQTT-3.3.4-5] (section 4.8.2: a client with
///   a shared and a non-shared subscription that match may receive two copies).
///
/// [`route`](Self::route) writes the deliveries into a [`Deliveries`] buffer that the caller
/// keeps from one message to the next: once the buffer has grown to the largest fan-out,
/// routing allocates nothing.
///
/// # Example: a broker's routing
///
/// ```
/// use mqttwire::{
///     Deliveries, QoS, RetainedIndex, RoundRobin, SubscriptionIndex, SubscriptionOptions,
///     TopicFilter, TopicName,
/// };
/// use std::num::NonZeroU32;
///
/// let mut subscriptions = SubscriptionIndex::new();
/// let mut retained = RetainedIndex::new();
/// retained.set(&TopicName::new("jobs/resize")?, "image-1");
///
/// // SUBSCRIBE: store the subscription, then send the retained messages its filter matches
/// // (Retain Handling 0; 1 only if `subscribed.replaced` is false [MQTT-3.3.1-10]).
/// let filter = TopicFilter::new("jobs/#")?;
/// let subscribed = subscriptions.subscribe(
///     "archiver",
///     &filter,
///     SubscriptionOptions::new(QoS::AtLeastOnce),
///     NonZeroU32::new(7),
/// )?;
/// assert!(!subscribed.replaced && !subscribed.shared);
/// let to_send: Vec<_> = retained.matching(&filter).collect();
/// assert_eq!(to_send.len(), 1);
///
/// for worker in ["worker-1", "worker-2"] {
///     let shared = TopicFilter::new("$share/workers/jobs/+")?;
///     let options = SubscriptionOptions::new(QoS::ExactlyOnce);
///     // A shared subscription gets no retained messages (section 4.8.2).
///     assert!(subscriptions.subscribe(worker, &shared, options, None)?.shared);
/// }
/// let no_local = SubscriptionOptions::new(QoS::AtMostOnce).with_no_local(true);
/// subscriptions.subscribe("scheduler", &TopicFilter::new("jobs/+")?, no_local, None)?;
/// subscriptions.subscribe("archiver", &TopicFilter::new("+/resize")?, no_local, None)?;
///
/// // PUBLISH from "scheduler": every non-shared subscriber but the publisher (No Local),
/// // and one worker in turn.
/// let mut choice = RoundRobin::new();
/// let mut deliveries = Deliveries::new();
/// let topic = TopicName::new("jobs/resize")?;
/// let mut receivers = Vec::new();
/// // Where the message would go, without moving the round robin on.
/// subscriptions.preview(&topic, Some(&"scheduler"), &choice, &mut deliveries);
/// assert!(deliveries.iter().any(|(d, _)| d.client == "worker-1"));
/// for _ in 0..2 {
///     subscriptions.route(&topic, Some(&"scheduler"), &mut choice, &mut deliveries);
///     for (delivery, ids) in deliveries.iter() {
///         // Send at min(delivery.qos, the message's QoS), with the identifiers in `ids`.
///         receivers.push((delivery.client, delivery.qos, ids.to_vec(), delivery.shared));
///     }
/// }
/// assert_eq!(
///     receivers,
///     [
///         ("worker-1", QoS::ExactlyOnce, vec![], true),
///         ("archiver", QoS::AtLeastOnce, vec![7], false),
///         ("worker-2", QoS::ExactlyOnce, vec![], true),
///         ("archiver", QoS::AtLeastOnce, vec![7], false),
///     ]
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// When a session ends, the server unsubscribes each of its filters (it keeps them in the
/// session state anyway).
///
/// The policy can be chosen at run time: `route` takes a `&mut dyn ShareChoice<C>` or a
/// `Box<dyn ShareChoice<C>>` too. Lookups take a borrowed form of `C` (a `&str` for an
/// `Arc<str>`), as a map's do.
pub struct SubscriptionIndex<C> {
    tree: SubscriptionTree<Target<C>>,
    /// Share groups by id; `None` for a free id.
    groups: Vec<Option<Group<C>>>,
    /// Ids of `groups` that are free, to reuse.
    free: Vec<u32>,
    /// Number of subscriptions, shared ones included.
    len: usize,
}

/// What the tree holds for a filter: a client's subscription, or a share group on it.
enum Target<C> {
    Client(Sub<C>),
    Group(u32),
}

/// A subscription's options as the index keeps them.
#[derive(Debug, Clone, Copy)]
struct Options {
    qos: QoS,
    no_local: bool,
    retain_as_published: bool,
    id: Option<NonZeroU32>,
}

/// One client's subscription.
struct Sub<C> {
    client: C,
    options: Options,
}

/// The members of a share group; `members[i]` subscribed with `options[i]`.
struct Group<C> {
    share_name: bytes::Bytes,
    filter: TopicFilter,
    members: Vec<C>,
    options: Vec<Options>,
}

impl Options {
    fn new(options: SubscriptionOptions, id: Option<NonZeroU32>) -> Self {
        Options {
            qos: options.qos,
            no_local: options.no_local,
            retain_as_published: options.retain_as_published,
            id,
        }
    }
}

impl<C: Clone + Ord> SubscriptionIndex<C> {
    /// An empty index. Does not allocate.
    pub const fn new() -> Self {
        SubscriptionIndex {
            tree: SubscriptionTree::new(),
            groups: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }

    /// Number of subscriptions, shared ones included.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no subscription.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Subscribes `client` to `filter` with `options` and the Subscription Identifier `id`,
    /// replacing the client's subscription to the same filter if it has one [MQTT-3.8.4-3].
    /// Answers whether it had one, as Retain Handling 1 needs [MQTT-3.3.1-10], and whether the
    /// filter is a shared subscription, which gets no retained messages (section 4.8.2).
    ///
    /// A filter `$share/{ShareName}/{filter}` joins the share group (section 4.8.2); its No
    /// Local option is ignored (a Protocol Error the decoder refuses [MQTT-3.8.3-4]). Retain
    /// Handling is the caller's, at the time of the SUBSCRIBE.
    ///
    /// # Errors
    ///
    /// The [`ShareError`] of a filter that starts with `$share/` but is not of the form of
    /// section 4.8.2 [MQTT-4.8.2-1], [MQTT-4.8.2-2]; nothing is changed then.
    pub fn subscribe(
        &mut self,
        client: C,
        filter: &TopicFilter,
        options: SubscriptionOptions,
        id: Option<NonZeroU32>,
    ) -> Result<Subscribed, ShareError> {
        let options = Options::new(options, id);
        let Some(shared) = SharedFilter::parse(filter)? else {
            let replaced = self.remove_client(&client, filter);
            self.tree
                .insert(filter, Target::Client(Sub { client, options }));
            if !replaced {
                self.len = self.len.saturating_add(1);
            }
            return Ok(Subscribed {
                replaced,
                shared: false,
            });
        };
        let replaced = self.join(client, &shared, options);
        Ok(Subscribed {
            replaced,
            shared: true,
        })
    }

    /// Makes `client` a member of the group of `shared`, or replaces its options if it is one
    /// already; answers whether it was.
    fn join(&mut self, client: C, shared: &SharedFilter, options: Options) -> bool {
        let group = match self.group_id(shared) {
            Some(id) => id,
            None => self.new_group(shared),
        };
        let Some(Some(group)) = self.groups.get_mut(group as usize) else {
            return false;
        };
        match group.members.iter().position(|member| *member == client) {
            Some(at) => {
                if let Some(slot) = group.options.get_mut(at) {
                    *slot = options;
                }
                true
            }
            None => {
                group.members.push(client);
                group.options.push(options);
                self.len = self.len.saturating_add(1);
                false
            }
        }
    }

    /// Removes `client`'s subscription to `filter` (a `$share/...` filter: its membership of
    /// the group), and answers whether it had one. `client` is any borrowed form of `C`.
    ///
    /// # Errors
    ///
    /// The [`ShareError`] of a filter that starts with `$share/` but is not of the form of
    /// section 4.8.2.
    pub fn unsubscribe<Q>(&mut self, client: &Q, filter: &TopicFilter) -> Result<bool, ShareError>
    where
        C: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let Some(shared) = SharedFilter::parse(filter)? else {
            let existed = self.remove_client(client, filter);
            if existed {
                self.len = self.len.saturating_sub(1);
            }
            return Ok(existed);
        };
        let Some(id) = self.group_id(&shared) else {
            return Ok(false);
        };
        let Some(Some(group)) = self.groups.get_mut(id as usize) else {
            return Ok(false);
        };
        let Some(at) = group
            .members
            .iter()
            .position(|member| member.borrow() == client)
        else {
            return Ok(false);
        };
        // Kept in order, so that a round robin goes on with the next member.
        group.members.remove(at);
        group.options.remove(at);
        self.len = self.len.saturating_sub(1);
        if group.members.is_empty() {
            self.tree.retain(
                shared.filter(),
                |target| !matches!(target, Target::Group(g) if *g == id),
            );
            if let Some(slot) = self.groups.get_mut(id as usize) {
                *slot = None;
            }
            self.free.push(id);
        }
        Ok(true)
    }

    /// Writes into `out` (after clearing it) the deliveries of a message published to `topic`
    /// by `publisher` (`None`: from the server itself, or unknown; No Local then skips
    /// nobody). Shared subscriptions go through `choice`.
    ///
    /// Allocates only to grow `out`, and whatever `choice` allocates.
    pub fn route<'o>(
        &self,
        topic: &TopicName,
        publisher: Option<&C>,
        choice: &mut (impl ShareChoice<C> + ?Sized),
        out: &'o mut Deliveries<C>,
    ) -> &'o Deliveries<C> {
        self.route_with(topic, publisher, |group| choice.choose(group), out)
    }

    /// Writes into `out` the deliveries [`route`](Self::route) would write now, leaving
    /// `choice` as it is ([`ShareChoice::peek`] instead of [`ShareChoice::choose`]): where a
    /// message would go, to hold it back while a receiver cannot take it. Routing it then
    /// delivers it to the same receivers, if the subscriptions have not changed (with
    /// [`Random`](super::Random), only to the same member of the first share group).
    ///
    /// Allocates only to grow `out`.
    pub fn preview<'o>(
        &self,
        topic: &TopicName,
        publisher: Option<&C>,
        choice: &(impl ShareChoice<C> + ?Sized),
        out: &'o mut Deliveries<C>,
    ) -> &'o Deliveries<C> {
        self.route_with(topic, publisher, |group| choice.peek(group), out)
    }

    /// [`route`](Self::route), with `pick` choosing each share group's member.
    fn route_with<'o>(
        &self,
        topic: &TopicName,
        publisher: Option<&C>,
        mut pick: impl FnMut(&ShareGroup<'_, C>) -> Option<usize>,
        out: &'o mut Deliveries<C>,
    ) -> &'o Deliveries<C> {
        out.clear();
        for target in self.tree.matches(topic) {
            match target {
                Target::Client(sub) => {
                    if sub.options.no_local && publisher == Some(&sub.client) {
                        continue;
                    }
                    out.hits.push((sub.client.clone(), sub.options));
                }
                Target::Group(id) => {
                    let Some(Some(group)) = self.groups.get(*id as usize) else {
                        continue;
                    };
                    let view = ShareGroup {
                        id: *id,
                        share_name: core::str::from_utf8(&group.share_name).unwrap_or_default(),
                        filter: &group.filter,
                        members: &group.members,
                        publisher,
                        topic,
                    };
                    let chosen = pick(&view);
                    let member =
                        chosen.and_then(|at| group.members.get(at).zip(group.options.get(at)));
                    if let Some((client, options)) = member {
                        out.push(client.clone(), *options, true);
                    }
                }
            }
        }
        out.merge_hits();
        out
    }

    /// Removes `client`'s non-shared subscription to `filter`; answers whether it had one.
    fn remove_client<Q>(&mut self, client: &Q, filter: &TopicFilter) -> bool
    where
        C: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let removed = self.tree.retain(
            filter,
            |target| !matches!(target, Target::Client(sub) if sub.client.borrow() == client),
        );
        removed > 0
    }

    /// The id of the group of `shared`, if it exists.
    fn group_id(&self, shared: &SharedFilter) -> Option<u32> {
        self.tree
            .get(shared.filter())
            .iter()
            .find_map(|target| match target {
                Target::Group(id) => {
                    let group = self.groups.get(*id as usize)?.as_ref()?;
                    (group.share_name == shared.share_name().as_bytes()).then_some(*id)
                }
                Target::Client(_) => None,
            })
    }

    /// Makes an empty group for `shared` and gives its id.
    fn new_group(&mut self, shared: &SharedFilter) -> u32 {
        let filter = shared.filter().clone();
        let group = Group {
            share_name: bytes::Bytes::copy_from_slice(shared.share_name().as_bytes()),
            filter: filter.clone(),
            members: Vec::new(),
            options: Vec::new(),
        };
        let id = match self.free.pop() {
            Some(id) => {
                if let Some(slot) = self.groups.get_mut(id as usize) {
                    *slot = Some(group);
                }
                id
            }
            None => {
                // Ids are below the number of groups at once, each holding at least one
                // member, so far below `u32::MAX` on any machine that can hold them.
                let id = u32::try_from(self.groups.len()).unwrap_or(u32::MAX);
                self.groups.push(Some(group));
                id
            }
        };
        self.tree.insert(&filter, Target::Group(id));
        id
    }
}

impl<C: Clone + Ord> Default for SubscriptionIndex<C> {
    fn default() -> Self {
        SubscriptionIndex::new()
    }
}

impl<C> core::fmt::Debug for SubscriptionIndex<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SubscriptionIndex")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// What [`SubscriptionIndex::subscribe`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Subscribed {
    /// Whether the client had a subscription to the filter, which the new one replaced
    /// [MQTT-3.8.4-3]: Retain Handling 1 sends the retained messages only if not
    /// [MQTT-3.3.1-10].
    pub replaced: bool,
    /// Whether the filter is a shared subscription (`$share/{ShareName}/{filter}`), which gets
    /// no retained messages when it is made (section 4.8.2).
    pub shared: bool,
}

/// One receiver of a message: see [`SubscriptionIndex::route`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivery<C> {
    /// The client that receives the message.
    pub client: C,
    /// The highest maximum QoS of the client's matching subscriptions [MQTT-3.3.4-2]; the
    /// message goes out at the lower of this and the QoS it was published with.
    pub qos: QoS,
    /// Whether a matching subscription has Retain As Published: the message then keeps the
    /// RETAIN flag it was published with [MQTT-3.3.1-13]; otherwise the flag is 0
    /// [MQTT-3.3.1-12]. (When overlapping subscriptions disagree, the standard does not say;
    /// the index keeps the flag if any asks for it.)
    pub retain_as_published: bool,
    /// Whether this is the delivery of a shared subscription (a copy of its own).
    pub shared: bool,
    /// Where the Subscription Identifiers are in [`Deliveries`].
    ids: Range<usize>,
}

/// The deliveries of one message, written by [`SubscriptionIndex::route`]: a buffer to keep
/// and reuse from one message to the next.
#[derive(Debug, Clone)]
pub struct Deliveries<C> {
    list: Vec<Delivery<C>>,
    /// The Subscription Identifiers of all deliveries, each delivery's in one range.
    ids: Vec<u32>,
    /// Non-shared subscriptions matched, before they are merged per client.
    hits: Vec<(C, Options)>,
}

impl<C> Default for Deliveries<C> {
    fn default() -> Self {
        Deliveries::new()
    }
}

impl<C> Deliveries<C> {
    /// An empty buffer. Does not allocate.
    pub const fn new() -> Self {
        Deliveries {
            list: Vec::new(),
            ids: Vec::new(),
            hits: Vec::new(),
        }
    }

    /// Number of deliveries.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether the message goes to nobody.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Each delivery with its Subscription Identifiers, in no particular order (each client's
    /// non-shared delivery once, and each share group's).
    pub fn iter(&self) -> impl Iterator<Item = (&Delivery<C>, &[u32])> + '_ {
        self.list.iter().map(move |delivery| {
            let ids = self.ids.get(delivery.ids.clone()).unwrap_or_default();
            (delivery, ids)
        })
    }

    fn clear(&mut self) {
        self.list.clear();
        self.ids.clear();
        self.hits.clear();
    }

    fn push(&mut self, client: C, options: Options, shared: bool) {
        let start = self.ids.len();
        self.ids.extend(options.id.map(NonZeroU32::get));
        self.list.push(Delivery {
            client,
            qos: options.qos,
            retain_as_published: options.retain_as_published,
            shared,
            ids: start..self.ids.len(),
        });
    }
}

impl<C: Ord> Deliveries<C> {
    /// Turns the non-shared hits into one delivery per client: sorted by client (in place,
    /// without allocating), each run of one client's hits becomes one delivery.
    fn merge_hits(&mut self) {
        self.hits.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut hits = core::mem::take(&mut self.hits);
        for (client, options) in hits.drain(..) {
            match self.list.last_mut() {
                Some(last) if !last.shared && last.client == client => {
                    last.qos = last.qos.max(options.qos);
                    last.retain_as_published |= options.retain_as_published;
                    // The run's identifiers are the last ones pushed: extend its range.
                    if let Some(id) = options.id {
                        self.ids.push(id.get());
                        last.ids.end = self.ids.len();
                    }
                }
                _ => self.push(client, options, false),
            }
        }
        // Give the (now empty) buffer back, to reuse its room.
        self.hits = hits;
    }
}
