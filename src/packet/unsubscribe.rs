//! UNSUBSCRIBE (section 3.10): a client's request to drop subscriptions.

use super::fields::{topic_filter, Checked, Repairs};
use super::first_byte;
use super::list::{self, Entries, Entry};
use crate::codec::{frame_len, Decoder, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::topic::TopicFilter;
use crate::types::PacketId;
use crate::wire::{finish_prefix, packet_id, prefixed, prefixed_len, Parsed};
use crate::write::{encode_frame, Sink, WriteRest};
use alloc::vec::Vec;
use bytes::{BufMut, Bytes};

/// UNSUBSCRIBE (section 3.10): the topic filters to unsubscribe from.
///
/// An UNSUBSCRIBE holds at least one filter [MQTT-3.10.3-2]; encoding an empty one fails.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unsubscribe {
    /// The packet identifier the UNSUBACK will echo.
    pub packet_id: PacketId,
    /// The topic filters, compared character by character with the subscribed ones.
    pub filters: Vec<TopicFilter>,
}

impl Unsubscribe {
    /// An UNSUBSCRIBE with packet identifier `packet_id`.
    pub fn new(packet_id: PacketId, filters: Vec<TopicFilter>) -> Self {
        Unsubscribe { packet_id, filters }
    }

    pub(crate) fn decode(
        body: &[u8],
        frame: &Bytes,
        decoder: &Decoder,
    ) -> Result<Self, DecodeError> {
        let (lossy, mut repairs) = (decoder.lossy_utf8, Repairs::default());
        let raw = parse(body, lossy.then_some(&mut repairs))?;
        Ok(raw.share_into_owned(frame, lossy.then_some(&repairs)))
    }

    fn remaining_len(&self) -> usize {
        self.filters
            .iter()
            .fold(2usize, |len, f| len.saturating_add(prefixed_len(f.len())))
    }
}

/// Reads and checks an UNSUBSCRIBE body: the parser of both decoders.
pub(crate) fn parse<'a>(
    body: &'a [u8],
    repairs: Option<&mut Repairs>,
) -> Result<UnsubscribeRef<'a>, DecodeError> {
    let (list, packet_id) = finish_prefix(packet_id(body))?;
    let len = list::check::<Filters>(list, DecodeError::EmptyUnsubscribe, repairs)?;
    Ok(UnsubscribeRef {
        packet_id,
        list,
        len,
    })
}

/// UNSUBSCRIBE (section 3.10) borrowed from the buffer it was decoded from (see
/// [`Decoder::decode_ref`](crate::Decoder::decode_ref)): the packet identifier and the topic
/// filters as they are on the wire, already checked, read with [`UnsubscribeRef::iter`]
/// without allocating. [`UnsubscribeRef::to_owned`] copies it into an [`Unsubscribe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnsubscribeRef<'a> {
    /// The packet identifier the UNSUBACK will echo.
    pub packet_id: PacketId,
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

    /// Copies the packet into an owned [`Unsubscribe`]: one allocation for the filters, one
    /// for the list.
    pub fn to_owned(&self) -> Unsubscribe {
        Unsubscribe {
            packet_id: self.packet_id,
            filters: self.entries().copy(),
        }
    }

    /// The owned packet, its filters shared with `frame`, which the list was read from.
    fn share_into_owned(self, frame: &Bytes, repairs: Option<&Repairs>) -> Unsubscribe {
        Unsubscribe {
            packet_id: self.packet_id,
            filters: self.entries().share(frame, repairs),
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

impl From<UnsubscribeRef<'_>> for Unsubscribe {
    #[inline]
    fn from(unsubscribe: UnsubscribeRef<'_>) -> Self {
        unsubscribe.to_owned()
    }
}

/// The topic filters of an [`UnsubscribeRef`].
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
    fn encoded_len(&self) -> usize {
        list::encoded_len(self.list)
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        list::encode(buf, PacketType::Unsubscribe, self.packet_id, self.list)
    }
}

/// The entry format of an UNSUBSCRIBE: a topic filter alone.
enum Filters {}

impl Entry for Filters {
    type Raw<'a> = &'a [u8];
    type Item<'a> = &'a str;
    type Owned = TopicFilter;

    #[inline]
    fn read(input: &[u8]) -> Parsed<'_, &[u8]> {
        prefixed(input)
    }

    #[inline]
    fn check(filter: &[u8], repairs: Option<&mut Repairs>) -> Result<(), DecodeError> {
        topic_filter(filter, repairs).map(drop)
    }

    #[inline]
    fn item<'a>(filter: Self::Raw<'a>) -> Self::Item<'a> {
        Checked::Bytes(filter).as_str()
    }

    #[inline]
    fn share(filter: &[u8], frame: &Bytes, repairs: Option<&Repairs>) -> TopicFilter {
        TopicFilter::from_checked(Checked::Bytes(filter).share(frame, repairs))
    }
}

impl Encode for Unsubscribe {
    fn encoded_len(&self) -> usize {
        frame_len(self.remaining_len())
    }

    fn encode<B: BufMut>(&self, buf: &mut B) -> Result<(), EncodeError> {
        if self.filters.is_empty() {
            return Err(EncodeError::EmptyUnsubscribe);
        }
        encode_frame(
            buf,
            first_byte(PacketType::Unsubscribe),
            self.remaining_len(),
            self.packet_id.get(),
            &self.filters[..],
        )
    }
}

/// An UNSUBSCRIBE's payload: the topic filters.
impl WriteRest for [TopicFilter] {
    fn write_rest<S: Sink>(&self, out: &mut S) {
        for filter in self {
            out.prefixed(filter.as_bytes());
        }
    }
}
