//! Shared Subscriptions (MQTT 5.0, section 4.8.2): a topic filter of the form
//! `$share/{ShareName}/{filter}`, and [`SharedFilter`], its two parts.
//!
//! MQTT 3.1.1 has no shared subscriptions: there `$share/...` is an ordinary topic filter
//! (one that matches topics beginning with `$share`, which a client cannot publish to), so
//! the decoder checks these rules only for MQTT 5.0 packets. Brokers that offer shared
//! subscriptions to 3.1.1 clients too, as mosquitto and EMQX do, read the prefix with
//! [`SharedFilter::parse`].

#[cfg(feature = "alloc")]
use super::TopicFilter;

/// The prefix that marks a Shared Subscription's topic filter [MQTT-4.8.2-1].
const PREFIX: &[u8] = b"$share/";

/// How a topic filter that starts with `$share/` breaks the form of section 4.8.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShareError {
    /// No ShareName: `$share//...` or `$share/` [MQTT-4.8.2-1].
    #[error("shared subscription without a ShareName [MQTT-4.8.2-1]")]
    EmptyShareName,
    /// A ShareName with `+` or `#`, or without a `/` and a topic filter after it
    /// [MQTT-4.8.2-2].
    #[error("shared subscription not of the form $share/{{ShareName}}/{{filter}} [MQTT-4.8.2-2]")]
    Malformed,
}

/// A Shared Subscription's topic filter, `$share/{ShareName}/{filter}` (section 4.8.2), in its
/// two parts: the ShareName that names the group of subscribers that share the messages, and
/// the topic filter that selects them.
///
/// The parts share the bytes of the filter they were parsed from.
///
/// ```
/// use mqttwire::{SharedFilter, ShareError, TopicFilter};
///
/// let shared = SharedFilter::parse(&TopicFilter::new("$share/workers/jobs/+")?)?.expect("shared");
/// assert_eq!(shared.share_name(), "workers");
/// assert_eq!(shared.filter(), "jobs/+");
/// assert!(SharedFilter::parse(&TopicFilter::new("jobs/+")?)?.is_none());
/// assert_eq!(
///     SharedFilter::parse(&TopicFilter::new("$share//jobs")?),
///     Err(ShareError::EmptyShareName)
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedFilter {
    share_name: bytes::Bytes,
    filter: TopicFilter,
}

#[cfg(feature = "alloc")]
impl SharedFilter {
    /// The two parts of `filter` if it is a Shared Subscription (it starts with `$share/`),
    /// `None` if it is an ordinary filter.
    ///
    /// # Errors
    ///
    /// [`ShareError::EmptyShareName`] for `$share//...` [MQTT-4.8.2-1],
    /// [`ShareError::Malformed`] for a ShareName with a wildcard or without a topic filter
    /// after it [MQTT-4.8.2-2].
    pub fn parse(filter: &TopicFilter) -> Result<Option<SharedFilter>, ShareError> {
        let bytes = filter.as_bytes();
        if !is_shared(bytes)? {
            return Ok(None);
        }
        let rest = bytes.slice(PREFIX.len()..);
        // `is_shared` found the `/` after the ShareName, followed by at least one byte.
        let Some(at) = rest.iter().position(|&b| b == b'/') else {
            return Err(ShareError::Malformed);
        };
        let share_name = rest.slice(..at);
        // The rest is a whole number of levels of a valid filter, none of them empty text:
        // a valid filter itself (see `is_shared`).
        let filter = TopicFilter::from_checked(rest.slice(at.saturating_add(1)..));
        Ok(Some(SharedFilter { share_name, filter }))
    }

    /// The ShareName: the group of subscribers that share the messages. Never empty, no `/`,
    /// `+` or `#`.
    pub fn share_name(&self) -> &str {
        // Taken from a valid filter at `/` boundaries, so well-formed UTF-8.
        core::str::from_utf8(&self.share_name).unwrap_or_default()
    }

    /// The topic filter that selects the messages.
    pub fn filter(&self) -> &TopicFilter {
        &self.filter
    }
}

/// Whether `filter`, a valid topic filter (section 4.7), is a Shared Subscription: `false`
/// when it does not start with `$share/`.
///
/// # Errors
///
/// The [`ShareError`] of a filter that starts with `$share/` but is not of the form
/// `$share/{ShareName}/{filter}`. (The `{filter}` part follows the rules of section 4.7 as soon
/// as the whole does and the ShareName holds no wildcard: its levels are levels of the whole.)
#[inline]
pub(crate) fn is_shared(filter: &[u8]) -> Result<bool, ShareError> {
    let Some(rest) = filter.strip_prefix(PREFIX) else {
        return Ok(false);
    };
    let (share_name, after) = match rest.iter().position(|&b| b == b'/') {
        Some(at) => rest.split_at(at),
        None => (rest, &[][..]),
    };
    if share_name.is_empty() {
        return Err(ShareError::EmptyShareName);
    }
    if share_name.iter().any(|&b| b == b'+' || b == b'#') {
        return Err(ShareError::Malformed);
    }
    // `after` is the "/" that must follow the ShareName, then the topic filter, which is at
    // least one character [MQTT-4.7.3-1].
    if after.len() < 2 {
        return Err(ShareError::Malformed);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::{is_shared, ShareError, SharedFilter, TopicFilter};

    #[test]
    fn parts() {
        for (text, share_name, filter) in [
            (
                "$share/consumer1/sport/tennis/+",
                "consumer1",
                "sport/tennis/+",
            ),
            ("$share/consumer1//finance", "consumer1", "/finance"),
            ("$share/g/#", "g", "#"),
            ("$share/g//", "g", "/"),
            ("$share/é/$SYS/#", "é", "$SYS/#"),
        ] {
            let parsed = TopicFilter::new(text).ok().map(|f| SharedFilter::parse(&f));
            let Some(Ok(Some(shared))) = parsed else {
                panic!("{text}: {parsed:?}");
            };
            assert_eq!(shared.share_name(), share_name);
            assert_eq!(shared.filter(), filter);
        }
    }

    #[test]
    fn the_form_of_section_4_8_2() {
        for shared in [
            "$share/consumer1/sport/tennis/+",
            "$share/consumer1//finance",
            "$share/g/#",
            "$share/g/+",
            "$share/g//",
        ] {
            assert_eq!(is_shared(shared.as_bytes()), Ok(true), "{shared}");
        }
        for plain in [
            "sport/tennis",
            "$SYS/#",
            "$share",
            "$sharex/a/b",
            "a/$share/g/b",
        ] {
            assert_eq!(is_shared(plain.as_bytes()), Ok(false), "{plain}");
        }
        for empty in ["$share/", "$share//a", "$share//"] {
            assert_eq!(
                is_shared(empty.as_bytes()),
                Err(ShareError::EmptyShareName),
                "{empty}"
            );
        }
        for malformed in [
            "$share/g",
            "$share/g/",
            "$share/+/a",
            "$share/#",
            "$share/g+/a",
        ] {
            assert_eq!(
                is_shared(malformed.as_bytes()),
                Err(ShareError::Malformed),
                "{malformed}"
            );
        }
    }
}
