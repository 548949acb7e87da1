//! The payload lists of SUBSCRIBE and UNSUBSCRIBE, owned and borrowed alike: the entries stay
//! as they are on the wire, checked once when the packet is decoded (or written once when it is
//! built), and are read again, without checks, each time they are iterated.
//!
//! Keeping the wire bytes is what bounds an owned packet's memory by its frame: the smallest
//! SUBSCRIBE entry takes 4 bytes on the wire, and as a `Subscription` in a `Vec` 40 (a peer
//! sending 1 MiB made the decoder allocate 10 MiB). The two packets differ only in the format
//! of an entry, an [`Entry`]; the rest is here, once.

use super::fields::share;
use super::first_byte;
use crate::codec::frame_len;
use crate::error::{DecodeError, EncodeError};
use crate::header::{PacketType, MAX_REMAINING_LENGTH};
use crate::types::PacketId;
use crate::wire::{finish_prefix, non_empty_list, packet_id, Parsed};
use crate::write::{encode_body, encode_frame};
use bytes::{BufMut, Bytes, BytesMut};
use core::fmt;
use core::hash::{Hash, Hasher};
use core::marker::PhantomData;
use core::num::NonZeroU16;

/// The format of one entry of a list, and what it becomes for users. Implemented by an
/// uninhabited marker type per packet, so that [`Entries`] is monomorphised for each: no
/// dynamic dispatch on the decoding path.
pub(crate) trait Entry {
    /// An entry with its strings still bytes, as [`read`](Entry::read) finds it.
    type Raw<'a>;
    /// What the borrowing iterators yield for an entry.
    type Item<'a>;
    /// What the owned iterators yield for an entry, and what a list is built from.
    type Owned;

    /// Reads one entry from the front of `input`, checking its layout but not its strings.
    fn read(input: &[u8]) -> Parsed<'_, Self::Raw<'_>>;

    /// Checks the strings of an entry `read` accepted, as decoding does once per packet.
    fn check(raw: Self::Raw<'_>) -> Result<(), DecodeError>;

    /// An entry whose strings were checked when the packet was decoded, for the borrowing
    /// iterators. (Implementations spell the types `Self::Raw<'a>` and `Self::Item<'a>`:
    /// naming the lifetime through the associated types only is what makes their signature
    /// match this one.)
    fn item<'a>(raw: Self::Raw<'a>) -> Self::Item<'a>;

    /// An entry whose strings were checked, its strings shared with `body`, which the entry was
    /// read from.
    fn share(raw: Self::Raw<'_>, body: &Bytes) -> Self::Owned;

    /// The length [`put_repaired`](Entry::put_repaired) writes for an entry.
    fn repaired_len(raw: Self::Raw<'_>) -> usize;

    /// Appends an entry `read` accepted to `out`, each ill-formed UTF-8 sequence of its strings
    /// replaced by U+FFFD, and checks the repaired entry.
    fn put_repaired(raw: Self::Raw<'_>, out: &mut BytesMut) -> Result<(), DecodeError>;

    /// The length of an owned entry on the wire.
    fn owned_len(entry: &Self::Owned) -> usize;

    /// Appends an owned entry to `out` as it goes on the wire.
    fn put_owned(entry: &Self::Owned, out: &mut BytesMut);
}

/// The length of a packet identifier on the wire.
const ID_LEN: usize = 2;

/// The longest list a packet made of a packet identifier and the list can carry.
const MAX_LIST_LEN: usize = MAX_REMAINING_LENGTH - ID_LEN;

/// Checks a whole list when its packet is decoded: at least one entry (else `empty`), each
/// read and checked by `E`. Returns how many entries there are.
pub(crate) fn check<E: Entry>(list: &[u8], empty: DecodeError) -> Result<usize, DecodeError> {
    non_empty_list(list, empty, E::read, E::check)
}

/// The body of an owned SUBSCRIBE or UNSUBSCRIBE, as on the wire: the packet identifier, then
/// the list, whose entries have been checked (or written from valid values). A decoded one is
/// a slice of the received frame; a built one, a buffer written once.
///
/// It is one [`Bytes`] and nothing else, so that [`Packet`](crate::Packet) stays 40 bytes: a
/// count or a separate packet identifier beside it would make the variant 40 bytes and the
/// enum 48. The count is found again by reading the list (its entries' lengths only).
pub(crate) struct OwnedList<E> {
    body: Bytes,
    entry: PhantomData<E>,
}

impl<E: Entry> OwnedList<E> {
    /// A list packet's `body` (packet identifier and list), which [`check`] accepted, shared
    /// with `frame`, which it was read from.
    #[inline]
    pub(crate) fn share(frame: &Bytes, body: &[u8]) -> Self {
        Self::from_body(share(frame, body))
    }

    /// The packet identifier and the `list` [`check`] accepted, copied into one new buffer.
    pub(crate) fn copy(packet_id: PacketId, list: &[u8]) -> Self {
        let mut body = BytesMut::with_capacity(list.len().saturating_add(ID_LEN));
        body.put_u16(packet_id.get());
        body.put_slice(list);
        Self::from_body(body.freeze())
    }

    /// Writes a packet identifier and a list of owned entries once into one buffer.
    ///
    /// # Errors
    ///
    /// `empty` without entries; [`EncodeError::PacketTooLarge`] when the list would make the
    /// packet's Remaining Length exceed 268,435,455.
    pub(crate) fn build(
        packet_id: PacketId,
        entries: impl IntoIterator<Item = E::Owned>,
        empty: EncodeError,
    ) -> Result<Self, EncodeError> {
        let mut entries = entries.into_iter();
        let first = entries.next().ok_or(empty)?;
        // An iterator is read once, so the size of the list is known only at its end: the
        // buffer starts with room for as many entries as the iterator announces, each the size
        // of the first (exact for a list of one, or of entries alike), and grows as a `Vec`
        // does when the guess is short.
        let guess = E::owned_len(&first)
            .saturating_mul(entries.size_hint().0.saturating_add(1))
            .min(MAX_LIST_LEN)
            .saturating_add(ID_LEN);
        let mut body = BytesMut::with_capacity(guess);
        body.put_u16(packet_id.get());
        for entry in core::iter::once(first).chain(entries) {
            E::put_owned(&entry, &mut body);
            if body.len() > MAX_REMAINING_LENGTH {
                return Err(EncodeError::PacketTooLarge(body.len()));
            }
        }
        Ok(Self::from_body(body.freeze()))
    }

    /// Decodes a list packet's `body` as [`check`] does, for the owned decoder with
    /// [`lossy_utf8`](crate::Decoder::lossy_utf8) on, once [`check`] refused it for ill-formed
    /// UTF-8: the body is written again into one new buffer of its repaired length, each
    /// ill-formed sequence replaced by U+FFFD (which takes three bytes: the new body is at
    /// most three times the size of the old).
    ///
    /// # Errors
    ///
    /// Those [`check`] reports, in the same order, but for ill-formed UTF-8, which is
    /// repaired instead.
    #[cold]
    #[inline(never)]
    pub(crate) fn repair(body: &[u8], empty: DecodeError) -> Result<Self, DecodeError> {
        let (list, packet_id) = finish_prefix(packet_id(body))?;
        if list.is_empty() {
            return Err(empty);
        }
        // The layout first, for the size of the new buffer. An entry whose layout is malformed
        // ends the list there; its error comes after those of the entries before it, which
        // only the writing finds, as in `check`.
        let (mut rest, mut len, mut size, mut malformed) = (list, 0usize, ID_LEN, None);
        while !rest.is_empty() {
            match finish_prefix(E::read(rest)) {
                Ok((tail, raw)) => {
                    size = size.saturating_add(E::repaired_len(raw));
                    len = len.saturating_add(1);
                    rest = tail;
                }
                Err(e) => {
                    malformed = Some(e);
                    break;
                }
            }
        }
        let mut repaired = BytesMut::with_capacity(size);
        repaired.put_u16(packet_id.get());
        let mut entries = Entries::<E>::new(list, len);
        while let Some(raw) = entries.next_raw() {
            E::put_repaired(raw, &mut repaired)?;
        }
        match malformed {
            Some(e) => Err(e),
            None => Ok(Self::from_body(repaired.freeze())),
        }
    }

    fn from_body(body: Bytes) -> Self {
        OwnedList {
            body,
            entry: PhantomData,
        }
    }

    /// The packet identifier.
    #[inline]
    pub(crate) fn packet_id(&self) -> PacketId {
        // Written or checked when the packet was made: never absent, never 0.
        let id = self
            .body
            .first_chunk::<ID_LEN>()
            .map(|id| u16::from_be_bytes(*id));
        id.and_then(PacketId::new)
            .unwrap_or(PacketId::from(NonZeroU16::MIN))
    }

    /// The list as on the wire.
    #[inline]
    pub(crate) fn list(&self) -> &[u8] {
        self.body.get(ID_LEN..).unwrap_or_default()
    }

    /// How many entries the list holds, counted.
    pub(crate) fn len(&self) -> usize {
        let mut entries = Entries::<E>::new(self.list(), usize::MAX);
        let mut len = 0usize;
        while entries.next_raw().is_some() {
            len = len.saturating_add(1);
        }
        len
    }

    /// The entries, borrowed.
    #[inline]
    pub(crate) fn entries(&self) -> Entries<'_, E> {
        Entries::new(self.list(), self.len())
    }

    /// The entries, as owned values sharing the body.
    #[inline]
    pub(crate) fn shared(&self) -> Shared<'_, E> {
        Shared {
            body: &self.body,
            entries: self.entries(),
        }
    }

    /// The length of the packet on the wire.
    pub(crate) fn encoded_len(&self) -> usize {
        frame_len(self.body.len())
    }

    /// Writes the packet: its body goes as it is.
    pub(crate) fn encode<B: BufMut>(
        &self,
        buf: &mut B,
        packet_type: PacketType,
    ) -> Result<(), EncodeError> {
        encode_body(buf, first_byte(packet_type), &self.body)
    }
}

// By hand rather than derived, as for `Entries`: the marker type is neither.
impl<E> Clone for OwnedList<E> {
    fn clone(&self) -> Self {
        OwnedList {
            body: self.body.clone(),
            entry: PhantomData,
        }
    }
}

/// Equal when the lists are: the wire form of a list is the only one of its entries.
impl<E> PartialEq for OwnedList<E> {
    fn eq(&self, other: &Self) -> bool {
        self.body == other.body
    }
}

impl<E> Eq for OwnedList<E> {}

impl<E> Hash for OwnedList<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.body.hash(state);
    }
}

/// The entries of a list that [`check`] accepted, read one by one.
pub(crate) struct Entries<'a, E> {
    rest: &'a [u8],
    left: usize,
    entry: PhantomData<E>,
}

impl<'a, E: Entry> Entries<'a, E> {
    /// The `len` entries of `list`, which [`check`] accepted.
    #[inline]
    pub(crate) fn new(list: &'a [u8], len: usize) -> Self {
        Entries {
            rest: list,
            left: len,
            entry: PhantomData,
        }
    }

    /// The next entry, its strings still bytes.
    #[inline]
    fn next_raw(&mut self) -> Option<E::Raw<'a>> {
        if self.left == 0 {
            return None;
        }
        let (rest, entry) = E::read(self.rest).ok()?;
        self.rest = rest;
        self.left = self.left.saturating_sub(1);
        Some(entry)
    }
}

impl<'a, E: Entry> Iterator for Entries<'a, E> {
    type Item = E::Item<'a>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.next_raw().map(E::item)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<E: Entry> ExactSizeIterator for Entries<'_, E> {}

// By hand rather than derived: a derive would require `E: Clone` and `E: Debug` of the marker
// type, and print the marker.
impl<E> Clone for Entries<'_, E> {
    fn clone(&self) -> Self {
        Entries {
            rest: self.rest,
            left: self.left,
            entry: PhantomData,
        }
    }
}

impl<E> fmt::Debug for Entries<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entries")
            .field("rest", &self.rest)
            .field("left", &self.left)
            .finish()
    }
}

/// The entries of an owned list, as owned values sharing its body.
pub(crate) struct Shared<'a, E> {
    body: &'a Bytes,
    entries: Entries<'a, E>,
}

impl<E: Entry> Iterator for Shared<'_, E> {
    type Item = E::Owned;

    #[inline]
    fn next(&mut self) -> Option<E::Owned> {
        let raw = self.entries.next_raw()?;
        Some(E::share(raw, self.body))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl<E: Entry> ExactSizeIterator for Shared<'_, E> {}

impl<E> Clone for Shared<'_, E> {
    fn clone(&self) -> Self {
        Shared {
            body: self.body,
            entries: self.entries.clone(),
        }
    }
}

impl<E> fmt::Debug for Shared<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.entries.fmt(f)
    }
}

/// Prints the items of an iterator as a list: the `Debug` of the owned packets, which shows
/// their entries rather than the bytes they are kept in.
pub(crate) struct DebugList<I>(pub(crate) I);

impl<I> fmt::Debug for DebugList<I>
where
    I: Iterator + Clone,
    I::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone()).finish()
    }
}

/// The Remaining Length of a packet made of a packet identifier and `payload`, as it is on the
/// wire (SUBSCRIBE, UNSUBSCRIBE, SUBACK).
fn remaining_len(payload: &[u8]) -> usize {
    payload.len().saturating_add(2)
}

/// The encoded length of a packet made of a packet identifier and `payload`.
pub(crate) fn encoded_len(payload: &[u8]) -> usize {
    frame_len(remaining_len(payload))
}

/// Writes a packet made of a packet identifier and `payload`, as it is on the wire.
pub(crate) fn encode<B: BufMut>(
    buf: &mut B,
    packet_type: PacketType,
    packet_id: PacketId,
    payload: &[u8],
) -> Result<(), EncodeError> {
    encode_frame(
        buf,
        first_byte(packet_type),
        remaining_len(payload),
        packet_id.get(),
        payload,
    )
}
