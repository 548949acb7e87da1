//! `TopicName`: where a message is published.

use super::{TopicError, MULTI_LEVEL_WILDCARD, SINGLE_LEVEL_WILDCARD};
use crate::string::{check_str, checked_str_type};
use bytes::Bytes;

/// A topic name (section 4.7): the topic a PUBLISH or a Will message is sent to.
///
/// Always valid: 1 to 65,535 bytes of well-formed UTF-8, no U+0000, no wildcard character
/// [MQTT-4.7.1-1], [MQTT-4.7.3-1..3]. Backed by [`Bytes`], so a decoded name shares the packet's
/// buffer.
///
/// ```
/// use mqttwire::TopicName;
///
/// let name = TopicName::new("home/kitchen/temperature").unwrap();
/// assert_eq!(name.levels().collect::<Vec<_>>(), ["home", "kitchen", "temperature"]);
/// assert!(TopicName::new("home/+/temperature").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicName(Bytes);

checked_str_type!(TopicName, TopicError, check_name);

/// The rules of a topic name beyond well-formed UTF-8.
pub(crate) fn check_name(s: &str) -> Result<(), TopicError> {
    if s.is_empty() {
        return Err(TopicError::Empty);
    }
    check_str(s)?;
    match s
        .bytes()
        .position(|b| b == SINGLE_LEVEL_WILDCARD || b == MULTI_LEVEL_WILDCARD)
    {
        Some(offset) => Err(TopicError::WildcardInName { offset }),
        None => Ok(()),
    }
}

impl TopicName {
    /// The levels of the name, split at every `/`. An empty level is an empty string:
    /// `a//b` has three levels and `/a` starts with an empty one (section 4.7.1.1).
    pub fn levels(&self) -> core::str::Split<'_, char> {
        self.as_str().split('/')
    }

    /// Whether the name starts with `$`, like the server-specific `$SYS/...` topics. Filters
    /// starting with a wildcard do not match such names [MQTT-4.7.2-1].
    pub fn is_system(&self) -> bool {
        self.0.first() == Some(&b'$')
    }
}
