//! The 27 property identifiers of MQTT 5.0 (section 2.2.2.2, Table 2-4): each one's value
//! type, and the property sets (packets, Will Properties) that may carry it.

use core::fmt;

/// Where a set of properties sits: in one packet type's Variable Header, or in the Will
/// Properties of a CONNECT payload (section 3.1.3.2). Each set allows its own properties
/// (section 2.2.2.2, Table 2-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropertySet {
    /// CONNECT's properties (section 3.1.2.11).
    Connect,
    /// The Will Properties of a CONNECT payload (section 3.1.3.2).
    Will,
    /// CONNACK (section 3.2.2.3).
    ConnAck,
    /// PUBLISH (section 3.3.2.3).
    Publish,
    /// PUBACK (section 3.4.2.2).
    PubAck,
    /// PUBREC (section 3.5.2.2).
    PubRec,
    /// PUBREL (section 3.6.2.2).
    PubRel,
    /// PUBCOMP (section 3.7.2.2).
    PubComp,
    /// SUBSCRIBE (section 3.8.2.1).
    Subscribe,
    /// SUBACK (section 3.9.2.1).
    SubAck,
    /// UNSUBSCRIBE (section 3.10.2.1).
    Unsubscribe,
    /// UNSUBACK (section 3.11.2.1).
    UnsubAck,
    /// DISCONNECT (section 3.14.2.2).
    Disconnect,
    /// AUTH (section 3.15.2.2).
    Auth,
}

impl PropertySet {
    /// Every set, for tests that go through all of them.
    #[cfg(test)]
    pub(crate) const ALL: [PropertySet; 14] = [
        PropertySet::Connect,
        PropertySet::Will,
        PropertySet::ConnAck,
        PropertySet::Publish,
        PropertySet::PubAck,
        PropertySet::PubRec,
        PropertySet::PubRel,
        PropertySet::PubComp,
        PropertySet::Subscribe,
        PropertySet::SubAck,
        PropertySet::Unsubscribe,
        PropertySet::UnsubAck,
        PropertySet::Disconnect,
        PropertySet::Auth,
    ];

    /// One bit per set, for the masks of [`PropertyId::allowed_in`].
    const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// The identifiers this set allows, one bit each ([`PropertyId::bit`]): a block whose
    /// identifiers are known is checked against a set with one mask.
    #[inline]
    pub(crate) const fn allowed_ids(self) -> u64 {
        // A table built at compile time, in the order of the variants (indexing and counting
        // there fail the build, not a run).
        #[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
        const fn allowed(set: PropertySet) -> u64 {
            let mut ids = 0;
            let mut i = 0;
            while i < PropertyId::ALL.len() {
                let id = PropertyId::ALL[i];
                if id.allowed_in(set) {
                    ids |= id.bit();
                }
                i += 1;
            }
            ids
        }
        use PropertySet::*;
        const TABLE: [u64; 14] = [
            allowed(Connect),
            allowed(Will),
            allowed(ConnAck),
            allowed(Publish),
            allowed(PubAck),
            allowed(PubRec),
            allowed(PubRel),
            allowed(PubComp),
            allowed(Subscribe),
            allowed(SubAck),
            allowed(Unsubscribe),
            allowed(UnsubAck),
            allowed(Disconnect),
            allowed(Auth),
        ];
        // Every variant indexes the table (a test compares it with `allowed_in`).
        #[allow(clippy::indexing_slicing)]
        TABLE[self as usize]
    }
}

/// The type of a property's value (section 1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// One byte.
    Byte,
    /// A Two Byte Integer (section 1.5.2).
    TwoByteInteger,
    /// A Four Byte Integer (section 1.5.3).
    FourByteInteger,
    /// A Variable Byte Integer (section 1.5.5).
    VariableByteInteger,
    /// A UTF-8 Encoded String (section 1.5.4).
    String,
    /// Binary Data (section 1.5.6).
    BinaryData,
    /// A UTF-8 String Pair (section 1.5.7).
    StringPair,
}

/// Builds [`PropertyId`] and its tables from one row per property: variant, identifier,
/// name, value type, the sets that may carry it and the sets where it may appear more than
/// once.
macro_rules! property_ids {
    ($($variant:ident = $id:literal, $name:literal, $ty:ident,
        [$($set:ident),+], repeat [$($repeat:ident),*];)+) => {
        /// A property identifier of MQTT 5.0 (section 2.2.2.2, Table 2-4).
        ///
        /// ```
        /// use mqttwire::{PropertyId, PropertySet};
        ///
        /// let id = PropertyId::from_byte(0x26).unwrap();
        /// assert_eq!(id, PropertyId::UserProperty);
        /// assert!(id.allowed_in(PropertySet::PubAck) && id.may_repeat_in(PropertySet::PubAck));
        /// assert!(!PropertyId::TopicAlias.allowed_in(PropertySet::Connect));
        /// assert_eq!(PropertyId::from_byte(0x04), None); // not assigned
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u8)]
        pub enum PropertyId {
            $(
                #[doc = concat!("`", stringify!($id), "`: ", $name, " (", stringify!($ty), ").")]
                $variant = $id,
            )+
        }

        impl PropertyId {
            /// Every property identifier, in increasing order.
            pub const ALL: [PropertyId; 27] = [$(PropertyId::$variant),+];

            /// The property with identifier `byte`, `None` for the values the standard does
            /// not assign.
            pub const fn from_byte(byte: u8) -> Option<PropertyId> {
                match byte {
                    $($id => Some(PropertyId::$variant),)+
                    _ => None,
                }
            }

            /// The identifier on the wire.
            pub const fn byte(self) -> u8 {
                self as u8
            }

            /// The property's name in the standard.
            pub const fn name(self) -> &'static str {
                match self {
                    $(PropertyId::$variant => $name,)+
                }
            }

            /// The type of the property's value.
            pub const fn value_type(self) -> ValueType {
                match self {
                    $(PropertyId::$variant => ValueType::$ty,)+
                }
            }

            /// Whether a property set may carry this property (Table 2-4): anywhere else it
            /// makes the packet malformed (section 2.2.2.2).
            pub const fn allowed_in(self, set: PropertySet) -> bool {
                let sets: u16 = match self {
                    $(PropertyId::$variant => 0 $(| PropertySet::$set.bit())+,)+
                };
                sets & set.bit() != 0
            }

            /// Whether this property may appear more than once in a set: User Property
            /// anywhere, Subscription Identifier in PUBLISH (section 3.3.2.3.8). Every other
            /// repetition is a Protocol Error.
            pub const fn may_repeat_in(self, set: PropertySet) -> bool {
                let sets: u16 = match self {
                    $(PropertyId::$variant => 0 $(| PropertySet::$repeat.bit())*,)+
                };
                sets & set.bit() != 0
            }
        }
    };
}

property_ids! {
    PayloadFormatIndicator = 0x01, "Payload Format Indicator", Byte,
        [Publish, Will], repeat [];
    MessageExpiryInterval = 0x02, "Message Expiry Interval", FourByteInteger,
        [Publish, Will], repeat [];
    ContentType = 0x03, "Content Type", String,
        [Publish, Will], repeat [];
    ResponseTopic = 0x08, "Response Topic", String,
        [Publish, Will], repeat [];
    CorrelationData = 0x09, "Correlation Data", BinaryData,
        [Publish, Will], repeat [];
    SubscriptionIdentifier = 0x0B, "Subscription Identifier", VariableByteInteger,
        [Publish, Subscribe], repeat [Publish];
    SessionExpiryInterval = 0x11, "Session Expiry Interval", FourByteInteger,
        [Connect, ConnAck, Disconnect], repeat [];
    AssignedClientIdentifier = 0x12, "Assigned Client Identifier", String,
        [ConnAck], repeat [];
    ServerKeepAlive = 0x13, "Server Keep Alive", TwoByteInteger,
        [ConnAck], repeat [];
    AuthenticationMethod = 0x15, "Authentication Method", String,
        [Connect, ConnAck, Auth], repeat [];
    AuthenticationData = 0x16, "Authentication Data", BinaryData,
        [Connect, ConnAck, Auth], repeat [];
    RequestProblemInformation = 0x17, "Request Problem Information", Byte,
        [Connect], repeat [];
    WillDelayInterval = 0x18, "Will Delay Interval", FourByteInteger,
        [Will], repeat [];
    RequestResponseInformation = 0x19, "Request Response Information", Byte,
        [Connect], repeat [];
    ResponseInformation = 0x1A, "Response Information", String,
        [ConnAck], repeat [];
    ServerReference = 0x1C, "Server Reference", String,
        [ConnAck, Disconnect], repeat [];
    ReasonString = 0x1F, "Reason String", String,
        [ConnAck, PubAck, PubRec, PubRel, PubComp, SubAck, UnsubAck, Disconnect, Auth],
        repeat [];
    ReceiveMaximum = 0x21, "Receive Maximum", TwoByteInteger,
        [Connect, ConnAck], repeat [];
    TopicAliasMaximum = 0x22, "Topic Alias Maximum", TwoByteInteger,
        [Connect, ConnAck], repeat [];
    TopicAlias = 0x23, "Topic Alias", TwoByteInteger,
        [Publish], repeat [];
    MaximumQos = 0x24, "Maximum QoS", Byte,
        [ConnAck], repeat [];
    RetainAvailable = 0x25, "Retain Available", Byte,
        [ConnAck], repeat [];
    UserProperty = 0x26, "User Property", StringPair,
        [Connect, Will, ConnAck, Publish, PubAck, PubRec, PubRel, PubComp, Subscribe, SubAck,
         Unsubscribe, UnsubAck, Disconnect, Auth],
        repeat [Connect, Will, ConnAck, Publish, PubAck, PubRec, PubRel, PubComp, Subscribe,
         SubAck, Unsubscribe, UnsubAck, Disconnect, Auth];
    MaximumPacketSize = 0x27, "Maximum Packet Size", FourByteInteger,
        [Connect, ConnAck], repeat [];
    WildcardSubscriptionAvailable = 0x28, "Wildcard Subscription Available", Byte,
        [ConnAck], repeat [];
    SubscriptionIdentifierAvailable = 0x29, "Subscription Identifier Available", Byte,
        [ConnAck], repeat [];
    SharedSubscriptionAvailable = 0x2A, "Shared Subscription Available", Byte,
        [ConnAck], repeat [];
}

impl PropertyId {
    /// The bit of this property in a set of identifiers (a `u64`: identifiers are below 64).
    #[inline]
    pub(crate) const fn bit(self) -> u64 {
        1 << (self as u8)
    }
}

impl fmt::Display for PropertyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::{PropertyId, PropertySet, ValueType};

    /// Table 2-4 has 27 properties, identifiers 1 to 42, and no others.
    #[test]
    fn the_27_identifiers_and_no_others() {
        let assigned: [u8; 27] = [
            1, 2, 3, 8, 9, 11, 17, 18, 19, 21, 22, 23, 24, 25, 26, 28, 31, 33, 34, 35, 36, 37, 38,
            39, 40, 41, 42,
        ];
        for byte in 0..=255u8 {
            let id = PropertyId::from_byte(byte);
            assert_eq!(id.is_some(), assigned.contains(&byte), "{byte:#04x}");
            if let Some(id) = id {
                assert_eq!(id.byte(), byte);
            }
        }
        assert_eq!(PropertyId::ALL.map(PropertyId::byte), assigned);
    }

    /// The mask of each set has exactly the identifiers `allowed_in` allows there.
    #[test]
    fn allowed_ids_agree_with_allowed_in() {
        for set in PropertySet::ALL {
            for id in PropertyId::ALL {
                assert_eq!(
                    set.allowed_ids() & id.bit() != 0,
                    id.allowed_in(set),
                    "{set:?} {id:?}"
                );
            }
        }
    }

    /// How many properties each set allows (counted from the matrix of Table 2-4), and that
    /// only User Property, and Subscription Identifier in PUBLISH, may repeat.
    #[test]
    fn sets_match_table_2_4() {
        use PropertySet::*;
        let expected = [
            (Connect, 9),
            (Will, 7),
            (ConnAck, 17),
            (Publish, 8),
            (PubAck, 2),
            (PubRec, 2),
            (PubRel, 2),
            (PubComp, 2),
            (Subscribe, 2),
            (SubAck, 2),
            (Unsubscribe, 1),
            (UnsubAck, 2),
            (Disconnect, 4),
            (Auth, 4),
        ];
        for (set, count) in expected {
            let allowed = PropertyId::ALL
                .iter()
                .filter(|id| id.allowed_in(set))
                .count();
            assert_eq!(allowed, count, "{set:?}");
            for id in PropertyId::ALL {
                let repeats = id == PropertyId::UserProperty
                    || (id == PropertyId::SubscriptionIdentifier && set == Publish);
                assert_eq!(
                    id.may_repeat_in(set),
                    repeats && id.allowed_in(set),
                    "{id:?}"
                );
            }
        }
        assert_eq!(
            PropertyId::SubscriptionIdentifier.value_type(),
            ValueType::VariableByteInteger
        );
        assert_eq!(PropertyId::UserProperty.value_type(), ValueType::StringPair);
    }
}
