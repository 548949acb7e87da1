//! Wildcard matching of topic names against topic filters, and inclusion between filters
//! (section 4.7), without allocating.
//!
//! Both functions work on bytes: the level separator `/` is ASCII and never part of a
//! multi-byte UTF-8 sequence, so splitting bytes at `/` is the same as splitting characters,
//! and comparing bytes of well-formed UTF-8 is the same as comparing characters.

#[cfg(feature = "alloc")]
use super::{TopicFilter, TopicName};
use super::{LEVEL_SEPARATOR, MULTI_LEVEL_WILDCARD, SINGLE_LEVEL_WILDCARD};

/// The first character of server-specific topics such as `$SYS/...` (section 4.7.2).
const SYSTEM_PREFIX: u8 = b'$';

#[cfg(feature = "alloc")]
impl TopicFilter {
    /// Whether the topic name `name` matches this filter (section 4.7).
    ///
    /// - `+` matches exactly one level, an empty one included: `a/+` matches `a/` [MQTT-4.7.1-3].
    /// - A final `#` matches any number of levels, none included, so `sport/#` matches `sport`
    ///   as well as `sport/tennis/player1` [MQTT-4.7.1-2].
    /// - Levels are compared exactly: `/finance` has an empty first level and does not match
    ///   `finance`; matching is case-sensitive.
    /// - A filter starting with a wildcard does not match a name starting with `$`, while a
    ///   filter starting with `$` does [MQTT-4.7.2-1]: `#` does not match `$SYS/uptime` but
    ///   `$SYS/#` does.
    ///
    /// Runs in one pass over both strings, without allocating.
    ///
    /// ```
    /// use mqttwire::{TopicFilter, TopicName};
    ///
    /// let filter = TopicFilter::new("sport/tennis/+")?;
    /// assert!(filter.matches(&TopicName::new("sport/tennis/player1")?));
    /// assert!(!filter.matches(&TopicName::new("sport/tennis/player1/ranking")?));
    /// assert!(TopicFilter::new("sport/#")?.matches(&TopicName::new("sport")?));
    /// assert!(!TopicFilter::new("#")?.matches(&TopicName::new("$SYS/uptime")?));
    /// # Ok::<(), mqttwire::TopicError>(())
    /// ```
    #[inline]
    pub fn matches(&self, name: &TopicName) -> bool {
        filter_matches(self.as_bytes(), name.as_bytes())
    }

    /// Whether every topic name this filter matches is also matched by `other`: a subscription
    /// to `other` already receives everything a subscription to `self` would.
    ///
    /// The relation is exact, including the `$` rule [MQTT-4.7.2-1]: `a/+` is a subset of
    /// `a/#`, `a` is a subset of `a/#` (a final `#` also matches its parent level), and `#` and
    /// `+/#` are subsets of each other (every topic name has at least one level), but `$SYS/x`
    /// is not a subset of `#`, because `#` does not match topic names starting with `$`.
    /// Every filter is a subset of itself.
    ///
    /// ```
    /// use mqttwire::TopicFilter;
    ///
    /// let f = |s| TopicFilter::new(s).unwrap();
    /// assert!(f("a/+").is_subset_of(&f("a/#")));
    /// assert!(f("a").is_subset_of(&f("a/#")));
    /// assert!(!f("a/#").is_subset_of(&f("a/+")));
    /// assert!(!f("$SYS/x").is_subset_of(&f("#")));
    /// assert!(f("$SYS/x").is_subset_of(&f("$SYS/#")));
    /// ```
    pub fn is_subset_of(&self, other: &TopicFilter) -> bool {
        filter_is_subset(self.as_bytes(), other.as_bytes())
    }
}

#[cfg(feature = "alloc")]
impl TopicName {
    /// Whether `filter` matches this topic name: the same as
    /// [`filter.matches(self)`](TopicFilter::matches), with the rules given there.
    ///
    /// ```
    /// use mqttwire::{TopicFilter, TopicName};
    ///
    /// let name = TopicName::new("home/kitchen/temperature")?;
    /// assert!(name.is_matched_by(&TopicFilter::new("home/+/temperature")?));
    /// # Ok::<(), mqttwire::TopicError>(())
    /// ```
    #[inline]
    pub fn is_matched_by(&self, filter: &TopicFilter) -> bool {
        filter.matches(self)
    }
}

/// Whether a filter starting with `filter_first` is kept away from a name or filter starting
/// with `other_first` by the `$` rule [MQTT-4.7.2-1].
#[inline]
fn hidden_by_system_rule(filter_first: Option<&u8>, other_first: Option<&u8>) -> bool {
    other_first == Some(&SYSTEM_PREFIX)
        && matches!(
            filter_first,
            Some(&SINGLE_LEVEL_WILDCARD) | Some(&MULTI_LEVEL_WILDCARD)
        )
}

/// [`TopicFilter::matches`] on the bytes of a valid filter and a valid name.
///
/// Instead of splitting both strings into levels, it skips their common prefix and looks at
/// the first byte where they differ: as a topic name holds no wildcard, a wildcard in the
/// filter always shows up as such a difference, at the start of a level in both strings
/// (every byte before it matched, and wildcards occupy whole levels [MQTT-4.7.1-2..3]).
#[inline]
pub(crate) fn filter_matches(filter: &[u8], name: &[u8]) -> bool {
    if hidden_by_system_rule(filter.first(), name.first()) {
        return false;
    }
    let (mut filter, mut name) = (filter, name);
    loop {
        let common = common_prefix_len(filter, name);
        // `common` is at most the length of either slice, so both `get`s succeed.
        filter = filter.get(common..).unwrap_or_default();
        name = name.get(common..).unwrap_or_default();
        match filter.split_first() {
            // The filter is used up: a match only if the name is too.
            None => return name.is_empty(),
            // `+` takes the name's whole current level, empty or not.
            Some((&SINGLE_LEVEL_WILDCARD, rest)) => {
                let level_len = name
                    .iter()
                    .position(|&b| b == LEVEL_SEPARATOR)
                    .unwrap_or(name.len());
                name = name.get(level_len..).unwrap_or_default();
                filter = rest;
            }
            // `#` takes whatever levels remain, none included.
            Some((&MULTI_LEVEL_WILDCARD, _)) => return true,
            // The name ends where the filter goes on to a next level: only a final `/#` may
            // match nothing, since `#` also matches its parent level [MQTT-4.7.1-2].
            Some((&LEVEL_SEPARATOR, rest)) => {
                return name.is_empty() && rest == [MULTI_LEVEL_WILDCARD];
            }
            Some(_) => return false,
        }
    }
}

/// The length of the longest common prefix of `a` and `b`, eight bytes at a time: topic
/// levels share long prefixes (`sensors/building-7/`), and comparing words instead of bytes
/// keeps matching fast without `unsafe` or SIMD.
#[inline]
fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    let mut len = 0usize;
    for (wa, wb) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let diff = word(wa) ^ word(wb);
        if diff != 0 {
            // Little-endian words: the lowest set bit is in the first byte that differs.
            // `trailing_zeros() / 8` is below 8 and `len` below either slice's length.
            return len.wrapping_add((diff.trailing_zeros() / 8) as usize);
        }
        // Cannot overflow: `len` stays below the length of a slice.
        len = len.wrapping_add(8);
    }
    let tail_a = a.get(len..).unwrap_or_default();
    let tail_b = b.get(len..).unwrap_or_default();
    let tail = tail_a
        .iter()
        .zip(tail_b)
        .take_while(|(x, y)| x == y)
        .count();
    len.wrapping_add(tail)
}

/// Eight bytes from `chunks_exact(8)` as a little-endian word.
#[inline(always)]
fn word(chunk: &[u8]) -> u64 {
    // `chunks_exact(8)` only yields 8-byte chunks: the conversion always succeeds and the
    // compiler removes the fallback.
    <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes)
}

/// [`TopicFilter::is_subset_of`] on the bytes of two valid filters.
///
/// Walks both filters level by level. With `a` the filter that must be included and `b` the
/// one that must include it, at each level:
/// - `#` in `b` covers whatever `a` has left, nothing included (`a` ⊆ `a/#`);
/// - `#` in `a` also matches `a`'s parent level, which only `#` in `b` covers; unless that
///   parent would be the empty string, which is no topic name [MQTT-4.7.3-1]: `#` (no parent
///   level) matches what `+/#` matches, and `/#` what `/+/#` does;
/// - `+` in `a` is covered only by `+` in `b`; a literal level in `a` by `+` or the same level.
pub(crate) fn filter_is_subset(a: &[u8], b: &[u8]) -> bool {
    // If `a` starts with `$` it matches only `$` names, which no filter starting with a
    // wildcard matches [MQTT-4.7.2-1]. Otherwise `a` matches no `$` name (its first level is
    // a wildcard or a literal without `$`), and the rule cannot make `b` miss one of its names.
    if hidden_by_system_rule(b.first(), a.first()) {
        return false;
    }
    let is_separator = |&c: &u8| c == LEVEL_SEPARATOR;
    let mut levels_a = a.split(is_separator);
    let mut levels_b = b.split(is_separator);
    // Whether the levels of `a` walked so far can only spell the empty string: none, or a
    // single empty level.
    let mut empty_so_far = true;
    let mut depth = 0usize;
    loop {
        let level_a = levels_a.next();
        match (level_a, levels_b.next()) {
            (_, Some(b"#")) | (None, None) => return true,
            (None, Some(_)) | (Some(_), None) => return false,
            (Some(b"#"), Some(b"+")) if empty_so_far => {
                return matches!(levels_b.next(), Some(b"#"));
            }
            (Some(b"#"), Some(_)) => return false,
            (Some(level_a), Some(level_b)) => {
                if level_b != b"+" && (level_a == b"+" || level_a != level_b) {
                    return false;
                }
            }
        }
        empty_so_far = depth == 0 && level_a == Some(b"");
        depth = 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix() {
        assert_eq!(common_prefix_len(b"", b""), 0);
        assert_eq!(common_prefix_len(b"abc", b"abd"), 2);
        assert_eq!(common_prefix_len(b"abcdefghij", b"abcdefghij"), 10);
        assert_eq!(common_prefix_len(b"abcdefghij", b"abcdefghiX"), 9);
        assert_eq!(common_prefix_len(b"abcdefgh/x", b"abcdefgX/x"), 7);
        assert_eq!(
            common_prefix_len(b"abcdefghijklmnopq", b"abcdefghijklmnop"),
            16
        );
    }

    #[test]
    fn bytes_matching() {
        let m = filter_matches;
        assert!(m(b"a/#", b"a"));
        assert!(m(b"a/#", b"a/"));
        assert!(m(b"a/+", b"a/"));
        assert!(!m(b"a/+", b"a"));
        assert!(m(b"+/+", b"/"));
        assert!(!m(b"#", b"$SYS"));
        assert!(!m(b"+/x", b"$SYS/x"));
        assert!(m(b"$SYS/#", b"$SYS/x"));
        assert!(!m(b"a/b", b"ab"));
        assert!(!m(b"a/bc", b"a/b"));
        assert!(!m(b"a/b", b"a/bc"));
    }
}
