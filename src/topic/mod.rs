//! Topic names, topic filters and wildcard matching (section 4.7).
//!
//! A [`TopicName`] is where a message is published (`home/kitchen/temperature`); it never holds
//! a wildcard. A [`TopicFilter`] is what a client subscribes to (`home/+/temperature`,
//! `home/#`). Both are checked when made, so a value of either type is always valid.

mod error;
mod filter;
mod matching;
mod name;
mod shared;
mod tree;

pub use error::TopicError;
pub(crate) use filter::check_filter;
pub use filter::TopicFilter;
pub(crate) use name::check_name;
pub use name::TopicName;
pub(crate) use shared::is_shared;
pub use shared::{ShareError, SharedFilter};
pub use tree::{Iter, Matches, SubscriptionTree};

// The routing indexes and the parts they share with `SubscriptionTree`, which need `alloc`.
mod children;
mod index;
mod retained;
mod share_choice;
mod stack;
mod table;
mod values;
pub use index::{Deliveries, Delivery, SubscriptionIndex};
pub use retained::{RetainedIndex, RetainedIter};
pub use share_choice::{HashPublisher, Random, RoundRobin, ShareChoice, ShareGroup};

/// The topic level separator (section 4.7.1.1).
pub(crate) const LEVEL_SEPARATOR: u8 = b'/';
/// The multi-level wildcard (section 4.7.1.2).
pub(crate) const MULTI_LEVEL_WILDCARD: u8 = b'#';
/// The single-level wildcard (section 4.7.1.3).
pub(crate) const SINGLE_LEVEL_WILDCARD: u8 = b'+';
