//! What a decoded MQTT 5.0 packet holds, in one form every codec's packets can be turned into,
//! so that each codec's decoding is checked field by field against what the corpus writer put
//! in (`corpus.rs` records one [`Seen`] per packet of the `v5-` corpora). Built and compared
//! outside the timed runs.

/// The fields of a packet that the corpora vary. Absent properties are `0` / empty: the
/// corpora never send a Topic Alias or Message Expiry Interval of 0 nor an empty Content
/// Type or Reason String, so that no codec is asked to keep apart what some cannot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// The packet type (the fixed header's four high bits).
    pub kind: u8,
    /// PUBLISH.
    pub qos: u8,
    pub retain: bool,
    /// PUBLISH above QoS 0, the acknowledgements, SUBSCRIBE and SUBACK; 0 when none.
    pub packet_id: u16,
    /// PUBLISH: the topic name as sent (empty when a Topic Alias stands for it).
    pub topic: String,
    pub payload: Vec<u8>,
    /// Payload Format Indicator 1 (UTF-8). The corpora never send 0.
    pub utf8: bool,
    pub message_expiry: u32,
    pub content_type: String,
    pub topic_alias: u16,
    /// PUBACK, PUBREC, PUBREL, PUBCOMP (0x00 for the short forms).
    pub reason: u8,
    pub reason_string: String,
    /// User Properties of any packet, in order.
    pub user: Vec<(String, String)>,
    /// SUBSCRIBE: each filter and its Subscription Options byte (section 3.8.3.1).
    pub filters: Vec<(String, u8)>,
    /// SUBACK: the Reason Codes.
    pub codes: Vec<u8>,
}

impl Seen {
    pub fn new(kind: u8) -> Self {
        Seen {
            kind,
            ..Seen::default()
        }
    }
}

/// The Subscription Options byte (section 3.8.3.1) from its fields.
pub fn options_byte(qos: u8, no_local: bool, retain_as_published: bool, retain_handling: u8) -> u8 {
    qos | (u8::from(no_local) << 2) | (u8::from(retain_as_published) << 3) | (retain_handling << 4)
}

/// Compares what a codec decoded with what the corpus holds: `None` when they agree, else how
/// many packets differ and the first difference.
pub fn compare(expected: &[Seen], got: &[Seen]) -> Option<String> {
    let mut differ = 0;
    let mut first = None;
    for (i, (e, g)) in expected.iter().zip(got).enumerate() {
        if e != g {
            differ += 1;
            first.get_or_insert_with(|| describe(i, e, g));
        }
    }
    if expected.len() != got.len() {
        return Some(format!(
            "decoded {} packets, expected {}{}",
            got.len(),
            expected.len(),
            first.map(|f| format!("; {f}")).unwrap_or_default()
        ));
    }
    first.map(|f| format!("{differ} packets decoded differently, first {f}"))
}

/// The first field in which `got` differs from `expected`, for the report.
fn describe(i: usize, e: &Seen, g: &Seen) -> String {
    let fields: [(&str, String, String); 15] = [
        ("type", e.kind.to_string(), g.kind.to_string()),
        ("qos", e.qos.to_string(), g.qos.to_string()),
        ("retain", e.retain.to_string(), g.retain.to_string()),
        (
            "packet id",
            e.packet_id.to_string(),
            g.packet_id.to_string(),
        ),
        ("topic", e.topic.clone(), g.topic.clone()),
        (
            "payload",
            format!("{} bytes", e.payload.len()),
            format!("{} bytes", g.payload.len()),
        ),
        ("payload format", e.utf8.to_string(), g.utf8.to_string()),
        (
            "message expiry",
            e.message_expiry.to_string(),
            g.message_expiry.to_string(),
        ),
        (
            "content type",
            e.content_type.clone(),
            g.content_type.clone(),
        ),
        (
            "topic alias",
            e.topic_alias.to_string(),
            g.topic_alias.to_string(),
        ),
        (
            "reason code",
            format!("{:#04x}", e.reason),
            format!("{:#04x}", g.reason),
        ),
        (
            "reason string",
            e.reason_string.clone(),
            g.reason_string.clone(),
        ),
        (
            "user properties",
            format!("{:?}", e.user),
            format!("{:?}", g.user),
        ),
        (
            "filters",
            format!("{:?}", e.filters),
            format!("{:?}", g.filters),
        ),
        (
            "codes",
            format!("{:02x?}", e.codes),
            format!("{:02x?}", g.codes),
        ),
    ];
    let (name, want, have) = fields.iter().find(|(_, a, b)| a != b).cloned().unwrap_or((
        "payload bytes",
        "the corpus'".into(),
        "others".into(),
    ));
    format!(
        "packet {i} (type {}): {name} expected {want:?}, got {have:?}",
        e.kind
    )
}

/// The packet type of a packet the corpora do not send, from its `Debug` name, for codecs
/// whose packet enums give no type number: a packet that should not be there shows in the
/// check with the type's number, or 0.
pub fn kind_of_debug(p: &impl std::fmt::Debug) -> u8 {
    let name = format!("{p:?}").to_ascii_lowercase();
    let types = [
        "connect",
        "connack",
        "publish",
        "puback",
        "pubrec",
        "pubrel",
        "pubcomp",
        "subscribe",
        "suback",
        "unsubscribe",
        "unsuback",
        "pingreq",
        "pingresp",
        "disconnect",
        "auth",
    ];
    types
        .iter()
        .position(|t| name.starts_with(t))
        .map_or(0, |i| i as u8 + 1)
}
