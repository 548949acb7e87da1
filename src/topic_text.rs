//! Topic names and filters as borrowed text (section 4.7): the checks and the matching of
//! [`TopicName`](crate::TopicName) and [`TopicFilter`](crate::TopicFilter), on `&str`, without
//! a heap (the owned types need the `alloc` feature).

use crate::topic::{check_filter, check_name, TopicError};
use crate::topic::{filter_is_subset, filter_matches};

/// Checks that `name` is a topic name: 1 to 65,535 bytes, no U+0000, no wildcard
/// [MQTT-4.7.1-1], [MQTT-4.7.3-1..3] (the rules of [`TopicName::new`](crate::TopicName::new)).
///
/// ```
/// use mqttwire::{check_topic_name, TopicError};
///
/// assert_eq!(check_topic_name("sensors/1/temperature"), Ok(()));
/// assert_eq!(check_topic_name("sensors/+"), Err(TopicError::WildcardInName { offset: 8 }));
/// ```
///
/// # Errors
///
/// The [`TopicError`] naming the rule `name` breaks.
pub fn check_topic_name(name: &str) -> Result<(), TopicError> {
    check_name(name)
}

/// Checks that `filter` is a topic filter: 1 to 65,535 bytes, no U+0000, `#` only as the
/// whole last level [MQTT-4.7.1-2], `+` only as a whole level [MQTT-4.7.1-3] (the rules of
/// [`TopicFilter::new`](crate::TopicFilter::new)).
///
/// ```
/// use mqttwire::check_topic_filter;
///
/// assert!(check_topic_filter("sensors/+/temperature").is_ok());
/// assert!(check_topic_filter("sensors/#/x").is_err());
/// ```
///
/// # Errors
///
/// The [`TopicError`] naming the rule `filter` breaks.
pub fn check_topic_filter(filter: &str) -> Result<(), TopicError> {
    check_filter(filter)
}

/// Whether the topic name `name` matches the topic filter `filter`, both checked first: the
/// rules of [`TopicFilter::matches`](crate::TopicFilter::matches), `$` rule included
/// [MQTT-4.7.2-1].
///
/// ```
/// use mqttwire::topic_matches;
///
/// assert_eq!(topic_matches("sensors/+/temperature", "sensors/1/temperature"), Ok(true));
/// assert_eq!(topic_matches("#", "$SYS/uptime"), Ok(false));
/// assert!(topic_matches("sensors/+", "sensors/#").is_err()); // not a topic name
/// ```
///
/// # Errors
///
/// The [`TopicError`] of the filter, then of the name.
pub fn topic_matches(filter: &str, name: &str) -> Result<bool, TopicError> {
    check_filter(filter)?;
    check_name(name)?;
    Ok(filter_matches(filter.as_bytes(), name.as_bytes()))
}

/// Whether every topic name `filter` matches is also matched by `other`, both checked first:
/// the rules of [`TopicFilter::is_subset_of`](crate::TopicFilter::is_subset_of).
///
/// ```
/// use mqttwire::topic_filter_is_subset;
///
/// assert_eq!(topic_filter_is_subset("a/+", "a/#"), Ok(true));
/// assert_eq!(topic_filter_is_subset("$SYS/x", "#"), Ok(false));
/// ```
///
/// # Errors
///
/// The [`TopicError`] of `filter`, then of `other`.
pub fn topic_filter_is_subset(filter: &str, other: &str) -> Result<bool, TopicError> {
    check_filter(filter)?;
    check_filter(other)?;
    Ok(filter_is_subset(filter.as_bytes(), other.as_bytes()))
}
