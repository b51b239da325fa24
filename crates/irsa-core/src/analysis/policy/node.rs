//! A JSON tree that keeps every object entry, duplicates included.
//!
//! `serde_json::Value` (even with `preserve_order`) keeps only the last of two equal keys, but
//! IAM rejects a document that repeats a key ("Individual elements must not contain multiple
//! instances of the same key"). No crate offers a duplicate-preserving value for serde_json,
//! so this small tree is deserialized directly from the text; the parser then reports a
//! duplicate with the statement it occurs in.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// One JSON value; objects are kept as their entries in document order.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// Converts an already-decoded value (duplicates, if any, were lost by whoever built it).
    pub(super) fn from_value(value: &serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Node::Null,
            serde_json::Value::Bool(b) => Node::Bool(*b),
            serde_json::Value::Number(n) => Node::Number(n.clone()),
            serde_json::Value::String(s) => Node::String(s.clone()),
            serde_json::Value::Array(items) => {
                Node::Array(items.iter().map(Node::from_value).collect())
            }
            serde_json::Value::Object(map) => Node::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Node::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// A short, one-line description for error messages: `a number (3)`, `string "x"`.
    pub(super) fn describe(&self) -> String {
        match self {
            Node::Null => "null".to_owned(),
            Node::Bool(b) => format!("a boolean ({b})"),
            Node::Number(n) => format!("a number ({n})"),
            Node::String(s) => format!("string {}", quote(s)),
            Node::Array(_) => "an array".to_owned(),
            Node::Object(_) => "an object".to_owned(),
        }
    }
}

/// Quotes a user-supplied string for a one-line message: escaped (no raw newlines) and cut
/// after 80 characters.
pub(super) fn quote(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut:?}…")
    } else {
        format!("{text:?}")
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        // JSON text cannot hold NaN or infinities, so `from_f64` only fails on input no JSON
        // parser produces; map that to null rather than panicking.
        Ok(serde_json::Number::from_f64(v).map_or(Node::Null, Node::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            entries.push((key, value));
        }
        Ok(Node::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_survive_parsing() {
        let node: Node = serde_json::from_str(r#"{"a":1,"a":2}"#).unwrap();
        let Node::Object(entries) = node else {
            panic!("not an object")
        };
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn quote_escapes_newlines_and_truncates() {
        assert_eq!(quote("a\nb"), "\"a\\nb\"");
        let long = "x".repeat(200);
        assert!(quote(&long).ends_with('…'));
        assert!(quote(&long).chars().count() < 90);
    }
}
