//! UNSUBSCRIBE (section 3.10): a client's request to drop subscriptions.

use super::fields::topic_filter;
#[cfg(feature = "alloc")]
use super::fields::{put_repaired_filter, repaired_field_len, share};
use super::list::{self, Entries, Entry, Parts};
#[cfg(feature = "alloc")]
use super::list::{DebugList, OwnedList, Shared};
use super::subscribe::check_shared_encoding;
use crate::codec::{Decoder, Encode};
use crate::encode::Encoder;
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
#[cfg(feature = "alloc")]
use crate::properties::Properties;
use crate::properties::{PropertiesRef, PropertySet};
use crate::string::checked_text;
#[cfg(feature = "alloc")]
use crate::topic::TopicFilter;
use crate::topic::{is_shared, ShareError};
use crate::types::PacketId;
use crate::wire::{prefixed, prefixed_len, Parsed};
use crate::write::{Sink, Target};
#[cfg(feature = "alloc")]
use bytes::{BufMut, Bytes, BytesMut};
use core::fmt;

#[cfg(feature = "alloc")]
/// UNSUBSCRIBE (section 3.10): the topic filters to unsubscribe from.
///
/// The filters are kept as they are on the wire, in one buffer: a decoded UNSUBSCRIBE shares
/// the received frame, and [`Unsubscribe::new`] writes the list once. Read them with
/// [`Unsubscribe::iter`] (borrowed `&str`) or [`Unsubscribe::filters`] (owned
/// [`TopicFilter`]s sharing the buffer).
///
/// An UNSUBSCRIBE holds at least one filter [MQTT-3.10.3-2]: an empty one cannot be built.
/// Its packet identifier is read with [`Unsubscribe::packet_id`]; to send the same filters
/// under another one, build the packet again: `Unsubscribe::new(id, u.filters())`.
///
/// One value serves both versions: encoded for MQTT 5.0, an UNSUBSCRIBE without properties
/// gets a Property Length of 0; for MQTT 3.1.1 its properties (User Properties) are left out.
///
/// ```
/// use mqttwire::{PacketId, TopicFilter, Unsubscribe};
///
/// let unsubscribe = Unsubscribe::new(
///     PacketId::new(2).unwrap(),
///     [TopicFilter::new("home/#")?, TopicFilter::new("office/+/light")?],
/// )?;
/// assert_eq!(unsubscribe.iter().collect::<Vec<_>>(), ["home/#", "office/+/light"]);
/// assert!(Unsubscribe::new(PacketId::new(3).unwrap(), []).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Unsubscribe {
    /// The body as on the wire: the packet identifier, then each filter with its length
    /// prefix.
    body: OwnedList<Filters>,
}

#[cfg(feature = "alloc")]
impl Unsubscribe {
    /// An UNSUBSCRIBE with packet identifier `packet_id` and `filters`, which are compared
    /// character by character with the subscribed ones. The list is written once, as it goes
    /// on the wire, into one buffer (see [`Unsubscribe`]); `filters` is read once, so that
    /// buffer starts with room for as many filters as the iterator announces, each the size
    /// of the first, and grows only for a longer list.
    ///
    /// # Errors
    ///
    /// [`EncodeError::EmptyUnsubscribe`] without filters [MQTT-3.10.3-2];
    /// [`EncodeError::PacketTooLarge`] when the list is too long for one packet (a Remaining
    /// Length above 268,435,455).
    pub fn new(
        packet_id: PacketId,
        filters: impl IntoIterator<Item = TopicFilter>,
    ) -> Result<Self, EncodeError> {
        let body = OwnedList::build(packet_id, filters, EncodeError::EmptyUnsubscribe)?;
        Ok(Unsubscribe { body })
    }

    /// The packet with MQTT 5.0 `properties` (User Properties), which replace any it had:
    /// the packet is copied into one new buffer.
    ///
    /// # Errors
    ///
    /// [`EncodeError::PropertyNotAllowed`] for a property an UNSUBSCRIBE cannot carry,
    /// [`EncodeError::PacketTooLarge`] when the packet would be too long.
    pub fn with_properties(self, properties: Properties) -> Result<Self, EncodeError> {
        properties.as_ref().check_for(PropertySet::Unsubscribe)?;
        let body = self.body.with_properties(properties.as_bytes())?;
        Ok(Unsubscribe { body })
    }

    /// The MQTT 5.0 properties (section 3.10.2.1), read from the packet's buffer; empty for
    /// a 3.1.1 packet.
    pub fn properties(&self) -> PropertiesRef<'_> {
        PropertiesRef::checked(self.body.properties())
    }

    /// The topic filters in order, borrowed.
    #[inline]
    pub fn iter(&self) -> UnsubscribeIter<'_> {
        UnsubscribeIter {
            entries: self.body.entries(),
        }
    }

    /// The topic filters in order, as owned [`TopicFilter`]s sharing this packet's buffer (no
    /// copy).
    pub fn filters(&self) -> TopicFilterIter<'_> {
        TopicFilterIter {
            entries: self.body.shared(),
        }
    }

    /// The packet identifier the UNSUBACK will echo.
    #[inline]
    pub fn packet_id(&self) -> PacketId {
        self.body.packet_id()
    }

    /// How many filters the packet holds, at least one. They are counted (reading the length
    /// of each filter): a decoded packet keeps nothing but its bytes.
    pub fn len(&self) -> usize {
        self.body.len()
    }

    /// Always `false`: an UNSUBSCRIBE holds at least one filter [MQTT-3.10.3-2].
    pub fn is_empty(&self) -> bool {
        self.body.list().is_empty()
    }

    /// The payload as it is on the wire: each filter with its length prefix.
    pub fn payload(&self) -> &[u8] {
        self.body.list()
    }

    /// The borrowed view of this packet.
    #[inline]
    pub fn as_borrowed(&self) -> UnsubscribeRef<'_> {
        UnsubscribeRef {
            packet_id: self.body.packet_id(),
            properties: self.properties(),
            list: self.body.list(),
            len: self.body.len(),
        }
    }

    #[cfg(feature = "alloc")]
    /// Decodes an UNSUBSCRIBE body, read from `frame`: the list is shared with the frame, or,
    /// when [`Decoder::lossy_utf8`] repaired a filter, written again with the repairs.
    pub(crate) fn decode(
        body: &[u8],
        frame: &Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let v5 = decoder.v5();
        let body = match parse(body, v5) {
            Ok(_) => OwnedList::share(frame, body, v5),
            Err(e) if decoder.lossy_utf8 && e.is_ill_formed_utf8() => {
                OwnedList::repair(body, DecodeError::EmptyUnsubscribe, v5)?
            }
            Err(e) => return Err(e),
        };
        Ok(Unsubscribe { body })
    }
}

#[cfg(feature = "alloc")]
impl fmt::Debug for Unsubscribe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Unsubscribe");
        debug.field("packet_id", &self.packet_id());
        if self.body.is_v5() {
            debug.field("properties", &self.properties());
        }
        debug.field("filters", &DebugList(self.iter())).finish()
    }
}

#[cfg(feature = "alloc")]
impl<'a> IntoIterator for &'a Unsubscribe {
    type Item = &'a str;
    type IntoIter = UnsubscribeIter<'a>;
    #[inline]
    fn into_iter(self) -> UnsubscribeIter<'a> {
        self.iter()
    }
}

#[cfg(feature = "alloc")]
/// The topic filters of an [`Unsubscribe`], as owned [`TopicFilter`]s sharing its buffer.
#[derive(Debug, Clone)]
pub struct TopicFilterIter<'a> {
    entries: Shared<'a, Filters>,
}

#[cfg(feature = "alloc")]
impl Iterator for TopicFilterIter<'_> {
    type Item = TopicFilter;

    #[inline]
    fn next(&mut self) -> Option<TopicFilter> {
        self.entries.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

#[cfg(feature = "alloc")]
impl ExactSizeIterator for TopicFilterIter<'_> {}

/// Reads and checks an UNSUBSCRIBE body in MQTT 5.0 (`v5`) or 3.1.1: the parser of both
/// decoders.
#[inline]
pub(crate) fn parse(body: &[u8], v5: bool) -> Result<UnsubscribeRef<'_>, DecodeError> {
    let parsed = list::parse::<Filters>(body, DecodeError::EmptyUnsubscribe, v5)?;
    Ok(UnsubscribeRef {
        packet_id: parsed.packet_id,
        properties: parsed.properties,
        list: parsed.list,
        len: parsed.len,
    })
}

/// UNSUBSCRIBE (section 3.10) borrowed from the buffer it was decoded from (see
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref)): the packet identifier, the MQTT 5.0
/// properties and the topic filters as they are on the wire, already checked, read with
/// [`UnsubscribeRef::iter`] without allocating. [`UnsubscribeRef::to_owned`] copies it into an
/// [`Unsubscribe`] (one allocation, of the body's size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnsubscribeRef<'a> {
    /// The packet identifier the UNSUBACK will echo.
    pub packet_id: PacketId,
    /// MQTT 5.0: the properties (section 3.10.2.1); left out when encoding for 3.1.1. Which
    /// ones an UNSUBSCRIBE may carry is checked when encoding for 5.0.
    pub properties: PropertiesRef<'a>,
    list: &'a [u8],
    len: usize,
}

impl<'a> UnsubscribeRef<'a> {
    /// The topic filters in order, validated.
    pub fn iter(&self) -> UnsubscribeIter<'a> {
        UnsubscribeIter {
            entries: self.entries(),
        }
    }

    /// How many filters the packet holds, at least one.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: an empty UNSUBSCRIBE is refused when decoding [MQTT-3.10.3-2].
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The payload as it is on the wire: each filter with its length prefix.
    pub fn payload(&self) -> &'a [u8] {
        self.list
    }

    #[cfg(feature = "alloc")]
    /// Copies the packet into an owned [`Unsubscribe`]: one allocation, for its body (packet
    /// identifier, properties and list) as it is on the wire.
    pub fn to_owned(&self) -> Unsubscribe {
        Unsubscribe {
            body: OwnedList::copy(self.packet_id, self.properties.as_bytes(), self.list, false),
        }
    }

    /// The filters from the first, still bytes.
    fn entries(&self) -> Entries<'a, Filters> {
        Entries::new(self.list, self.len)
    }
}

impl<'a> IntoIterator for UnsubscribeRef<'a> {
    type Item = &'a str;
    type IntoIter = UnsubscribeIter<'a>;
    #[inline]
    fn into_iter(self) -> UnsubscribeIter<'a> {
        self.iter()
    }
}

#[cfg(feature = "alloc")]
impl From<UnsubscribeRef<'_>> for Unsubscribe {
    #[inline]
    fn from(unsubscribe: UnsubscribeRef<'_>) -> Self {
        unsubscribe.to_owned()
    }
}

/// The topic filters of an [`UnsubscribeRef`] or an [`Unsubscribe`], borrowed.
#[derive(Debug, Clone)]
pub struct UnsubscribeIter<'a> {
    entries: Entries<'a, Filters>,
}

impl<'a> Iterator for UnsubscribeIter<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        self.entries.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for UnsubscribeIter<'_> {}

impl Encode for UnsubscribeRef<'_> {
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        list::encoded_len_for(self.properties.as_bytes(), self.list, encoder.v5())
    }

    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        if encoder.v5() {
            self.properties.check_for(PropertySet::Unsubscribe)?;
        }
        let parts = Parts {
            packet_id: self.packet_id,
            properties: self.properties.as_bytes(),
            list: self.list,
            list_is_v311: true,
        };
        list::encode_for::<Filters, T>(buf, PacketType::Unsubscribe, encoder, &parts, None)
    }
}

/// The entry format of an UNSUBSCRIBE: a topic filter alone.
enum Filters {}

/// Checks the MQTT 5.0 rules of a `$share/` topic filter (section 4.8.2): a Shared
/// Subscription is left with its full topic filter, of the same form as when it was made.
#[inline]
fn check_shared(filter: &[u8]) -> Result<(), DecodeError> {
    match is_shared(filter) {
        Ok(_) => Ok(()),
        Err(ShareError::EmptyShareName) => Err(DecodeError::EmptyShareName),
        Err(ShareError::Malformed) => Err(DecodeError::InvalidShareName),
    }
}

impl Entry for Filters {
    type Raw<'a> = &'a [u8];
    type Item<'a> = &'a str;
    #[cfg(feature = "alloc")]
    type Owned = TopicFilter;

    const SET: PropertySet = PropertySet::Unsubscribe;
    const SAME_IN_V311: bool = true;

    #[inline]
    fn read(input: &[u8]) -> Parsed<'_, &[u8]> {
        prefixed(input)
    }

    #[inline]
    fn check(filter: &[u8], v5: bool) -> Result<(), DecodeError> {
        topic_filter(filter, None)?;
        if v5 {
            check_shared(filter)?;
        }
        Ok(())
    }

    fn check_v5_encoding(filter: &[u8]) -> Result<(), EncodeError> {
        check_shared_encoding(filter, false)
    }

    fn put_v311<S: Sink>(filter: &[u8], out: &mut S) {
        out.prefixed(filter);
    }

    #[inline]
    fn item<'a>(filter: Self::Raw<'a>) -> Self::Item<'a> {
        checked_text(filter)
    }

    #[cfg(feature = "alloc")]
    #[inline]
    fn share(filter: &[u8], body: &Bytes) -> TopicFilter {
        TopicFilter::from_checked(share(body, filter))
    }

    #[cfg(feature = "alloc")]
    fn repaired_len(filter: &[u8]) -> usize {
        repaired_field_len(filter)
    }

    #[cfg(feature = "alloc")]
    fn put_repaired(filter: &[u8], out: &mut BytesMut, v5: bool) -> Result<(), DecodeError> {
        let start = out.len();
        put_repaired_filter(filter, out)?;
        if v5 {
            // The repaired filter, after its length prefix.
            check_shared(out.get(start.saturating_add(2)..).unwrap_or_default())?;
        }
        Ok(())
    }

    #[cfg(feature = "alloc")]
    fn owned_len(filter: &TopicFilter) -> usize {
        prefixed_len(filter.len())
    }

    #[cfg(feature = "alloc")]
    fn owned_is_v311(_: &TopicFilter) -> bool {
        true
    }

    #[cfg(feature = "alloc")]
    fn put_owned(filter: &TopicFilter, out: &mut BytesMut) {
        // A topic filter is at most 65,535 bytes: the truncation cannot happen.
        out.put_u16(filter.len() as u16);
        out.put_slice(filter.as_bytes());
    }
}

#[cfg(feature = "alloc")]
impl Encode for Unsubscribe {
    #[inline]
    fn encoded_len_for(&self, encoder: &Encoder) -> usize {
        self.body.encoded_len_for(encoder.v5())
    }

    #[inline]
    fn write_to<T: Target>(&self, encoder: &Encoder, buf: &mut T) -> Result<(), EncodeError> {
        self.body.encode_for(buf, PacketType::Unsubscribe, encoder)
    }
}
