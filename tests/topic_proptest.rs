//! Differential tests of topic matching: `TopicFilter::matches`, `TopicFilter::is_subset_of`
//! and `SubscriptionTree` against a naive matcher written here from section 4.7, on random
//! filters and names.
//!
//! Levels come from a small alphabet (empty levels, `$`, multi-byte characters and near-misses
//! included) so that random filters and names often share levels and the interesting cases
//! (partial matches, `$` topics, empty levels) come up.

use mqttwire::{SubscriptionTree, TopicFilter, TopicName};
use proptest::prelude::*;

#[path = "common/topic_text.rs"]
mod topic_text;
use topic_text::{filters_of, names_of};

/// Section 4.7 the obvious way: split both strings into levels and walk them.
fn reference_matches(filter: &str, name: &str) -> bool {
    let f: Vec<&str> = filter.split('/').collect();
    let n: Vec<&str> = name.split('/').collect();
    // [MQTT-4.7.2-1]
    if name.starts_with('$') && (f[0] == "+" || f[0] == "#") {
        return false;
    }
    for (i, level) in f.iter().enumerate() {
        if *level == "#" {
            // The levels before it matched: `#` takes the rest, none included.
            return true;
        }
        match n.get(i) {
            Some(name_level) if *level == "+" || level == name_level => {}
            _ => return false,
        }
    }
    f.len() == n.len()
}

fn literal_level() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["", "a", "b", "ab", "$SYS", "$", "é", "è", "😀", "a b"])
            .prop_map(String::from),
        1 => "[ab$é/]{0,3}".prop_map(|s| s.replace('/', "")),
    ]
}

fn name_text() -> impl Strategy<Value = String> {
    names_of(literal_level(), 1..6)
}

fn filter_text() -> impl Strategy<Value = String> {
    filters_of(literal_level())
}

/// The names `filter` may match that tell `is_subset_of(filter, other)` apart: each `+` becomes
/// a level of `other`, an empty level or a level in neither, and `#` as many such levels as
/// make the name up to one level deeper than `other`. Whether `other` matches a level only
/// depends on which of these it is, so if some name matched by `filter` escapes `other`, one
/// of these does.
fn witnesses(filter: &str, other: &str) -> Vec<String> {
    let mut choices: Vec<&str> = other
        .split('/')
        .filter(|l| *l != "+" && *l != "#")
        .collect();
    choices.extend(["", "fresh"]);
    choices.sort_unstable();
    choices.dedup();
    let max_levels = other.split('/').count() + 1;
    let mut names = vec![Vec::<String>::new()];
    for level in filter.split('/') {
        let mut next = Vec::new();
        for prefix in &names {
            match level {
                "+" => {
                    for c in &choices {
                        let mut n = prefix.clone();
                        n.push(c.to_string());
                        next.push(n);
                    }
                }
                "#" => {
                    // Past `other`'s depth plus one, longer names fare the same.
                    let extra = max_levels.saturating_sub(prefix.len());
                    let mut tails = vec![prefix.clone()];
                    for _ in 0..extra {
                        let longer: Vec<Vec<String>> = tails
                            .iter()
                            .flat_map(|t| {
                                choices.iter().map(move |c| {
                                    let mut t = t.clone();
                                    t.push(c.to_string());
                                    t
                                })
                            })
                            .collect();
                        next.extend(tails);
                        tails = longer;
                    }
                    next.extend(tails);
                }
                literal => {
                    let mut n = prefix.clone();
                    n.push(literal.to_string());
                    next.push(n);
                }
            }
        }
        names = next;
    }
    names
        .into_iter()
        .map(|levels| levels.join("/"))
        .filter(|n| TopicName::new(n).is_ok())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn matches_agrees_with_the_reference(f in filter_text(), n in name_text()) {
        let filter = TopicFilter::new(&f).unwrap();
        let name = TopicName::new(&n).unwrap();
        prop_assert_eq!(filter.matches(&name), reference_matches(&f, &n), "{} vs {}", f, n);
    }

    /// A filter built from a name by replacing some levels with `+` and cutting it with `#`
    /// always matches it: this reaches deep matches that random pairs rarely produce.
    #[test]
    fn derived_filters_match(n in name_text(), mask in any::<u8>(), cut in 0usize..7) {
        let levels: Vec<&str> = n.split('/').collect();
        let mut f: Vec<&str> = levels
            .iter()
            .enumerate()
            .map(|(i, l)| if mask & (1 << i) != 0 { "+" } else { *l })
            .collect();
        if cut < f.len() {
            f.truncate(cut);
            f.push("#");
        }
        let f = f.join("/");
        let filter = TopicFilter::new(&f).unwrap();
        let name = TopicName::new(&n).unwrap();
        let expected = !(n.starts_with('$') && (f.starts_with('+') || f.starts_with('#')));
        prop_assert_eq!(filter.matches(&name), expected, "{} vs {}", f, n);
        prop_assert_eq!(reference_matches(&f, &n), expected);
    }

    #[test]
    fn is_subset_of_is_exact(a in filter_text(), b in filter_text()) {
        let claimed = TopicFilter::new(&a).unwrap().is_subset_of(&TopicFilter::new(&b).unwrap());
        let escaped = witnesses(&a, &b)
            .into_iter()
            .find(|n| reference_matches(&a, n) && !reference_matches(&b, n));
        prop_assert_eq!(claimed, escaped.is_none(), "{} ⊆ {}: escaping name {:?}", a, b, escaped);
    }

    #[test]
    fn is_subset_of_is_reflexive_and_transitive(
        a in filter_text(),
        b in filter_text(),
        c in filter_text(),
    ) {
        let (a, b, c) = (
            TopicFilter::new(&a).unwrap(),
            TopicFilter::new(&b).unwrap(),
            TopicFilter::new(&c).unwrap(),
        );
        prop_assert!(a.is_subset_of(&a));
        if a.is_subset_of(&b) && b.is_subset_of(&c) {
            prop_assert!(a.is_subset_of(&c));
        }
    }

    #[test]
    fn tree_agrees_with_a_list(
        pool in prop::collection::vec(filter_text(), 1..12),
        ops in prop::collection::vec((0u8..4, any::<prop::sample::Index>(), 0u32..4), 0..60),
        names in prop::collection::vec(name_text(), 1..12),
    ) {
        let mut tree = SubscriptionTree::new();
        let mut model: Vec<(String, u32)> = Vec::new();
        for (op, index, value) in ops {
            let f = index.get(&pool);
            let filter = TopicFilter::new(f).unwrap();
            match op {
                0 | 1 => {
                    tree.insert(&filter, value);
                    model.push((f.clone(), value));
                }
                2 => {
                    let removed = tree.remove(&filter, &value);
                    let position = model.iter().position(|(mf, mv)| mf == f && *mv == value);
                    prop_assert_eq!(removed, position.map(|p| model.swap_remove(p).1));
                }
                _ => {
                    let mut removed = tree.remove_all(&filter);
                    let mut expected: Vec<u32> =
                        model.iter().filter(|(mf, _)| mf == f).map(|(_, v)| *v).collect();
                    model.retain(|(mf, _)| mf != f);
                    removed.sort_unstable();
                    expected.sort_unstable();
                    prop_assert_eq!(removed, expected);
                }
            }
            prop_assert_eq!(tree.len(), model.len());
        }

        for n in &names {
            let name = TopicName::new(n).unwrap();
            let mut got: Vec<u32> = tree.matches(&name).copied().collect();
            let mut expected: Vec<u32> = model
                .iter()
                .filter(|(f, _)| reference_matches(f, n))
                .map(|(_, v)| *v)
                .collect();
            got.sort_unstable();
            expected.sort_unstable();
            prop_assert_eq!(got, expected, "matching {}", n);
        }

        for f in &pool {
            let mut got = tree.get(&TopicFilter::new(f).unwrap()).to_vec();
            let mut expected: Vec<u32> =
                model.iter().filter(|(mf, _)| mf == f).map(|(_, v)| *v).collect();
            got.sort_unstable();
            expected.sort_unstable();
            prop_assert_eq!(got, expected, "get {}", f);
        }

        let mut listed: Vec<(String, u32)> =
            tree.iter().map(|(f, v)| (f.as_str().to_owned(), *v)).collect();
        prop_assert_eq!(tree.iter().len(), model.len());
        listed.sort();
        model.sort();
        prop_assert_eq!(&listed, &model);

        // Emptying the tree leaves nothing behind.
        for f in &pool {
            tree.remove_all(&TopicFilter::new(f).unwrap());
        }
        prop_assert!(tree.is_empty());
        prop_assert_eq!(tree.iter().count(), 0);
        prop_assert_eq!(format!("{tree:?}"), "{}");
    }
}

/// A name in the middle of a wide node (where children move to a `BTreeMap`) and many `+`
/// branches pending at once (more than `Matches` keeps inline).
#[test]
fn wide_and_bushy_trees() {
    let mut tree = SubscriptionTree::new();
    let mut model = Vec::new();
    for i in 0..200 {
        let f = format!("w/{i}/x");
        tree.insert(&TopicFilter::new(&f).unwrap(), i);
        model.push((f, i));
    }
    for depth in 1..=12 {
        let f = vec!["+"; depth].join("/");
        tree.insert(&TopicFilter::new(&f).unwrap(), 1000 + depth as u32);
        model.push((f, 1000 + depth as u32));
        let f = format!("{}/#", vec!["+"; depth].join("/"));
        tree.insert(&TopicFilter::new(&f).unwrap(), 2000 + depth as u32);
        model.push((f, 2000 + depth as u32));
    }
    // Along the literal path of `deep`, every node also has a `+` child: a dozen `+` branches
    // wait while the literal one is followed.
    let deep = "a/b/c/d/e/f/g/h/i/j/k/l";
    let levels: Vec<&str> = deep.split('/').collect();
    for k in 1..levels.len() {
        let f = format!("{}/+/#", levels[..k].join("/"));
        tree.insert(&TopicFilter::new(&f).unwrap(), 3000 + k as u32);
        model.push((f, 3000 + k as u32));
    }
    tree.insert(&TopicFilter::new(deep).unwrap(), 4000);
    model.push((deep.to_owned(), 4000));
    for n in [
        "w/17/x",
        "w/17",
        "a/b/c/d/e/f/g/h/i/j/k/l",
        "w/199/x/y",
        "$SYS/1/x",
    ] {
        let mut got: Vec<u32> = tree.matches(&TopicName::new(n).unwrap()).copied().collect();
        let mut expected: Vec<u32> = model
            .iter()
            .filter(|(f, _)| reference_matches(f, n))
            .map(|(_, v)| *v)
            .collect();
        got.sort_unstable();
        expected.sort_unstable();
        assert_eq!(got, expected, "{n}");
    }
    for (f, v) in &model {
        assert_eq!(tree.remove(&TopicFilter::new(f).unwrap(), v), Some(*v));
    }
    assert!(tree.is_empty());
    assert_eq!(tree.iter().count(), 0);
}
