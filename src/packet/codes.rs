//! The body of SUBACK and UNSUBACK after the packet identifier: in MQTT 5.0 the properties,
//! then one Reason Code per topic filter of the packet they answer (sections 3.9.3, 3.11.3);
//! in MQTT 3.1.1 a SUBACK's return codes, and nothing at all in an UNSUBACK.
//!
//! An owned packet keeps that part as it is on the wire, in one [`Bytes`] beside its packet
//! identifier: a decoded one shares the received frame (one byte per code, however many), a
//! built one is written once. The two packets differ only in their codes, a [`Code`].

use super::first_byte;
use crate::encode::{frame_len, Encoder};
use crate::error::{DecodeError, EncodeError};
use crate::header::{PacketType, MAX_REMAINING_LENGTH};
use crate::properties::{properties, vbi_len, Outgoing, PropertiesRef, PropertySet};
use crate::types::PacketId;
use crate::wire::{finish_prefix, packet_id, vbi};
#[cfg(feature = "alloc")]
use crate::write::Put;
use crate::write::{encode_frame, Sink, Target, WriteRest, NOTHING};
#[cfg(feature = "alloc")]
use bytes::{BufMut, Bytes, BytesMut};
use core::hash::{Hash, Hasher};
use core::marker::PhantomData;

/// The Reason Code of one of the two packets.
pub(crate) trait Code: Copy + Sized {
    /// The packet.
    const PACKET: PacketType;
    /// Its properties.
    const SET: PropertySet;
    /// Whether MQTT 3.1.1 carries the codes (SUBACK) or none at all (UNSUBACK).
    const IN_V311: bool;

    #[cfg_attr(not(feature = "alloc"), allow(dead_code))] // Used by the owned packets.
    /// The wire byte.
    fn byte(self) -> u8;

    /// Checks the codes of a received packet in MQTT 5.0 (`v5`) or 3.1.1.
    fn check(codes: &[u8], v5: bool) -> Result<(), DecodeError>;

    /// The byte MQTT 3.1.1 carries for the code `byte` (when it carries codes).
    fn to_v311(byte: u8) -> u8;

    #[cfg_attr(not(feature = "alloc"), allow(dead_code))] // Used by the owned packets.
    /// Whether MQTT 3.1.1 carries the code `byte` as it is.
    fn is_v311(byte: u8) -> bool;

    /// The code of a byte [`Code::check`] accepted (a 3.1.1 code is the 5.0 code of the same
    /// value: 0x80 Failure is Unspecified error).
    fn from_checked(byte: u8) -> Self;
}

/// A body read and checked: the packet identifier, the properties (empty in 3.1.1), the codes,
/// and `rest`, everything after the packet identifier.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parsed<'a> {
    pub(crate) packet_id: PacketId,
    pub(crate) properties: PropertiesRef<'a>,
    pub(crate) codes: &'a [u8],
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))] // Used by the owned packets.
    pub(crate) rest: &'a [u8],
}

/// Reads and checks a body in MQTT 5.0 (`v5`) or 3.1.1: the parser of both decoders.
#[inline]
pub(crate) fn parse<C: Code>(body: &[u8], v5: bool) -> Result<Parsed<'_>, DecodeError> {
    let (rest, packet_id) = finish_prefix(packet_id(body))?;
    let (codes, properties) = if v5 {
        finish_prefix(properties(rest, C::SET))?
    } else {
        (rest, PropertiesRef::EMPTY)
    };
    C::check(codes, v5)?;
    Ok(Parsed {
        packet_id,
        properties,
        codes,
        rest,
    })
}

#[cfg(feature = "alloc")]
/// The owned form: the packet identifier, and what follows it as on the wire.
pub(crate) struct CodeList<C> {
    packet_id: PacketId,
    /// Whether `rest` is in the MQTT 5.0 form: a Property Length, the properties, the codes.
    /// Without, it is what MQTT 3.1.1 carries: the codes, each of them a 3.1.1 value.
    v5: bool,
    rest: Bytes,
    code: PhantomData<C>,
}

#[cfg(feature = "alloc")]
impl<C: Code> CodeList<C> {
    /// No codes, no properties: a 3.1.1 UNSUBACK (no allocation).
    pub(crate) const fn empty(packet_id: PacketId) -> Self {
        CodeList {
            packet_id,
            v5: false,
            rest: Bytes::new(),
            code: PhantomData,
        }
    }

    /// A decoded body, shared with `frame`, which `parsed` was read from.
    #[inline]
    pub(crate) fn share(frame: &Bytes, parsed: &Parsed<'_>, v5: bool) -> Self {
        CodeList {
            packet_id: parsed.packet_id,
            v5,
            rest: super::fields::share(frame, parsed.rest),
            code: PhantomData,
        }
    }

    /// Writes `codes` after `properties` (a block checked for the packet, without its
    /// length) into one new buffer: in the 3.1.1 form when there are no properties and 3.1.1
    /// carries every code as it is, else in the 5.0 form.
    pub(crate) fn build(
        packet_id: PacketId,
        properties: &[u8],
        codes: impl IntoIterator<Item = C>,
    ) -> Self {
        let codes = codes.into_iter();
        let properties_len = vbi_len(properties.len()).saturating_add(properties.len());
        let mut rest = BytesMut::with_capacity(properties_len.saturating_add(codes.size_hint().0));
        Put(&mut rest).vbi(properties.len());
        rest.put_slice(properties);
        let mut v311 = properties.is_empty();
        for code in codes {
            let byte = code.byte();
            v311 = v311 && C::is_v311(byte);
            rest.put_u8(byte);
        }
        let mut rest = rest.freeze();
        if v311 {
            // The Property Length of 0 the 3.1.1 form goes without (no copy).
            bytes::Buf::advance(&mut rest, 1);
        }
        CodeList {
            packet_id,
            v5: !v311,
            rest,
            code: PhantomData,
        }
    }

    /// The same codes with `properties`, which replace any there were.
    pub(crate) fn with_properties(&self, properties: &[u8]) -> Self {
        let codes = self.codes().iter().map(|&b| C::from_checked(b));
        Self::build(self.packet_id, properties, codes)
    }

    /// The same properties with `codes`, which replace any there were.
    pub(crate) fn with_codes(&self, codes: impl IntoIterator<Item = C>) -> Self {
        Self::build(self.packet_id, self.properties(), codes)
    }

    /// The packet identifier.
    #[inline]
    pub(crate) fn packet_id(&self) -> PacketId {
        self.packet_id
    }

    /// The property block (without its length) and the codes.
    #[inline]
    fn split(&self) -> (&[u8], &[u8]) {
        if !self.v5 {
            return (&[], &self.rest);
        }
        // Checked when the packet was decoded or built.
        match vbi(&self.rest) {
            Ok((after, len)) => after.split_at_checked(len as usize).unwrap_or((after, &[])),
            Err(_) => (&[], &self.rest),
        }
    }

    /// The properties, as on the wire after the Property Length.
    #[inline]
    pub(crate) fn properties(&self) -> &[u8] {
        self.split().0
    }

    /// The codes, one byte each.
    #[inline]
    pub(crate) fn codes(&self) -> &[u8] {
        self.split().1
    }

    /// The borrowed parts, and whether 3.1.1 carries the codes as they are.
    #[inline]
    pub(crate) fn parts(&self) -> Parts<'_> {
        let (properties, codes) = self.split();
        Parts {
            packet_id: self.packet_id,
            properties: PropertiesRef::checked(properties),
            codes,
            v311_codes: !self.v5,
        }
    }
}

#[cfg(feature = "alloc")]
impl<C> Clone for CodeList<C> {
    fn clone(&self) -> Self {
        CodeList {
            packet_id: self.packet_id,
            v5: self.v5,
            rest: self.rest.clone(),
            code: PhantomData,
        }
    }
}

#[cfg(feature = "alloc")]
/// Equal when the packet identifiers, the properties and the codes are, whatever the form.
impl<C: Code> PartialEq for CodeList<C> {
    fn eq(&self, other: &Self) -> bool {
        (self.packet_id, self.split()) == (other.packet_id, other.split())
    }
}

#[cfg(feature = "alloc")]
impl<C: Code> Eq for CodeList<C> {}

#[cfg(feature = "alloc")]
impl<C: Code> Hash for CodeList<C> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.packet_id, self.split()).hash(state);
    }
}

/// A packet to encode, owned or borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parts<'a> {
    pub(crate) packet_id: PacketId,
    pub(crate) properties: PropertiesRef<'a>,
    pub(crate) codes: &'a [u8],
    /// Whether MQTT 3.1.1 carries the codes as they are.
    pub(crate) v311_codes: bool,
}

/// What goes after the packet identifier in MQTT 5.0: the properties that fit the peer's
/// limit, then the codes.
struct V5Rest<'a> {
    properties: Outgoing<'a>,
    codes: &'a [u8],
}

impl WriteRest for V5Rest<'_> {
    fn write_rest<S: Sink>(&self, out: &mut S) {
        self.properties.write_rest(out);
        out.append(self.codes);
    }
}

/// The codes as MQTT 3.1.1 carries them.
struct V311Codes<'a, C>(&'a [u8], PhantomData<C>);

impl<C: Code> WriteRest for V311Codes<'_, C> {
    fn write_rest<S: Sink>(&self, out: &mut S) {
        for &byte in self.0 {
            out.u8(C::to_v311(byte));
        }
    }
}

impl Parts<'_> {
    /// The Remaining Length for `encoder`, and the properties that go in 5.0.
    ///
    /// # Errors
    ///
    /// [`EncodeError::EmptySubAck`] or [`EncodeError::EmptyUnsubAck`] without codes where
    /// the version needs them; as [`Outgoing::fit`] in 5.0; in 3.1.1,
    /// [`EncodeError::ExceedsMaximumPacketSize`] when the packet exceeds the encoder's limit.
    #[inline]
    fn plan<C: Code>(
        &self,
        encoder: &Encoder,
    ) -> Result<(usize, Option<Outgoing<'_>>), EncodeError> {
        if encoder.v5() {
            if self.codes.is_empty() {
                return Err(empty::<C>());
            }
            let before = self.codes.len().saturating_add(2);
            let properties = Outgoing::fit(self.properties, C::SET, before, encoder)?;
            return Ok((
                before.saturating_add(properties.wire_len()),
                Some(properties),
            ));
        }
        if !C::IN_V311 {
            encoder.fits(frame_len(2))?;
            return Ok((2, None));
        }
        if self.codes.is_empty() {
            return Err(empty::<C>());
        }
        let remaining = self.codes.len().saturating_add(2);
        let size = frame_len(remaining);
        if size > encoder.max_packet_size && remaining <= MAX_REMAINING_LENGTH {
            return Err(EncodeError::ExceedsMaximumPacketSize {
                size,
                max: encoder.max_packet_size,
            });
        }
        Ok((remaining, None))
    }

    /// The length [`Parts::encode_for`] writes; for a packet it refuses, the length it would
    /// take with all its properties.
    pub(crate) fn encoded_len_for<C: Code>(&self, encoder: &Encoder) -> usize {
        match self.plan::<C>(encoder) {
            Ok((remaining, _)) => frame_len(remaining),
            Err(_) if encoder.v5() => frame_len(
                self.codes
                    .len()
                    .saturating_add(2)
                    .saturating_add(vbi_len(self.properties.as_bytes().len()))
                    .saturating_add(self.properties.as_bytes().len()),
            ),
            Err(_) if C::IN_V311 => frame_len(self.codes.len().saturating_add(2)),
            Err(_) => frame_len(2),
        }
    }

    /// Writes the packet for `encoder`.
    ///
    /// # Errors
    ///
    /// As [`Parts::plan`], and [`EncodeError::PacketTooLarge`] or
    /// [`EncodeError::BufferTooSmall`].
    #[inline]
    pub(crate) fn encode_for<C: Code, T: Target>(
        &self,
        encoder: &Encoder,
        buf: &mut T,
    ) -> Result<(), EncodeError> {
        let (remaining, properties) = self.plan::<C>(encoder)?;
        let first = first_byte(C::PACKET);
        let id = self.packet_id.get();
        match properties {
            Some(properties) => {
                let rest = V5Rest {
                    properties,
                    codes: self.codes,
                };
                encode_frame(buf, first, remaining, id, &rest)
            }
            None if !C::IN_V311 => encode_frame(buf, first, remaining, id, NOTHING),
            None if self.v311_codes => encode_frame(buf, first, remaining, id, self.codes),
            None => encode_frame(
                buf,
                first,
                remaining,
                id,
                &V311Codes::<C>(self.codes, PhantomData),
            ),
        }
    }
}

/// The error of a packet without codes.
fn empty<C: Code>() -> EncodeError {
    match C::PACKET {
        PacketType::UnsubAck => EncodeError::EmptyUnsubAck,
        _ => EncodeError::EmptySubAck,
    }
}

/// The codes of a packet, read one by one.
#[derive(Debug, Clone)]
pub(crate) struct Codes<'a, C> {
    bytes: core::slice::Iter<'a, u8>,
    code: PhantomData<C>,
}

impl<'a, C: Code> Codes<'a, C> {
    /// The codes of `bytes`, which [`Code::check`] accepted.
    #[inline]
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Codes {
            bytes: bytes.iter(),
            code: PhantomData,
        }
    }
}

impl<C: Code> Iterator for Codes<'_, C> {
    type Item = C;

    #[inline]
    fn next(&mut self) -> Option<C> {
        self.bytes.next().map(|&b| C::from_checked(b))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.bytes.size_hint()
    }
}

impl<C: Code> ExactSizeIterator for Codes<'_, C> {}
