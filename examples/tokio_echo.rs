//! An MQTT echo server on tokio, through `mqttwire::MqttCodec` (feature `tokio-codec`).
//!
//! ```text
//! cargo run --example tokio_echo --features tokio-codec -- --port 1884
//! cargo run --example tokio_echo --features tokio-codec -- --demo
//! ```
//!
//! Each connection is a `Framed<TcpStream, MqttCodec>`: a `Stream` of decoded packets and a
//! `Sink` of packets to encode. The server accepts any CONNECT, acknowledges every PUBLISH as
//! its QoS asks and sends the message back to its sender at QoS 0, grants SUBSCRIBE requests
//! (at QoS 0: the only messages a client gets are its own echoes) and answers PINGREQ.
//!
//! `--demo` also runs a client against the server in the same runtime: it connects,
//! publishes at QoS 0, 1 and 2, waits for the echoes, pings and disconnects, then exits.

use futures_util::{SinkExt, StreamExt};
use mqttwire::{
    ConnAck, Connect, MqttCodec, MqttCodecError, MqttString, Packet, PacketId, PubAck, PubComp,
    PubRec, PubRel, Publish, QoS, QosPid, SubAck, SubscribeReturnCode, TopicName, UnsubAck,
};
use std::error::Error;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_util::codec::Framed;

const HELP: &str = "\
tokio_echo: an MQTT echo server on tokio and mqttwire's MqttCodec

USAGE: tokio_echo [--host HOST] [--port PORT] [--demo]

  --host HOST   address to listen on                           [127.0.0.1]
  --port PORT   port to listen on, 0 for any free one            [1884]
  --demo        run a client against the server, then exit
  -h, --help    print this help
";

type Result<T> = std::result::Result<T, Box<dyn Error>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let (mut host, mut port, mut demo) = ("127.0.0.1".to_owned(), 1884u16, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(());
            }
            "--host" => host = args.next().ok_or("--host needs a value")?,
            "--port" => port = args.next().ok_or("--port needs a value")?.parse()?,
            "--demo" => demo = true,
            _ => return Err(format!("unknown option {arg}\n\n{HELP}").into()),
        }
    }
    // The demo picks a free port so that it can run anywhere.
    let listener = TcpListener::bind((host.as_str(), if demo { 0 } else { port })).await?;
    let addr = listener.local_addr()?;
    println!("listening on {addr}");
    let server = tokio::spawn(async move {
        loop {
            let Ok((socket, peer)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                match echo(socket).await {
                    Ok(()) => eprintln!("{peer}: disconnected"),
                    Err(e) => eprintln!("{peer}: closed: {e}"),
                }
            });
        }
    });
    if demo {
        // Bounded: a demo that hangs would be worse than one that fails.
        timeout(Duration::from_secs(10), run_demo(&addr.to_string())).await??;
        server.abort();
        println!("demo passed");
    } else {
        server.await?;
    }
    Ok(())
}

/// Serves one connection until DISCONNECT, the end of the stream, or a malformed packet.
async fn echo(socket: TcpStream) -> std::result::Result<(), MqttCodecError> {
    socket.set_nodelay(true)?;
    let mut framed = Framed::new(socket, MqttCodec::new());
    // The first packet must be CONNECT [MQTT-3.1.0-1]; give up after 10 s of silence.
    match timeout(Duration::from_secs(10), framed.next()).await {
        Ok(Some(Ok(Packet::Connect(_)))) => framed.send(ConnAck::accepted(false)).await?,
        Ok(Some(Err(e))) => return Err(e),
        _ => return Ok(()),
    }
    // `?` on a decode error drops the connection, as the standard asks [MQTT-4.8.0-1].
    while let Some(packet) = framed.next().await {
        match packet? {
            Packet::Publish(mut echo) => {
                match echo.qos_pid() {
                    QosPid::AtMostOnce => {}
                    QosPid::AtLeastOnce(id) => framed.send(PubAck::new(id)).await?,
                    QosPid::ExactlyOnce(id) => framed.send(PubRec::new(id)).await?,
                }
                // The same message back at QoS 0, DUP and RETAIN clear, from the received
                // buffer (not copied).
                echo.set_qos(QosPid::AtMostOnce);
                echo.set_dup(false);
                echo.set_retain(false);
                framed.send(echo).await?;
            }
            Packet::PubRel(rel) => framed.send(PubComp::new(rel.packet_id)).await?,
            Packet::Subscribe(s) => {
                let granted = vec![SubscribeReturnCode::Success(QoS::AtMostOnce); s.len()];
                framed.send(SubAck::new(s.packet_id(), granted)).await?;
            }
            Packet::Unsubscribe(u) => framed.send(UnsubAck::new(u.packet_id())).await?,
            Packet::PingReq => framed.send(Packet::PingResp).await?,
            Packet::Disconnect(_) => return Ok(()),
            // Anything else is ignored: this is an echo server, not a broker.
            _ => {}
        }
    }
    Ok(())
}

/// A client exercising the server: QoS 0, 1 and 2 publishes with their acknowledgements, the
/// echoes, a ping, and DISCONNECT.
async fn run_demo(addr: &str) -> Result<()> {
    let mut client = Framed::new(TcpStream::connect(addr).await?, MqttCodec::new());
    client
        .send(Connect::new(MqttString::new("tokio-demo")?))
        .await?;
    if !matches!(next(&mut client).await?, Packet::ConnAck(_)) {
        return Err("no CONNACK".into());
    }

    let topic = TopicName::new("demo/echo")?;
    for (n, qos) in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
        .into_iter()
        .enumerate()
    {
        let id = PacketId::try_from(n as u16 + 1)?;
        let qos_pid = QosPid::new(qos, Some(id)).ok_or("QoS without identifier")?;
        let payload = format!("hello at QoS {}", qos.bits());
        client
            .send(Publish::new(topic.clone(), qos_pid, &payload))
            .await?;
        // The acknowledgements and the echo may arrive in any order.
        let (mut acknowledged, mut echoed) = (qos == QoS::AtMostOnce, false);
        while !(acknowledged && echoed) {
            match next(&mut client).await? {
                Packet::Publish(echo) if echo.payload() == payload.as_bytes() => {
                    println!(
                        "echo: {} {}",
                        echo.topic(),
                        String::from_utf8_lossy(echo.payload())
                    );
                    echoed = true;
                }
                Packet::PubAck(ack) if ack.packet_id == id => acknowledged = true,
                Packet::PubRec(rec) if rec.packet_id == id => client.send(PubRel::new(id)).await?,
                Packet::PubComp(comp) if comp.packet_id == id => acknowledged = true,
                other => return Err(format!("unexpected {other:?}").into()),
            }
        }
    }
    client.send(Packet::PingReq).await?;
    if next(&mut client).await? != Packet::PingResp {
        return Err("no PINGRESP".into());
    }
    client
        .send(Packet::Disconnect(mqttwire::Disconnect::new()))
        .await?;
    Ok(())
}

/// The next packet from the server.
async fn next(client: &mut Framed<TcpStream, MqttCodec>) -> Result<Packet> {
    match client.next().await {
        Some(packet) => Ok(packet?),
        None => Err("the server closed the connection".into()),
    }
}
