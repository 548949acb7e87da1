//! `LevelTable`: a hash table keyed by the bytes of a topic level or filter, open addressing
//! (`std`'s `HashMap` is not available without `std`).
//!
//! It serves twice in [`SubscriptionTree`](super::SubscriptionTree): for the children of wide
//! nodes, where finding one among thousands by binary search took a cache miss per probe, and
//! for the wildcard-free filters, which a topic name matches only when equal to them, so that
//! one lookup of the whole name finds all of them (70% of the filters in an IoT mix, half in
//! EMQX's benchmark).

use super::children::{same_level, Key};
use alloc::vec::Vec;
use core::mem;

/// The table is grown before more than 7 of every 8 slots are taken.
const MAX_LOAD_NUM: usize = 7;
const MAX_LOAD_DEN: usize = 8;
/// The smallest table allocated; at least [`GROUP`], so that the copy of the first control
/// bytes never wraps.
const MIN_SLOTS: usize = 8;
/// Control bytes read at once, as one `u64`.
const GROUP: usize = 8;
/// The control byte of an empty slot; a taken slot's is its tag, below 0x80.
const EMPTY: u8 = 0x80;
/// Each byte of a group: `0x01` repeated, and its high bit repeated.
const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// A key and its value.
pub(super) struct Slot<T> {
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
///
/// Beside the slots, one control byte per slot (as in SwissTable): [`EMPTY`], or 7 bits of the
/// key's hash. A lookup reads the control bytes of 8 slots as one word and compares all their
/// tags at once, so it reads a slot (and the key behind it) only when the tag matches, about
/// once in 128 for another key, and stops at the first empty slot. At a load of 7/8 a lookup
/// that finds nothing would otherwise read ~30 slots of 48 bytes; the control bytes of 64 slots
/// fit in one cache line.
pub(super) struct LevelTable<T> {
    /// A power of two in length, or empty.
    slots: Vec<Option<Slot<T>>>,
    /// One control byte per slot, then a copy of the first [`GROUP`], so that the group of a
    /// slot near the end is read in one piece; empty when `slots` is.
    ctrl: Vec<u8>,
    /// Occupied slots.
    len: usize,
}

/// FxHash's mixing over 8-byte words, then one more round to spread the high bits: fast on the
/// short texts of topics. Not keyed, so a peer that chooses many filters could make them
/// collide; a server limits the subscriptions a client may hold anyway.
///
/// A bit of a word only reaches the bits of the product at and above its own: after the first
/// rounds, `site-17` and `site-42` (digits in bytes 5 and 6) differ only in the top 24 bits.
/// The last round folds those into the low half before multiplying again, so that both the slot
/// ([`LevelTable::home`], the top bits) and the tag ([`tag`], bits 24–30) depend on every byte.
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
    (h ^ (h >> 32)).wrapping_mul(K)
}

/// The control byte of a key with this hash: 7 bits apart from those [`LevelTable::home`]
/// takes (for tables below 2^33 slots), so that keys probed together rarely share a tag.
#[inline]
fn tag(hash: u64) -> u8 {
    ((hash >> 24) & 0x7f) as u8
}

/// The bytes of `group` equal to `byte`, as their high bits. May also flag a byte just above
/// a true match (the subtraction's borrow); callers compare the keys anyway.
#[inline]
fn bytes_equal(group: u64, byte: u8) -> u64 {
    let x = group ^ LOW_BITS.wrapping_mul(u64::from(byte));
    x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS
}

impl<T> LevelTable<T> {
    pub(super) const fn new() -> Self {
        LevelTable {
            slots: Vec::new(),
            ctrl: Vec::new(),
            len: 0,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot index `hash` starts probing at: its top bits, the best mixed.
    #[inline]
    fn home(&self, hash: u64) -> usize {
        // `slots.len()` is a power of two: shifting by 64 less its log2 keeps the index in
        // range. (An empty table is never probed; its index would be out of range, which every
        // caller's `get` turns into "absent".)
        let shift = u64::BITS.saturating_sub(self.slots.len().trailing_zeros());
        hash.checked_shr(shift).unwrap_or(0) as usize
    }

    /// `index` plus `step`, wrapping around.
    #[inline]
    fn advance(&self, index: usize, step: usize) -> usize {
        index.wrapping_add(step) & self.slots.len().wrapping_sub(1)
    }

    /// The control bytes of slots `index` to `index + 7` (wrapping), the first in the low byte.
    #[inline]
    fn group(&self, index: usize) -> Option<u64> {
        let bytes = self.ctrl.get(index..index.checked_add(GROUP)?)?;
        <[u8; GROUP]>::try_from(bytes).ok().map(u64::from_le_bytes)
    }

    /// Sets the control byte of slot `index`, and its copy after the end.
    fn set_ctrl(&mut self, index: usize, byte: u8) {
        if let Some(c) = self.ctrl.get_mut(index) {
            *c = byte;
        }
        if index < GROUP {
            if let Some(c) = self.ctrl.get_mut(self.slots.len().wrapping_add(index)) {
                *c = byte;
            }
        }
    }

    /// Where `key` is, if present.
    #[inline]
    fn find(&self, key: &[u8], hash: u64) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let tag = tag(hash);
        let mut index = self.home(hash);
        // The table always has an empty slot (load below 7/8), so the probe ends.
        loop {
            let group = self.group(index)?;
            let empties = group & HIGH_BITS;
            // The keys of a probe sequence are contiguous from its home: past the first empty
            // slot there is nothing to look at.
            let before_empty = (empties & empties.wrapping_neg()).wrapping_sub(1);
            let mut candidates = bytes_equal(group, tag) & before_empty;
            while candidates != 0 {
                let at = self.advance(index, (candidates.trailing_zeros() / 8) as usize);
                if let Some(Some(slot)) = self.slots.get(at) {
                    if same_level(slot.key.as_bytes(), key) {
                        return Some(at);
                    }
                }
                candidates &= candidates.wrapping_sub(1);
            }
            if empties != 0 {
                return None;
            }
            index = self.advance(index, GROUP);
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

    /// Adds a key the table does not have.
    pub(super) fn insert_new(&mut self, key: Key, value: T) {
        let hash = hash(key.as_bytes());
        self.put(hash, key, value);
    }

    /// Stores a key the table does not have; answers its slot.
    fn put(&mut self, hash: u64, key: Key, value: T) -> usize {
        self.grow_for_one_more();
        let index = self.place(hash, Slot { key, value });
        self.len = self.len.saturating_add(1);
        index
    }

    /// Puts `slot` in the first empty slot from `hash`'s home on; answers where.
    fn place(&mut self, hash: u64, slot: Slot<T>) -> usize {
        let mut index = self.home(hash);
        // The caller made room: some group has an empty slot.
        while let Some(group) = self.group(index) {
            let empties = group & HIGH_BITS;
            if empties != 0 {
                index = self.advance(index, (empties.trailing_zeros() / 8) as usize);
                break;
            }
            index = self.advance(index, GROUP);
        }
        if let Some(free) = self.slots.get_mut(index) {
            *free = Some(slot);
        }
        self.set_ctrl(index, tag(hash));
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
        let mut index = self.advance(hole, 1);
        while let Some(Some(slot)) = self.slots.get(index) {
            let slot_hash = hash(slot.key.as_bytes());
            let home = self.home(slot_hash);
            if index.wrapping_sub(home) & mask >= index.wrapping_sub(hole) & mask {
                let moved = self.slots.get_mut(index).and_then(Option::take);
                if let Some(free) = self.slots.get_mut(hole) {
                    *free = moved;
                }
                self.set_ctrl(hole, tag(slot_hash));
                hole = index;
            }
            index = self.advance(index, 1);
        }
        self.set_ctrl(hole, EMPTY);
        if self.len == 0 {
            self.slots = Vec::new();
            self.ctrl = Vec::new();
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
        self.ctrl = alloc::vec![EMPTY; size.saturating_add(GROUP)];
        for slot in old.into_iter().flatten() {
            self.place(hash(slot.key.as_bytes()), slot);
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

    /// Random inserts and removes over a small set of keys (so that tables stay small, probe
    /// runs wrap around the end and backward shifts cross it) agree with a model at every step,
    /// and the control bytes agree with the slots.
    #[test]
    fn agrees_with_a_model() {
        use alloc::collections::BTreeMap;
        let mut table = LevelTable::new();
        let mut model = BTreeMap::new();
        let mut next = crate::test_rng::xorshift(0x2545_f491_4f6c_dd1d);
        for step in 0..50_000u32 {
            let state = next();
            let key = format!("k{}", state % 97).into_bytes();
            if state % 3 == 0 {
                assert_eq!(table.remove(&key), model.remove(&key), "step {step}");
            } else {
                *table.get_or_insert_with(&key, || 0) += 1;
                *model.entry(key.clone()).or_insert(0) += 1;
            }
            assert_eq!(table.get(&key), model.get(&key), "step {step}");
            assert_eq!(table.len(), model.len());
            let n = table.slots.len();
            for (i, slot) in table.slots.iter().enumerate() {
                let expected = slot.as_ref().map_or(EMPTY, |s| tag(hash(s.key())));
                assert_eq!(table.ctrl[i], expected, "step {step}, slot {i}");
                if i < GROUP {
                    assert_eq!(table.ctrl[n + i], expected, "copy of slot {i}");
                }
            }
        }
        for (key, value) in &model {
            assert_eq!(table.get(key), Some(value));
        }
    }

    /// The sizes the memory figures of `SubscriptionTree` rest on (64-bit targets).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn slot_sizes() {
        use core::mem::size_of;
        assert_eq!(size_of::<Option<Slot<Vec<u32>>>>(), 48);
    }

    #[test]
    fn hash_tells_lengths_apart() {
        assert_ne!(hash(b"a"), hash(b"a\0"));
        assert_ne!(hash(b""), hash(b"\0"));
        assert_ne!(hash(b"12345678"), hash(b"12345678\0"));
    }
}
