//! `Values`: the values of one filter, the first one in place.

use alloc::vec::Vec;
use core::mem;

/// The values of one filter. Most filters have one subscriber: that value sits in place,
/// where the lookup that found the filter already brought it into the cache, instead of in an
/// allocation of its own (one cache miss less per matching filter, one allocation less per
/// filter).
#[derive(Default)]
pub(super) enum Values<V> {
    #[default]
    None,
    One(V),
    Many(Vec<V>),
}

impl<V> Values<V> {
    pub(super) fn as_slice(&self) -> &[V] {
        match self {
            Values::None => &[],
            Values::One(value) => core::slice::from_ref(value),
            Values::Many(values) => values,
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        matches!(self, Values::None)
    }

    pub(super) fn push(&mut self, value: V) {
        *self = match mem::replace(self, Values::None) {
            Values::None => Values::One(value),
            Values::One(first) => Values::Many(alloc::vec![first, value]),
            Values::Many(mut values) => {
                values.push(value);
                Values::Many(values)
            }
        };
    }

    /// Runs `edit` on the values as a `Vec`, then stores what is left in the smallest form.
    pub(super) fn edit<R>(&mut self, edit: impl FnOnce(&mut Vec<V>) -> R) -> R {
        let mut values = match mem::replace(self, Values::None) {
            Values::None => Vec::new(),
            Values::One(value) => alloc::vec![value],
            Values::Many(values) => values,
        };
        let result = edit(&mut values);
        *self = match values.len() {
            0 => Values::None,
            1 => values.pop().map_or(Values::None, Values::One),
            _ => {
                if values.capacity() > values.len().saturating_mul(2) {
                    values.shrink_to_fit();
                }
                Values::Many(values)
            }
        };
        result
    }
}

#[cfg(test)]
mod tests {
    use super::Values;

    #[test]
    fn one_in_place_then_many_and_back() {
        let mut values = Values::default();
        assert!(values.is_empty());
        values.push(1u32);
        assert!(matches!(values, Values::One(1)));
        values.push(2);
        values.push(3);
        assert_eq!(values.as_slice(), [1, 2, 3]);
        let removed = values.edit(|v| {
            v.retain(|&x| x == 2);
            2
        });
        assert_eq!(removed, 2);
        assert!(matches!(values, Values::One(2)));
        values.edit(|v| v.clear());
        assert!(values.is_empty());
    }

    /// In place of a `Vec`, without growing a node (64-bit targets).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn as_small_as_a_vec() {
        use core::mem::size_of;
        assert_eq!(size_of::<Values<u32>>(), size_of::<alloc::vec::Vec<u32>>());
    }
}
