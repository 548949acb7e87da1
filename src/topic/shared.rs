//! Shared Subscriptions (MQTT 5.0, section 4.8.2): a topic filter of the form
//! `$share/{ShareName}/{filter}`.
//!
//! MQTT 3.1.1 has no shared subscriptions: there `$share/...` is an ordinary topic filter
//! (one that matches topics beginning with `$share`, which a client cannot publish to), so
//! these rules are checked only for MQTT 5.0 packets. Brokers that offer shared subscriptions
//! to 3.1.1 clients too read the prefix themselves.

/// The prefix that marks a Shared Subscription's topic filter [MQTT-4.8.2-1].
const PREFIX: &[u8] = b"$share/";

/// How a topic filter that starts with `$share/` breaks the form of section 4.8.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShareError {
    /// No ShareName: `$share//...` or `$share/` [MQTT-4.8.2-1].
    EmptyShareName,
    /// A ShareName with `+` or `#`, or without a `/` and a topic filter after it
    /// [MQTT-4.8.2-2].
    Malformed,
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
    use super::{is_shared, ShareError};

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
