//! The payload lists of SUBSCRIBE and UNSUBSCRIBE, owned and borrowed alike: the entries stay
//! as they are on the wire, checked once when the packet is decoded (or written once when it is
//! built), and are read again, without checks, each time they are iterated.
//!
//! Keeping the wire bytes is what bounds an owned packet's memory by its frame: the smallest
//! SUBSCRIBE entry takes 4 bytes on the wire, and as a `Subscription` in a `Vec` 40 (a peer
//! sending 1 MiB made the decoder allocate 10 MiB). The two packets differ only in the format
//! of an entry, an [`Entry`]; the rest is here, once.
//!
//! An owned body is in one of two forms, as MQTT 3.1.1 or as MQTT 5.0 carries it (with a
//! Property Length after the packet identifier), and goes as it is to a peer of its version.
//! For the other version it is written from its parts: a 3.1.1 body gets a Property Length of 0,
//! a 5.0 body loses its properties and, for SUBSCRIBE, the 5.0 options of each entry (same
//! length: the options byte keeps its QoS bits).

#[cfg(feature = "alloc")]
use super::fields::share;
use super::first_byte;
use crate::codec::frame_len;
use crate::encode::Encoder;
use crate::error::{DecodeError, EncodeError};
use crate::header::{PacketType, MAX_REMAINING_LENGTH};
use crate::properties::{properties, vbi_len, PropertiesRef, PropertySet};
use crate::types::PacketId;
use crate::wire::{finish_prefix, non_empty_list, packet_id, vbi, Parsed};
#[cfg(feature = "alloc")]
use crate::write::Put;
use crate::write::{encode_body, encode_frame, Sink, Target, WriteRest};
#[cfg(feature = "alloc")]
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
    type Raw<'a>: Copy;
    /// What the borrowing iterators yield for an entry.
    type Item<'a>;
    #[cfg(feature = "alloc")]
    /// What the owned iterators yield for an entry, and what a list is built from.
    type Owned;

    /// The properties of the packet (MQTT 5.0).
    const SET: PropertySet;

    #[cfg_attr(not(feature = "alloc"), allow(dead_code))] // Used by the owned packets.
    /// Whether an entry is the same in MQTT 3.1.1 and 5.0 (a topic filter alone): a list of
    /// them goes to either version as it is.
    const SAME_IN_V311: bool;

    /// Reads one entry from the front of `input`, checking its layout but not its content.
    fn read(input: &[u8]) -> Parsed<'_, Self::Raw<'_>>;

    /// Checks the content of an entry `read` accepted, by the rules of MQTT 5.0 (`v5`) or
    /// 3.1.1, as decoding does once per packet.
    fn check(raw: Self::Raw<'_>, v5: bool) -> Result<(), DecodeError>;

    /// Checks an entry that is to be encoded for MQTT 5.0 against the rules 5.0 adds to what
    /// a 3.1.1 entry may hold (Shared Subscriptions, section 4.8.2).
    fn check_v5_encoding(raw: Self::Raw<'_>) -> Result<(), EncodeError>;

    /// Writes an entry as MQTT 3.1.1 carries it: as many bytes, without what 5.0 adds.
    fn put_v311<S: Sink>(raw: Self::Raw<'_>, out: &mut S);

    /// An entry whose strings were checked when the packet was decoded, for the borrowing
    /// iterators. (Implementations spell the types `Self::Raw<'a>` and `Self::Item<'a>`:
    /// naming the lifetime through the associated types only is what makes their signature
    /// match this one.)
    fn item<'a>(raw: Self::Raw<'a>) -> Self::Item<'a>;

    #[cfg(feature = "alloc")]
    /// An entry whose strings were checked, its strings shared with `body`, which the entry was
    /// read from.
    fn share(raw: Self::Raw<'_>, body: &Bytes) -> Self::Owned;

    #[cfg(feature = "alloc")]
    /// The length [`put_repaired`](Entry::put_repaired) writes for an entry.
    fn repaired_len(raw: Self::Raw<'_>) -> usize;

    #[cfg(feature = "alloc")]
    /// Appends an entry `read` accepted to `out`, each ill-formed UTF-8 sequence of its strings
    /// replaced by U+FFFD, and checks the repaired entry by the rules of 5.0 (`v5`) or 3.1.1.
    fn put_repaired(raw: Self::Raw<'_>, out: &mut BytesMut, v5: bool) -> Result<(), DecodeError>;

    #[cfg(feature = "alloc")]
    /// The length of an owned entry on the wire.
    fn owned_len(entry: &Self::Owned) -> usize;

    #[cfg(feature = "alloc")]
    /// Whether MQTT 3.1.1 carries an owned entry as it is (it uses nothing 5.0 adds).
    fn owned_is_v311(entry: &Self::Owned) -> bool;

    #[cfg(feature = "alloc")]
    /// Checks an owned entry that a list is built from, for the rules its type leaves open.
    fn check_owned(entry: &Self::Owned) -> Result<(), EncodeError> {
        let _ = entry;
        Ok(())
    }

    #[cfg(feature = "alloc")]
    /// Appends an owned entry to `out` as it goes on the wire.
    fn put_owned(entry: &Self::Owned, out: &mut BytesMut);
}

/// The length of a packet identifier on the wire.
const ID_LEN: usize = 2;

#[cfg_attr(not(feature = "alloc"), allow(dead_code))] // Used by the owned packets.
/// The longest list a packet made of a packet identifier and the list can carry.
const MAX_LIST_LEN: usize = MAX_REMAINING_LENGTH - ID_LEN;

/// A list packet's body, read and checked: what both decoders make of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListBody<'a> {
    pub(crate) packet_id: PacketId,
    /// MQTT 5.0: the properties, checked for the packet; empty in 3.1.1.
    pub(crate) properties: PropertiesRef<'a>,
    /// The list as on the wire.
    pub(crate) list: &'a [u8],
    /// How many entries the list holds.
    pub(crate) len: usize,
}

/// Reads and checks a list packet's body in MQTT 5.0 (`v5`) or 3.1.1: the packet identifier,
/// in 5.0 the properties, then at least one entry (else `empty`), each read and checked by
/// `E`.
#[inline]
pub(crate) fn parse<E: Entry>(
    body: &[u8],
    empty: DecodeError,
    v5: bool,
) -> Result<ListBody<'_>, DecodeError> {
    let (rest, packet_id) = finish_prefix(packet_id(body))?;
    let (list, properties) = if v5 {
        finish_prefix(properties(rest, E::SET))?
    } else {
        (rest, PropertiesRef::EMPTY)
    };
    let len = non_empty_list(list, empty, E::read, |raw| E::check(raw, v5))?;
    Ok(ListBody {
        packet_id,
        properties,
        list,
        len,
    })
}

#[cfg(feature = "alloc")]
/// The body of an owned SUBSCRIBE or UNSUBSCRIBE, as on the wire: the packet identifier, in
/// the MQTT 5.0 form a Property Length and the properties, then the list, whose entries have
/// been checked (or written from valid values). A decoded one is a slice of the received
/// frame; a built one, a buffer written once.
///
/// It is one [`Bytes`] and a flag, so that [`Packet`](crate::Packet) stays 48 bytes (its
/// variants at most 40): a count or a separate packet identifier beside it would make it
/// larger. The count is found again by reading the list (its entries' lengths only).
pub(crate) struct OwnedList<E> {
    body: Bytes,
    /// Whether `body` is in the MQTT 5.0 form, with a Property Length after the packet
    /// identifier. Without, it is as MQTT 3.1.1 carries it, entries included.
    v5: bool,
    entry: PhantomData<E>,
}

#[cfg(feature = "alloc")]
impl<E: Entry> OwnedList<E> {
    /// A list packet's `body`, which [`parse`] accepted in 5.0 (`v5`) or 3.1.1, shared with
    /// `frame`, which it was read from.
    #[inline]
    pub(crate) fn share(frame: &Bytes, body: &[u8], v5: bool) -> Self {
        Self::from_body(share(frame, body), v5)
    }

    /// The packet identifier, the `properties` (a block checked for the packet, without its
    /// length) and the `list` [`parse`] accepted, copied into one new buffer: in the 5.0 form
    /// when `v5` (the list may hold what 3.1.1 cannot carry) or there are properties.
    pub(crate) fn copy(packet_id: PacketId, properties: &[u8], list: &[u8], v5: bool) -> Self {
        let v5 = v5 || !properties.is_empty();
        let properties_len = if v5 {
            vbi_len(properties.len()).saturating_add(properties.len())
        } else {
            0
        };
        let len = list
            .len()
            .saturating_add(ID_LEN)
            .saturating_add(properties_len);
        let mut body = BytesMut::with_capacity(len);
        body.put_u16(packet_id.get());
        if v5 {
            Put(&mut body).vbi(properties.len());
            body.put_slice(properties);
        }
        body.put_slice(list);
        Self::from_body(body.freeze(), v5)
    }

    /// The same list with `properties` (a block checked for the packet, without its length),
    /// which replace any it had, copied into one new buffer in the 5.0 form.
    ///
    /// # Errors
    ///
    /// [`EncodeError::PacketTooLarge`] when the packet would exceed the largest Remaining
    /// Length.
    pub(crate) fn with_properties(&self, properties: &[u8]) -> Result<Self, EncodeError> {
        let len = remaining_len(properties, self.list(), true);
        if len > MAX_REMAINING_LENGTH {
            return Err(EncodeError::PacketTooLarge(len));
        }
        Ok(Self::copy(self.packet_id(), properties, self.list(), true))
    }

    /// Writes a packet identifier and a list of owned entries once into one buffer.
    ///
    /// # Errors
    ///
    /// `empty` without entries; the error of [`Entry::check_owned`];
    /// [`EncodeError::PacketTooLarge`] when the list would make the packet's Remaining Length
    /// exceed 268,435,455.
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
        let mut v5 = false;
        for entry in core::iter::once(first).chain(entries) {
            E::check_owned(&entry)?;
            if !v5 && !E::owned_is_v311(&entry) {
                // The first entry 3.1.1 cannot carry: the body takes the 5.0 form, a Property
                // Length of 0 after the packet identifier (the entries so far move by one
                // byte, once).
                v5 = true;
                body.put_u8(0);
                let end = body.len();
                if let Some(after_id) = body.get_mut(ID_LEN..end) {
                    after_id.rotate_right(1);
                }
            }
            E::put_owned(&entry, &mut body);
            if body.len() > MAX_REMAINING_LENGTH {
                return Err(EncodeError::PacketTooLarge(body.len()));
            }
        }
        Ok(Self::from_body(body.freeze(), v5))
    }

    /// Decodes a list packet's `body` as [`parse`] does, for the owned decoder with
    /// [`lossy_utf8`](crate::Decoder::lossy_utf8) on, once [`parse`] refused it for ill-formed
    /// UTF-8: the body is written again into one new buffer of its repaired length, each
    /// ill-formed sequence replaced by U+FFFD (which takes three bytes: the new body is at
    /// most three times the size of the old).
    ///
    /// # Errors
    ///
    /// Those [`parse`] reports, in the same order, but for ill-formed UTF-8, which is
    /// repaired instead.
    #[cold]
    #[inline(never)]
    pub(crate) fn repair(body: &[u8], empty: DecodeError, v5: bool) -> Result<Self, DecodeError> {
        let (rest, _) = finish_prefix(packet_id(body))?;
        // The packet identifier and, in 5.0, the properties (which are not repaired) go as
        // they are.
        let list = if v5 {
            finish_prefix(properties(rest, E::SET))?.0
        } else {
            rest
        };
        let prefix = body
            .get(..body.len().saturating_sub(list.len()))
            .unwrap_or_default();
        if list.is_empty() {
            return Err(empty);
        }
        // The layout first, for the size of the new buffer. An entry whose layout is malformed
        // ends the list there; its error comes after those of the entries before it, which
        // only the writing finds, as in `check`.
        let (mut rest, mut len, mut size, mut malformed) = (list, 0usize, prefix.len(), None);
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
        repaired.put_slice(prefix);
        let mut entries = Entries::<E>::new(list, len);
        while let Some(raw) = entries.next_raw() {
            E::put_repaired(raw, &mut repaired, v5)?;
        }
        match malformed {
            Some(e) => Err(e),
            None => Ok(Self::from_body(repaired.freeze(), v5)),
        }
    }

    fn from_body(body: Bytes, v5: bool) -> Self {
        OwnedList {
            body,
            v5,
            entry: PhantomData,
        }
    }

    /// Whether the body is in the MQTT 5.0 form.
    #[inline]
    pub(crate) fn is_v5(&self) -> bool {
        self.v5
    }

    /// The property block (without its length) and the list, read from the body.
    #[inline]
    fn split(&self) -> (&[u8], &[u8]) {
        let rest = self.body.get(ID_LEN..).unwrap_or_default();
        if !self.v5 {
            return (&[], rest);
        }
        // Checked when the packet was decoded or built.
        match vbi(rest) {
            Ok((after, len)) => after.split_at_checked(len as usize).unwrap_or((after, &[])),
            Err(_) => (&[], rest),
        }
    }

    /// The MQTT 5.0 properties, as on the wire after the Property Length (empty in the 3.1.1
    /// form).
    #[inline]
    pub(crate) fn properties(&self) -> &[u8] {
        self.split().0
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
        if !self.v5 {
            return self.body.get(ID_LEN..).unwrap_or_default();
        }
        self.split().1
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

    /// The length of the packet on the wire in MQTT 5.0 (`v5`) or 3.1.1.
    #[inline]
    pub(crate) fn encoded_len_for(&self, v5: bool) -> usize {
        if v5 == self.v5 {
            return frame_len(self.body.len());
        }
        let (properties, list) = self.split();
        frame_len(remaining_len(properties, list, v5))
    }

    /// Writes the packet for `encoder`: its body goes as it is when it is in the encoder's
    /// version (the 3.1.1 path of a 3.1.1 packet is that alone), else written in that form.
    ///
    /// # Errors
    ///
    /// As [`encode_for`].
    #[inline]
    pub(crate) fn encode_for<T: Target>(
        &self,
        buf: &mut T,
        packet_type: PacketType,
        encoder: &Encoder,
    ) -> Result<(), EncodeError> {
        let (properties, list) = self.split();
        let parts = Parts {
            packet_id: self.packet_id(),
            properties,
            list,
            list_is_v311: !self.v5 || E::SAME_IN_V311,
        };
        let wire = (encoder.v5() == self.v5).then_some(&self.body[..]);
        encode_for::<E, T>(buf, packet_type, encoder, &parts, wire)
    }
}

// By hand rather than derived, as for `Entries`: the marker type is neither.
#[cfg(feature = "alloc")]
impl<E> Clone for OwnedList<E> {
    fn clone(&self) -> Self {
        OwnedList {
            body: self.body.clone(),
            v5: self.v5,
            entry: PhantomData,
        }
    }
}

#[cfg(feature = "alloc")]
impl<E: Entry> OwnedList<E> {
    /// What makes two lists equal: the packet identifier, the properties and the list, as on
    /// the wire (the wire form of a list is the only one of its entries), whatever the form
    /// of the body.
    fn key(&self) -> (&[u8], &[u8], &[u8]) {
        let (properties, list) = self.split();
        (
            self.body.get(..ID_LEN).unwrap_or_default(),
            properties,
            list,
        )
    }
}

#[cfg(feature = "alloc")]
/// Equal when the packet identifiers, the properties and the lists are: a 3.1.1 packet equals
/// the same one decoded in 5.0 without properties.
impl<E: Entry> PartialEq for OwnedList<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

#[cfg(feature = "alloc")]
impl<E: Entry> Eq for OwnedList<E> {}

#[cfg(feature = "alloc")]
impl<E: Entry> Hash for OwnedList<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// The entries of a list that [`parse`] accepted, read one by one.
pub(crate) struct Entries<'a, E> {
    rest: &'a [u8],
    left: usize,
    entry: PhantomData<E>,
}

impl<'a, E: Entry> Entries<'a, E> {
    /// The `len` entries of `list`, which [`parse`] accepted.
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
    pub(crate) fn next_raw(&mut self) -> Option<E::Raw<'a>> {
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

#[cfg(feature = "alloc")]
/// The entries of an owned list, as owned values sharing its body.
pub(crate) struct Shared<'a, E> {
    body: &'a Bytes,
    entries: Entries<'a, E>,
}

#[cfg(feature = "alloc")]
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

#[cfg(feature = "alloc")]
impl<E: Entry> ExactSizeIterator for Shared<'_, E> {}

#[cfg(feature = "alloc")]
impl<E> Clone for Shared<'_, E> {
    fn clone(&self) -> Self {
        Shared {
            body: self.body,
            entries: self.entries.clone(),
        }
    }
}

#[cfg(feature = "alloc")]
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

/// The parts of a list packet to encode.
pub(crate) struct Parts<'a> {
    pub(crate) packet_id: PacketId,
    /// MQTT 5.0: the properties, as on the wire after the Property Length.
    pub(crate) properties: &'a [u8],
    /// The list as on the wire.
    pub(crate) list: &'a [u8],
    /// Whether MQTT 3.1.1 carries the list as it is.
    pub(crate) list_is_v311: bool,
}

/// The Remaining Length of a list packet in MQTT 5.0 (`v5`, with its properties) or 3.1.1.
#[inline]
pub(crate) fn remaining_len(properties: &[u8], list: &[u8], v5: bool) -> usize {
    let len = list.len().saturating_add(ID_LEN);
    if !v5 {
        return len;
    }
    len.saturating_add(vbi_len(properties.len()))
        .saturating_add(properties.len())
}

/// The encoded length of a list packet in MQTT 5.0 (`v5`) or 3.1.1.
#[inline]
pub(crate) fn encoded_len_for(properties: &[u8], list: &[u8], v5: bool) -> usize {
    frame_len(remaining_len(properties, list, v5))
}

/// Writes a list packet for `encoder`: `wire`, when given, is its whole body as it goes on
/// the wire in the encoder's version; else it is written from its parts. The properties of a
/// SUBSCRIBE or UNSUBSCRIBE go unaltered (the standard lets a sender leave out properties to
/// fit a Maximum Packet Size only in the acknowledgements, DISCONNECT and AUTH); for 3.1.1
/// they are left out, and so are the 5.0 options of the entries.
///
/// # Errors
///
/// [`EncodeError::ExceedsMaximumPacketSize`] when the packet exceeds the encoder's limit;
/// for 5.0, the error of an entry 5.0 refuses ([`Entry::check_v5_encoding`]); as
/// [`encode_frame`].
#[inline]
pub(crate) fn encode_for<E: Entry, T: Target>(
    buf: &mut T,
    packet_type: PacketType,
    encoder: &Encoder,
    parts: &Parts<'_>,
    wire: Option<&[u8]>,
) -> Result<(), EncodeError> {
    let v5 = encoder.v5();
    let remaining = remaining_len(parts.properties, parts.list, v5);
    if remaining > MAX_REMAINING_LENGTH {
        return Err(EncodeError::PacketTooLarge(remaining));
    }
    let size = frame_len(remaining);
    if size > encoder.max_packet_size {
        return Err(EncodeError::ExceedsMaximumPacketSize {
            size,
            max: encoder.max_packet_size,
        });
    }
    let first = first_byte(packet_type);
    if v5 {
        // Lists checked by a 5.0 decoder pass again: a few bytes per entry, on a path where
        // the list is copied anyway.
        let mut entries = Entries::<E>::new(parts.list, usize::MAX);
        while let Some(raw) = entries.next_raw() {
            E::check_v5_encoding(raw)?;
        }
    }
    let id = parts.packet_id.get();
    match wire {
        Some(body) => encode_body(buf, first, body.len(), body),
        None if v5 => encode_frame(buf, first, remaining, id, &V5Rest(parts)),
        None if parts.list_is_v311 => encode_frame(buf, first, remaining, id, parts.list),
        None => encode_frame(
            buf,
            first,
            remaining,
            id,
            &V311List::<E>(parts.list, PhantomData),
        ),
    }
}

/// What follows the packet identifier of a list packet in MQTT 5.0: the Property Length, the
/// properties, the list.
struct V5Rest<'a>(&'a Parts<'a>);

impl WriteRest for V5Rest<'_> {
    fn write_rest<S: Sink>(&self, out: &mut S) {
        out.vbi(self.0.properties.len());
        out.append(self.0.properties);
        out.append(self.0.list);
    }
}

/// A list whose entries MQTT 3.1.1 carries without what 5.0 adds to them.
struct V311List<'a, E>(&'a [u8], PhantomData<E>);

impl<E: Entry> WriteRest for V311List<'_, E> {
    fn write_rest<S: Sink>(&self, out: &mut S) {
        let mut entries = Entries::<E>::new(self.0, usize::MAX);
        while let Some(raw) = entries.next_raw() {
            E::put_v311(raw, out);
        }
    }
}
