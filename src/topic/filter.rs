//! `TopicFilter`: what a client subscribes to.

use super::{TopicError, LEVEL_SEPARATOR, MULTI_LEVEL_WILDCARD, SINGLE_LEVEL_WILDCARD};
use crate::string::{check_str, checked_str_type};
use bytes::Bytes;

/// A topic filter (section 4.7): a pattern of topic names a client subscribes to, where `+`
/// stands for exactly one level and a final `#` for any number of levels, none included.
///
/// Always valid: 1 to 65,535 bytes of well-formed UTF-8, no U+0000 [MQTT-4.7.3-1..3], `#` only
/// as the whole last level [MQTT-4.7.1-2] and `+` only as a whole level [MQTT-4.7.1-3].
/// Backed by [`Bytes`], so a decoded filter shares the packet's buffer.
///
/// ```
/// use mqttwire::TopicFilter;
///
/// assert!(TopicFilter::new("home/+/temperature").is_ok());
/// assert!(TopicFilter::new("home/#").is_ok());
/// assert!(TopicFilter::new("home/#/x").is_err());
/// assert!(TopicFilter::new("home+").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicFilter(Bytes);

checked_str_type!(TopicFilter, TopicError, check_filter);

/// The rules of a topic filter beyond well-formed UTF-8.
pub(crate) fn check_filter(s: &str) -> Result<(), TopicError> {
    if s.is_empty() {
        return Err(TopicError::Empty);
    }
    check_str(s)?;
    let bytes = s.as_bytes();
    for (offset, &b) in bytes.iter().enumerate() {
        let whole_level = (offset == 0 || bytes.get(offset - 1) == Some(&LEVEL_SEPARATOR))
            && matches!(bytes.get(offset + 1), None | Some(&LEVEL_SEPARATOR));
        if b == MULTI_LEVEL_WILDCARD && !(whole_level && offset + 1 == bytes.len()) {
            return Err(TopicError::MisplacedMultiLevelWildcard { offset });
        }
        if b == SINGLE_LEVEL_WILDCARD && !whole_level {
            return Err(TopicError::MisplacedSingleLevelWildcard { offset });
        }
    }
    Ok(())
}

impl TopicFilter {
    /// The levels of the filter, split at every `/` (section 4.7.1.1).
    pub fn levels(&self) -> core::str::Split<'_, char> {
        self.as_str().split('/')
    }

    /// Whether the filter contains `+` or `#`.
    pub fn has_wildcards(&self) -> bool {
        self.0
            .iter()
            .any(|&b| b == SINGLE_LEVEL_WILDCARD || b == MULTI_LEVEL_WILDCARD)
    }
}
