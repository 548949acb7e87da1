//! Topic names and filters as text, built from a strategy of levels, for the tests that check
//! matching and the routing indexes against a model: a small alphabet of levels makes random
//! names and filters share levels, so that partial matches and `$` topics come up.

use proptest::prelude::*;
use std::ops::Range;

/// Names of `levels` levels drawn from `level`; never empty.
pub fn names_of(
    level: impl Strategy<Value = String>,
    levels: Range<usize>,
) -> impl Strategy<Value = String> {
    prop::collection::vec(level, levels)
        .prop_map(|levels| levels.join("/"))
        .prop_filter("names are not empty", |s| !s.is_empty())
}

/// Filters of up to four levels from `level` or `+` (one in four), ending in `#` half the time
/// (always when there is no other level).
pub fn filters_of(level: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    let level = prop_oneof![3 => level, 1 => Just(String::from("+"))];
    (prop::collection::vec(level, 0..5), any::<bool>())
        .prop_map(|(mut levels, multi)| {
            if multi || levels.is_empty() {
                levels.push(String::from("#"));
            }
            levels.join("/")
        })
        .prop_filter("filters are not empty", |s| !s.is_empty())
}
