//! `TopicName`: where a message is published.

#[cfg(all(doc, feature = "alloc"))]
use super::TopicFilter;
use super::{TopicError, MULTI_LEVEL_WILDCARD, SINGLE_LEVEL_WILDCARD};
use crate::string::check_str;
#[cfg(feature = "alloc")]
use crate::string::checked_str_type;
#[cfg(feature = "alloc")]
use bytes::Bytes;

/// A topic name (section 4.7): the topic a PUBLISH or a Will message is sent to.
///
/// Always valid: 1 to 65,535 bytes of well-formed UTF-8, no U+0000, no wildcard character
/// [MQTT-4.7.1-1], [MQTT-4.7.3-1..3]. Backed by [`Bytes`], so a decoded name shares the packet's
/// buffer.
///
/// **Matching against a filter**: [`filter.matches(&name)`](TopicFilter::matches), or from the
/// name's side [`name.is_matched_by(&filter)`](TopicName::is_matched_by) (the same function).
/// The text is [`as_str`](TopicName::as_str) (also `AsRef<str>`, `Display` and `== "..."`);
/// a `TopicName` does not deref to `str`, whose methods, such as
/// [`str::matches`], would be called in place of the topic's.
///
/// ```
/// use mqttwire::{TopicFilter, TopicName};
///
/// let name = TopicName::new("home/kitchen/temperature")?;
/// assert_eq!(name.levels().collect::<Vec<_>>(), ["home", "kitchen", "temperature"]);
/// assert!(TopicFilter::new("home/+/temperature")?.matches(&name));
/// assert!(name.is_matched_by(&TopicFilter::new("home/#")?));
/// assert!(name.as_str().starts_with("home/"));
/// assert!(TopicName::new("home/+/temperature").is_err());
/// # Ok::<(), mqttwire::TopicError>(())
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicName(Bytes);

#[cfg(feature = "alloc")]
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

#[cfg(feature = "alloc")]
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
