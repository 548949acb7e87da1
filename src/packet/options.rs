//! The Subscription Options byte that follows each topic filter of a SUBSCRIBE (section
//! 3.8.3.1): in MQTT 3.1.1 the Requested QoS alone, in MQTT 5.0 also No Local, Retain As
//! Published and Retain Handling.

use crate::error::DecodeError;
use crate::types::QoS;

/// Bits 0-1: the Maximum QoS (the Requested QoS of 3.1.1).
const QOS: u8 = 0b0000_0011;
/// Bit 2: No Local.
const NO_LOCAL: u8 = 0b0000_0100;
/// Bit 3: Retain As Published.
const RETAIN_AS_PUBLISHED: u8 = 0b0000_1000;
/// Bits 4-5: Retain Handling.
const RETAIN_HANDLING: u8 = 0b0011_0000;
/// Bits 6-7: reserved in MQTT 5.0 [MQTT-3.8.3-5].
const RESERVED_V5: u8 = 0b1100_0000;

/// Whether retained messages are sent when a subscription is made (MQTT 5.0, section 3.8.3.1,
/// bits 4 and 5 of the Subscription Options). MQTT 3.1.1 always sends them
/// ([`RetainHandling::SendOnSubscribe`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum RetainHandling {
    /// 0: send retained messages at the time of the subscribe.
    #[default]
    SendOnSubscribe = 0,
    /// 1: send retained messages at subscribe only if the subscription does not currently
    /// exist.
    SendOnSubscribeIfNew = 1,
    /// 2: do not send retained messages at the time of the subscribe.
    DoNotSend = 2,
}

impl RetainHandling {
    /// The option of a two-bit value, `None` for 3 (a Protocol Error, section 3.8.3.1).
    pub const fn from_bits(bits: u8) -> Option<RetainHandling> {
        match bits {
            0 => Some(RetainHandling::SendOnSubscribe),
            1 => Some(RetainHandling::SendOnSubscribeIfNew),
            2 => Some(RetainHandling::DoNotSend),
            _ => None,
        }
    }

    /// The two-bit wire value.
    pub const fn bits(self) -> u8 {
        self as u8
    }
}

/// The Subscription Options of one topic filter of a SUBSCRIBE (section 3.8.3.1): what
/// [`SubscribeRef::iter_with_options`](crate::SubscribeRef::iter_with_options) yields beside
/// each filter, and what [`Subscription`](crate::Subscription) holds as fields.
///
/// MQTT 3.1.1 has the QoS alone; the other options are MQTT 5.0's, and false or
/// [`RetainHandling::SendOnSubscribe`] (the 3.1.1 behaviour) in a 3.1.1 SUBSCRIBE.
///
/// ```
/// use mqttwire::{QoS, RetainHandling, SubscriptionOptions};
///
/// let options = SubscriptionOptions::new(QoS::AtLeastOnce)
///     .with_no_local(true)
///     .with_retain_handling(RetainHandling::DoNotSend);
/// assert_eq!(options.byte(), 0b0010_0101);
/// assert!(!options.is_v311());
/// assert!(SubscriptionOptions::new(QoS::ExactlyOnce).is_v311());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SubscriptionOptions {
    /// Bits 0-1: the Maximum QoS the subscriber wants (the Requested QoS of 3.1.1).
    pub qos: QoS,
    /// Bit 2, MQTT 5.0: messages are not forwarded to the connection that published them
    /// [MQTT-3.8.3-3]. Not allowed on a shared subscription [MQTT-3.8.3-4].
    pub no_local: bool,
    /// Bit 3, MQTT 5.0: forwarded messages keep the RETAIN flag they were published with.
    pub retain_as_published: bool,
    /// Bits 4-5, MQTT 5.0: whether retained messages are sent when the subscription is made.
    pub retain_handling: RetainHandling,
}

impl SubscriptionOptions {
    /// The options of a 3.1.1 subscription at `qos`: the MQTT 5.0 options off.
    pub const fn new(qos: QoS) -> Self {
        SubscriptionOptions {
            qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendOnSubscribe,
        }
    }

    /// The options with No Local set to `no_local` (MQTT 5.0).
    #[must_use]
    pub const fn with_no_local(mut self, no_local: bool) -> Self {
        self.no_local = no_local;
        self
    }

    /// The options with Retain As Published set to `retain_as_published` (MQTT 5.0).
    #[must_use]
    pub const fn with_retain_as_published(mut self, retain_as_published: bool) -> Self {
        self.retain_as_published = retain_as_published;
        self
    }

    /// The options with Retain Handling `retain_handling` (MQTT 5.0).
    #[must_use]
    pub const fn with_retain_handling(mut self, retain_handling: RetainHandling) -> Self {
        self.retain_handling = retain_handling;
        self
    }

    /// The Subscription Options byte (section 3.8.3.1, Figure 3-20).
    pub const fn byte(self) -> u8 {
        let mut byte = self.qos.bits() | (self.retain_handling.bits() << 4);
        if self.no_local {
            byte |= NO_LOCAL;
        }
        if self.retain_as_published {
            byte |= RETAIN_AS_PUBLISHED;
        }
        byte
    }

    /// Whether MQTT 3.1.1 can carry these options as they are: the MQTT 5.0 options are all
    /// off.
    pub const fn is_v311(self) -> bool {
        self.byte() & !QOS == 0
    }

    /// The options of a byte that [`check_v311`] or [`check_v5`] accepted.
    #[inline]
    pub(crate) const fn from_checked(byte: u8) -> Self {
        let qos = match QoS::from_bits(byte & QOS) {
            Some(qos) => qos,
            None => QoS::AtMostOnce,
        };
        let retain_handling = match RetainHandling::from_bits((byte & RETAIN_HANDLING) >> 4) {
            Some(handling) => handling,
            None => RetainHandling::SendOnSubscribe,
        };
        SubscriptionOptions {
            qos,
            no_local: byte & NO_LOCAL != 0,
            retain_as_published: byte & RETAIN_AS_PUBLISHED != 0,
            retain_handling,
        }
    }
}

/// The Maximum QoS of a byte that [`check_v311`] or [`check_v5`] accepted.
#[inline(always)]
pub(crate) const fn qos_of(byte: u8) -> QoS {
    match QoS::from_bits(byte & QOS) {
        Some(qos) => qos,
        None => QoS::AtMostOnce,
    }
}

/// The byte MQTT 3.1.1 carries for the options `byte`: the QoS alone, the 5.0 options left out.
#[inline(always)]
pub(crate) const fn to_v311(byte: u8) -> u8 {
    byte & QOS
}

/// Whether the options `byte` carry No Local.
#[inline(always)]
pub(crate) const fn no_local(byte: u8) -> bool {
    byte & NO_LOCAL != 0
}

/// Checks a Requested QoS byte of MQTT 3.1.1: the six upper bits are reserved and the QoS is
/// not 3 [MQTT-3-8.3-4].
#[inline(always)]
pub(crate) const fn check_v311(byte: u8) -> Result<(), DecodeError> {
    if byte > QoS::ExactlyOnce as u8 {
        return Err(DecodeError::InvalidRequestedQos(byte));
    }
    Ok(())
}

/// Checks a Subscription Options byte of MQTT 5.0 (section 3.8.3.1): the reserved bits 6-7
/// clear (else the packet is malformed [MQTT-3.8.3-5]), then neither a Maximum QoS nor a
/// Retain Handling of 3 (Protocol Errors).
#[inline(always)]
pub(crate) const fn check_v5(byte: u8) -> Result<(), DecodeError> {
    if byte & RESERVED_V5 != 0 {
        return Err(DecodeError::SubscriptionOptionsReserved(byte));
    }
    if byte & QOS == QOS {
        return Err(DecodeError::InvalidMaximumQos(byte));
    }
    if byte & RETAIN_HANDLING == RETAIN_HANDLING {
        return Err(DecodeError::InvalidRetainHandling(byte));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte: the 3.1.1 check accepts 0-2, the 5.0 check the 48 layouts of Figure 3-20,
    /// and the options of an accepted byte give the byte back.
    #[test]
    fn every_byte() {
        let mut v5 = 0;
        for byte in 0..=255u8 {
            assert_eq!(check_v311(byte).is_ok(), byte <= 2, "{byte:#04x}");
            if check_v5(byte).is_ok() {
                v5 += 1;
                let options = SubscriptionOptions::from_checked(byte);
                assert_eq!(options.byte(), byte);
                assert_eq!(options.qos, qos_of(byte));
                assert_eq!(options.is_v311(), byte <= 2);
                assert_eq!(options.no_local, no_local(byte));
            }
        }
        // QoS 0-2, No Local, Retain As Published, Retain Handling 0-2.
        assert_eq!(v5, 3 * 2 * 2 * 3);
    }
}
