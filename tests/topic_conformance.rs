//! Section 4.7 of MQTT 3.1.1 (topic names and topic filters), statement by statement.
//!
//! Every matching case is checked three ways: `TopicFilter::matches`, `TopicName::is_matched_by`
//! and a `SubscriptionTree` holding only that filter, so the tree cannot drift from the spec.

use mqttwire::{SubscriptionTree, TopicError, TopicFilter, TopicName};

fn filter(s: &str) -> TopicFilter {
    TopicFilter::new(s).unwrap_or_else(|e| panic!("filter {s:?}: {e}"))
}

fn name(s: &str) -> TopicName {
    TopicName::new(s).unwrap_or_else(|e| panic!("name {s:?}: {e}"))
}

/// Asserts that `f` matches `n` (or not, if `expected` is false) by every route.
#[track_caller]
fn assert_matching(f: &str, n: &str, expected: bool) {
    let (f, n) = (filter(f), name(n));
    assert_eq!(f.matches(&n), expected, "{f:?}.matches({n:?})");
    assert_eq!(n.is_matched_by(&f), expected, "{n:?}.is_matched_by({f:?})");
    let mut tree = SubscriptionTree::new();
    tree.insert(&f, ());
    assert_eq!(
        tree.matches(&n).count(),
        usize::from(expected),
        "tree with {f:?}, matching {n:?}"
    );
}

#[track_caller]
fn assert_matches(f: &str, n: &str) {
    assert_matching(f, n, true);
}

#[track_caller]
fn assert_no_match(f: &str, n: &str) {
    assert_matching(f, n, false);
}

// ---- 4.7.1.1 Topic level separator ----

/// 4.7.1.1: "Adjacent Topic level separators indicate a zero length topic level."
#[test]
fn adjacent_separators_make_an_empty_level() {
    assert_matches("foo//bar", "foo//bar");
    assert_no_match("foo//bar", "foo/bar");
    assert_matches("foo/+/bar", "foo//bar");
    assert_no_match("foo/+/bar", "foo/bar");
    assert_eq!(
        name("foo//bar").levels().collect::<Vec<_>>(),
        ["foo", "", "bar"]
    );
}

// ---- 4.7.1.2 Multi-level wildcard ----

/// 4.7.1.2 (non-normative): "sport/tennis/player1/#" receives messages published to
/// "sport/tennis/player1", "sport/tennis/player1/ranking" and
/// "sport/tennis/player1/score/wimbledon".
#[test]
fn multi_level_wildcard_spec_example() {
    for n in [
        "sport/tennis/player1",
        "sport/tennis/player1/ranking",
        "sport/tennis/player1/score/wimbledon",
    ] {
        assert_matches("sport/tennis/player1/#", n);
    }
    assert_no_match("sport/tennis/player1/#", "sport/tennis/player2");
    assert_no_match("sport/tennis/player1/#", "sport/tennis");
}

/// 4.7.1.2 (non-normative): "sport/#" also matches the singular "sport", since # includes the
/// parent level.
#[test]
fn multi_level_wildcard_includes_the_parent_level() {
    assert_matches("sport/#", "sport");
    assert_matches("sport/#", "sport/");
    assert_matches("a/#", "a");
    assert_no_match("a/#", "ab");
    assert_no_match("a/b/#", "a");
}

/// 4.7.1.2 (non-normative): "#" is valid and will receive every Application Message.
#[test]
fn lone_multi_level_wildcard_matches_everything() {
    for n in ["a", "/", "//", "a/b/c", "/finance", "sport/", " ", "é/😀"] {
        assert_matches("#", n);
    }
}

/// [MQTT-4.7.1-2] The multi-level wildcard character MUST be specified either on its own or
/// following a topic level separator. In either case it MUST be the last character specified
/// in the Topic Filter. (Non-normative: "sport/tennis/#" is valid, "sport/tennis#" and
/// "sport/tennis/#/ranking" are not.)
#[test]
fn mqtt_4_7_1_2_multi_level_wildcard_position() {
    for ok in ["#", "sport/tennis/#", "/#", "+/#", "//#"] {
        assert!(TopicFilter::new(ok).is_ok(), "{ok}");
    }
    for (bad, offset) in [
        ("sport/tennis#", 12),
        ("sport/tennis/#/ranking", 13),
        ("##", 0),
        ("#/", 0),
        ("a/#b", 2),
    ] {
        assert_eq!(
            TopicFilter::new(bad),
            Err(TopicError::MisplacedMultiLevelWildcard { offset }),
            "{bad}"
        );
    }
}

/// `home/log/#` is about the level `log`, not about the prefix `log` of a longer level.
#[test]
fn multi_level_wildcard_is_level_aligned() {
    assert_no_match("home/log/#", "home/login");
    assert_no_match("home/log/#", "home/logs/x");
    assert_matches("home/log/#", "home/log/x");
}

// ---- 4.7.1.3 Single level wildcard ----

/// 4.7.1.3 (non-normative): "sport/tennis/+" matches "sport/tennis/player1" and
/// "sport/tennis/player2", but not "sport/tennis/player1/ranking".
#[test]
fn single_level_wildcard_spec_example() {
    assert_matches("sport/tennis/+", "sport/tennis/player1");
    assert_matches("sport/tennis/+", "sport/tennis/player2");
    assert_no_match("sport/tennis/+", "sport/tennis/player1/ranking");
}

/// 4.7.1.3 (non-normative): "sport/+" does not match "sport" but it does match "sport/".
#[test]
fn single_level_wildcard_matches_one_possibly_empty_level() {
    assert_no_match("sport/+", "sport");
    assert_matches("sport/+", "sport/");
    assert_matches("+", "a");
    assert_matches("+/+", "/");
    assert_matches("a/+/b", "a//b");
}

/// 4.7.1.3 (non-normative): "/finance" matches "+/+" and "/+", but not "+".
#[test]
fn leading_separator_spec_example() {
    assert_matches("+/+", "/finance");
    assert_matches("/+", "/finance");
    assert_no_match("+", "/finance");
}

/// [MQTT-4.7.1-3] The single-level wildcard can be used at any level in the Topic Filter,
/// including first and last levels. Where it is used it MUST occupy an entire level of the
/// filter. (Non-normative: "+", "+/tennis/#" and "sport/+/player1" are valid, "sport+" is not.)
#[test]
fn mqtt_4_7_1_3_single_level_wildcard_position() {
    for ok in [
        "+",
        "+/tennis/#",
        "sport/+/player1",
        "+/+",
        "/+",
        "+/",
        "a/+/+/b",
    ] {
        assert!(TopicFilter::new(ok).is_ok(), "{ok}");
    }
    for (bad, offset) in [("sport+", 5), ("+sport", 0), ("a/b+/c", 3), ("++", 0)] {
        assert_eq!(
            TopicFilter::new(bad),
            Err(TopicError::MisplacedSingleLevelWildcard { offset }),
            "{bad}"
        );
    }
}

/// `+` takes exactly one level and `#` the rest, none included: "foo/+/#" needs at least two
/// levels.
#[test]
fn single_then_multi_level_wildcard() {
    assert_matches("foo/+/#", "foo/bar");
    assert_matches("foo/+/#", "foo/bar/baz/qux");
    assert_matches("foo/+/#", "foo/");
    assert_no_match("foo/+/#", "foo");
    assert_no_match("foo/+/#", "fo/bar");
}

/// [MQTT-4.7.1-1] The wildcard characters can be used in Topic Filters, but MUST NOT be used
/// within a Topic Name.
#[test]
fn mqtt_4_7_1_1_no_wildcard_in_topic_names() {
    assert_eq!(
        TopicName::new("sport/+"),
        Err(TopicError::WildcardInName { offset: 6 })
    );
    assert_eq!(
        TopicName::new("#"),
        Err(TopicError::WildcardInName { offset: 0 })
    );
    assert_eq!(
        TopicName::new("a/b#"),
        Err(TopicError::WildcardInName { offset: 3 })
    );
}

// ---- 4.7.2 Topics beginning with $ ----

/// [MQTT-4.7.2-1] The Server MUST NOT match Topic Filters starting with a wildcard character
/// (# or +) with Topic Names beginning with a $ character. (Non-normative: a subscription to
/// "#" will not receive any messages published to a topic beginning with a $.)
#[test]
fn mqtt_4_7_2_1_multi_level_wildcard_skips_dollar_topics() {
    assert_no_match("#", "$SYS");
    assert_no_match("#", "$SYS/broker/uptime");
    assert_no_match("#", "$");
    assert_no_match("#", "$foo/bar");
}

/// [MQTT-4.7.2-1] (non-normative: a subscription to "+/monitor/Clients" will not receive any
/// messages published to "$SYS/monitor/Clients").
#[test]
fn mqtt_4_7_2_1_single_level_wildcard_skips_dollar_topics() {
    assert_no_match("+/monitor/Clients", "$SYS/monitor/Clients");
    assert_matches("+/monitor/Clients", "SYS/monitor/Clients");
    assert_no_match("+", "$SYS");
    assert_no_match("+/#", "$SYS/a");
}

/// [MQTT-4.7.2-1] applies to a filter *starting* with a wildcard: a filter starting with `$`
/// may use wildcards later. (Non-normative: a subscription to "$SYS/#" receives messages
/// published to topics beginning with "$SYS/"; one to "$SYS/monitor/+" receives messages
/// published to "$SYS/monitor/Clients".)
#[test]
fn mqtt_4_7_2_1_dollar_filters_match_dollar_topics() {
    assert_matches("$SYS/#", "$SYS/broker/clients/connected");
    assert_matches("$SYS/#", "$SYS");
    assert_matches("$SYS/monitor/+", "$SYS/monitor/Clients");
    assert_matches("$SYS/monitor/Clients", "$SYS/monitor/Clients");
    assert_no_match("$SYS/#", "SYS/monitor");
}

/// [MQTT-4.7.2-1] concerns the first character of the name only: `$` elsewhere is ordinary.
#[test]
fn mqtt_4_7_2_1_dollar_later_in_the_name_is_ordinary() {
    assert_matches("#", "a/$SYS");
    assert_matches("a/+", "a/$SYS");
    assert_matches("+/+", "a/$");
    // A name starting with an empty level is not a `$` topic.
    assert_matches("+/$SYS", "/$SYS");
}

/// 4.7.2 (non-normative): for a client to receive messages from topics that begin with $SYS/
/// and from topics that don't begin with a $, it has to subscribe to both "#" and "$SYS/#".
#[test]
fn mqtt_4_7_2_both_subscriptions_cover_everything() {
    let mut tree = SubscriptionTree::new();
    tree.insert(&filter("#"), "all");
    tree.insert(&filter("$SYS/#"), "sys");
    let receivers = |n: &str| tree.matches(&name(n)).copied().collect::<Vec<_>>();
    assert_eq!(receivers("$SYS/broker/load"), ["sys"]);
    assert_eq!(receivers("sport/tennis"), ["all"]);
}

// ---- 4.7.3 Topic semantic and usage ----

/// [MQTT-4.7.3-1] All Topic Names and Topic Filters MUST be at least one character long.
#[test]
fn mqtt_4_7_3_1_not_empty() {
    assert_eq!(TopicName::new(""), Err(TopicError::Empty));
    assert_eq!(TopicFilter::new(""), Err(TopicError::Empty));
}

/// 4.7.3: "A Topic Name or Topic Filter consisting only of the '/' character is valid", and
/// "A leading or trailing '/' creates a distinct Topic Name or Topic Filter".
#[test]
fn leading_and_trailing_separators_are_distinct() {
    assert_matches("/", "/");
    assert_no_match("/", "//");
    assert_matches("/finance", "/finance");
    assert_no_match("/finance", "finance");
    assert_no_match("finance", "/finance");
    assert_no_match("finance/", "finance");
    assert_no_match("finance", "finance/");
    assert_matches("finance/", "finance/");
    assert_matches("finance/+", "finance/");
}

/// 4.7.3: "Topic Names and Topic Filters are case sensitive", "can include the space
/// character".
#[test]
fn case_sensitive_and_spaces() {
    assert_no_match("ACCOUNTS", "Accounts");
    assert_no_match("accounts", "Accounts");
    assert_matches("Accounts payable", "Accounts payable");
    assert_no_match("Accounts payable", "Accounts  payable");
}

/// [MQTT-4.7.3-2] Topic Names and Topic Filters MUST NOT include the null character
/// (Unicode U+0000).
#[test]
fn mqtt_4_7_3_2_no_null_character() {
    assert_eq!(
        TopicName::new("a/\0"),
        Err(TopicError::NullCharacter { offset: 2 })
    );
    assert_eq!(
        TopicFilter::new("\0/#"),
        Err(TopicError::NullCharacter { offset: 0 })
    );
}

/// [MQTT-4.7.3-3] Topic Names and Topic Filters are UTF-8 encoded strings, they MUST NOT
/// encode to more than 65535 bytes. The limit counts bytes, not characters: `é` is 2 bytes.
#[test]
fn mqtt_4_7_3_3_at_most_65535_bytes() {
    let longest = format!("{}a", "é".repeat(32_767));
    assert_eq!(longest.len(), 65_535);
    assert_eq!(longest.chars().count(), 32_768);
    assert!(TopicName::new(&longest).is_ok());
    assert!(TopicFilter::new(&longest).is_ok());
    let too_long = format!("{longest}b");
    assert_eq!(
        TopicName::new(&too_long),
        Err(TopicError::TooLong { len: 65_536 })
    );
    assert_eq!(
        TopicFilter::new(&too_long),
        Err(TopicError::TooLong { len: 65_536 })
    );

    // The longest filter with a wildcard, and a name of the same length it matches.
    let filter_text = format!("{}/#", "é".repeat(32_766));
    assert_eq!(filter_text.len(), 65_534);
    let name_text = format!("{}/ab", "é".repeat(32_766));
    assert_eq!(name_text.len(), 65_535);
    assert_matches(&filter_text, &name_text);
    assert!(TopicFilter::new(&format!("{}/#", "é".repeat(32_767))).is_err());
}

/// [MQTT-4.7.3-4] When it performs subscription matching the Server MUST NOT perform any
/// normalization of Topic Names or Topic Filters, or any modification or substitution of
/// unrecognized characters. Each non-wildcarded level has to match character for character.
#[test]
fn mqtt_4_7_3_4_no_normalization() {
    // Precomposed U+00E9 versus `e` + U+0301 COMBINING ACUTE ACCENT.
    assert_no_match("caf\u{e9}", "cafe\u{301}");
    assert_no_match("cafe\u{301}", "caf\u{e9}");
    assert_matches("cafe\u{301}/+", "cafe\u{301}/x");
    // U+FF04 FULLWIDTH DOLLAR SIGN is not `$`: [MQTT-4.7.2-1] does not apply.
    assert_matches("#", "\u{ff04}SYS/x");
    assert_matches("+/x", "\u{ff04}SYS/x");
}

/// Multi-byte characters, first ones included: matching works on bytes without splitting a
/// character, and a `+` level may hold any number of them.
#[test]
fn multi_byte_characters() {
    assert_matches("é/+", "é/ü");
    assert_matches("+/€", "😀/€");
    assert_matches("😀/#", "😀");
    assert_matches("#", "é");
    assert_matches("+", "日本語");
    assert_no_match("é", "e");
    // Same first byte (0xC3), different characters.
    assert_no_match("é/x", "è/x");
    assert_no_match("+/é", "a/è");
    // A level holding a character whose bytes contain no `/` byte.
    assert_matches("a/+/c", "a/\u{2f2f}/c");
    assert_no_match("a/+", "a/\u{2f2f}/c");
}

// ---- is_subset_of ----

#[track_caller]
fn assert_subset(a: &str, b: &str, expected: bool) {
    assert_eq!(filter(a).is_subset_of(&filter(b)), expected, "{a} ⊆ {b}");
}

#[test]
fn subset_relations() {
    for (a, b) in [
        ("a/#", "#"),
        ("a/+", "a/#"),
        ("a", "a/#"),
        ("+/x", "#"),
        ("#", "#"),
        ("#", "+/#"),
        ("+/#", "#"),
        ("+", "#"),
        ("a/b", "+/+"),
        ("a/b", "a/b"),
        ("/", "+/+"),
        ("$SYS/x", "$SYS/#"),
        ("$SYS/x", "$SYS/+"),
    ] {
        assert_subset(a, b, true);
    }
    for (a, b) in [
        // `#` does not match `$SYS/x` [MQTT-4.7.2-1].
        ("$SYS/x", "#"),
        ("$SYS/x", "+/x"),
        ("$SYS/#", "+/#"),
        ("a/#", "a/+"),
        ("a/#", "a/+/#"), // `a/#` matches `a`, `a/+/#` does not
        ("#", "+"),
        ("#", "+/+/#"),
        ("a/+", "a/b"),
        ("a", "a/+"),
        ("a/b", "a"),
        ("/finance", "finance"),
        ("+", "/+"),
    ] {
        assert_subset(a, b, false);
    }
}
