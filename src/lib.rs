//! # mqttwire
//!
//! The MQTT wire format, versions 3.1.1 and 5.0: bytes in, typed packets out, and back. No
//! I/O, no connection state, no runtime, so that a broker on tokio, a blocking client and a
//! microcontroller's firmware can share the same code.
//!
//! - **Strict.** Every rule of the [OASIS standard] a decoder can check is checked, and each
//!   rejection is a [`DecodeError`] variant naming the rule (`[MQTT-3.1.2-3]`). See the
//!   [`conformance`] table (and [`conformance_v5`] for MQTT 5.0).
//! - **Never panics, never over-allocates**, whatever the input: limits are checked from the
//!   fixed header, before a packet's body is buffered; the decoder reserves at most the packet
//!   it waits for, on a new or a reused buffer; a decoded packet holds at most about the size
//!   of its frame (the lists of SUBSCRIBE and UNSUBSCRIBE stay as they are on the wire).
//! - **Zero-copy, owned packets.** A decoded [`Packet`] shares the memory of the buffer it came
//!   from ([`bytes::Bytes`]) and has no lifetime, so it can be stored or sent anywhere. Or
//!   **borrowed** ones: a [`PacketRef`] points into a `&[u8]`, allocation-free, for firmware.
//! - **Invalid packets are unbuildable**: packet identifiers are non-zero, a QoS 1 or 2 PUBLISH
//!   always has one, topic names and filters are validated types, a SUBSCRIBE or UNSUBSCRIBE
//!   has at least one filter.
//!
//! ## Decoding a stream
//!
//! Append what the network gives you to a [`BytesMut`](bytes::BytesMut) and call
//! [`Decoder::decode`] until it answers `Ok(None)` ("need more bytes"):
//!
//! ```
//! use mqttwire::bytes::BytesMut;
//! use mqttwire::{Decoder, Packet};
//!
//! let decoder = Decoder::new(); // strict, 1 MiB packet limit
//! let mut buf = BytesMut::new();
//!
//! // A PUBLISH to "a/b" with payload "hi", then a PINGREQ, arriving in two reads.
//! let reads: [&[u8]; 2] = [b"\x30\x07\x00\x03a/", b"bhi\xc0\x00"];
//! let mut packets = Vec::new();
//! for read in reads {
//!     buf.extend_from_slice(read);
//!     while let Some(packet) = decoder.decode(&mut buf)? {
//!         packets.push(packet);
//!     }
//! }
//! assert!(matches!(&packets[0], Packet::Publish(p) if p.topic() == "a/b"));
//! assert_eq!(packets[1], Packet::PingReq);
//! # Ok::<(), mqttwire::DecodeError>(())
//! ```
//!
//! An `Err` means the peer sent a malformed packet; close the connection [MQTT-4.8.0-1].
//!
//! Without a heap, or to handle each packet before reading on, [`Decoder::decode_ref`] decodes
//! from a plain `&[u8]` into a [`PacketRef`] that borrows it: the same checks, no allocation,
//! no reference counting.
//!
//! ## Encoding
//!
//! Every packet implements [`Encode`]: [`Encode::encoded_len`] is exact, and
//! [`Encode::encode`] writes into any [`BufMut`](bytes::BufMut) (a `Vec<u8>`, a `BytesMut`, a
//! fixed `&mut [u8]` on a microcontroller).
//!
//! ```
//! use mqttwire::{Encode, PacketId, Publish, QosPid, TopicName};
//!
//! let publish = Publish::new(
//!     TopicName::new("sensors/kitchen/temperature")?,
//!     QosPid::AtLeastOnce(PacketId::try_from(1)?),
//!     b"21.5",
//! )
//! .with_retain(true);
//! let mut buf = Vec::with_capacity(publish.encoded_len());
//! publish.encode(&mut buf)?;
//! assert_eq!(buf.len(), publish.encoded_len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Packets are built with their `new` function and, for the optional parts, `with_` methods
//! that return the changed packet (or struct literals: the fields of the simple packets are
//! public). A CONNECT with keep-alive, a Will and a login:
//!
//! ```
//! use mqttwire::{Connect, Encode, Login, MqttString, QoS, TopicName, Will};
//!
//! let connect = Connect::new(MqttString::new("sensor-17")?)
//!     .with_keep_alive(60)
//!     .with_will(Will::new(TopicName::new("sensors/17/status")?, QoS::AtLeastOnce, "offline"))
//!     .with_login(Login::new(MqttString::new("sensor")?).with_password("secret"));
//! let bytes = connect.to_bytes()?;
//! assert_eq!(bytes.len(), connect.encoded_len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## MQTT 5.0
//!
//! The same packet types serve both versions: what 5.0 adds (properties, reason codes, AUTH)
//! is empty or Success in a 3.1.1 packet. The version belongs to the connection, so it is set
//! on the [`Decoder`] and on the [`Encoder`]. A server reads the first packet, a CONNECT,
//! with any decoder (a CONNECT says its own version), then the rest of the connection in
//! that version:
//!
//! ```
//! use mqttwire::{bytes::BytesMut, Decoder, Packet, Protocol};
//!
//! // CONNECT "MQTT" level 5, keep alive 60 s, Session Expiry Interval 3600 s, client "s1".
//! let mut rx = BytesMut::from(
//!     &b"\x10\x14\x00\x04MQTT\x05\x02\x00\x3c\x05\x11\x00\x00\x0e\x10\x00\x02s1"[..],
//! );
//! let Some(Packet::Connect(connect)) = Decoder::new().decode(&mut rx)? else { panic!() };
//! assert_eq!(connect.protocol, Protocol::V5);
//! assert_eq!(connect.properties.session_expiry_interval(), Some(3600));
//! let decoder = Decoder::new().protocol(connect.protocol); // for the rest of the connection
//! # let _ = decoder;
//! # Ok::<(), mqttwire::DecodeError>(())
//! ```
//!
//! Properties are read through typed accessors, without allocating, and built with
//! [`Properties::new`]. Forwarding a message received from a 5.0 publisher to a 5.0 and a
//! 3.1.1 subscriber is one encode each: the properties 3.1.1 cannot carry are left out, and
//! what it cannot express at all (AUTH, a failure reason code in an acknowledgement) is an
//! [`EncodeError`].
//!
//! ```
//! use mqttwire::{Encode, Encoder, Properties, Property, Publish, QosPid, TopicName};
//!
//! let reading = Publish::new(TopicName::new("sensors/1/temperature")?, QosPid::AtMostOnce, "21.5")
//!     .with_properties(Properties::new([
//!         Property::MessageExpiryInterval(300),
//!         Property::UserProperty("unit", "°C"),
//!     ])?)?;
//! assert_eq!(reading.properties().user_properties().next(), Some(("unit", "°C")));
//!
//! let to_v5_subscriber = Encoder::V5.to_bytes(&reading)?; // with its properties
//! let to_v311_subscriber = Encoder::V311.to_bytes(&reading)?; // without: same as `to_bytes`
//! assert_eq!(to_v311_subscriber, reading.to_bytes()?);
//! assert!(to_v5_subscriber.len() > to_v311_subscriber.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A peer that announced a Maximum Packet Size gets packets that fit it:
//! [`Encoder::max_packet_size`] leaves out the Reason String and User Properties where the
//! standard allows it, and refuses what still does not fit. Every [`DecodeError`] knows the
//! Reason Code a 5.0 peer sends for it ([`DecodeError::reason_code`]).
//!
//! ## Borrowed decoding, without allocation
//!
//! Firmware and hot paths can decode a plain `&[u8]` with [`Decoder::decode_ref`] into
//! [`PacketRef`]s that borrow it: same rules and errors, no allocation, no reference counting.
//! [`PacketRef::to_owned`] makes a [`Packet`] of one when it must outlive the buffer.
//!
//! ## Topics
//!
//! [`TopicName`] and [`TopicFilter`] are validated when made (section 4.7).
//! [`TopicFilter::matches`] checks one name against one filter without allocating
//! (`filter.matches(&name)`, or [`name.is_matched_by(&filter)`](TopicName::is_matched_by)),
//! and a [`SubscriptionTree`] routes a message to every matching subscription, however many
//! there are:
//!
//! ```
//! use mqttwire::{SubscriptionTree, TopicFilter, TopicName};
//!
//! let mut subscribers = SubscriptionTree::new();
//! subscribers.insert(&TopicFilter::new("sensors/+/temperature")?, "thermostat");
//! subscribers.insert(&TopicFilter::new("sensors/#")?, "logger");
//! subscribers.insert(&TopicFilter::new("sensors/+/humidity")?, "dehumidifier");
//!
//! let topic = TopicName::new("sensors/kitchen/temperature")?;
//! let mut receivers: Vec<_> = subscribers.matches(&topic).copied().collect();
//! receivers.sort();
//! assert_eq!(receivers, ["logger", "thermostat"]);
//!
//! assert!(TopicFilter::new("sensors/#")?.matches(&topic));
//! assert!(TopicName::new("sensors/+").is_err()); // no wildcard in a topic name
//! # Ok::<(), mqttwire::TopicError>(())
//! ```
//!
//! ## The `bytes` crate
//!
//! Buffers and shared byte strings are those of the [`bytes`] crate (version 1): decoding reads
//! a [`BytesMut`](bytes::BytesMut), packets hold [`Bytes`](bytes::Bytes), encoding writes into
//! any [`BufMut`](bytes::BufMut). mqttwire re-exports the crate as `mqttwire::bytes`, so
//! `use mqttwire::bytes::BytesMut;` works without a dependency of your own (and can never name
//! another version of the types than mqttwire's). Depending on `bytes = "1"` directly gives the
//! same types. Constructors that take bytes accept anything that is `AsRef<[u8]>` (`b"..."`,
//! `"..."`, `Vec<u8>`, `Bytes`), so building packets needs no `bytes` import at all.
//!
//! ## Features
//!
//! - `std` (default): implements `std::error::Error` for the error types, and enables `alloc`.
//! - `alloc` (in `std`): the owned packets ([`Packet`] and its types), [`Decoder::decode`],
//!   encoding into a [`BufMut`](bytes::BufMut), the owned topic and string types and
//!   [`SubscriptionTree`]. Without it the crate is `#![no_std]` and needs no allocator:
//!   [`Decoder::decode_ref`], [`Encode::encode_to_slice`], [`ConnectParts`],
//!   [`SubscribeParts`] and the topic functions on `&str` ([`topic_matches`]) remain.
//! - `fast-header` (default): the decoder's first-byte tables, 3 KiB per protocol version,
//!   that speed up every fixed header. Without them the general parser reads it, with the
//!   same checks: firmware short of flash leaves them out.
//! - `tokio-codec`: `MqttCodec`, a `tokio_util::codec` decoder and encoder
//!   built on [`Decoder`] and [`Encode`]. Never on by default; the core stays I/O-free.
//!
//! [OASIS standard]: https://docs.oasis-open.org/mqtt/mqtt/v3.1.1/mqtt-v3.1.1.html

#![no_std]
#![deny(unsafe_code)]
#![deny(missing_docs)]
// Without `alloc`, the documentation's links to the owned packets and the `BufMut` path have no
// target and show as plain text; the documentation is built, and its links checked, with all
// features.
#![cfg_attr(not(feature = "alloc"), allow(rustdoc::broken_intra_doc_links))]
#![warn(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::arithmetic_side_effects
)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod codec;
mod encode;
mod error;
mod header;
mod packet;
mod prefetch;
pub mod properties;
mod reason;
mod string;
#[cfg(test)]
mod test_rng;
#[cfg(feature = "tokio-codec")]
mod tokio_codec;
pub mod topic;
mod topic_text;
mod types;
mod wire;
mod write;

#[doc = include_str!("conformance.md")]
pub mod conformance {}

// The table's links are resolved from the crate root, where every item they name is in scope.
#[doc = include_str!("conformance_v5.md")]
pub mod conformance_v5 {}

// The README's examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The [`bytes`](https://docs.rs/bytes/1) crate, whose `Bytes`, `BytesMut` and `BufMut` are
/// part of mqttwire's API: re-exported so that users need not depend on it themselves.
#[cfg(feature = "alloc")]
pub use bytes;

#[cfg(feature = "alloc")]
pub use codec::{decode, decode_frame};
pub use codec::{decode_ref, Decoder};
pub use encode::{Encode, Encoder};
pub use error::{DecodeError, EncodeError};
pub use header::{FixedHeader, PacketType, MAX_FIXED_HEADER_LEN, MAX_REMAINING_LENGTH};
pub use packet::{
    Auth, ConnAck, ConnectParts, ConnectRef, Disconnect, LoginRef, PacketRef, PubAck, PubComp,
    PubRec, PubRel, PublishRef, RetainHandling, SubAckIter, SubAckRef, SubscribeIter,
    SubscribeOptionsIter, SubscribeParts, SubscribeRef, SubscriptionOptions, UnsubAckIter,
    UnsubAckRef, UnsubscribeIter, UnsubscribeRef, WillRef,
};
#[cfg(feature = "alloc")]
pub use packet::{
    Connect, Login, Packet, Publish, SubAck, Subscribe, Subscription, SubscriptionIter,
    TopicFilterIter, UnsubAck, Unsubscribe, Will,
};
#[cfg(feature = "alloc")]
pub use properties::Properties;
pub use properties::{PayloadFormat, PropertiesRef, Property, PropertyId, PropertySet, ValueType};
pub use reason::{
    AuthReasonCode, ConnectReasonCode, DisconnectReasonCode, InvalidReasonCode, PubAckReasonCode,
    PubCompReasonCode, PubRecReasonCode, PubRelReasonCode, ReasonCode, SubAckReasonCode,
    UnsubAckReasonCode,
};
#[cfg(feature = "alloc")]
pub use string::MqttString;
pub use string::{StringError, MAX_STRING_LEN};
#[cfg(feature = "tokio-codec")]
pub use tokio_codec::{MqttCodec, MqttCodecError};
#[cfg(feature = "alloc")]
pub use topic::{
    Deliveries, Delivery, HashPublisher, Random, RetainedIndex, RoundRobin, ShareChoice,
    ShareGroup, SharedFilter, Subscribed, SubscriptionIndex, SubscriptionTree, TopicFilter,
    TopicName,
};
pub use topic::{ShareError, TopicError};
pub use topic_text::{check_topic_filter, check_topic_name, topic_filter_is_subset, topic_matches};
pub use types::{
    ConnectReturnCode, PacketId, Protocol, QoS, QosPid, Role, SubscribeReturnCode, ZeroPacketId,
};
