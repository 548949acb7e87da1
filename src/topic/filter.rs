//! `TopicFilter`: what a client subscribes to.

#[cfg(all(doc, feature = "alloc"))]
use super::TopicName;
use super::{TopicError, LEVEL_SEPARATOR, MULTI_LEVEL_WILDCARD, SINGLE_LEVEL_WILDCARD};
use crate::string::check_str;
#[cfg(feature = "alloc")]
use crate::string::checked_str_type;
#[cfg(feature = "alloc")]
use bytes::Bytes;

/// A topic filter (section 4.7): a pattern of topic names a client subscribes to, where `+`
/// stands for exactly one level and a final `#` for any number of levels, none included.
///
/// Always valid: 1 to 65,535 bytes of well-formed UTF-8, no U+0000 [MQTT-4.7.3-1..3], `#` only
/// as the whole last level [MQTT-4.7.1-2] and `+` only as a whole level [MQTT-4.7.1-3].
/// Backed by [`Bytes`], so a decoded filter shares the packet's buffer.
///
/// [`TopicFilter::matches`] tells whether a [`TopicName`] matches it. The text is
/// [`as_str`](TopicFilter::as_str) (also `AsRef<str>`, `Display` and `== "..."`); a
/// `TopicFilter` does not deref to `str`, whose methods, such as [`str::matches`], would be
/// called in place of the filter's.
///
/// ```
/// use mqttwire::TopicFilter;
///
/// assert!(TopicFilter::new("home/+/temperature").is_ok());
/// assert!(TopicFilter::new("home/#").is_ok());
/// assert!(TopicFilter::new("home/#/x").is_err());
/// assert!(TopicFilter::new("home+").is_err());
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicFilter(Bytes);

#[cfg(feature = "alloc")]
checked_str_type!(TopicFilter, TopicError, check_filter);

/// The rules of a topic filter beyond well-formed UTF-8.
pub(crate) fn check_filter(s: &str) -> Result<(), TopicError> {
    if s.is_empty() {
        return Err(TopicError::Empty);
    }
    check_str(s)?;
    let mut level_start = 0usize;
    let mut levels = s.as_bytes().split(|&b| b == LEVEL_SEPARATOR).peekable();
    while let Some(level) = levels.next() {
        let is_last = levels.peek().is_none();
        if let Some(at) = level.iter().position(|&b| b == MULTI_LEVEL_WILDCARD) {
            if level.len() != 1 || !is_last {
                return Err(TopicError::MisplacedMultiLevelWildcard {
                    offset: level_start.saturating_add(at),
                });
            }
        }
        if let Some(at) = level.iter().position(|&b| b == SINGLE_LEVEL_WILDCARD) {
            if level.len() != 1 {
                return Err(TopicError::MisplacedSingleLevelWildcard {
                    offset: level_start.saturating_add(at),
                });
            }
        }
        // The next level starts after this one and its separator.
        level_start = level_start.saturating_add(level.len()).saturating_add(1);
    }
    Ok(())
}

#[cfg(feature = "alloc")]
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
