//! The Topic Aliases a 5.0 client sends (section 3.3.2.3.4): a table per connection, never
//! carried over to another one [MQTT-3.3.2-7].

use crate::forward;
use mqttwire::{DisconnectReasonCode, PropertyId, Publish, TopicName};
use std::collections::HashMap;

/// One connection's aliases, from 1 to the Topic Alias Maximum the broker announced.
pub struct Aliases {
    maximum: u16,
    topics: HashMap<u16, TopicName>,
}

impl Aliases {
    pub fn new(maximum: u16) -> Aliases {
        Aliases {
            maximum,
            topics: HashMap::new(),
        }
    }

    /// The message with its topic name and without its Topic Alias, which means nothing to
    /// other connections. A message without an alias is returned as it is.
    ///
    /// Errors, as section 3.3.4 says: an alias above the maximum is 0x94 Topic Alias invalid
    /// [MQTT-3.3.2-12] (0 is refused by the decoder, also with 0x94); an empty topic with an
    /// alias that has no mapping yet is 0x82 Protocol Error.
    pub fn resolve(
        &mut self,
        publish: Publish,
    ) -> Result<Publish, (DisconnectReasonCode, &'static str)> {
        let Some(alias) = publish.properties().topic_alias() else {
            return Ok(publish);
        };
        if alias == 0 || alias > self.maximum {
            return Err((
                DisconnectReasonCode::TopicAliasInvalid,
                "Topic Alias above the Topic Alias Maximum of the CONNACK",
            ));
        }
        let topic = match publish.topic_name() {
            Some(topic) => {
                self.topics.insert(alias, topic.clone());
                topic
            }
            None => self.topics.get(&alias).cloned().ok_or((
                DisconnectReasonCode::ProtocolError,
                "empty topic with a Topic Alias that has no mapping (section 3.3.4)",
            ))?,
        };
        let properties = publish.properties();
        let unaliased =
            forward::with_properties(publish.clone(), properties, &[PropertyId::TopicAlias], []);
        Ok(unaliased.with_topic(&topic))
    }
}
