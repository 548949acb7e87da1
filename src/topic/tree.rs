//! `SubscriptionTree`: from a published topic name to the subscriptions whose filters match it.

use super::children::{ChildIter, Children};
use super::table::{LevelTable, Slot};
use super::values::Values;
use super::{TopicFilter, TopicName, LEVEL_SEPARATOR, MULTI_LEVEL_WILDCARD, SINGLE_LEVEL_WILDCARD};
use alloc::{boxed::Box, vec::Vec};
use bytes::Bytes;
use core::{fmt, mem};

/// Branches of a match that [`Matches`] keeps without allocating. A pending branch is a `+`
/// subscription not yet visited, at most one per level of the name being matched.
const INLINE_BRANCHES: usize = 8;

/// Subscriptions indexed by topic filter, to find the ones a published topic name reaches.
///
/// Filters without wildcards sit in a hash table by their whole text: a name matches them only
/// when equal to them, so one lookup finds them all. Filters with wildcards sit in a trie of
/// topic levels: each node has its literal children (a sorted `Vec` for up to 32, a hash
/// table beyond), a dedicated `+` child and the values of the filters ending in `#` there.
/// [`matches`](Self::matches) follows the name's levels down the matching literal and `+`
/// branches only, so its cost grows with the depth of the name and the number of branches and
/// values that match; the number of filters stored only enters through memory latency, as a
/// bigger index stays less in the caches (see the figures below).
///
/// A filter can hold several values (a broker stores one per subscribed client), and the same
/// value several times. Matching follows section 4.7 exactly, like [`TopicFilter::matches`]:
/// `a/#` matches `a`, `+` matches an empty level, and filters starting with a wildcard do not
/// match names starting with `$` [MQTT-4.7.2-1].
///
/// # Example: routing a message to its subscribers
///
/// ```
/// use std::collections::BTreeMap;
/// use mqttwire::{Publish, QoS, QosPid, SubscriptionTree, TopicFilter, TopicName};
///
/// // What each client subscribed to, with the maximum QoS the server granted.
/// let mut subscriptions = SubscriptionTree::new();
/// for (client, filter, granted) in [
///     ("thermostat", "home/+/temperature", QoS::AtLeastOnce),
///     ("logger", "home/#", QoS::AtMostOnce),
///     ("logger", "home/kitchen/temperature", QoS::ExactlyOnce),
///     ("dashboard", "home/kitchen/+", QoS::AtLeastOnce),
///     ("archiver", "#", QoS::AtLeastOnce),
///     ("monitor", "$SYS/#", QoS::AtMostOnce),
/// ] {
///     subscriptions.insert(&TopicFilter::new(filter)?, (client, granted));
/// }
///
/// let publish = Publish::new(
///     TopicName::new("home/kitchen/temperature")?,
///     QosPid::AtMostOnce,
///     &b"21.5"[..],
/// );
///
/// // A client whose subscriptions overlap gets the message once, at the highest QoS they
/// // grant [MQTT-3.3.5-1], and never above the QoS it was published with.
/// let mut deliveries: BTreeMap<&str, QoS> = BTreeMap::new();
/// let topic = publish.topic_name().expect("not sent with a Topic Alias");
/// for &(client, granted) in subscriptions.matches(&topic) {
///     let qos = deliveries.entry(client).or_insert(granted);
///     *qos = (*qos).max(granted);
/// }
/// for qos in deliveries.values_mut() {
///     *qos = (*qos).min(publish.qos());
/// }
/// assert_eq!(
///     deliveries.keys().copied().collect::<Vec<_>>(),
///     ["archiver", "dashboard", "logger", "thermostat"]
/// );
///
/// // `#` and `+` at the first level do not reach `$` topics [MQTT-4.7.2-1].
/// let uptime = TopicName::new("$SYS/broker/uptime")?;
/// let receivers: Vec<_> = subscriptions.matches(&uptime).map(|(client, _)| *client).collect();
/// assert_eq!(receivers, ["monitor"]);
///
/// // UNSUBSCRIBE removes one client's subscription to a filter.
/// let removed = subscriptions.remove(&TopicFilter::new("#")?, &("archiver", QoS::AtLeastOnce));
/// assert!(removed.is_some());
/// assert_eq!(subscriptions.len(), 5);
/// # Ok::<(), mqttwire::TopicError>(())
/// ```
///
/// # Cost
///
/// Measured with `cargo run --release --manifest-path benches/routing/Cargo.toml` (and
/// `--bin routing-allocs` for memory) on a deterministic mix shaped like an IoT broker's
/// (`tenant-T/site-S/device-D/metric` topics; 70% exact filters, the rest with `+` or a final
/// `#`; see `benches/routing/src/lib.rs`), with `V = u32`, fat LTO, on a shared 2-core
/// machine. Memory counts the bytes requested from the allocator, not its own per-block
/// overhead.
///
/// | filters   | bytes per subscription | allocations per subscription | insert | match, p50 of hits |
/// |-----------|------|-----|----------|---------|
/// | 10,000    | 114  | 1.1 | ~5.8 M/s | ~190 ns |
/// | 100,000   | 137  | 1.1 | ~3.2 M/s | ~340 ns |
///
/// The more filters share prefixes, the less each costs. Levels of up to 22 bytes are stored
/// inside their node, longer ones in an allocation of their own.
///
/// A wildcard-free filter costs a slot of 48 bytes and a control byte in the hash table (kept
/// between 7/16 and 7/8 full), plus its text if longer than 22 bytes. A filter with a wildcard
/// and `n` levels costs up to `n` nodes (shared with the filters it has a prefix in common with)
/// of 80 bytes each (81 in a node with more than 32 children), plus the level's text beyond 22
/// bytes. As a peer may
/// subscribe to a 65,535 byte filter of 32,768 levels (`a/a/a/…`), which costs about 2.6 MB
/// here, a server should cap the number of levels it accepts. Dropping, cloning, matching and
/// iterating never recurse, so however deep a filter is, they cannot overflow the stack.
pub struct SubscriptionTree<V> {
    /// The filters with a wildcard.
    root: Node<V>,
    /// The filters without: a name matches them only when equal to them.
    exact: LevelTable<Values<V>>,
    /// Number of values, over all filters.
    len: usize,
}

/// One level of the trie: the filters whose path goes through it.
struct Node<V> {
    /// Children for literal levels.
    children: Children<Node<V>>,
    /// Values of the filters that end at this level.
    values: Values<V>,
    /// The `+` child and the values of the filters ending in `#` after this level, behind one
    /// pointer because few nodes have either.
    wild: Option<Box<Wildcards<V>>>,
}

/// The wildcard part of a [`Node`]; never all empty, [`Node::tidy`] drops it then.
struct Wildcards<V> {
    /// The `+` child; an empty node if there is none.
    plus: Node<V>,
    /// Values of the filters ending in `#` after this level.
    multi: Values<V>,
}

/// Runs `edit` on the values of a filter; answers `edit`'s result and how many values it
/// removed.
fn edit_slot<V, R>(slot: &mut Values<V>, edit: impl FnOnce(&mut Vec<V>) -> R) -> (R, usize) {
    slot.edit(|values| {
        let before = values.len();
        let result = edit(values);
        (result, before.saturating_sub(values.len()))
    })
}

/// One step down the trie: a level of a filter that is not its final `#`.
#[derive(Clone, Copy)]
enum Step<'f> {
    Literal(&'f [u8]),
    Plus,
}

/// The path of `filter` in the trie: its steps, and whether it ends with `#`, in which case its
/// values live in the `multi` slot of the node the steps lead to.
fn path(filter: &TopicFilter) -> (impl Iterator<Item = Step<'_>>, bool) {
    let bytes: &[u8] = filter.as_bytes();
    let (body, multi) = if bytes == [MULTI_LEVEL_WILDCARD] {
        (None, true)
    } else if let Some(body) = bytes.strip_suffix(&[LEVEL_SEPARATOR, MULTI_LEVEL_WILDCARD]) {
        (Some(body), true)
    } else {
        (Some(bytes), false)
    };
    let steps = body
        .into_iter()
        .flat_map(|body| body.split(|&b| b == LEVEL_SEPARATOR))
        .map(|level| {
            if level == [SINGLE_LEVEL_WILDCARD] {
                Step::Plus
            } else {
                Step::Literal(level)
            }
        });
    (steps, multi)
}

impl<V> SubscriptionTree<V> {
    /// An empty tree. Does not allocate.
    pub const fn new() -> Self {
        SubscriptionTree {
            root: Node::new(),
            exact: LevelTable::new(),
            len: 0,
        }
    }

    /// Number of values stored, over all filters.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no value is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `value` to the values of `filter`. A filter may hold many values and the same
    /// value more than once; a broker that replaces a client's existing subscription
    /// [MQTT-3.8.4-3] removes the old value first.
    ///
    /// A filter without wildcards costs a slot of a hash table; one with wildcards, one node
    /// per level not shared with a filter already in the tree.
    pub fn insert(&mut self, filter: &TopicFilter, value: V) {
        let slot = if filter.has_wildcards() {
            let (steps, multi) = path(filter);
            let mut node = &mut self.root;
            for step in steps {
                node = node.child_or_insert(step);
            }
            node.slot_or_insert(multi)
        } else {
            self.exact
                .get_or_insert_with(filter.as_bytes(), Values::default)
        };
        slot.push(value);
        self.len = self.len.saturating_add(1);
    }

    /// The values of exactly `filter` (no wildcard matching: `a/+` is only `a/+`), in no
    /// particular order; empty if it has none.
    pub fn get(&self, filter: &TopicFilter) -> &[V] {
        if !filter.has_wildcards() {
            return self
                .exact
                .get(filter.as_bytes())
                .map_or(&[], Values::as_slice);
        }
        let (steps, multi) = path(filter);
        let mut node = &self.root;
        for step in steps {
            match node.child(step) {
                Some(child) => node = child,
                None => return &[],
            }
        }
        node.slot(multi)
    }

    /// Removes one occurrence of `value` from the values of `filter` and gives it back, or
    /// `None` if `filter` does not hold it. Frees the nodes the filter no longer needs.
    pub fn remove(&mut self, filter: &TopicFilter, value: &V) -> Option<V>
    where
        V: PartialEq,
    {
        self.remove_with(filter, |slot| {
            let index = slot.iter().position(|v| v == value)?;
            // Values are in no particular order, so the last one may take the hole.
            Some(slot.swap_remove(index))
        })
        .flatten()
    }

    /// Removes every value of `filter` and gives them back (empty if it had none). Frees the
    /// nodes the filter no longer needs.
    pub fn remove_all(&mut self, filter: &TopicFilter) -> Vec<V> {
        self.remove_with(filter, mem::take).unwrap_or_default()
    }

    /// Keeps only the values of `filter` for which `keep` answers `true`, and answers how
    /// many were removed. Frees the nodes the filter no longer needs.
    pub fn retain(&mut self, filter: &TopicFilter, mut keep: impl FnMut(&V) -> bool) -> usize {
        self.remove_with(filter, |slot| {
            let before = slot.len();
            slot.retain(|v| keep(v));
            before.saturating_sub(slot.len())
        })
        .unwrap_or(0)
    }

    /// Runs `edit` on the values of `filter` (if the tree has the filter), then keeps `len`
    /// right and frees the nodes left empty.
    fn remove_with<R>(
        &mut self,
        filter: &TopicFilter,
        edit: impl FnOnce(&mut Vec<V>) -> R,
    ) -> Option<R> {
        if !filter.has_wildcards() {
            let slot = self.exact.get_mut(filter.as_bytes())?;
            let (result, removed) = edit_slot(slot, edit);
            if slot.is_empty() {
                self.exact.remove(filter.as_bytes());
            }
            self.len = self.len.saturating_sub(removed);
            return Some(result);
        }
        let (steps, multi) = path(filter);
        let mut node = &mut self.root;
        for step in steps {
            node = node.child_mut(step)?;
        }
        let slot = node.slot_mut(multi)?;
        let (result, removed) = edit_slot(slot, edit);
        node.tidy();
        let emptied = node.is_empty();
        self.len = self.len.saturating_sub(removed);
        if emptied {
            self.prune(filter);
        }
        Some(result)
    }

    /// Frees the chain of nodes that only led to `filter`, whose last node is now empty.
    ///
    /// Two walks down instead of a recursion back up: the first finds the deepest node on the
    /// path that holds something besides the way to `filter` (the root if none does), the
    /// second cuts the edge below it. The cut-off chain is dropped without recursion.
    fn prune(&mut self, filter: &TopicFilter) {
        let (steps, _) = path(filter);
        let mut cut = 0usize;
        let mut node = &self.root;
        for (depth, step) in steps.enumerate() {
            if node.holds_besides(step) {
                cut = depth;
            }
            match node.child(step) {
                Some(child) => node = child,
                // Only the emptied last node can be missing (`plus()` hides an empty `+` child).
                None => break,
            }
        }
        let (mut steps, _) = path(filter);
        let mut node = &mut self.root;
        for _ in 0..cut {
            match steps.next().and_then(|step| node.child_mut(step)) {
                Some(child) => node = child,
                None => return,
            }
        }
        if let Some(step) = steps.next() {
            node.remove_child(step);
        }
    }

    /// The values of every filter that matches `name`, in no particular order. A value stored
    /// under several matching filters comes once per filter.
    ///
    /// Visits only the branches of the trie that match `name` level by level; allocates only
    /// when more than 8 `+` branches are pending at once.
    pub fn matches<'a>(&'a self, name: &'a TopicName) -> Matches<'a, V> {
        let name: &[u8] = name.as_bytes();
        let mut matches = Matches {
            name,
            system: name.first() == Some(&b'$'),
            // The wildcard-free filters equal to the name, found by one hash lookup.
            current: self
                .exact
                .get(name)
                .map_or(&[][..], Values::as_slice)
                .iter(),
            then: &[],
            inline: [None; INLINE_BRANCHES],
            inline_len: 0,
            spilled: Vec::new(),
        };
        matches.push(Branch {
            node: &self.root,
            next_level: Some(0),
        });
        matches
    }

    /// Every `(filter, value)` pair, in no particular order (the values of one filter
    /// together).
    ///
    /// Rebuilds each filter from its levels: allocates once per filter, and the items of one
    /// filter share its bytes.
    pub fn iter(&self) -> Iter<'_, V> {
        let mut iter = Iter {
            frames: Vec::new(),
            path: Vec::new(),
            current: None,
            then: None,
            exact: self.exact.iter(),
            remaining: self.len,
        };
        // `#` is the only filter whose values live at the root.
        let multi = self.root.multi();
        if !multi.is_empty() {
            let filter = TopicFilter::from_checked(Bytes::from_static(b"#"));
            iter.then = Some((filter, multi.iter()));
        }
        iter.frames.push(Frame {
            children: self.root.children.iter(),
            plus: self.root.plus(),
            path_len: None,
        });
        iter
    }
}

impl<V> Default for SubscriptionTree<V> {
    fn default() -> Self {
        SubscriptionTree::new()
    }
}

impl<V: fmt::Debug> fmt::Debug for SubscriptionTree<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V> Extend<(TopicFilter, V)> for SubscriptionTree<V> {
    fn extend<I: IntoIterator<Item = (TopicFilter, V)>>(&mut self, iter: I) {
        for (filter, value) in iter {
            self.insert(&filter, value);
        }
    }
}

impl<V> FromIterator<(TopicFilter, V)> for SubscriptionTree<V> {
    fn from_iter<I: IntoIterator<Item = (TopicFilter, V)>>(iter: I) -> Self {
        let mut tree = SubscriptionTree::new();
        tree.extend(iter);
        tree
    }
}

/// A copy of every `(filter, value)` pair, inserted into a new tree in [`SubscriptionTree::iter`]
/// order, so that the values of each filter keep their order. Like dropping, it never
/// recurses, however deep a filter is. Costs what building the tree did, plus one allocation
/// per filter for the iteration.
impl<V: Clone> Clone for SubscriptionTree<V> {
    fn clone(&self) -> Self {
        self.iter()
            .map(|(filter, value)| (filter, value.clone()))
            .collect()
    }
}

impl<'a, V> IntoIterator for &'a SubscriptionTree<V> {
    type Item = (TopicFilter, &'a V);
    type IntoIter = Iter<'a, V>;
    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

impl<V> Node<V> {
    const fn new() -> Self {
        Node {
            children: Children::new(),
            values: Values::None,
            wild: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.values.is_empty() && self.children.is_empty() && self.wild.is_none()
    }

    /// The `+` child, if it holds anything.
    fn plus(&self) -> Option<&Node<V>> {
        self.wild
            .as_deref()
            .map(|wild| &wild.plus)
            .filter(|plus| !plus.is_empty())
    }

    /// Values of the filters ending in `#` after this level.
    fn multi(&self) -> &[V] {
        self.wild
            .as_deref()
            .map_or(&[], |wild| wild.multi.as_slice())
    }

    fn child(&self, step: Step<'_>) -> Option<&Node<V>> {
        match step {
            Step::Literal(level) => self.children.get(level),
            Step::Plus => self.plus(),
        }
    }

    fn child_mut(&mut self, step: Step<'_>) -> Option<&mut Node<V>> {
        match step {
            Step::Literal(level) => self.children.get_mut(level),
            Step::Plus => self
                .wild
                .as_deref_mut()
                .map(|wild| &mut wild.plus)
                .filter(|plus| !plus.is_empty()),
        }
    }

    fn child_or_insert(&mut self, step: Step<'_>) -> &mut Node<V> {
        match step {
            Step::Literal(level) => self.children.get_or_insert(level),
            Step::Plus => &mut self.wild.get_or_insert_with(Box::default).plus,
        }
    }

    fn slot(&self, multi: bool) -> &[V] {
        if multi {
            self.multi()
        } else {
            self.values.as_slice()
        }
    }

    fn slot_mut(&mut self, multi: bool) -> Option<&mut Values<V>> {
        if multi {
            self.wild.as_deref_mut().map(|wild| &mut wild.multi)
        } else {
            Some(&mut self.values)
        }
    }

    fn slot_or_insert(&mut self, multi: bool) -> &mut Values<V> {
        if multi {
            &mut self.wild.get_or_insert_with(Box::default).multi
        } else {
            &mut self.values
        }
    }

    /// Drops the wildcard part once it holds nothing, so that an empty node is recognisable.
    fn tidy(&mut self) {
        if self
            .wild
            .as_deref()
            .is_some_and(|wild| wild.multi.is_empty() && wild.plus.is_empty())
        {
            self.wild = None;
        }
    }

    /// Whether this node holds anything besides its child at `step`, on the way to a filter
    /// being removed: values, or other children. That child itself may already be empty.
    fn holds_besides(&self, step: Step<'_>) -> bool {
        let other_children = match step {
            Step::Literal(_) => self.children.len() > 1 || self.plus().is_some(),
            Step::Plus => !self.children.is_empty(),
        };
        other_children || !self.values.is_empty() || !self.multi().is_empty()
    }

    fn remove_child(&mut self, step: Step<'_>) {
        match step {
            Step::Literal(level) => drop(self.children.remove(level)),
            Step::Plus => {
                if let Some(wild) = self.wild.as_deref_mut() {
                    wild.plus = Node::new();
                }
                self.tidy();
            }
        }
    }

    /// Whether any child might have children of its own.
    fn has_children(&self) -> bool {
        !self.children.is_empty() || self.wild.is_some()
    }

    /// Moves every child that has children of its own into `out`, leaving an empty node in
    /// its place.
    fn detach_grandchildren(&mut self, out: &mut Vec<Node<V>>) {
        let plus = self.wild.as_deref_mut().map(|wild| &mut wild.plus);
        for child in self.children.nodes_mut().chain(plus) {
            if child.has_children() {
                out.push(mem::take(child));
            }
        }
    }
}

impl<V> Default for Node<V> {
    fn default() -> Self {
        Node::new()
    }
}

impl<V> Drop for Node<V> {
    /// Dropping fields recursively would overflow the stack on a deep filter (`a/a/a/…`,
    /// 32,768 levels fit in 65,535 bytes). Instead, children that have children are detached
    /// into a list and dropped one by one, each after detaching its own: no drop goes deeper
    /// than a node's childless children.
    fn drop(&mut self) {
        if !self.has_children() {
            return;
        }
        let mut pending = Vec::new();
        self.detach_grandchildren(&mut pending);
        while let Some(mut node) = pending.pop() {
            node.detach_grandchildren(&mut pending);
        }
    }
}

impl<V> Default for Wildcards<V> {
    fn default() -> Self {
        Wildcards {
            plus: Node::new(),
            multi: Values::None,
        }
    }
}

/// A node still to visit while matching, and where the level it must match starts in the
/// name (`None`: the name has no level left).
struct Branch<'a, V> {
    node: &'a Node<V>,
    next_level: Option<usize>,
}

// Not derived: the derive would require `V: Copy`.
impl<V> Clone for Branch<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<V> Copy for Branch<'_, V> {}

/// The values of the filters that match a topic name: see [`SubscriptionTree::matches`].
pub struct Matches<'a, V> {
    name: &'a [u8],
    /// The name starts with `$`: no wildcard matches its first level [MQTT-4.7.2-1].
    system: bool,
    /// Values of the node being visited, not yet given out.
    current: core::slice::Iter<'a, V>,
    /// Values to give out after `current`.
    then: &'a [V],
    /// Branches still to visit (a stack): the first `inline_len` here, the rest in `spilled`.
    inline: [Option<Branch<'a, V>>; INLINE_BRANCHES],
    inline_len: usize,
    spilled: Vec<Branch<'a, V>>,
}

impl<'a, V> Matches<'a, V> {
    fn push(&mut self, branch: Branch<'a, V>) {
        match self.inline.get_mut(self.inline_len) {
            Some(slot) if self.spilled.is_empty() => {
                *slot = Some(branch);
                // Below `INLINE_BRANCHES`, as `get_mut` found a slot.
                self.inline_len = self.inline_len.wrapping_add(1);
            }
            _ => self.spilled.push(branch),
        }
    }

    fn pop(&mut self) -> Option<Branch<'a, V>> {
        if let Some(branch) = self.spilled.pop() {
            return Some(branch);
        }
        self.inline_len = self.inline_len.checked_sub(1)?;
        self.inline.get_mut(self.inline_len).and_then(Option::take)
    }

    /// Queues the values and the branches of `branch.node` that match the rest of the name.
    fn visit(&mut self, branch: Branch<'a, V>) {
        let node = branch.node;
        let Some(start) = branch.next_level else {
            // The name is used up: the filters ending here match, and so do those ending in
            // `#` right after this level, since `#` also matches its parent [MQTT-4.7.1-2].
            self.current = node.values.as_slice().iter();
            self.then = node.multi();
            return;
        };
        // Only the first level starts at byte 0; there, wildcards do not match `$` names.
        let wildcards = !(self.system && start == 0);
        if wildcards {
            self.current = node.multi().iter();
        }
        let rest = self.name.get(start..).unwrap_or_default();
        let (level, next_level) = match rest.iter().position(|&b| b == LEVEL_SEPARATOR) {
            // The next level starts after the separator, within the name (at most 65,535
            // bytes), so the additions cannot overflow.
            Some(len) => (
                rest.get(..len).unwrap_or_default(),
                Some(start.wrapping_add(len).wrapping_add(1)),
            ),
            None => (rest, None),
        };
        if wildcards {
            if let Some(plus) = node.plus() {
                self.push(Branch {
                    node: plus,
                    next_level,
                });
            }
        }
        if let Some(child) = node.children.get(level) {
            self.push(Branch {
                node: child,
                next_level,
            });
        }
    }
}

impl<'a, V> Iterator for Matches<'a, V> {
    type Item = &'a V;

    fn next(&mut self) -> Option<&'a V> {
        loop {
            if let Some(value) = self.current.next() {
                return Some(value);
            }
            if !self.then.is_empty() {
                self.current = mem::take(&mut self.then).iter();
                continue;
            }
            let branch = self.pop()?;
            self.visit(branch);
        }
    }
}

impl<V> fmt::Debug for Matches<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Matches").finish_non_exhaustive()
    }
}

/// A node being iterated over by [`Iter`].
struct Frame<'a, V> {
    children: ChildIter<'a, Node<V>>,
    /// The `+` child, until visited (after the literal children).
    plus: Option<&'a Node<V>>,
    /// Length of the node's filter in `Iter::path`; `None` for the root, which has no level.
    path_len: Option<usize>,
}

/// Every `(filter, value)` pair of a tree: see [`SubscriptionTree::iter`].
pub struct Iter<'a, V> {
    /// The nodes on the way from the root to the one being visited.
    frames: Vec<Frame<'a, V>>,
    /// The filter of the node being visited, rebuilt from its levels.
    path: Vec<u8>,
    current: Option<(TopicFilter, core::slice::Iter<'a, V>)>,
    then: Option<(TopicFilter, core::slice::Iter<'a, V>)>,
    /// The wildcard-free filters, given out after the trie's.
    exact: core::iter::Flatten<core::slice::Iter<'a, Option<Slot<Values<V>>>>>,
    remaining: usize,
}

impl<'a, V> Iter<'a, V> {
    /// Enters `node`, the child at `level` of the top frame's node.
    fn enter(&mut self, level: &[u8], node: &'a Node<V>, parent_len: Option<usize>) {
        match parent_len {
            Some(len) => {
                self.path.truncate(len);
                self.path.push(LEVEL_SEPARATOR);
            }
            None => self.path.clear(),
        }
        self.path.extend_from_slice(level);
        // The levels come from valid filters, so the rebuilt text is a valid filter too.
        if !node.values.is_empty() {
            let filter = TopicFilter::from_checked(Bytes::copy_from_slice(&self.path));
            self.current = Some((filter, node.values.as_slice().iter()));
        }
        let multi = node.multi();
        if !multi.is_empty() {
            let mut text = Vec::with_capacity(self.path.len().saturating_add(2));
            text.extend_from_slice(&self.path);
            text.extend_from_slice(&[LEVEL_SEPARATOR, MULTI_LEVEL_WILDCARD]);
            let filter = TopicFilter::from_checked(Bytes::from(text));
            self.then = Some((filter, multi.iter()));
        }
        self.frames.push(Frame {
            children: node.children.iter(),
            plus: node.plus(),
            path_len: Some(self.path.len()),
        });
    }
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (TopicFilter, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((filter, values)) = &mut self.current {
                if let Some(value) = values.next() {
                    self.remaining = self.remaining.saturating_sub(1);
                    return Some((filter.clone(), value));
                }
                self.current = None;
            }
            if self.then.is_some() {
                self.current = self.then.take();
                continue;
            }
            let Some(frame) = self.frames.last_mut() else {
                let entry = self.exact.next()?;
                // The key is the text of a valid filter.
                let filter = TopicFilter::from_checked(Bytes::copy_from_slice(entry.key()));
                self.current = Some((filter, entry.value.as_slice().iter()));
                continue;
            };
            let parent_len = frame.path_len;
            if let Some((level, child)) = frame.children.next() {
                self.enter(level, child, parent_len);
            } else if let Some(plus) = frame.plus.take() {
                self.enter(&[SINGLE_LEVEL_WILDCARD], plus, parent_len);
            } else {
                self.frames.pop();
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}

impl<V> fmt::Debug for Iter<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
// Tests index and count freely: a panic there is a failing test.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn filter(s: &str) -> TopicFilter {
        TopicFilter::new(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn name(s: &str) -> TopicName {
        TopicName::new(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn sorted(tree: &SubscriptionTree<u32>, topic: &str) -> Vec<u32> {
        let topic = name(topic);
        let mut v: Vec<u32> = tree.matches(&topic).copied().collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn matches_and_prunes() {
        let mut tree = SubscriptionTree::new();
        tree.insert(&filter("a/#"), 1);
        tree.insert(&filter("a/+"), 2);
        tree.insert(&filter("#"), 3);
        tree.insert(&filter("+/+/+"), 4);
        tree.insert(&filter("a"), 5);
        tree.insert(&filter("$SYS/#"), 6);
        assert_eq!(sorted(&tree, "a"), [1, 3, 5]);
        assert_eq!(sorted(&tree, "a/b"), [1, 2, 3]);
        assert_eq!(sorted(&tree, "a//"), [1, 3, 4]);
        assert_eq!(sorted(&tree, "$SYS/x"), [6]);
        assert_eq!(tree.len(), 6);
        for (f, v) in [
            ("a/#", 1),
            ("a/+", 2),
            ("#", 3),
            ("+/+/+", 4),
            ("a", 5),
            ("$SYS/#", 6),
        ] {
            assert_eq!(tree.remove(&filter(f), &v), Some(v));
            assert_eq!(tree.remove(&filter(f), &v), None);
        }
        assert!(tree.is_empty());
        assert!(tree.root.is_empty());
    }

    #[test]
    fn many_children_convert_both_ways() {
        let mut tree = SubscriptionTree::new();
        let filters: Vec<TopicFilter> = (0..100u32)
            .map(|i| filter(&alloc::format!("x/{i}")))
            .collect();
        for (i, f) in (0u32..).zip(&filters) {
            tree.insert(f, i);
        }
        assert_eq!(sorted(&tree, "x/42"), [42]);
        for (i, f) in (0u32..).zip(&filters) {
            assert_eq!(tree.remove_all(f), [i]);
        }
        assert!(tree.root.is_empty());
    }

    /// Nodes in the trie, the root included.
    fn node_count<V>(tree: &SubscriptionTree<V>) -> usize {
        let mut count = 0;
        let mut pending = alloc::vec![&tree.root];
        while let Some(node) = pending.pop() {
            count += 1;
            pending.extend(node.children.iter().map(|(_, child)| child));
            pending.extend(node.wild.as_deref().map(|wild| &wild.plus));
        }
        count
    }

    proptest::proptest! {
        /// Removing values frees exactly the nodes no remaining filter needs: the tree ends up
        /// the same size as one built from the remaining filters alone.
        #[test]
        fn removal_prunes_exactly(
            pool in proptest::collection::vec("[ab+]{0,2}(/[ab+]{0,2}){0,3}(/#)?", 1..10),
            ops in proptest::collection::vec((proptest::prelude::any::<bool>(), 0usize..10), 0..40),
        ) {
            let pool: Vec<TopicFilter> = pool
                .iter()
                .filter_map(|f| TopicFilter::new(f).ok())
                .collect();
            proptest::prop_assume!(!pool.is_empty());
            let mut tree = SubscriptionTree::new();
            let mut model: Vec<(TopicFilter, usize)> = Vec::new();
            for (insert, i) in ops {
                let f = &pool[i % pool.len()];
                if insert {
                    tree.insert(f, i);
                    model.push((f.clone(), i));
                } else {
                    tree.remove_all(f);
                    model.retain(|(mf, _)| mf != f);
                }
            }
            let fresh: SubscriptionTree<usize> = model.iter().cloned().collect();
            proptest::prop_assert_eq!(node_count(&tree), node_count(&fresh));
            proptest::prop_assert_eq!(tree.len(), fresh.len());
        }
    }

    /// The sizes the memory figures in the docs rest on (64-bit targets).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn sizes() {
        use crate::topic::children::Key;
        use core::mem::size_of;
        assert_eq!(size_of::<Key>(), 24);
        assert_eq!(size_of::<Children<Node<u32>>>(), 24);
        assert_eq!(size_of::<Node<u32>>(), 56);
        assert_eq!(
            size_of::<Option<crate::topic::table::Slot<Node<u32>>>>(),
            80
        );
        assert_eq!(size_of::<Option<Branch<'_, u32>>>(), 24);
    }

    /// A clone holds the same pairs in the same order, matches alike, and is independent.
    #[test]
    fn clone_is_an_equal_independent_tree() {
        let mut tree = SubscriptionTree::new();
        let filters = [
            "#", "a/b", "a/+", "a/#", "+/b", "$SYS/#", "a/b", "/", "a//b/#",
        ];
        for (value, f) in (0u32..).zip(filters) {
            tree.insert(&filter(f), value);
        }
        tree.insert(&filter("a/b"), 1);
        let mut copy = tree.clone();
        let pairs = |t: &SubscriptionTree<u32>| -> Vec<(String, u32)> {
            t.iter()
                .map(|(f, v)| (String::from(f.as_str()), *v))
                .collect()
        };
        assert_eq!(pairs(&copy), pairs(&tree));
        assert_eq!(copy.len(), tree.len());
        assert_eq!(copy.get(&filter("a/b")), [1, 6, 1]);
        for topic in ["a/b", "a/c", "x/b", "$SYS/x", "/", "a//b/c"] {
            assert_eq!(sorted(&copy, topic), sorted(&tree, topic), "{topic}");
        }
        assert_eq!(copy.remove_all(&filter("a/b")), [1, 6, 1]);
        assert_eq!(tree.get(&filter("a/b")), [1, 6, 1]);
        assert_eq!(copy.len() + 3, tree.len());
    }

    #[test]
    fn deep_filter_does_not_overflow_the_stack() {
        let mut text = String::from("a");
        while text.len() + 2 <= 65_535 {
            text.push_str("/a");
        }
        let deep = filter(&text);
        let mut tree = SubscriptionTree::new();
        tree.insert(&deep, 1u32);
        assert_eq!(tree.matches(&name(&text)).count(), 1);
        assert_eq!(tree.iter().count(), 1);
        let copy = tree.clone();
        assert_eq!(copy.get(&deep), [1]);
        drop(copy);
        drop(tree);
        let mut tree = SubscriptionTree::new();
        tree.insert(&deep, 1u32);
        assert_eq!(tree.remove(&deep, &1), Some(1));
        assert!(tree.root.is_empty());
    }
}
