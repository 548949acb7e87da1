//! The direction of flow of each control packet type (MQTT 3.1.1 section 2.2.1, Table 2.1;
//! MQTT 5.0 section 2.1.2, Table 2-1): a decoder told its role refuses the packets that never
//! travel towards its end of the connection, from the fixed header alone, in every decoder
//! (owned, borrowed, frame). A decoder without a role accepts both directions.
//!
//! The frames are written by hand from the standard, one valid packet of every type.

use bytes::BytesMut;
use mqttwire::{DecodeError, Decoder, DisconnectReasonCode, PacketType, Protocol, Role};

/// One valid MQTT 3.1.1 frame of each of the 14 packet types.
const FRAMES_V311: [(PacketType, &[u8]); 14] = [
    // Protocol name "MQTT", level 4, Clean Session, Keep Alive 60, empty Client Identifier.
    (
        PacketType::Connect,
        b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00",
    ),
    (PacketType::ConnAck, b"\x20\x02\x00\x00"),
    (PacketType::Publish, b"\x30\x03\x00\x01a"),
    (PacketType::PubAck, b"\x40\x02\x00\x01"),
    (PacketType::PubRec, b"\x50\x02\x00\x01"),
    (PacketType::PubRel, b"\x62\x02\x00\x01"),
    (PacketType::PubComp, b"\x70\x02\x00\x01"),
    (PacketType::Subscribe, b"\x82\x06\x00\x01\x00\x01a\x00"),
    (PacketType::SubAck, b"\x90\x03\x00\x01\x00"),
    (PacketType::Unsubscribe, b"\xa2\x05\x00\x01\x00\x01a"),
    (PacketType::UnsubAck, b"\xb0\x02\x00\x01"),
    (PacketType::PingReq, b"\xc0\x00"),
    (PacketType::PingResp, b"\xd0\x00"),
    (PacketType::Disconnect, b"\xe0\x00"),
];

/// One valid MQTT 5.0 frame of each of the 15 packet types (each with a Property Length of 0
/// where the packet has one).
const FRAMES_V5: [(PacketType, &[u8]); 15] = [
    (
        PacketType::Connect,
        b"\x10\x0d\x00\x04MQTT\x05\x02\x00\x3c\x00\x00\x00",
    ),
    (PacketType::ConnAck, b"\x20\x03\x00\x00\x00"),
    (PacketType::Publish, b"\x30\x04\x00\x01a\x00"),
    (PacketType::PubAck, b"\x40\x02\x00\x01"),
    (PacketType::PubRec, b"\x50\x02\x00\x01"),
    (PacketType::PubRel, b"\x62\x02\x00\x01"),
    (PacketType::PubComp, b"\x70\x02\x00\x01"),
    (PacketType::Subscribe, b"\x82\x07\x00\x01\x00\x00\x01a\x00"),
    (PacketType::SubAck, b"\x90\x04\x00\x01\x00\x00"),
    (PacketType::Unsubscribe, b"\xa2\x06\x00\x01\x00\x00\x01a"),
    (PacketType::UnsubAck, b"\xb0\x04\x00\x01\x00\x00"),
    (PacketType::PingReq, b"\xc0\x00"),
    (PacketType::PingResp, b"\xd0\x00"),
    (PacketType::Disconnect, b"\xe0\x00"),
    (PacketType::Auth, b"\xf0\x00"),
];

/// Whether Table 2.1 (3.1.1) or Table 2-1 (5.0) lets a packet of this type reach `role`,
/// written out row by row from the standard's "Direction of flow" column.
fn allowed(protocol: Protocol, role: Role, packet_type: PacketType) -> bool {
    use PacketType::*;
    let (to_server, to_client) = match packet_type {
        Connect | Subscribe | Unsubscribe | PingReq => (true, false),
        ConnAck | SubAck | UnsubAck | PingResp => (false, true),
        Publish | PubAck | PubRec | PubRel | PubComp | Auth => (true, true),
        // "Client to Server" in 3.1.1; "Client to Server or Server to Client" in 5.0.
        Disconnect => (true, protocol.is_v5()),
    };
    match role {
        Role::Server => to_server,
        Role::Client => to_client,
    }
}

/// Decodes a complete frame with the owned, borrowed and both frame decoders, which must agree
/// on success or on the error; returns that error, if any.
fn decode_every_way(decoder: &Decoder, wire: &[u8]) -> Result<(), DecodeError> {
    let mut buf = BytesMut::from(wire);
    let owned = decoder.decode(&mut buf).map(|packet| {
        assert!(packet.is_some(), "{wire:02x?}: the owned decoder waits");
    });
    let borrowed = decoder.decode_ref(wire).map(|packet| {
        assert_eq!(packet.map(|(_, consumed)| consumed), Some(wire.len()));
    });
    let frame = decoder.decode_frame(bytes::Bytes::copy_from_slice(wire));
    let frame_ref = decoder.decode_frame_ref(wire);
    assert_eq!(
        owned, borrowed,
        "{wire:02x?}: decode and decode_ref disagree"
    );
    assert_eq!(
        frame.map(drop),
        owned,
        "{wire:02x?}: decode_frame disagrees"
    );
    assert_eq!(
        frame_ref.map(drop),
        owned,
        "{wire:02x?}: decode_frame_ref disagrees"
    );
    owned
}

fn check_every_type(protocol: Protocol, frames: &[(PacketType, &[u8])]) {
    let decoder = Decoder::new().protocol(protocol);
    for &(packet_type, wire) in frames {
        assert_eq!(wire[0] >> 4, packet_type.bits(), "{wire:02x?}");
        // Without a role, every packet decodes: the frames are valid.
        assert_eq!(decode_every_way(&decoder, wire), Ok(()), "{wire:02x?}");
        for role in [Role::Client, Role::Server] {
            let decoder = decoder.role(role);
            let got = decode_every_way(&decoder, wire);
            if allowed(protocol, role, packet_type) {
                assert_eq!(got, Ok(()), "{protocol:?} {role:?} {packet_type:?}");
                continue;
            }
            let refused = DecodeError::WrongDirection { packet_type, role };
            assert_eq!(got, Err(refused), "{protocol:?} {role:?} {packet_type:?}");
            assert_eq!(refused.reason_code(), DisconnectReasonCode::ProtocolError);
            // Refused from the fixed header alone, before the body arrives, by the streaming
            // decoders (a frame without a body is only incomplete when the body is not empty).
            let header = &wire[..2];
            if header.len() < wire.len() {
                assert_eq!(
                    decoder.decode(&mut BytesMut::from(header)),
                    Err(refused),
                    "{wire:02x?}"
                );
                assert_eq!(decoder.decode_ref(header), Err(refused), "{wire:02x?}");
            }
        }
    }
}

#[test]
fn section_2_2_1_table_2_1_direction_of_flow_in_v311() {
    check_every_type(Protocol::V311, &FRAMES_V311);
    // MQTT 3.1 (level 3) follows the same table.
    check_every_type(Protocol::V31, &FRAMES_V311);
}

#[test]
fn section_2_1_2_table_2_1_direction_of_flow_in_v5() {
    check_every_type(Protocol::V5, &FRAMES_V5);
}

#[test]
fn the_refusals_are_exactly_those_of_the_tables() {
    // 3.1.1: a client refuses 5 types, a server 4; 5.0: a client 4 (DISCONNECT reaches it),
    // a server 4. Counted from the decoder, so that `allowed` cannot drift from it unnoticed.
    let count = |protocol, role, frames: &[(PacketType, &[u8])]| {
        let decoder = Decoder::new().protocol(protocol).role(role);
        frames
            .iter()
            .filter(|(_, wire)| {
                matches!(
                    decoder.decode_ref(wire),
                    Err(DecodeError::WrongDirection { .. })
                )
            })
            .count()
    };
    assert_eq!(count(Protocol::V311, Role::Client, &FRAMES_V311), 5);
    assert_eq!(count(Protocol::V311, Role::Server, &FRAMES_V311), 4);
    assert_eq!(count(Protocol::V5, Role::Client, &FRAMES_V5), 4);
    assert_eq!(count(Protocol::V5, Role::Server, &FRAMES_V5), 4);
}
