//! `LevelTable`: a hash table keyed by the bytes of a topic level or filter, open addressing
//! (`std`'s `HashMap` is not available without `std`).
//!
//! It serves twice in [`SubscriptionTree`](super::SubscriptionTree): for the children of wide
//! nodes, where finding one among thousands by binary search took a cache miss per probe, and
//! for the wildcard-free filters, which a topic name matches only when equal to them, so that
//! one lookup of the whole name finds all of them (70% of the filters in an IoT mix, half in
//! EMQX's benchmark).

use super::children::Key;
use alloc::vec::Vec;
use core::mem;

/// The table is grown before more than 7 of every 8 slots are taken.
const MAX_LOAD_NUM: usize = 7;
const MAX_LOAD_DEN: usize = 8;
/// The smallest table allocated.
const MIN_SLOTS: usize = 8;

/// A key and its value.
pub(super) struct Slot<T> {
    hash: u64,
    key: Key,
    pub(super) value: T,
}

impl<T> Slot<T> {
    pub(super) fn key(&self) -> &[u8] {
        self.key.as_bytes()
    }
}

/// Keys and values; linear probing, deletion by backward shift (no tombstones, so lookups stay
/// short after many removals).
pub(super) struct LevelTable<T> {
    /// A power of two in length, or empty.
    slots: Vec<Option<Slot<T>>>,
    /// Occupied slots.
    len: usize,
}

/// FxHash's mixing over 8-byte words: fast on the short texts of topics. Not keyed, so a peer
/// that chooses many filters could make them collide; a server limits the subscriptions a
/// client may hold anyway.
#[inline]
pub(super) fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        h = (h.rotate_left(5) ^ word).wrapping_mul(K);
    }
    let mut tail = [0u8; 8];
    let rest = chunks.remainder();
    if let Some(prefix) = tail.get_mut(..rest.len()) {
        prefix.copy_from_slice(rest);
    }
    // The length keeps `a` and `a\0` apart (topic texts hold no U+0000, but be exact).
    let word = u64::from_le_bytes(tail) ^ ((bytes.len() as u64) << 56);
    h = (h.rotate_left(5) ^ word).wrapping_mul(K);
    // The low bits pick the slot: fold the well-mixed high bits down.
    h ^ (h >> 29)
}

impl<T> LevelTable<T> {
    pub(super) const fn new() -> Self {
        LevelTable {
            slots: Vec::new(),
            len: 0,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot index `hash` starts probing at.
    #[inline]
    fn home(&self, hash: u64) -> usize {
        // `slots.len()` is a power of two: the mask keeps the index in range.
        (hash as usize) & self.slots.len().wrapping_sub(1)
    }

    /// The slot after `index`, wrapping around.
    #[inline]
    fn next(&self, index: usize) -> usize {
        index.wrapping_add(1) & self.slots.len().wrapping_sub(1)
    }

    /// Where `key` is, if present.
    #[inline]
    fn find(&self, key: &[u8], hash: u64) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mut index = self.home(hash);
        // The table always has an empty slot (load below 7/8), so the probe ends.
        loop {
            match self.slots.get(index)? {
                None => return None,
                Some(slot) if slot.hash == hash && slot.key.as_bytes() == key => {
                    return Some(index)
                }
                Some(_) => index = self.next(index),
            }
        }
    }

    #[inline]
    pub(super) fn get(&self, key: &[u8]) -> Option<&T> {
        let index = self.find(key, hash(key))?;
        self.slots.get(index)?.as_ref().map(|slot| &slot.value)
    }

    pub(super) fn get_mut(&mut self, key: &[u8]) -> Option<&mut T> {
        let index = self.find(key, hash(key))?;
        self.slots
            .get_mut(index)?
            .as_mut()
            .map(|slot| &mut slot.value)
    }

    /// The value of `key`, made by `make` if it has none.
    pub(super) fn get_or_insert_with(&mut self, key: &[u8], make: impl FnOnce() -> T) -> &mut T {
        let hash = hash(key);
        let index = match self.find(key, hash) {
            Some(index) => index,
            None => self.put(hash, Key::new(key), make()),
        };
        match self.slots.get_mut(index) {
            Some(Some(slot)) => &mut slot.value,
            // `index` was just found or filled.
            _ => unreachable!("level table slot vanished"),
        }
    }

    /// Adds a key the table does not have; answers its slot.
    pub(super) fn insert_new(&mut self, key: Key, value: T) {
        let hash = hash(key.as_bytes());
        self.put(hash, key, value);
    }

    fn put(&mut self, hash: u64, key: Key, value: T) -> usize {
        self.grow_for_one_more();
        let index = self.free_slot(hash);
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Some(Slot { hash, key, value });
        }
        self.len = self.len.saturating_add(1);
        index
    }

    /// The first empty slot from `hash`'s home on.
    fn free_slot(&self, hash: u64) -> usize {
        let mut index = self.home(hash);
        while matches!(self.slots.get(index), Some(Some(_))) {
            index = self.next(index);
        }
        index
    }

    /// Removes `key` and gives its value back.
    pub(super) fn remove(&mut self, key: &[u8]) -> Option<T> {
        let mut hole = self.find(key, hash(key))?;
        let removed = self.slots.get_mut(hole).and_then(Option::take)?;
        self.len = self.len.saturating_sub(1);
        // Backward shift: move up each following slot of the run whose home is not between
        // the hole and where it is, so that every key stays reachable from its home.
        let mask = self.slots.len().wrapping_sub(1);
        let mut index = self.next(hole);
        while let Some(Some(slot)) = self.slots.get(index) {
            let home = self.home(slot.hash);
            if index.wrapping_sub(home) & mask >= index.wrapping_sub(hole) & mask {
                let moved = self.slots.get_mut(index).and_then(Option::take);
                if let Some(free) = self.slots.get_mut(hole) {
                    *free = moved;
                }
                hole = index;
            }
            index = self.next(index);
        }
        if self.len == 0 {
            self.slots = Vec::new();
        }
        Some(removed.value)
    }

    /// Doubles the table if one more entry would pass the maximum load.
    fn grow_for_one_more(&mut self) {
        let needed = self.len.saturating_add(1).saturating_mul(MAX_LOAD_DEN);
        if needed <= self.slots.len().saturating_mul(MAX_LOAD_NUM) {
            return;
        }
        let size = self.slots.len().saturating_mul(2).max(MIN_SLOTS);
        let mut slots = Vec::with_capacity(size);
        slots.resize_with(size, || None);
        let old = mem::replace(&mut self.slots, slots);
        for slot in old.into_iter().flatten() {
            let index = self.free_slot(slot.hash);
            if let Some(free) = self.slots.get_mut(index) {
                *free = Some(slot);
            }
        }
    }

    /// Every key and value, in no particular order.
    pub(super) fn iter(&self) -> core::iter::Flatten<core::slice::Iter<'_, Option<Slot<T>>>> {
        self.slots.iter().flatten()
    }

    pub(super) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.slots.iter_mut().flatten().map(|slot| &mut slot.value)
    }

    /// Every key and value, taken out.
    pub(super) fn into_entries(self) -> impl Iterator<Item = (Key, T)> {
        self.slots
            .into_iter()
            .flatten()
            .map(|slot| (slot.key, slot.value))
    }
}

#[cfg(test)]
// Tests index freely: a panic there is a failing test.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use alloc::format;

    /// Every key stays findable through growth and removals (backward shift included), and
    /// removed keys are gone.
    #[test]
    fn insert_find_remove() {
        let mut table = LevelTable::new();
        // Short keys stay in place, long ones do not.
        let keys: Vec<Vec<u8>> = (0..2000)
            .map(|i| format!("k/{i}/{}", "x".repeat(i % 30)).into_bytes())
            .collect();
        for (i, key) in keys.iter().enumerate() {
            *table.get_or_insert_with(key, || 0) += i + 1;
        }
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(table.get(key), Some(&(i + 1)));
        }
        for (i, key) in keys.iter().enumerate().step_by(3) {
            assert_eq!(table.remove(key), Some(i + 1));
        }
        for (i, key) in keys.iter().enumerate() {
            let expected = if i % 3 == 0 { None } else { Some(i + 1) };
            assert_eq!(table.get(key).copied(), expected, "{i}");
        }
        assert_eq!(table.iter().count(), 2000 - 667);
        assert_eq!(table.len(), 2000 - 667);
        for key in &keys {
            table.remove(key);
        }
        assert!(table.is_empty());
        assert!(table.slots.is_empty());
    }

    /// The sizes the memory figures of `SubscriptionTree` rest on (64-bit targets).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn slot_sizes() {
        use core::mem::size_of;
        assert_eq!(size_of::<Option<Slot<Vec<u32>>>>(), 56);
    }

    #[test]
    fn hash_tells_lengths_apart() {
        assert_ne!(hash(b"a"), hash(b"a\0"));
        assert_ne!(hash(b""), hash(b"\0"));
        assert_ne!(hash(b"12345678"), hash(b"12345678\0"));
    }
}
