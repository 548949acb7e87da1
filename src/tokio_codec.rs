//! [`MqttCodec`]: mqttwire as a [`tokio_util::codec`] codec (feature `tokio-codec`).

use crate::codec::{Decoder, Encode};
use crate::error::{DecodeError, EncodeError};
use crate::packet::Packet;
use bytes::BytesMut;

/// A [`tokio_util::codec::Decoder`] of [`Packet`]s and an [`Encoder`](tokio_util::codec::Encoder)
/// of anything that implements [`Encode`], so that a socket wrapped in
/// [`Framed`](tokio_util::codec::Framed) becomes a `Stream` of packets and a `Sink` of packets.
///
/// Decoding is [`Decoder::decode`] with its limits and strictness: "need more bytes" is
/// `Ok(None)`, a malformed packet is [`MqttCodecError::Decode`], after which the stream should
/// be dropped [MQTT-4.8.0-1]. Encoding reserves [`Encode::encoded_len`] bytes and writes the
/// packet once.
///
/// ```
/// use bytes::BytesMut;
/// use mqttwire::{MqttCodec, Packet, PubAck, PacketId};
/// use tokio_util::codec::{Decoder as _, Encoder as _};
///
/// let mut codec = MqttCodec::new();
///
/// // Decoding: a PINGREQ arriving one byte at a time.
/// let mut rx = BytesMut::from(&[0xc0][..]);
/// assert_eq!(codec.decode(&mut rx)?, None);
/// rx.extend_from_slice(&[0x00]);
/// assert_eq!(codec.decode(&mut rx)?, Some(Packet::PingReq));
///
/// // Encoding: any packet type, or a `Packet`.
/// let mut tx = BytesMut::new();
/// codec.encode(PubAck::new(PacketId::try_from(10)?), &mut tx)?;
/// codec.encode(Packet::PingResp, &mut tx)?;
/// assert_eq!(&tx[..], [0x40, 0x02, 0x00, 0x0a, 0xd0, 0x00]);
///
/// // A malformed packet is an error (here a reserved packet type).
/// assert!(codec.decode(&mut BytesMut::from(&[0xf0, 0x00][..])).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Over a socket, with `Framed` (and `futures`' `StreamExt`/`SinkExt`):
///
/// ```no_run
/// use futures_util::{SinkExt, StreamExt};
/// use mqttwire::{Decoder, MqttCodec, Packet};
/// use tokio::net::TcpListener;
/// use tokio_util::codec::Framed;
///
/// # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
/// let listener = TcpListener::bind("127.0.0.1:1883").await?;
/// let (socket, _) = listener.accept().await?;
/// let codec = MqttCodec::with_decoder(Decoder::new().max_packet_size(64 * 1024));
/// let mut framed = Framed::new(socket, codec);
/// while let Some(packet) = framed.next().await {
///     if packet? == Packet::PingReq {
///         framed.send(Packet::PingResp).await?;
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MqttCodec {
    decoder: Decoder,
}

impl MqttCodec {
    /// A codec with the default [`Decoder`] (strict, 1 MiB packet limit).
    pub const fn new() -> Self {
        MqttCodec {
            decoder: Decoder::new(),
        }
    }

    /// A codec decoding with `decoder`'s limits and strictness.
    pub const fn with_decoder(decoder: Decoder) -> Self {
        MqttCodec { decoder }
    }

    /// The decoder in use.
    pub const fn decoder(&self) -> &Decoder {
        &self.decoder
    }
}

/// The error of [`MqttCodec`]: the socket failed, or the peer sent a malformed packet, or a
/// packet could not be encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MqttCodecError {
    /// Reading or writing the underlying I/O object failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The peer sent a malformed packet; close the connection [MQTT-4.8.0-1].
    #[error("malformed packet: {0}")]
    Decode(#[from] DecodeError),
    /// A packet could not be encoded.
    #[error("cannot encode packet: {0}")]
    Encode(#[from] EncodeError),
}

impl tokio_util::codec::Decoder for MqttCodec {
    type Item = Packet;
    type Error = MqttCodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Packet>, MqttCodecError> {
        Ok(self.decoder.decode(src)?)
    }
}

impl<P: Encode> tokio_util::codec::Encoder<P> for MqttCodec {
    type Error = MqttCodecError;

    fn encode(&mut self, packet: P, dst: &mut BytesMut) -> Result<(), MqttCodecError> {
        // `BytesMut` grows as needed, but reserving the exact size first means one allocation
        // at most.
        dst.reserve(packet.encoded_len());
        Ok(packet.encode(dst)?)
    }
}
