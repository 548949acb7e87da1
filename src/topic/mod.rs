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

pub use error::TopicError;
pub(crate) use filter::check_filter;
#[cfg(feature = "alloc")]
pub use filter::TopicFilter;
pub(crate) use matching::{filter_is_subset, filter_matches};
pub(crate) use name::check_name;
#[cfg(feature = "alloc")]
pub use name::TopicName;
pub(crate) use shared::is_shared;
pub use shared::ShareError;
#[cfg(feature = "alloc")]
pub use shared::SharedFilter;

// The routing indexes, `SubscriptionTree` and the parts they share, which need `alloc`.
#[cfg(feature = "alloc")]
mod children;
#[cfg(feature = "alloc")]
mod index;
#[cfg(feature = "alloc")]
mod retained;
#[cfg(feature = "alloc")]
mod share_choice;
#[cfg(feature = "alloc")]
mod stack;
#[cfg(feature = "alloc")]
mod table;
#[cfg(feature = "alloc")]
mod tree;
#[cfg(feature = "alloc")]
mod values;
#[cfg(feature = "alloc")]
pub use index::{Deliveries, Delivery, Subscribed, SubscriptionIndex};
#[cfg(feature = "alloc")]
pub use retained::{RetainedIndex, RetainedIter};
#[cfg(feature = "alloc")]
pub use share_choice::{HashPublisher, Random, RoundRobin, ShareChoice, ShareGroup};
#[cfg(feature = "alloc")]
pub use tree::{Iter, Matches, SubscriptionTree};

/// The topic level separator (section 4.7.1.1).
pub(crate) const LEVEL_SEPARATOR: u8 = b'/';
/// The multi-level wildcard (section 4.7.1.2).
pub(crate) const MULTI_LEVEL_WILDCARD: u8 = b'#';
/// The single-level wildcard (section 4.7.1.3).
pub(crate) const SINGLE_LEVEL_WILDCARD: u8 = b'+';
