//! `Encode::encode_to_slice` (issue 17): for every packet type, owned and borrowed, in MQTT
//! 3.1.1 and 5.0, it writes the bytes the `BufMut` encoder writes and returns their number;
//! into a slice too small by any number of bytes it fails with
//! [`EncodeError::BufferTooSmall`] and writes nothing. (As `Encode::encode`: nothing is written
//! on error.)

mod common;

use common::config;
use common::strategies as st;
use common::strategies_v5 as st5;
use mqttwire::{
    ConnectParts, Decoder, Encode, EncodeError, Encoder, LoginRef, Packet, Protocol, QoS,
    SubscribeParts, SubscriptionOptions, TopicError, WillRef,
};
use proptest::prelude::*;

/// Checks `packet` (owned, then as the `PacketRef` decoded from its own bytes) for `encoder`.
fn check(packet: &Packet, encoder: &Encoder) -> Result<(), TestCaseError> {
    let mut expected = Vec::new();
    let Ok(()) = packet.encode_for(encoder, &mut expected) else {
        // A packet the version cannot express: the slice path refuses it the same way.
        let mut out = vec![0xa5u8; 1024];
        prop_assert_eq!(
            packet.encode_to_slice_for(encoder, &mut out).err(),
            packet.encode_for(encoder, &mut Vec::new()).err()
        );
        prop_assert!(out.iter().all(|&b| b == 0xa5));
        return Ok(());
    };
    prop_assert_eq!(expected.len(), packet.encoded_len_for(encoder));
    let decoder = Decoder::new()
        .protocol(encoder.protocol())
        .max_packet_size(Decoder::PROTOCOL_MAX_PACKET_SIZE);
    let (borrowed, consumed) = decoder
        .decode_ref(&expected)
        .expect("its own encoding decodes")
        .expect("whole");
    prop_assert_eq!(consumed, expected.len());

    for encode in [
        &|out: &mut [u8]| packet.encode_to_slice_for(encoder, out) as Result<usize, EncodeError>,
        &|out: &mut [u8]| encoder.encode_to_slice(&borrowed, out),
    ] as [&dyn Fn(&mut [u8]) -> Result<usize, EncodeError>; 2]
    {
        // Exactly the size, and with room to spare: the same bytes at the start.
        for spare in [0, 7] {
            let mut out = vec![0xa5u8; expected.len() + spare];
            prop_assert_eq!(encode(&mut out), Ok(expected.len()));
            prop_assert_eq!(&out[..expected.len()], &expected[..]);
            prop_assert!(out[expected.len()..].iter().all(|&b| b == 0xa5));
        }
        // Every shorter length: refused, untouched.
        for len in 0..expected.len() {
            let mut out = vec![0xa5u8; len];
            prop_assert_eq!(
                encode(&mut out),
                Err(EncodeError::BufferTooSmall {
                    needed: expected.len(),
                    available: len
                })
            );
            prop_assert!(out.iter().all(|&b| b == 0xa5), "written into {} bytes", len);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// MQTT 3.1.1: every packet type (`st::small_packet` covers all 14).
    #[test]
    fn v311_slice_matches_bufmut(packet in st::small_packet()) {
        check(&packet, &Encoder::V311)?;
    }

    /// MQTT 5.0: every packet type, AUTH included, with properties.
    #[test]
    fn v5_slice_matches_bufmut(packet in st5::small_packet_v5()) {
        check(&packet, &Encoder::new(Protocol::V5))?;
    }

    /// A 5.0 packet for a 3.1.1 peer: what 3.1.1 cannot carry is left out or refused alike.
    #[test]
    fn v5_packet_for_v311_peer(packet in st5::small_packet_v5()) {
        check(&packet, &Encoder::V311)?;
    }
}

/// `other` (a packet built from borrowed parts) encodes to the bytes of `packet` (the same
/// packet, owned) for `encoder`, or fails alike; into a slice one byte short it fails.
fn same_encoding(
    packet: &impl Encode,
    other: &impl Encode,
    encoder: &Encoder,
) -> Result<(), TestCaseError> {
    let mut expected = Vec::new();
    let owned = packet.encode_for(encoder, &mut expected);
    let mut out = vec![0u8; expected.len() + 16];
    match owned {
        Ok(()) => {
            prop_assert_eq!(other.encoded_len_for(encoder), expected.len());
            prop_assert_eq!(
                other.encode_to_slice_for(encoder, &mut out),
                Ok(expected.len())
            );
            prop_assert_eq!(&out[..expected.len()], &expected[..]);
            let short = &mut out[..expected.len() - 1];
            prop_assert!(other.encode_to_slice_for(encoder, short).is_err());
        }
        Err(e) => prop_assert_eq!(other.encode_to_slice_for(encoder, &mut out), Err(e)),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    /// `SubscribeParts` encodes as the `Subscribe` of the same subscriptions and properties,
    /// in 3.1.1 (Requested QoS alone) and 5.0.
    #[test]
    fn subscribe_parts_encode_as_subscribe(subscribe in st5::subscribe_v5()) {
        let pairs: Vec<(&str, SubscriptionOptions)> = subscribe.iter_with_options().collect();
        let mut parts = SubscribeParts::new(subscribe.packet_id(), &pairs).expect("valid");
        parts.properties = subscribe.properties();
        for encoder in [Encoder::V311, Encoder::new(Protocol::V5)] {
            same_encoding(&subscribe, &parts, &encoder)?;
        }
    }

    /// `ConnectParts` encodes as the `Connect` of the same fields, in its own version.
    #[test]
    fn connect_parts_encode_as_connect(connect in st5::connect_v5()) {
        let view = connect.as_borrowed();
        let mut parts = ConnectParts::new(view.client_id()).expect("valid");
        parts.protocol = view.protocol();
        parts.clean_session = view.clean_session();
        parts.keep_alive = view.keep_alive();
        parts.properties = view.properties();
        parts.will = view.will().map(|w| {
            let mut will = WillRef::new(w.topic(), w.qos, w.payload).expect("valid");
            will.retain = w.retain;
            will.properties = w.properties;
            will
        });
        parts.login = view.login().map(|l| match l.username() {
            Some(user) => {
                let login = LoginRef::new(user).expect("valid");
                match l.password {
                    Some(password) => login.with_password(password),
                    None => login,
                }
            }
            None => LoginRef::password_only(l.password.unwrap_or_default()),
        });
        same_encoding(&connect, &parts, &Encoder::V311)?;
    }
}

/// What `SubscribeParts::new` refuses [MQTT-3.8.3-3], [MQTT-3.8.3-4], section 4.7.
#[test]
fn subscribe_parts_refusals() {
    let id = mqttwire::PacketId::try_from(1).expect("non-zero");
    let qos1 = SubscriptionOptions::new(QoS::AtLeastOnce);
    assert_eq!(
        SubscribeParts::new(id, &[]),
        Err(EncodeError::EmptySubscribe)
    );
    assert_eq!(
        SubscribeParts::new(id, &[("a/#/b", qos1)]),
        Err(EncodeError::InvalidTopicFilter(
            TopicError::MisplacedMultiLevelWildcard { offset: 2 }
        ))
    );
    assert_eq!(
        SubscribeParts::new(id, &[("$share/g/a", qos1.with_no_local(true))]),
        Err(EncodeError::NoLocalOnSharedSubscription)
    );
}

/// A peer's Maximum Packet Size applies to the slice path as to the `BufMut` one.
#[test]
fn maximum_packet_size_applies() {
    let ack = Packet::PingReq;
    let tight = Encoder::new(Protocol::V5).max_packet_size(1);
    let mut out = [0u8; 8];
    assert_eq!(
        ack.encode_to_slice_for(&tight, &mut out),
        Err(EncodeError::ExceedsMaximumPacketSize { size: 2, max: 1 })
    );
    assert_eq!(out, [0; 8]);
}
