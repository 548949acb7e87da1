//! The literal children of a node of the topic tries ([`SubscriptionTree`](super::SubscriptionTree)
//! and [`RetainedIndex`](super::RetainedIndex)): a map from the text of a level to a node.

use super::table::{LevelTable, Slot};
use alloc::{boxed::Box, vec::Vec};
use core::cmp::Ordering;
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
    /// Sorted by [`compare_levels`].
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

// Ordered by `compare_levels`.
impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        same_level(self.as_bytes(), other.as_bytes())
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        compare_levels(self.as_bytes(), other.as_bytes())
    }
}

/// The order of the keys of a [`Children::Few`]: by length, then in byte order. Any total order
/// serves a binary search; this one settles most comparisons on the lengths, and compares
/// levels of up to 16 bytes in two word loads, where byte order would call `memcmp` (which
/// took 18% of the time of a match in a profile).
#[inline]
pub(super) fn compare_levels(a: &[u8], b: &[u8]) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| compare_same_length(a, b))
}

/// Whether two levels (or whole topic texts) are equal; like `==`, without a call to `memcmp`
/// for texts of up to 16 bytes.
#[inline]
pub(super) fn same_level(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && compare_same_length(a, b) == Ordering::Equal
}

/// Byte order of two slices of the same length. From 4 to 16 bytes: the first and the last
/// word (8 or 4 bytes, overlapping when shorter than two words) read big-endian, so that
/// comparing the numbers compares the bytes in order; the overlap is equal once the first
/// words are. Below 4 bytes: the first, middle and last byte as one number, which are all the
/// bytes.
#[inline]
fn compare_same_length(a: &[u8], b: &[u8]) -> Ordering {
    let n = a.len();
    // In each arm `n` is at least the width subtracted.
    let (width, last) = match n {
        0 => return Ordering::Equal,
        1..=3 => return short(a).cmp(&short(b)),
        4..=7 => (4, n.wrapping_sub(4)),
        8..=16 => (8, n.wrapping_sub(8)),
        _ => return a.cmp(b),
    };
    word(a, 0, width)
        .cmp(&word(b, 0, width))
        .then_with(|| word(a, last, width).cmp(&word(b, last, width)))
}

/// A level of 1 to 3 bytes as a number in byte order: its first, middle and last byte.
#[inline]
fn short(bytes: &[u8]) -> u32 {
    let at = |i: usize| u32::from(bytes.get(i).copied().unwrap_or(0));
    let n = bytes.len();
    (at(0) << 16) | (at(n / 2) << 8) | at(n.saturating_sub(1))
}

/// `width` (8 or 4) bytes of `bytes` from `at`, big-endian; 0 if out of range (never, for the
/// callers above).
#[inline]
fn word(bytes: &[u8], at: usize, width: usize) -> u64 {
    let Some(end) = at.checked_add(width) else {
        return 0;
    };
    match bytes.get(at..end) {
        Some(w) if width == 8 => <[u8; 8]>::try_from(w).map_or(0, u64::from_be_bytes),
        Some(w) => <[u8; 4]>::try_from(w).map_or(0, |w| u64::from(u32::from_be_bytes(w))),
        None => 0,
    }
}

/// Where `level` is in `few` (sorted by [`compare_levels`]), or where it would go.
#[inline]
fn search<N>(few: &[(Key, N)], level: &[u8]) -> Result<usize, usize> {
    few.binary_search_by(|(key, _)| compare_levels(key.as_bytes(), level))
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
            Children::Few(few) => search(few, level)
                .ok()
                .and_then(|index| few.get(index))
                .map(|(_, node)| node),
            Children::Many(many) => many.get(level),
        }
    }

    pub(super) fn get_mut(&mut self, level: &[u8]) -> Option<&mut N> {
        match self {
            Children::Few(few) => search(few, level)
                .ok()
                .and_then(|index| few.get_mut(index))
                .map(|(_, node)| node),
            Children::Many(many) => many.get_mut(level),
        }
    }

    pub(super) fn get_or_insert(&mut self, level: &[u8]) -> &mut N {
        if let Children::Few(few) = self {
            if few.len() >= FEW_MAX && search(few, level).is_err() {
                let mut many = LevelTable::new();
                for (key, node) in mem::take(few) {
                    many.insert_new(key, node);
                }
                *self = Children::Many(Box::new(many));
            }
        }
        match self {
            Children::Few(few) => {
                let index = match search(few, level) {
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
                let index = search(few, level).ok()?;
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

/// The literal children of a node and their keys: by [`compare_levels`] for a few, in no particular
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

#[cfg(test)]
// Tests index freely: a panic there is a failing test.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use alloc::vec;

    /// `compare_levels` and `same_level` agree with comparing (length, bytes) for every length
    /// up to 20 (each word width and the `memcmp` fallback), with the first difference at every
    /// position and in both directions, including bytes at or above 0x80.
    #[test]
    fn level_order_is_length_then_bytes() {
        let reference = |a: &[u8], b: &[u8]| a.len().cmp(&b.len()).then_with(|| a.cmp(b));
        for n in 0..=20usize {
            let base: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert_eq!(compare_levels(&base, &base), Ordering::Equal);
            assert!(same_level(&base, &base));
            for at in 0..n {
                for byte in [0x01, b'a', b'z', 0x7f, 0x80, 0xff] {
                    let mut other = base.clone();
                    other[at] = byte;
                    // A later byte differing the other way must not decide.
                    if at + 1 < n {
                        other[n - 1] = if base[n - 1] > b'a' { b'a' } else { b'z' };
                    }
                    for (a, b) in [(&base, &other), (&other, &base)] {
                        assert_eq!(compare_levels(a, b), reference(a, b), "{a:?} {b:?}");
                        assert_eq!(same_level(a, b), a == b, "{a:?} {b:?}");
                    }
                }
            }
            let longer = vec![b'a'; n + 1];
            assert_eq!(compare_levels(&base, &longer), Ordering::Less);
            assert!(!same_level(&base, &longer));
        }
    }
}
