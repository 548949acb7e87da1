//! The literal children of a node of the topic tries ([`SubscriptionTree`](super::SubscriptionTree)
//! and [`RetainedIndex`](super::RetainedIndex)): a map from the text of a level to a node.

use super::table::{LevelTable, Slot};
use alloc::{boxed::Box, vec::Vec};
use core::mem;

/// A node with more literal children than this keeps them in a hash table instead of a sorted
/// `Vec`: a `Vec` is smaller for a handful of children, but a binary search over many takes a
/// cache miss per probe, and inserting into a sorted `Vec` shifts its tail, which would make
/// filling a node with a million children quadratic.
const FEW_MAX: usize = 32;
/// A table of children shrinks back to a `Vec` below this size; the gap with [`FEW_MAX`]
/// keeps a node at the boundary from converting back and forth on every insert and remove.
const MANY_MIN: usize = 16;

/// The literal children of a trie node, keyed by level (bytes of a valid topic level).
pub(super) enum Children<N> {
    /// Sorted by key.
    Few(Vec<(Key, N)>),
    /// Boxed so that `Children`, and so every node, is 8 bytes smaller: without the box the
    /// enum needs room for a tag besides the `Vec`. Only wide nodes pay the extra allocation.
    Many(Box<LevelTable<N>>),
}

/// Levels up to this many bytes are stored in their [`Key`], without an allocation of their own.
const INLINE_KEY: usize = 22;

/// The text of a level, in place when short (most levels are: `kitchen`, `device-17`): looking
/// a child up then compares keys without reading other memory, and a node costs one allocation
/// less. 24 bytes, like the `Box<[u8]>` and its length it replaces.
pub(super) enum Key {
    Inline { len: u8, bytes: [u8; INLINE_KEY] },
    Heap(Box<[u8]>),
}

impl Key {
    pub(super) fn new(level: &[u8]) -> Key {
        let mut bytes = [0u8; INLINE_KEY];
        match (u8::try_from(level.len()), bytes.get_mut(..level.len())) {
            (Ok(len), Some(prefix)) => {
                prefix.copy_from_slice(level);
                Key::Inline { len, bytes }
            }
            _ => Key::Heap(Box::from(level)),
        }
    }

    #[inline]
    pub(super) fn as_bytes(&self) -> &[u8] {
        match self {
            Key::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Key::Heap(bytes) => bytes,
        }
    }
}

// Ordered as their bytes.
impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Key) -> core::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl<N: Default> Children<N> {
    pub(super) const fn new() -> Self {
        Children::Few(Vec::new())
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Children::Few(few) => few.len(),
            Children::Many(many) => many.len(),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        match self {
            Children::Few(few) => few.is_empty(),
            Children::Many(many) => many.is_empty(),
        }
    }

    pub(super) fn get(&self, level: &[u8]) -> Option<&N> {
        match self {
            Children::Few(few) => few
                .binary_search_by(|(key, _)| key.as_bytes().cmp(level))
                .ok()
                .and_then(|index| few.get(index))
                .map(|(_, node)| node),
            Children::Many(many) => many.get(level),
        }
    }

    pub(super) fn get_mut(&mut self, level: &[u8]) -> Option<&mut N> {
        match self {
            Children::Few(few) => few
                .binary_search_by(|(key, _)| key.as_bytes().cmp(level))
                .ok()
                .and_then(|index| few.get_mut(index))
                .map(|(_, node)| node),
            Children::Many(many) => many.get_mut(level),
        }
    }

    pub(super) fn get_or_insert(&mut self, level: &[u8]) -> &mut N {
        if let Children::Few(few) = self {
            if few.len() >= FEW_MAX
                && few
                    .binary_search_by(|(k, _)| k.as_bytes().cmp(level))
                    .is_err()
            {
                let mut many = LevelTable::new();
                for (key, node) in mem::take(few) {
                    many.insert_new(key, node);
                }
                *self = Children::Many(Box::new(many));
            }
        }
        match self {
            Children::Few(few) => {
                let index = match few.binary_search_by(|(key, _)| key.as_bytes().cmp(level)) {
                    Ok(index) => index,
                    Err(index) => {
                        // Grow one entry at a time: most nodes have one or two children, and
                        // the default growth would reserve room for four.
                        few.reserve_exact(1);
                        few.insert(index, (Key::new(level), N::default()));
                        index
                    }
                };
                match few.get_mut(index) {
                    Some((_, node)) => node,
                    // `index` was just found in `few` or inserted into it.
                    None => unreachable!("child index out of bounds"),
                }
            }
            Children::Many(many) => many.get_or_insert_with(level, N::default),
        }
    }

    pub(super) fn remove(&mut self, level: &[u8]) -> Option<N> {
        match self {
            Children::Few(few) => {
                let index = few
                    .binary_search_by(|(key, _)| key.as_bytes().cmp(level))
                    .ok()?;
                let (_, node) = few.remove(index);
                if few.capacity() > few.len().saturating_mul(2) {
                    few.shrink_to_fit();
                }
                Some(node)
            }
            Children::Many(many) => {
                let node = many.remove(level);
                if many.len() < MANY_MIN {
                    let mut few: Vec<(Key, N)> = mem::replace(&mut **many, LevelTable::new())
                        .into_entries()
                        .collect();
                    few.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
                    *self = Children::Few(few);
                }
                node
            }
        }
    }

    pub(super) fn nodes_mut(&mut self) -> impl Iterator<Item = &mut N> {
        let (few, many) = match self {
            Children::Few(few) => (Some(few.iter_mut().map(|(_, node)| node)), None),
            Children::Many(many) => (None, Some(many.values_mut())),
        };
        few.into_iter().flatten().chain(many.into_iter().flatten())
    }

    pub(super) fn iter(&self) -> ChildIter<'_, N> {
        match self {
            Children::Few(few) => ChildIter::Few(few.iter()),
            Children::Many(many) => ChildIter::Many(many.iter()),
        }
    }
}

/// The literal children of a node and their keys: in key order for a few, in no particular
/// order for many.
pub(super) enum ChildIter<'a, N> {
    Few(core::slice::Iter<'a, (Key, N)>),
    Many(core::iter::Flatten<core::slice::Iter<'a, Option<Slot<N>>>>),
}

impl<'a, N> Iterator for ChildIter<'a, N> {
    type Item = (&'a [u8], &'a N);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            ChildIter::Few(few) => few.next().map(|(key, node)| (key.as_bytes(), node)),
            ChildIter::Many(many) => many.next().map(|slot| (slot.key(), &slot.value)),
        }
    }
}
