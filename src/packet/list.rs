//! The payload lists of the borrowed SUBSCRIBE and UNSUBSCRIBE: the entries stay as they are on
//! the wire, checked once when the packet is decoded, and are read again, without checks, each
//! time they are iterated or copied into an owned packet. The two packets differ only in the
//! format of an entry, an [`Entry`]; the rest is here, once.

use super::fields::Repairs;
use super::first_byte;
use crate::codec::frame_len;
use crate::error::{DecodeError, EncodeError};
use crate::header::PacketType;
use crate::types::PacketId;
use crate::wire::{non_empty_list, Parsed};
use crate::write::encode_frame;
use alloc::vec::Vec;
use bytes::{BufMut, Bytes};
use core::fmt;
use core::marker::PhantomData;

/// The format of one entry of a list, and what it becomes for users and in owned packets.
/// Implemented by an uninhabited marker type per packet, so that [`Entries`] is monomorphised
/// for each: no dynamic dispatch on the decoding path.
pub(crate) trait Entry {
    /// An entry with its strings still bytes, as [`read`](Entry::read) finds it.
    type Raw<'a>;
    /// What the public iterator yields for an entry.
    type Item<'a>;
    /// What the owned packet holds for an entry.
    type Owned;

    /// Reads one entry from the front of `input`, checking its layout but not its strings.
    fn read(input: &[u8]) -> Parsed<'_, Self::Raw<'_>>;

    /// Checks the strings of an entry `read` accepted, as decoding does once per packet.
    fn check(raw: Self::Raw<'_>, repairs: Option<&mut Repairs>) -> Result<(), DecodeError>;

    /// An entry whose strings were checked when the packet was decoded, for the iterator.
    /// (Implementations spell the types `Self::Raw<'a>` and `Self::Item<'a>`: naming the
    /// lifetime through the associated types only is what makes their signature match this
    /// one.)
    fn item<'a>(raw: Self::Raw<'a>) -> Self::Item<'a>;

    /// An entry whose strings were checked, for the owned packet: its strings shared with
    /// `frame`, which the entry was read from (or their repaired copies).
    fn share(raw: Self::Raw<'_>, frame: &Bytes, repairs: Option<&Repairs>) -> Self::Owned;
}

/// Checks a whole list when its packet is decoded: at least one entry (else `empty`), each
/// read and checked by `E`. Returns how many entries there are.
pub(crate) fn check<E: Entry>(
    list: &[u8],
    empty: DecodeError,
    mut repairs: Option<&mut Repairs>,
) -> Result<usize, DecodeError> {
    non_empty_list(list, empty, E::read, |raw| {
        E::check(raw, repairs.as_deref_mut())
    })
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
        let (rest, entry) = E::read(self.rest).ok()?;
        self.rest = rest;
        self.left = self.left.saturating_sub(1);
        Some(entry)
    }

    /// The entries for the owned packet, their strings shared with `frame`, which the list was
    /// read from.
    #[inline]
    pub(crate) fn share(mut self, frame: &Bytes, repairs: Option<&Repairs>) -> Vec<E::Owned> {
        let mut owned = Vec::with_capacity(self.left);
        while let Some(raw) = self.next_raw() {
            owned.push(E::share(raw, frame, repairs));
        }
        owned
    }

    /// The entries for an owned packet that outlives the input: one allocation copies the
    /// rest of the list, which the entries' strings then share; one more for the entries.
    #[inline]
    pub(crate) fn copy(self) -> Vec<E::Owned> {
        let frame = Bytes::copy_from_slice(self.rest);
        Entries::<E>::new(&frame, self.left).share(&frame, None)
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

/// The Remaining Length of a borrowed packet made of a packet identifier and `payload`, as it
/// is on the wire (SUBSCRIBE, UNSUBSCRIBE, SUBACK).
fn remaining_len(payload: &[u8]) -> usize {
    payload.len().saturating_add(2)
}

/// The encoded length of a borrowed packet made of a packet identifier and `payload`.
pub(crate) fn encoded_len(payload: &[u8]) -> usize {
    frame_len(remaining_len(payload))
}

/// Writes a borrowed packet made of a packet identifier and `payload`, as it is on the wire.
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
