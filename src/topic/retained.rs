//! `RetainedIndex`: the retained message of each topic, found by the filter of a subscription.

use super::children::{ChildIter, Children};
use super::stack::InlineStack;
use super::{TopicFilter, TopicName, LEVEL_SEPARATOR, MULTI_LEVEL_WILDCARD, SINGLE_LEVEL_WILDCARD};
use alloc::{boxed::Box, vec::Vec};
use core::{fmt, mem};

/// Pending steps of a walk kept in place: one per filter level that is `+` and one per level
/// below a `#`, so walks over topics of up to this many levels do not allocate.
const INLINE_STEPS: usize = 12;

/// The retained messages of a server, one per topic name (section 3.3.1.3), indexed so that a
/// new subscription finds the ones its filter matches without looking at the others.
///
/// A trie of topic levels. [`matching`](Self::matching) follows the filter's literal levels
/// down one child each, a `+` into every child of the node it is at, and a `#` into the whole
/// subtree below it: its cost grows with the filter's depth, the children of the nodes where
/// it has `+`, and the topics under the nodes where it has `#`, not with the number of topics
/// stored. `+/hello/#` over 100,000 retained topics visits the first-level nodes and what lies
/// below their `hello` children, nothing else.
///
/// The index stores a value per topic (the message, or a handle to it) and follows the
/// server's rules as far as an index is concerned; the server applies the rest:
/// - a PUBLISH with the RETAIN flag replaces the topic's retained message
///   ([`set`](Self::set)) [MQTT-3.3.1-5];
/// - unless its payload is empty: then the retained message is removed and the empty one not
///   stored ([`clear`](Self::clear)) [MQTT-3.3.1-6], [MQTT-3.3.1-7];
/// - a PUBLISH without the RETAIN flag leaves the index alone [MQTT-3.3.1-8];
/// - a subscription receives the retained messages its filter matches
///   ([`matching`](Self::matching)), as Retain Handling says [MQTT-3.3.1-9..11]; filters
///   starting with a wildcard do not match topics starting with `$` [MQTT-4.7.2-1].
///
/// ```
/// use mqttwire::{RetainedIndex, TopicFilter, TopicName};
///
/// let mut retained = RetainedIndex::new();
/// for (topic, payload) in [
///     ("home/kitchen/temperature", "21.5"),
///     ("home/kitchen/humidity", "40"),
///     ("home/garage/door", "closed"),
///     ("$SYS/broker/uptime", "3600"),
/// ] {
///     retained.set(&TopicName::new(topic)?, payload);
/// }
/// // A retained PUBLISH with an empty payload removes the topic's message [MQTT-3.3.1-6].
/// assert_eq!(retained.clear(&TopicName::new("home/garage/door")?), Some("closed"));
///
/// // What a new subscription to `home/+/temperature` receives.
/// let filter = TopicFilter::new("home/+/temperature")?;
/// let found: Vec<_> = retained.matching(&filter).map(|(topic, v)| (topic.as_str(), *v)).collect();
/// assert_eq!(found, [("home/kitchen/temperature", "21.5")]);
///
/// // `#` does not reach `$` topics [MQTT-4.7.2-1].
/// assert_eq!(retained.matching(&TopicFilter::new("#")?).count(), 2);
/// # Ok::<(), mqttwire::TopicError>(())
/// ```
///
/// # Cost
///
/// A topic of `n` levels costs up to `n` nodes (shared with the topics it has a prefix in
/// common with) of 32 bytes, plus the level's text beyond 22 bytes, plus one allocation of the
/// topic name and the value. Matching allocates nothing as long as it is inside fewer than 12
/// `+` levels and levels below a `#` at once. Dropping never recurses, so however deep a topic
/// is, it cannot overflow the stack.
pub struct RetainedIndex<V> {
    root: Node<V>,
    /// Number of topics with a retained message.
    len: usize,
}

/// One level of the trie.
struct Node<V> {
    children: Children<Node<V>>,
    /// The message retained at the topic this node ends, boxed because most nodes are on the
    /// way to longer topics and hold none.
    retained: Option<Box<(TopicName, V)>>,
}

/// The levels of a topic name.
fn levels(topic: &TopicName) -> impl Iterator<Item = &[u8]> {
    topic.as_bytes().split(|&b| b == LEVEL_SEPARATOR)
}

impl<V> RetainedIndex<V> {
    /// An empty index. Does not allocate.
    pub const fn new() -> Self {
        RetainedIndex {
            root: Node::new(),
            len: 0,
        }
    }

    /// Number of topics with a retained message.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no message is retained.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Makes `value` the retained message of `topic` [MQTT-3.3.1-5], and gives back the one it
    /// replaces. Keeps a clone of `topic`, which shares its bytes (with the frame it was
    /// decoded from, if it was). A server calls [`clear`](Self::clear) instead when the payload is empty
    /// [MQTT-3.3.1-6], [MQTT-3.3.1-7].
    pub fn set(&mut self, topic: &TopicName, value: V) -> Option<V> {
        let mut node = &mut self.root;
        for level in levels(topic) {
            node = node.children.get_or_insert(level);
        }
        let old = node.retained.replace(Box::new((topic.clone(), value)));
        if old.is_none() {
            self.len = self.len.saturating_add(1);
        }
        old.map(|old| old.1)
    }

    /// The retained message of exactly `topic`.
    pub fn get(&self, topic: &TopicName) -> Option<&V> {
        let mut node = &self.root;
        for level in levels(topic) {
            node = node.children.get(level)?;
        }
        node.retained.as_deref().map(|(_, value)| value)
    }

    /// Removes the retained message of `topic` and gives it back, or `None` if it has none.
    /// Frees the nodes no other topic needs.
    pub fn clear(&mut self, topic: &TopicName) -> Option<V> {
        let mut node = &mut self.root;
        for level in levels(topic) {
            node = node.children.get_mut(level)?;
        }
        let (_, value) = *node.retained.take()?;
        let emptied = node.children.is_empty();
        self.len = self.len.saturating_sub(1);
        if emptied {
            self.prune(topic);
        }
        Some(value)
    }

    /// Frees the chain of nodes that only led to `topic`, whose last node is now empty: the
    /// first walk finds the deepest node on the path that holds something besides the way to
    /// `topic` (the root if none does), the second cuts the edge below it. As in
    /// [`SubscriptionTree`](super::SubscriptionTree), no recursion.
    fn prune(&mut self, topic: &TopicName) {
        let mut cut = 0usize;
        let mut node = &self.root;
        for (depth, level) in levels(topic).enumerate() {
            if node.retained.is_some() || node.children.len() > 1 {
                cut = depth;
            }
            match node.children.get(level) {
                Some(child) => node = child,
                None => break,
            }
        }
        let mut levels = levels(topic);
        let mut node = &mut self.root;
        for _ in 0..cut {
            match levels.next().and_then(|level| node.children.get_mut(level)) {
                Some(child) => node = child,
                None => return,
            }
        }
        if let Some(level) = levels.next() {
            drop(node.children.remove(level));
        }
    }

    /// The retained messages whose topic `filter` matches (section 4.7), with their topics, in
    /// no particular order: what a new subscription to `filter` receives.
    ///
    /// `+` and `#` at the first level of the filter do not match topics starting with `$`
    /// [MQTT-4.7.2-1]. Visits only the nodes the filter leads to (see the type's
    /// documentation), and allocates nothing unless the walk is inside more than 12 `+` levels
    /// and levels below a `#` at once.
    pub fn matching<'a>(&'a self, filter: &'a TopicFilter) -> RetainedIter<'a, V> {
        let mut steps = InlineStack::new();
        steps.push(Step::Visit {
            node: &self.root,
            at: Some(0),
        });
        RetainedIter {
            filter: filter.as_bytes(),
            steps,
        }
    }

    /// Every retained message with its topic, `$` topics included, in no particular order.
    pub fn iter(&self) -> RetainedIter<'_, V> {
        let mut steps = InlineStack::new();
        steps.push(Step::Subtree {
            children: self.root.children.iter(),
            skip_system: false,
        });
        RetainedIter { filter: &[], steps }
    }
}

impl<V> Default for RetainedIndex<V> {
    fn default() -> Self {
        RetainedIndex::new()
    }
}

impl<V: fmt::Debug> fmt::Debug for RetainedIndex<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V> Extend<(TopicName, V)> for RetainedIndex<V> {
    fn extend<I: IntoIterator<Item = (TopicName, V)>>(&mut self, iter: I) {
        for (topic, value) in iter {
            self.set(&topic, value);
        }
    }
}

impl<V> FromIterator<(TopicName, V)> for RetainedIndex<V> {
    fn from_iter<I: IntoIterator<Item = (TopicName, V)>>(iter: I) -> Self {
        let mut index = RetainedIndex::new();
        index.extend(iter);
        index
    }
}

impl<V> Node<V> {
    const fn new() -> Self {
        Node {
            children: Children::new(),
            retained: None,
        }
    }

    /// The topic and message retained here, as [`RetainedIter`] yields them.
    fn item(&self) -> Option<(&TopicName, &V)> {
        self.retained
            .as_deref()
            .map(|(topic, value)| (topic, value))
    }
}

impl<V> Default for Node<V> {
    fn default() -> Self {
        Node::new()
    }
}

impl<V> Drop for Node<V> {
    /// Children that have children are detached into a list and dropped one by one, each
    /// after detaching its own, so that a deep topic (`a/a/a/…`, 32,768 levels fit in 65,535
    /// bytes) cannot overflow the stack.
    fn drop(&mut self) {
        fn detach<V>(node: &mut Node<V>, out: &mut Vec<Node<V>>) {
            for child in node.children.nodes_mut() {
                if !child.children.is_empty() {
                    out.push(mem::take(child));
                }
            }
        }
        if self.children.is_empty() {
            return;
        }
        let mut pending = Vec::new();
        detach(self, &mut pending);
        while let Some(mut node) = pending.pop() {
            detach(&mut node, &mut pending);
        }
    }
}

/// A step of a walk still to take.
enum Step<'a, V> {
    /// Match the filter from byte `at` at `node`: its children against the filter's level
    /// there, or, if the filter is used up (`None`), `node` itself.
    Visit {
        node: &'a Node<V>,
        at: Option<usize>,
    },
    /// The children a `+` has yet to visit, each to match the filter from byte `at`.
    Plus {
        children: ChildIter<'a, Node<V>>,
        at: Option<usize>,
        skip_system: bool,
    },
    /// The children (and all below them) a `#` has yet to yield.
    Subtree {
        children: ChildIter<'a, Node<V>>,
        skip_system: bool,
    },
}

/// The next child of `children`, passing over those whose level starts with `$` if
/// `skip_system` (the first level under a wildcard [MQTT-4.7.2-1]).
fn next_child<'a, V>(
    children: &mut ChildIter<'a, Node<V>>,
    skip_system: bool,
) -> Option<&'a Node<V>> {
    children
        .find(|(level, _)| !(skip_system && level.first() == Some(&b'$')))
        .map(|(_, node)| node)
}

/// The retained messages a filter matches: see [`RetainedIndex::matching`] and
/// [`RetainedIndex::iter`].
pub struct RetainedIter<'a, V> {
    filter: &'a [u8],
    steps: InlineStack<Step<'a, V>, INLINE_STEPS>,
}

impl<'a, V> Iterator for RetainedIter<'a, V> {
    type Item = (&'a TopicName, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.steps.pop()? {
                Step::Visit { node, at: None } => {
                    if let Some(item) = node.item() {
                        return Some(item);
                    }
                }
                Step::Visit { node, at: Some(at) } => {
                    let rest = self.filter.get(at..).unwrap_or_default();
                    let (level, next) = match rest.iter().position(|&b| b == LEVEL_SEPARATOR) {
                        // Within the filter (at most 65,535 bytes): cannot overflow.
                        Some(len) => (
                            rest.get(..len).unwrap_or_default(),
                            Some(at.wrapping_add(len).wrapping_add(1)),
                        ),
                        None => (rest, None),
                    };
                    let first_level = at == 0;
                    match level {
                        [MULTI_LEVEL_WILDCARD] => {
                            self.steps.push(Step::Subtree {
                                children: node.children.iter(),
                                skip_system: first_level,
                            });
                            // `#` also matches its parent level [MQTT-4.7.1-2]; the root has
                            // no level (and no message).
                            if let Some(item) = node.item() {
                                return Some(item);
                            }
                        }
                        [SINGLE_LEVEL_WILDCARD] => self.steps.push(Step::Plus {
                            children: node.children.iter(),
                            at: next,
                            skip_system: first_level,
                        }),
                        literal => {
                            if let Some(child) = node.children.get(literal) {
                                self.steps.push(Step::Visit {
                                    node: child,
                                    at: next,
                                });
                            }
                        }
                    }
                }
                Step::Plus {
                    mut children,
                    at,
                    skip_system,
                } => {
                    if let Some(child) = next_child(&mut children, skip_system) {
                        self.steps.push(Step::Plus {
                            children,
                            at,
                            skip_system,
                        });
                        self.steps.push(Step::Visit { node: child, at });
                    }
                }
                Step::Subtree {
                    mut children,
                    skip_system,
                } => {
                    if let Some(child) = next_child(&mut children, skip_system) {
                        self.steps.push(Step::Subtree {
                            children,
                            skip_system,
                        });
                        if !child.children.is_empty() {
                            self.steps.push(Step::Subtree {
                                children: child.children.iter(),
                                skip_system: false,
                            });
                        }
                        if let Some(item) = child.item() {
                            return Some(item);
                        }
                    }
                }
            }
        }
    }
}

impl<V> fmt::Debug for RetainedIter<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetainedIter").finish_non_exhaustive()
    }
}

#[cfg(test)]
// Tests index freely: a panic there is a failing test.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn name(s: &str) -> TopicName {
        TopicName::new(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn filter(s: &str) -> TopicFilter {
        TopicFilter::new(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// Nodes in the trie, the root included.
    fn node_count<V>(index: &RetainedIndex<V>) -> usize {
        let mut count = 0usize;
        let mut pending = alloc::vec![&index.root];
        while let Some(node) = pending.pop() {
            count += 1;
            pending.extend(node.children.iter().map(|(_, child)| child));
        }
        count
    }

    #[test]
    fn clear_frees_exactly_the_nodes_no_other_topic_needs() {
        let mut index = RetainedIndex::new();
        index.set(&name("a/b/c"), 1);
        index.set(&name("a"), 2);
        index.set(&name("a/x"), 3);
        assert_eq!(node_count(&index), 5);
        assert_eq!(index.clear(&name("a/b/c")), Some(1));
        assert_eq!(index.clear(&name("a/b/c")), None);
        assert_eq!(index.clear(&name("a/b")), None);
        assert_eq!(node_count(&index), 3);
        assert_eq!(index.clear(&name("a")), Some(2));
        assert_eq!(node_count(&index), 3);
        assert_eq!(index.clear(&name("a/x")), Some(3));
        assert_eq!(node_count(&index), 1);
        assert!(index.is_empty());
    }

    /// 12 levels of a `#` walk stay in place; deeper ones spill, and still yield everything.
    #[test]
    fn deep_topic_does_not_overflow_the_stack() {
        let mut text = String::from("a");
        while text.len() + 2 <= 65_535 {
            text.push_str("/a");
        }
        let deep = name(&text);
        let mut index = RetainedIndex::new();
        index.set(&deep, 1u32);
        index.set(&name("a"), 2);
        assert_eq!(index.matching(&filter("#")).count(), 2);
        assert_eq!(index.matching(&filter("a/+/#")).count(), 1);
        assert_eq!(index.get(&deep), Some(&1));
        drop(index);
        let mut index = RetainedIndex::new();
        index.set(&deep, 1u32);
        assert_eq!(index.clear(&deep), Some(1));
        assert_eq!(node_count(&index), 1);
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn node_size() {
        assert_eq!(core::mem::size_of::<Node<u32>>(), 32);
    }
}
