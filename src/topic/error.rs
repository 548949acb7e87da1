//! `TopicError`: which rule of section 4.7 a topic name or filter breaks, and where.

use crate::string::StringError;

/// Why a string is not a valid topic name or topic filter (section 4.7).
///
/// Offsets are byte offsets into the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TopicError {
    /// Topic names and filters are at least one character long [MQTT-4.7.3-1].
    #[error("empty topic [MQTT-4.7.3-1]")]
    Empty,
    /// Topic names and filters are at most 65,535 bytes long [MQTT-4.7.3-3].
    #[error("topic of {len} bytes exceeds 65,535 [MQTT-4.7.3-3]")]
    TooLong {
        /// Length in bytes.
        len: usize,
    },
    /// The bytes are not well-formed UTF-8 [MQTT-1.5.3-1].
    #[error("ill-formed UTF-8 at byte {offset} [MQTT-1.5.3-1]")]
    InvalidUtf8 {
        /// Offset of the first ill-formed sequence.
        offset: usize,
    },
    /// Topic names and filters do not contain U+0000 [MQTT-4.7.3-2].
    #[error("U+0000 at byte {offset} [MQTT-4.7.3-2]")]
    NullCharacter {
        /// Offset of the null character.
        offset: usize,
    },
    /// A topic name contains `+` or `#`, which only filters may use [MQTT-4.7.1-1],
    /// [MQTT-3.3.2-2].
    #[error("wildcard in topic name at byte {offset} [MQTT-4.7.1-1]")]
    WildcardInName {
        /// Offset of the wildcard.
        offset: usize,
    },
    /// In a filter, `#` is not alone in the last level [MQTT-4.7.1-2].
    #[error("'#' must be the whole last level, at byte {offset} [MQTT-4.7.1-2]")]
    MisplacedMultiLevelWildcard {
        /// Offset of the `#`.
        offset: usize,
    },
    /// In a filter, `+` does not occupy a whole level [MQTT-4.7.1-3].
    #[error("'+' must be a whole level, at byte {offset} [MQTT-4.7.1-3]")]
    MisplacedSingleLevelWildcard {
        /// Offset of the `+`.
        offset: usize,
    },
    /// Only from the decoder with [`lossy_utf8`](crate::Decoder::lossy_utf8) on: the topic held
    /// ill-formed UTF-8 [MQTT-1.5.3-1], which that option repairs, but the repair would be
    /// longer than 65,535 bytes: each ill-formed sequence becomes U+FFFD, three bytes. The
    /// topic on the wire broke no length rule ([MQTT-4.7.3-3] holds for it); the repaired text
    /// cannot be held (nor forwarded).
    #[error(
        "ill-formed UTF-8 would take {repaired_len} bytes once repaired, more than 65,535 \
         [MQTT-1.5.3-1]"
    )]
    RepairTooLong {
        /// Length once repaired, in bytes.
        repaired_len: usize,
    },
}

impl From<StringError> for TopicError {
    fn from(e: StringError) -> Self {
        match e {
            StringError::InvalidUtf8 { offset } => TopicError::InvalidUtf8 { offset },
            StringError::NullCharacter { offset } => TopicError::NullCharacter { offset },
            StringError::TooLong { len } => TopicError::TooLong { len },
            StringError::RepairTooLong { repaired_len } => {
                TopicError::RepairTooLong { repaired_len }
            }
        }
    }
}
