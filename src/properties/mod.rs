//! MQTT 5.0 properties (section 2.2.2): the identifiers and the sets that may carry each
//! ([`PropertyId`], [`PropertySet`]), a property with its typed value ([`Property`]), and a
//! packet's block of them, owned ([`Properties`]) or borrowed ([`PropertiesRef`]).
//!
//! A decoded packet keeps its properties as the bytes they were on the wire, checked once
//! when it was decoded (allowed in that packet, not repeated, of their type and in range);
//! the accessors read those bytes again, without allocating.

mod block;
mod id;
mod outgoing;
mod plain_text;
mod value;

#[cfg(feature = "alloc")]
pub use block::Properties;
pub(crate) use block::{properties, properties_present};
pub use block::{
    AsProperties, PropertiesRef, PropertyIter, SubscriptionIdentifiers, UserProperties,
};
pub use id::{PropertyId, PropertySet, ValueType};
pub(crate) use outgoing::Outgoing;
pub(crate) use value::vbi_len;
pub use value::{PayloadFormat, Property, MAX_SUBSCRIPTION_IDENTIFIER};
