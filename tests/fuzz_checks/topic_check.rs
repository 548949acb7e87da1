//! The `topic_match` target: `TopicFilter::matches` against a naive reference matcher written
//! from section 4.7 of the standard. Shared with `tests/fuzz_replay.rs` through `#[path]`.

use mqttwire::{TopicFilter, TopicName};

/// Section 4.7, literally: levels split at `/`; `+` matches exactly one level (an empty one
/// too); `#`, last, matches the parent level and any number of levels below; a filter starting
/// with a wildcard does not match a name starting with `$` [MQTT-4.7.2-1].
pub fn reference_matches(filter: &str, name: &str) -> bool {
    if name.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        return false;
    }
    let f: Vec<&str> = filter.split('/').collect();
    let n: Vec<&str> = name.split('/').collect();
    levels_match(&f, &n)
}

fn levels_match(f: &[&str], n: &[&str]) -> bool {
    match (f.split_first(), n.split_first()) {
        (None, None) => true,
        (Some((&"#", _)), _) => true,
        (Some(_), None) | (None, Some(_)) => false,
        (Some((&fl, f_rest)), Some((&nl, n_rest))) => {
            (fl == "+" || fl == nl) && levels_match(f_rest, n_rest)
        }
    }
}

/// Derives a filter from a name's levels: each level kept, replaced by `+`, altered, or the
/// rest replaced by `#`, as the bits of `choice` say. Most such filters match, so the matcher's
/// positive paths are exercised as much as its negative ones.
fn derive_filter(name: &str, choice: &[u8]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut bits = choice
        .iter()
        .flat_map(|b| [b & 3, (b >> 2) & 3, (b >> 4) & 3, b >> 6]);
    for level in name.split('/') {
        match bits.next().unwrap_or(0) {
            0 => out.push(level.to_owned()),
            1 => out.push("+".to_owned()),
            2 => {
                out.push("#".to_owned());
                return out.join("/");
            }
            _ => out.push(format!("{level}x")),
        }
    }
    match bits.next() {
        Some(2) => out.push("#".to_owned()),
        Some(3) => out.push("+".to_owned()),
        _ => {}
    }
    out.join("/")
}

/// Splits the input into a name and either a filter of its own (after a 0xff byte) or one
/// derived from the name, and compares the crate's matcher with the reference.
pub fn check_topic_match(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (name_bytes, filter_src) = match rest.iter().position(|&b| b == 0xff) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let name_text = String::from_utf8_lossy(name_bytes);
    let filter_text = if mode & 1 == 0 {
        derive_filter(&name_text, filter_src)
    } else {
        String::from_utf8_lossy(filter_src).into_owned()
    };
    let (Ok(name), Ok(filter)) = (TopicName::new(&name_text), TopicFilter::new(&filter_text))
    else {
        return;
    };
    let expected = reference_matches(filter.as_str(), name.as_str());
    assert_eq!(
        filter.matches(&name),
        expected,
        "filter {:?} vs name {:?}",
        filter.as_str(),
        name.as_str()
    );
}
