//! The properties a packet sends to a peer: all of them, or, when the packet would exceed the
//! Maximum Packet Size the peer announced, all but the Reason String and the User Properties,
//! which the standard tells a sender to leave out then ([MQTT-3.2.2-19], [MQTT-3.2.2-20],
//! [MQTT-3.4.2-2], [MQTT-3.4.2-3] and their siblings in every acknowledgement, SUBACK,
//! UNSUBACK, DISCONNECT and AUTH).

use super::block::PropertiesRef;
use super::id::{PropertyId, PropertySet};
use super::value::vbi_len;
use crate::encode::{frame_len, Encoder};
use crate::error::EncodeError;
use crate::write::{Sink, WriteRest};

/// What may be left out to fit the peer's limit.
const DROPPABLE: u64 = PropertyId::ReasonString.bit() | PropertyId::UserProperty.bit();

/// A packet's properties as they go to one peer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outgoing<'a> {
    properties: PropertiesRef<'a>,
    /// Without the Reason String and User Properties.
    reduced: bool,
    /// The length of the properties written, without the Property Length.
    len: usize,
}

impl<'a> Outgoing<'a> {
    /// The properties of a packet whose Remaining Length without them is `rest`, for
    /// `encoder`: all of them if the packet fits the encoder's limit, else without the Reason
    /// String and User Properties when `set` allows leaving them out (not PUBLISH, whose
    /// properties go unaltered [MQTT-3.3.2-17]).
    ///
    /// # Errors
    ///
    /// [`EncodeError::PropertyNotAllowed`] or [`EncodeError::DuplicateProperty`] for
    /// properties `set` cannot carry; [`EncodeError::ExceedsMaximumPacketSize`] when even the
    /// reduced packet exceeds the limit.
    pub(crate) fn fit(
        properties: PropertiesRef<'a>,
        set: PropertySet,
        rest: usize,
        encoder: &Encoder,
    ) -> Result<Self, EncodeError> {
        Self::fit_with(properties, set, encoder, |outgoing| {
            outgoing.frame_len(rest)
        })
    }

    /// [`Outgoing::fit`] for a packet whose size with given outgoing properties is
    /// `size(&outgoing)`: for the packets whose short forms leave out an empty property block
    /// (and a Reason Code of 0x00).
    ///
    /// # Errors
    ///
    /// As [`Outgoing::fit`].
    pub(crate) fn fit_with(
        properties: PropertiesRef<'a>,
        set: PropertySet,
        encoder: &Encoder,
        size: impl Fn(&Outgoing<'_>) -> usize,
    ) -> Result<Self, EncodeError> {
        properties.check_for(set)?;
        let full = Outgoing {
            properties,
            reduced: false,
            len: properties.as_bytes().len(),
        };
        let size_full = size(&full);
        if size_full <= encoder.max_packet_size {
            return Ok(full);
        }
        if set == PropertySet::Publish || properties.present() & DROPPABLE == 0 {
            return Err(EncodeError::ExceedsMaximumPacketSize {
                size: size_full,
                max: encoder.max_packet_size,
            });
        }
        let len = properties
            .iter()
            .filter(|p| p.id().bit() & DROPPABLE == 0)
            .fold(0usize, |len, p| len.saturating_add(p.encoded_len()));
        let reduced = Outgoing {
            properties,
            reduced: true,
            len,
        };
        let size_reduced = size(&reduced);
        if size_reduced > encoder.max_packet_size {
            return Err(EncodeError::ExceedsMaximumPacketSize {
                size: size_reduced,
                max: encoder.max_packet_size,
            });
        }
        Ok(reduced)
    }

    /// Whether nothing is written but the Property Length 0.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes the properties take with their Property Length.
    pub(crate) fn wire_len(&self) -> usize {
        vbi_len(self.len).saturating_add(self.len)
    }

    /// The size of a packet whose Remaining Length without these properties is `rest`.
    pub(crate) fn frame_len(&self, rest: usize) -> usize {
        frame_len(rest.saturating_add(self.wire_len()))
    }
}

/// The Property Length, then the properties.
impl WriteRest for Outgoing<'_> {
    fn write_rest<S: Sink>(&self, out: &mut S) {
        out.vbi(self.len);
        if self.reduced {
            for property in self.properties.iter() {
                if property.id().bit() & DROPPABLE == 0 {
                    property.write(out);
                }
            }
        } else {
            out.append(self.properties.as_bytes());
        }
    }
}
