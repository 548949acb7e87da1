//! `InlineStack`: the work list of a trie walk, in place up to a few entries.

use alloc::vec::Vec;

/// A stack that holds its first `N` entries in place and the rest in a `Vec`: a trie walk
/// keeps one entry per level it is inside, so a walk over topics of up to `N` levels does not
/// allocate, and a deeper one still works.
pub(super) struct InlineStack<T, const N: usize> {
    inline: [Option<T>; N],
    inline_len: usize,
    spilled: Vec<T>,
}

impl<T, const N: usize> InlineStack<T, N> {
    pub(super) fn new() -> Self {
        InlineStack {
            inline: core::array::from_fn(|_| None),
            inline_len: 0,
            spilled: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, entry: T) {
        match self.inline.get_mut(self.inline_len) {
            Some(slot) if self.spilled.is_empty() => {
                *slot = Some(entry);
                // Below `N`, as `get_mut` found a slot.
                self.inline_len = self.inline_len.wrapping_add(1);
            }
            _ => self.spilled.push(entry),
        }
    }

    pub(super) fn pop(&mut self) -> Option<T> {
        if let Some(entry) = self.spilled.pop() {
            return Some(entry);
        }
        self.inline_len = self.inline_len.checked_sub(1)?;
        self.inline.get_mut(self.inline_len).and_then(Option::take)
    }
}

#[cfg(test)]
mod tests {
    use super::InlineStack;

    #[test]
    fn last_in_first_out_across_the_spill() {
        let mut stack = InlineStack::<u32, 2>::new();
        assert_eq!(stack.pop(), None);
        for i in 0..5 {
            stack.push(i);
        }
        let popped: alloc::vec::Vec<u32> = core::iter::from_fn(|| stack.pop()).collect();
        assert_eq!(popped, [4, 3, 2, 1, 0]);
        stack.push(9);
        assert_eq!(stack.pop(), Some(9));
        assert_eq!(stack.pop(), None);
    }
}
