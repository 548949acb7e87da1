//! What a client announced in its CONNECT that shapes how the broker talks to it: the protocol
//! version of the connection, and in MQTT 5.0 its Maximum Packet Size, Receive Maximum and
//! Session Expiry Interval.

use mqttwire::{Connect, Decoder, Encoder, Properties, Property, Protocol, Role};
use std::time::Duration;

/// The client end of one connection, as its CONNECT describes it.
#[derive(Clone, Copy, Debug)]
pub struct Peer {
    /// The connection's version: every packet after CONNECT is read and written in it.
    pub protocol: Protocol,
    /// The largest packet the client accepts (MQTT 5.0, section 3.1.2.11.4); none in 3.1.1.
    pub maximum_packet_size: Option<u32>,
    /// How many QoS 1/2 messages the client accepts in flight at once (section 3.1.2.11.3):
    /// 65,535 when absent and in 3.1.1.
    pub receive_maximum: u16,
}

impl Peer {
    pub fn of(connect: &Connect) -> Peer {
        let properties = &connect.properties;
        Peer {
            protocol: connect.protocol,
            maximum_packet_size: properties.maximum_packet_size(),
            receive_maximum: properties.receive_maximum().unwrap_or(u16::MAX),
        }
    }

    pub fn v5(&self) -> bool {
        self.protocol.is_v5()
    }

    /// The encoder for everything sent to this client: its version, and its limit on the size
    /// of a packet, which the encoder holds by leaving out a Reason String and User Properties
    /// where the standard allows, and otherwise refuses.
    pub fn encoder(&self) -> Encoder {
        let encoder = Encoder::new(self.protocol);
        match self.maximum_packet_size {
            // A u32 always fits a usize on the platforms this example runs on (32 and 64 bits).
            Some(max) => encoder.max_packet_size(usize::try_from(max).unwrap_or(usize::MAX)),
            None => encoder,
        }
    }

    /// The decoder for everything after the CONNECT: the connection's version, read as a
    /// server (a client's PUBLISH may not carry a Subscription Identifier [MQTT-3.3.4-6]).
    pub fn decoder(&self) -> Decoder {
        Decoder::new().protocol(self.protocol).role(Role::Server)
    }
}

/// How long a session outlives its connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// It ends with the connection: 3.1.1 Clean Session 1, or a 5.0 Session Expiry Interval
    /// of 0 (the default).
    AtDisconnect,
    /// It ends this long after the connection (5.0 Session Expiry Interval).
    After(Duration),
    /// It never ends: 3.1.1 Clean Session 0, or a 5.0 interval of 0xFFFFFFFF (section
    /// 3.1.2.11.2).
    Never,
}

impl Expiry {
    /// What `connect` asks for.
    pub fn of(connect: &Connect) -> Expiry {
        if connect.protocol.is_v5() {
            Expiry::from_interval(connect.properties.session_expiry_interval().unwrap_or(0))
        } else if connect.clean_session {
            Expiry::AtDisconnect
        } else {
            Expiry::Never
        }
    }

    /// A 5.0 Session Expiry Interval, in seconds.
    pub fn from_interval(seconds: u32) -> Expiry {
        match seconds {
            0 => Expiry::AtDisconnect,
            u32::MAX => Expiry::Never,
            n => Expiry::After(Duration::from_secs(n.into())),
        }
    }
}

/// The properties of the CONNACK accepting a 5.0 client: what the broker accepts from it, that
/// it serves shared subscriptions, and the client id it made up for a client that sent an
/// empty one [MQTT-3.2.2-16].
pub fn connack_properties(assigned_id: Option<&str>, topic_alias_maximum: u16) -> Properties {
    let max_packet = u32::try_from(Decoder::DEFAULT_MAX_PACKET_SIZE).unwrap_or(u32::MAX);
    let mut properties = vec![
        Property::MaximumPacketSize(max_packet),
        // Absent means available too; said anyway, for clients that look for it.
        Property::SharedSubscriptionAvailable(true),
    ];
    if topic_alias_maximum > 0 {
        properties.push(Property::TopicAliasMaximum(topic_alias_maximum));
    }
    if let Some(id) = assigned_id {
        properties.push(Property::AssignedClientIdentifier(id));
    }
    // Every value above is in range and given once.
    Properties::new(properties).unwrap_or_default()
}
