//! proptest strategies for every MQTT 5.0 packet with its 5.0 fields (properties, Reason Codes,
//! Subscription Options, shared subscriptions, a topic given by a Topic Alias alone, a password
//! without a user name, AUTH), and an independent reference encoder for 5.0, `ref_encode_v5`,
//! written from the standard's layouts (chapters 2 and 3) with its own property writer.
//!
//! The properties of a packet are drawn per [`PropertySet`]: any of the properties Table 2-4
//! allows there, each with a value across its range (the edges included: 0, 1 and the largest
//! value of each integer, empty and 65,535-byte strings and binary data), User Properties
//! often repeated, and in a PUBLISH often several Subscription Identifiers.
#![allow(dead_code)]

use super::strategies::{self as st, ref_varint};
use bytes::Bytes;
use mqttwire::*;
use proptest::collection::vec;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Property values.
// ---------------------------------------------------------------------------------------------

/// A property with an owned value: what the strategies draw, before [`Properties::new`] takes
/// the borrowed [`Property`] of each. One variant per property of Table 2-4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prop {
    PayloadFormatIndicator(PayloadFormat),
    MessageExpiryInterval(u32),
    ContentType(String),
    ResponseTopic(String),
    CorrelationData(Vec<u8>),
    SubscriptionIdentifier(u32),
    SessionExpiryInterval(u32),
    AssignedClientIdentifier(String),
    ServerKeepAlive(u16),
    AuthenticationMethod(String),
    AuthenticationData(Vec<u8>),
    RequestProblemInformation(bool),
    WillDelayInterval(u32),
    RequestResponseInformation(bool),
    ResponseInformation(String),
    ServerReference(String),
    ReasonString(String),
    ReceiveMaximum(u16),
    TopicAliasMaximum(u16),
    TopicAlias(u16),
    MaximumQos(QoS),
    RetainAvailable(bool),
    UserProperty(String, String),
    MaximumPacketSize(u32),
    WildcardSubscriptionAvailable(bool),
    SubscriptionIdentifierAvailable(bool),
    SharedSubscriptionAvailable(bool),
}

impl Prop {
    /// The crate's [`Property`], borrowing this value.
    pub fn property(&self) -> Property<'_> {
        match self {
            Prop::PayloadFormatIndicator(v) => Property::PayloadFormatIndicator(*v),
            Prop::MessageExpiryInterval(v) => Property::MessageExpiryInterval(*v),
            Prop::ContentType(v) => Property::ContentType(v),
            Prop::ResponseTopic(v) => Property::ResponseTopic(v),
            Prop::CorrelationData(v) => Property::CorrelationData(v),
            Prop::SubscriptionIdentifier(v) => Property::SubscriptionIdentifier(*v),
            Prop::SessionExpiryInterval(v) => Property::SessionExpiryInterval(*v),
            Prop::AssignedClientIdentifier(v) => Property::AssignedClientIdentifier(v),
            Prop::ServerKeepAlive(v) => Property::ServerKeepAlive(*v),
            Prop::AuthenticationMethod(v) => Property::AuthenticationMethod(v),
            Prop::AuthenticationData(v) => Property::AuthenticationData(v),
            Prop::RequestProblemInformation(v) => Property::RequestProblemInformation(*v),
            Prop::WillDelayInterval(v) => Property::WillDelayInterval(*v),
            Prop::RequestResponseInformation(v) => Property::RequestResponseInformation(*v),
            Prop::ResponseInformation(v) => Property::ResponseInformation(v),
            Prop::ServerReference(v) => Property::ServerReference(v),
            Prop::ReasonString(v) => Property::ReasonString(v),
            Prop::ReceiveMaximum(v) => Property::ReceiveMaximum(*v),
            Prop::TopicAliasMaximum(v) => Property::TopicAliasMaximum(*v),
            Prop::TopicAlias(v) => Property::TopicAlias(*v),
            Prop::MaximumQos(v) => Property::MaximumQos(*v),
            Prop::RetainAvailable(v) => Property::RetainAvailable(*v),
            Prop::UserProperty(k, v) => Property::UserProperty(k, v),
            Prop::MaximumPacketSize(v) => Property::MaximumPacketSize(*v),
            Prop::WildcardSubscriptionAvailable(v) => Property::WildcardSubscriptionAvailable(*v),
            Prop::SubscriptionIdentifierAvailable(v) => {
                Property::SubscriptionIdentifierAvailable(*v)
            }
            Prop::SharedSubscriptionAvailable(v) => Property::SharedSubscriptionAvailable(*v),
        }
    }

    /// The property's identifier.
    pub fn id(&self) -> PropertyId {
        self.property().id()
    }
}

/// Strings of properties: mostly short (every UTF-8 width, control characters, `/`, `+`, `#`),
/// sometimes empty, now and then 65,535 bytes (less often than in 3.1.1 fields: a packet may
/// carry several).
pub fn prop_str() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        24 => st::string_of(
            prop_oneof![
                4 => st::level_char(),
                1 => prop::sample::select(vec!['/', '+', '#']),
                1 => prop::char::range('\u{1}', '\u{1f}'),
            ],
            1..24
        ),
        1 => st::max_len_string(),
    ]
}

/// Binary Data (section 1.5.6): empty, short, or the largest, 65,535 bytes.
pub fn prop_binary() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => Just(Vec::new()),
        16 => vec(any::<u8>(), 1..32),
        1 => any::<u8>().prop_map(|b| vec![b; MAX_STRING_LEN]),
    ]
}

/// A Two Byte Integer from `min`, often at an edge of its range.
fn u16_from(min: u16) -> impl Strategy<Value = u16> {
    prop_oneof![Just(min), Just(min + 1), Just(u16::MAX), min..=u16::MAX]
}

/// A Four Byte Integer from `min`, often at an edge of its range.
fn u32_from(min: u32) -> impl Strategy<Value = u32> {
    prop_oneof![Just(min), Just(min + 1), Just(u32::MAX), min..=u32::MAX]
}

/// A Subscription Identifier: 1 to 268,435,455, often at the edges of the Variable Byte
/// Integer's widths (127, 128, 16,383, 16,384, 2,097,151, 2,097,152, the largest).
fn subscription_identifier() -> impl Strategy<Value = u32> {
    prop_oneof![
        1 => prop::sample::select(vec![
            1u32, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455
        ]),
        2 => 1..=268_435_455u32,
    ]
}

/// A value of property `id`, within the range the standard gives it.
pub fn prop_value(id: PropertyId) -> BoxedStrategy<Prop> {
    use PropertyId as I;
    match id {
        I::PayloadFormatIndicator => {
            prop_oneof![Just(PayloadFormat::Unspecified), Just(PayloadFormat::Utf8)]
                .prop_map(Prop::PayloadFormatIndicator)
                .boxed()
        }
        I::MessageExpiryInterval => u32_from(0).prop_map(Prop::MessageExpiryInterval).boxed(),
        I::ContentType => prop_str().prop_map(Prop::ContentType).boxed(),
        I::ResponseTopic => st::topic_name_str()
            .prop_filter("short", |s| s.len() < 1000)
            .prop_map(Prop::ResponseTopic)
            .boxed(),
        I::CorrelationData => prop_binary().prop_map(Prop::CorrelationData).boxed(),
        I::SubscriptionIdentifier => subscription_identifier()
            .prop_map(Prop::SubscriptionIdentifier)
            .boxed(),
        I::SessionExpiryInterval => u32_from(0).prop_map(Prop::SessionExpiryInterval).boxed(),
        I::AssignedClientIdentifier => prop_str().prop_map(Prop::AssignedClientIdentifier).boxed(),
        I::ServerKeepAlive => u16_from(0).prop_map(Prop::ServerKeepAlive).boxed(),
        I::AuthenticationMethod => prop_str().prop_map(Prop::AuthenticationMethod).boxed(),
        I::AuthenticationData => prop_binary().prop_map(Prop::AuthenticationData).boxed(),
        I::RequestProblemInformation => any::<bool>()
            .prop_map(Prop::RequestProblemInformation)
            .boxed(),
        I::WillDelayInterval => u32_from(0).prop_map(Prop::WillDelayInterval).boxed(),
        I::RequestResponseInformation => any::<bool>()
            .prop_map(Prop::RequestResponseInformation)
            .boxed(),
        I::ResponseInformation => prop_str().prop_map(Prop::ResponseInformation).boxed(),
        I::ServerReference => prop_str().prop_map(Prop::ServerReference).boxed(),
        I::ReasonString => prop_str().prop_map(Prop::ReasonString).boxed(),
        I::ReceiveMaximum => u16_from(1).prop_map(Prop::ReceiveMaximum).boxed(),
        I::TopicAliasMaximum => u16_from(0).prop_map(Prop::TopicAliasMaximum).boxed(),
        I::TopicAlias => u16_from(1).prop_map(Prop::TopicAlias).boxed(),
        I::MaximumQos => prop_oneof![Just(QoS::AtMostOnce), Just(QoS::AtLeastOnce)]
            .prop_map(Prop::MaximumQos)
            .boxed(),
        I::RetainAvailable => any::<bool>().prop_map(Prop::RetainAvailable).boxed(),
        I::UserProperty => (prop_str(), prop_str())
            .prop_map(|(k, v)| Prop::UserProperty(k, v))
            .boxed(),
        I::MaximumPacketSize => u32_from(1).prop_map(Prop::MaximumPacketSize).boxed(),
        I::WildcardSubscriptionAvailable => any::<bool>()
            .prop_map(Prop::WildcardSubscriptionAvailable)
            .boxed(),
        I::SubscriptionIdentifierAvailable => any::<bool>()
            .prop_map(Prop::SubscriptionIdentifierAvailable)
            .boxed(),
        I::SharedSubscriptionAvailable => any::<bool>()
            .prop_map(Prop::SharedSubscriptionAvailable)
            .boxed(),
    }
}

/// The properties `set` may carry (Table 2-4), as the standard lists them: written out here,
/// not read from [`PropertyId::allowed_in`] (which a test checks against this list).
pub fn allowed(set: PropertySet) -> Vec<PropertyId> {
    use PropertyId as I;
    use PropertySet as S;
    let ids: &[PropertyId] = match set {
        S::Connect => &[
            I::SessionExpiryInterval,
            I::AuthenticationMethod,
            I::AuthenticationData,
            I::RequestProblemInformation,
            I::RequestResponseInformation,
            I::ReceiveMaximum,
            I::TopicAliasMaximum,
            I::UserProperty,
            I::MaximumPacketSize,
        ],
        S::Will => &[
            I::PayloadFormatIndicator,
            I::MessageExpiryInterval,
            I::ContentType,
            I::ResponseTopic,
            I::CorrelationData,
            I::WillDelayInterval,
            I::UserProperty,
        ],
        S::ConnAck => &[
            I::SessionExpiryInterval,
            I::AssignedClientIdentifier,
            I::ServerKeepAlive,
            I::AuthenticationMethod,
            I::AuthenticationData,
            I::ResponseInformation,
            I::ServerReference,
            I::ReasonString,
            I::ReceiveMaximum,
            I::TopicAliasMaximum,
            I::MaximumQos,
            I::RetainAvailable,
            I::UserProperty,
            I::MaximumPacketSize,
            I::WildcardSubscriptionAvailable,
            I::SubscriptionIdentifierAvailable,
            I::SharedSubscriptionAvailable,
        ],
        S::Publish => &[
            I::PayloadFormatIndicator,
            I::MessageExpiryInterval,
            I::ContentType,
            I::ResponseTopic,
            I::CorrelationData,
            I::SubscriptionIdentifier,
            I::TopicAlias,
            I::UserProperty,
        ],
        S::PubAck | S::PubRec | S::PubRel | S::PubComp | S::SubAck | S::UnsubAck => {
            &[I::ReasonString, I::UserProperty]
        }
        S::Subscribe => &[I::SubscriptionIdentifier, I::UserProperty],
        S::Unsubscribe => &[I::UserProperty],
        S::Disconnect => &[
            I::SessionExpiryInterval,
            I::ServerReference,
            I::ReasonString,
            I::UserProperty,
        ],
        S::Auth => &[
            I::AuthenticationMethod,
            I::AuthenticationData,
            I::ReasonString,
            I::UserProperty,
        ],
    };
    ids.to_vec()
}

/// Every property set.
pub const SETS: [PropertySet; 14] = [
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

/// A valid list of properties for `set`: up to 6 drawn from those it allows, each at most
/// once, then up to 4 more of those it allows repeated (User Property; Subscription
/// Identifier in PUBLISH). Wherever there is Authentication Data there is an Authentication
/// Method (section 3.1.2.11.10).
pub fn prop_list(set: PropertySet) -> impl Strategy<Value = Vec<Prop>> {
    let ids = allowed(set);
    let repeatable: Vec<PropertyId> = ids
        .iter()
        .copied()
        .filter(|id| {
            *id == PropertyId::UserProperty
                || (*id == PropertyId::SubscriptionIdentifier && set == PropertySet::Publish)
        })
        .collect();
    let most = ids.len().min(6);
    let once = prop::sample::subsequence(ids, 0..=most).prop_shuffle();
    let again = if repeatable.is_empty() {
        Just(Vec::new()).boxed()
    } else {
        vec(prop::sample::select(repeatable), 0..4).boxed()
    };
    (once, again)
        .prop_flat_map(|(once, again)| {
            once.into_iter()
                .chain(again)
                .map(prop_value)
                .collect::<Vec<_>>()
        })
        .prop_map(|mut props| {
            let has = |props: &[Prop], id| props.iter().any(|p| p.id() == id);
            if has(&props, PropertyId::AuthenticationData)
                && !has(&props, PropertyId::AuthenticationMethod)
            {
                props.insert(0, Prop::AuthenticationMethod("SCRAM-SHA-256".to_owned()));
            }
            props
        })
}

/// [`Properties::new`] of a list the strategies made, which it must accept.
pub fn build(props: &[Prop]) -> Properties {
    Properties::new(props.iter().map(Prop::property)).expect("the strategies make valid lists")
}

/// Valid properties for `set` (see [`prop_list`]).
pub fn properties(set: PropertySet) -> impl Strategy<Value = Properties> {
    prop_list(set).prop_map(|props| build(&props))
}

// ---------------------------------------------------------------------------------------------
// Packets.
// ---------------------------------------------------------------------------------------------

/// Any value of a per-packet Reason Code type: every code of its table, equally likely.
fn code<T: Copy + core::fmt::Debug + 'static>(
    from_byte: fn(u8) -> Option<T>,
) -> impl Strategy<Value = T> {
    prop::sample::select((0..=255u8).filter_map(from_byte).collect::<Vec<_>>())
}

pub fn will_v5() -> impl Strategy<Value = Will> {
    (st::will(), properties(PropertySet::Will))
        .prop_map(|(will, properties)| will.with_properties(properties))
}

/// A user name alone, a user name and a password, or (5.0 only) a password alone.
pub fn login_v5() -> impl Strategy<Value = Login> {
    prop_oneof![
        2 => st::login(),
        1 => st::binary().prop_map(Login::password_only),
    ]
}

/// A 5.0 CONNECT: properties, a Will with Will Properties, any login.
pub fn connect_v5() -> impl Strategy<Value = Connect> {
    (
        st::connect(),
        properties(PropertySet::Connect),
        prop::option::of(will_v5()),
        prop::option::of(login_v5()),
    )
        .prop_map(|(connect, properties, will, login)| Connect {
            protocol: Protocol::V5,
            properties,
            will,
            login,
            ..connect
        })
}

/// A 5.0 CONNACK: any code of Table 3-1, session present only with Success [MQTT-3.2.2-6].
pub fn connack_v5() -> impl Strategy<Value = ConnAck> {
    (
        code(ConnectReasonCode::from_byte),
        any::<bool>(),
        properties(PropertySet::ConnAck),
    )
        .prop_map(|(reason_code, session, properties)| ConnAck {
            session_present: session && reason_code == ConnectReasonCode::Success,
            reason_code,
            properties,
        })
}

/// A 5.0 PUBLISH: the 3.1.1 strategy's fields with properties; a message with a Topic Alias
/// goes without its topic name one time in two.
pub fn publish_v5() -> impl Strategy<Value = Publish> {
    (
        st::publish(),
        properties(PropertySet::Publish),
        any::<bool>(),
    )
        .prop_map(|(publish, properties, alias_only)| {
            let publish = publish
                .with_properties(properties)
                .expect("PUBLISH properties");
            if alias_only && publish.properties().topic_alias().is_some() {
                publish.without_topic().expect("a Topic Alias is there")
            } else {
                publish
            }
        })
}

pub fn puback_v5() -> impl Strategy<Value = PubAck> {
    (
        st::packet_id(),
        code(PubAckReasonCode::from_byte),
        properties(PropertySet::PubAck),
    )
        .prop_map(|(id, c, p)| PubAck::new(id).with_reason_code(c).with_properties(p))
}

pub fn pubrec_v5() -> impl Strategy<Value = PubRec> {
    (
        st::packet_id(),
        code(PubAckReasonCode::from_byte),
        properties(PropertySet::PubRec),
    )
        .prop_map(|(id, c, p)| PubRec::new(id).with_reason_code(c).with_properties(p))
}

pub fn pubrel_v5() -> impl Strategy<Value = PubRel> {
    (
        st::packet_id(),
        code(PubRelReasonCode::from_byte),
        properties(PropertySet::PubRel),
    )
        .prop_map(|(id, c, p)| PubRel::new(id).with_reason_code(c).with_properties(p))
}

pub fn pubcomp_v5() -> impl Strategy<Value = PubComp> {
    (
        st::packet_id(),
        code(PubRelReasonCode::from_byte),
        properties(PropertySet::PubComp),
    )
        .prop_map(|(id, c, p)| PubComp::new(id).with_reason_code(c).with_properties(p))
}

/// Whether a topic filter is fit for 5.0: not a `$share/` filter, or one of the form of
/// section 4.8.2 (a non-empty ShareName without wildcards, `/`, a filter of at least one
/// character).
pub fn fit_for_v5(filter: &str) -> bool {
    match filter.strip_prefix("$share/") {
        None => true,
        Some(rest) => rest.split_once('/').is_some_and(|(name, filter)| {
            !name.is_empty() && !name.contains(['+', '#']) && !filter.is_empty()
        }),
    }
}

/// A ShareName (section 4.8.2): at least one character, no `/`, `+` or `#`.
fn share_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("g".to_owned()),
        "[a-z0-9_$-]{1,12}",
        "[^/+#\u{0}]{1,8}",
    ]
}

/// Topic filters for 5.0: plain ones, and one in four a shared subscription
/// (`$share/{ShareName}/{filter}`).
pub fn topic_filter_v5() -> impl Strategy<Value = TopicFilter> {
    prop_oneof![
        3 => st::topic_filter().prop_filter("fit for 5.0", |f| fit_for_v5(f.as_str())),
        1 => (share_name(), st::topic_filter_str())
            .prop_map(|(name, filter)| format!("$share/{name}/{filter}"))
            .prop_filter_map("at most 65,535 bytes", |s| TopicFilter::new(&s).ok()),
    ]
}

/// A subscription with every Subscription Option (section 3.8.3.1); No Local never on a
/// shared subscription [MQTT-3.8.3-4].
pub fn subscription_v5() -> impl Strategy<Value = Subscription> {
    (
        topic_filter_v5(),
        st::qos(),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![
            RetainHandling::SendOnSubscribe,
            RetainHandling::SendOnSubscribeIfNew,
            RetainHandling::DoNotSend,
        ]),
    )
        .prop_map(|(filter, qos, no_local, rap, handling)| {
            let shared = filter.as_str().starts_with("$share/");
            Subscription::new(filter, qos)
                .with_no_local(no_local && !shared)
                .with_retain_as_published(rap)
                .with_retain_handling(handling)
        })
}

/// From one to `many` items; mostly few, sometimes many.
fn some<T: core::fmt::Debug + 'static>(
    item: BoxedStrategy<T>,
    many: usize,
) -> impl Strategy<Value = Vec<T>> {
    prop_oneof![
        6 => vec(item.clone(), 1..4),
        1 => vec(item, 4..many),
    ]
}

/// A SUBSCRIBE with every Subscription Option and properties. Without properties, it is built
/// with `with_properties(Properties::EMPTY)` one time in two (its body then takes the 5.0 form),
/// else left as `Subscribe::new` makes it (the 3.1.1 form when the options allow).
pub fn subscribe_v5() -> impl Strategy<Value = Subscribe> {
    (
        st::packet_id(),
        some(subscription_v5().boxed(), 40),
        properties(PropertySet::Subscribe),
        any::<bool>(),
    )
        .prop_map(|(id, subs, properties, set_empty)| {
            let subscribe = Subscribe::new(id, subs).expect("valid subscriptions");
            if properties.is_empty() && !set_empty {
                return subscribe;
            }
            subscribe
                .with_properties(properties)
                .expect("SUBSCRIBE properties")
        })
}

pub fn suback_v5() -> impl Strategy<Value = SubAck> {
    (
        st::packet_id(),
        some(code(SubAckReasonCode::from_byte).boxed(), 100),
        properties(PropertySet::SubAck),
    )
        .prop_map(|(id, codes, properties)| {
            SubAck::new(id, codes)
                .with_properties(properties)
                .expect("SUBACK properties")
        })
}

/// An UNSUBSCRIBE with properties; without, built either way (as [`subscribe_v5`]).
pub fn unsubscribe_v5() -> impl Strategy<Value = Unsubscribe> {
    (
        st::packet_id(),
        some(topic_filter_v5().boxed(), 40),
        properties(PropertySet::Unsubscribe),
        any::<bool>(),
    )
        .prop_map(|(id, filters, properties, set_empty)| {
            let unsubscribe = Unsubscribe::new(id, filters).expect("not empty");
            if properties.is_empty() && !set_empty {
                return unsubscribe;
            }
            unsubscribe
                .with_properties(properties)
                .expect("UNSUBSCRIBE properties")
        })
}

pub fn unsuback_v5() -> impl Strategy<Value = UnsubAck> {
    (
        st::packet_id(),
        some(code(UnsubAckReasonCode::from_byte).boxed(), 100),
        properties(PropertySet::UnsubAck),
    )
        .prop_map(|(id, codes, properties)| {
            UnsubAck::new(id)
                .with_reason_codes(codes)
                .with_properties(properties)
                .expect("UNSUBACK properties")
        })
}

pub fn disconnect_v5() -> impl Strategy<Value = Disconnect> {
    (
        code(DisconnectReasonCode::from_byte),
        properties(PropertySet::Disconnect),
    )
        .prop_map(|(c, p)| Disconnect::new().with_reason_code(c).with_properties(p))
}

/// AUTH: any code of Table 3-11; the Authentication Method is there whenever the packet is
/// not the empty one (Success without properties, section 3.15.2.2.2).
pub fn auth_v5() -> impl Strategy<Value = Auth> {
    (
        code(AuthReasonCode::from_byte),
        prop_list(PropertySet::Auth),
        prop_str(),
    )
        .prop_map(|(c, mut props, method)| {
            let empty = c == AuthReasonCode::Success && props.is_empty();
            if !empty
                && !props
                    .iter()
                    .any(|p| p.id() == PropertyId::AuthenticationMethod)
            {
                props.insert(0, Prop::AuthenticationMethod(method));
            }
            Auth::new(c).with_properties(build(&props))
        })
}

/// Any valid MQTT 5.0 packet, every one of the 15 types equally likely.
pub fn packet_v5() -> impl Strategy<Value = Packet> {
    prop_oneof![
        connect_v5().prop_map(Packet::from),
        connack_v5().prop_map(Packet::ConnAck),
        publish_v5().prop_map(Packet::Publish),
        puback_v5().prop_map(Packet::PubAck),
        pubrec_v5().prop_map(Packet::PubRec),
        pubrel_v5().prop_map(Packet::PubRel),
        pubcomp_v5().prop_map(Packet::PubComp),
        subscribe_v5().prop_map(Packet::Subscribe),
        suback_v5().prop_map(Packet::SubAck),
        unsubscribe_v5().prop_map(Packet::Unsubscribe),
        unsuback_v5().prop_map(Packet::UnsubAck),
        Just(Packet::PingReq),
        Just(Packet::PingResp),
        disconnect_v5().prop_map(Packet::Disconnect),
        auth_v5().prop_map(Packet::Auth),
    ]
}

/// 5.0 packets small enough that a stream of several, cut at every byte, stays quick.
pub fn small_packet_v5() -> impl Strategy<Value = Packet> {
    packet_v5().prop_filter("keep streams small", |p| Encoder::V5.encoded_len(p) <= 4096)
}

// ---------------------------------------------------------------------------------------------
// Reference encoder for MQTT 5.0: the layouts of chapters 2 and 3, written independently of
// the crate's code. Properties are written here from the `Property` values the packet yields.
// ---------------------------------------------------------------------------------------------

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// A UTF-8 Encoded String or Binary Data: Two Byte Integer length, then the bytes (1.5.4, 1.5.6).
fn put_field(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u16(
        out,
        u16::try_from(bytes.len()).expect("fields fit a u16 prefix"),
    );
    out.extend_from_slice(bytes);
}

/// One property (section 2.2.2.2): its identifier as in Table 2-4, then its value as its
/// type lays it out (sections 1.5.2 to 1.5.7).
pub fn ref_property(p: &Property<'_>, out: &mut Vec<u8>) {
    let byte = |out: &mut Vec<u8>, id: u8, v: u8| out.extend_from_slice(&[id, v]);
    let two = |out: &mut Vec<u8>, id: u8, v: u16| {
        out.push(id);
        put_u16(out, v);
    };
    let four = |out: &mut Vec<u8>, id: u8, v: u32| {
        out.push(id);
        put_u32(out, v);
    };
    let text = |out: &mut Vec<u8>, id: u8, v: &[u8]| {
        out.push(id);
        put_field(out, v);
    };
    match *p {
        Property::PayloadFormatIndicator(f) => byte(out, 0x01, f as u8),
        Property::MessageExpiryInterval(v) => four(out, 0x02, v),
        Property::ContentType(s) => text(out, 0x03, s.as_bytes()),
        Property::ResponseTopic(s) => text(out, 0x08, s.as_bytes()),
        Property::CorrelationData(b) => text(out, 0x09, b),
        Property::SubscriptionIdentifier(v) => {
            out.push(0x0B);
            out.extend(ref_varint(v as usize));
        }
        Property::SessionExpiryInterval(v) => four(out, 0x11, v),
        Property::AssignedClientIdentifier(s) => text(out, 0x12, s.as_bytes()),
        Property::ServerKeepAlive(v) => two(out, 0x13, v),
        Property::AuthenticationMethod(s) => text(out, 0x15, s.as_bytes()),
        Property::AuthenticationData(b) => text(out, 0x16, b),
        Property::RequestProblemInformation(v) => byte(out, 0x17, u8::from(v)),
        Property::WillDelayInterval(v) => four(out, 0x18, v),
        Property::RequestResponseInformation(v) => byte(out, 0x19, u8::from(v)),
        Property::ResponseInformation(s) => text(out, 0x1A, s.as_bytes()),
        Property::ServerReference(s) => text(out, 0x1C, s.as_bytes()),
        Property::ReasonString(s) => text(out, 0x1F, s.as_bytes()),
        Property::ReceiveMaximum(v) => two(out, 0x21, v),
        Property::TopicAliasMaximum(v) => two(out, 0x22, v),
        Property::TopicAlias(v) => two(out, 0x23, v),
        Property::MaximumQos(q) => byte(out, 0x24, q as u8),
        Property::RetainAvailable(v) => byte(out, 0x25, u8::from(v)),
        Property::UserProperty(k, v) => {
            out.push(0x26);
            put_field(out, k.as_bytes());
            put_field(out, v.as_bytes());
        }
        Property::MaximumPacketSize(v) => four(out, 0x27, v),
        Property::WildcardSubscriptionAvailable(v) => byte(out, 0x28, u8::from(v)),
        Property::SubscriptionIdentifierAvailable(v) => byte(out, 0x29, u8::from(v)),
        Property::SharedSubscriptionAvailable(v) => byte(out, 0x2A, u8::from(v)),
    }
}

/// A property block: the Property Length (a Variable Byte Integer), then each property.
pub fn ref_properties<'a>(props: impl IntoIterator<Item = Property<'a>>, out: &mut Vec<u8>) {
    let mut block = Vec::new();
    for p in props {
        ref_property(&p, &mut block);
    }
    out.extend(ref_varint(block.len()));
    out.extend(block);
}

/// The optional end of the acknowledgements of PUBLISH, DISCONNECT and AUTH, in its shortest
/// form (sections 3.4.2.1, 3.14.2.1, 3.15.2.1): nothing for 0x00 without properties, the
/// Reason Code alone without properties, else the code and the property block.
fn ref_tail(code: u8, props: PropertiesRef<'_>, out: &mut Vec<u8>) {
    if props.iter().next().is_none() {
        if code != 0 {
            out.push(code);
        }
        return;
    }
    out.push(code);
    ref_properties(props, out);
}

/// The Subscription Options byte (section 3.8.3.1, Figure 3-20).
fn ref_options(s: &Subscription) -> u8 {
    let handling = match s.retain_handling {
        RetainHandling::SendOnSubscribe => 0,
        RetainHandling::SendOnSubscribeIfNew => 1,
        RetainHandling::DoNotSend => 2,
    };
    (s.qos as u8) | u8::from(s.no_local) << 2 | u8::from(s.retain_as_published) << 3 | handling << 4
}

/// The bytes of a 5.0 packet as chapter 3 of MQTT 5.0 lays them out.
pub fn ref_encode_v5(p: &Packet) -> Vec<u8> {
    let mut body = Vec::new();
    let first: u8 = match p {
        Packet::Connect(c) => {
            assert_eq!(c.protocol, Protocol::V5, "a 5.0 CONNECT");
            put_field(&mut body, b"MQTT");
            body.push(5);
            let login = c.login.as_ref();
            let mut flags = u8::from(c.clean_session) << 1;
            if let Some(w) = &c.will {
                flags |= 0x04 | (w.qos as u8) << 3 | u8::from(w.retain) << 5;
            }
            if login.is_some_and(|l| l.password.is_some()) {
                flags |= 0x40;
            }
            if login.is_some_and(|l| l.username.is_some()) {
                flags |= 0x80;
            }
            body.push(flags);
            put_u16(&mut body, c.keep_alive);
            ref_properties(&c.properties, &mut body);
            put_field(&mut body, c.client_id.as_str().as_bytes());
            if let Some(w) = &c.will {
                ref_properties(&w.properties, &mut body);
                put_field(&mut body, w.topic.as_str().as_bytes());
                put_field(&mut body, &w.payload);
            }
            if let Some(u) = login.and_then(|l| l.username.as_ref()) {
                put_field(&mut body, u.as_str().as_bytes());
            }
            if let Some(pw) = login.and_then(|l| l.password.as_ref()) {
                put_field(&mut body, pw);
            }
            0x10
        }
        Packet::ConnAck(c) => {
            body.push(u8::from(c.session_present));
            body.push(c.reason_code as u8);
            ref_properties(&c.properties, &mut body);
            0x20
        }
        Packet::Publish(p) => {
            put_field(&mut body, p.topic().as_bytes());
            if let Some(id) = p.packet_id() {
                put_u16(&mut body, id.get());
            }
            ref_properties(p.properties(), &mut body);
            body.extend_from_slice(p.payload());
            0x30 | u8::from(p.dup()) << 3 | (p.qos() as u8) << 1 | u8::from(p.retain())
        }
        Packet::PubAck(a) => {
            put_u16(&mut body, a.packet_id.get());
            ref_tail(a.reason_code as u8, a.properties.as_ref(), &mut body);
            0x40
        }
        Packet::PubRec(a) => {
            put_u16(&mut body, a.packet_id.get());
            ref_tail(a.reason_code as u8, a.properties.as_ref(), &mut body);
            0x50
        }
        Packet::PubRel(a) => {
            put_u16(&mut body, a.packet_id.get());
            ref_tail(a.reason_code as u8, a.properties.as_ref(), &mut body);
            0x62
        }
        Packet::PubComp(a) => {
            put_u16(&mut body, a.packet_id.get());
            ref_tail(a.reason_code as u8, a.properties.as_ref(), &mut body);
            0x70
        }
        Packet::Subscribe(s) => {
            put_u16(&mut body, s.packet_id().get());
            ref_properties(s.properties(), &mut body);
            for sub in s.subscriptions() {
                put_field(&mut body, sub.filter.as_str().as_bytes());
                body.push(ref_options(&sub));
            }
            0x82
        }
        Packet::SubAck(s) => {
            put_u16(&mut body, s.packet_id().get());
            ref_properties(s.properties(), &mut body);
            body.extend(s.reason_codes().map(|c| c as u8));
            0x90
        }
        Packet::Unsubscribe(u) => {
            put_u16(&mut body, u.packet_id().get());
            ref_properties(u.properties(), &mut body);
            for f in u.filters() {
                put_field(&mut body, f.as_str().as_bytes());
            }
            0xa2
        }
        Packet::UnsubAck(u) => {
            put_u16(&mut body, u.packet_id().get());
            ref_properties(u.properties(), &mut body);
            body.extend(u.reason_codes().map(|c| c as u8));
            0xb0
        }
        Packet::PingReq => 0xc0,
        Packet::PingResp => 0xd0,
        Packet::Disconnect(d) => {
            ref_tail(d.reason_code as u8, d.properties.as_ref(), &mut body);
            0xe0
        }
        Packet::Auth(a) => {
            ref_tail(a.reason_code as u8, a.properties.as_ref(), &mut body);
            0xf0
        }
    };
    let mut out = vec![first];
    out.extend(ref_varint(body.len()));
    out.extend(body);
    out
}

/// The payload of a PUBLISH as [`Bytes`], for building packets in tests.
pub fn bytes_of(payload: &[u8]) -> Bytes {
    Bytes::copy_from_slice(payload)
}
