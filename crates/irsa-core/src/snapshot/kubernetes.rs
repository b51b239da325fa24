//! `kubernetes.json`: the `v1 List` that `kubectl get serviceaccounts,pods,nodes -A -o json`
//! prints (typed lists such as `PodList` and single objects are accepted too). Each item is
//! parsed by its `kind` into the k8s-openapi type and projected with the model's `From` impls;
//! unknown kinds are ignored. A Deployment named `pod-identity-webhook` (self-managed
//! clusters) yields the webhook's flags.
//!
//! The file is read without building a `serde_json::Value` tree: at 50,000 pods the file is
//! hundreds of MB and its tree several times that, while the projection is a fraction of the
//! text. [`ListText::read`] makes one pass over the text that checks its syntax (so a syntax
//! error keeps serde's line and column in the file) and keeps, for each item, only the slice
//! of the file text it spans (a `&RawValue`, 16 bytes, no copy: `SnapshotFiles` holds the text
//! anyway). Then each item in turn has its `kind` and name read ([`ItemHeader`]), is
//! deserialized from its slice into the k8s-openapi type, projected and dropped, so at most
//! one typed object is alive at a time.
//!
//! Why slices are collected before any item is parsed, rather than parsing inside the pass:
//! kubectl sorts keys, so the root's `kind` comes *after* `items`, and a typed list
//! (`PodList` from the raw API) has items without `kind` that need the root's; the slices
//! cost 16 bytes an item. It also keeps the precedence a tree gave: a syntax error anywhere in
//! the file is reported before a schema error in an earlier item. A schema error names the
//! item (index, kind, name) and gives serde's position moved from the item to the file.
//!
//! Measured on a generated 745 MB file of 50,000 pods (5,000 Deployments × 10): peak RSS of
//! `load_dir` went from 3.7 GB (tree) to 0.79 GB, of which 0.73 GB is the file text itself.
//!
//! [`ListText`] and [`ItemHeader`] also read the webhook's list files (`webhook_config`).

use crate::model::{NodeInfo, PodInfo, PodPools, ServiceAccountInfo, WebhookSettings};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod, ServiceAccount};
use serde::Deserialize;
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// The Deployment the self-managed webhook runs as.
const WEBHOOK_DEPLOYMENT: &str = "pod-identity-webhook";

/// What `kubernetes.json` holds, projected.
#[derive(Debug, Default)]
pub(super) struct KubernetesObjects {
    pub service_accounts: Vec<ServiceAccountInfo>,
    pub pods: Vec<PodInfo>,
    pub nodes: Vec<NodeInfo>,
    /// From a `pod-identity-webhook` Deployment, when the file has one.
    pub webhook: Option<WebhookSettings>,
    /// Non-fatal oddities (a webhook flag with a bad value), one line each.
    pub problems: Vec<String>,
}

/// Parses the file text. The error is one line: serde's message with line/column for JSON
/// syntax, or the item index, kind and name for an item that does not fit its kind's schema.
pub(super) fn parse(text: &str) -> Result<KubernetesObjects, String> {
    let list = ListText::read(text)?;
    let list_kind = list.kind.as_deref().unwrap_or_default();
    let (items, implied_kind) = match list.items {
        ListItems::Array(items) => (items, list_kind.strip_suffix("List")),
        ListItems::NotArray => return Err("`items` is not an array".to_owned()),
        ListItems::Absent if !list_kind.is_empty() => (vec![text], None),
        ListItems::Absent => {
            return Err("neither a List (`items`) nor an object with a `kind`".to_owned());
        }
    };
    let mut out = KubernetesObjects::default();
    // The replicas of a Deployment share their repeated parts; the pools live for this load.
    let mut pools = PodPools::default();
    for (index, item) in items.into_iter().enumerate() {
        let header = ItemHeader::read(item);
        let kind = header.kind.as_deref().or(implied_kind).unwrap_or_default();
        let typed = Typed {
            file: text,
            index,
            kind,
            header: &header,
            item,
        };
        match kind {
            "ServiceAccount" => {
                let sa: ServiceAccount = typed.parse()?;
                out.service_accounts.push(ServiceAccountInfo::from(&sa));
            }
            "Pod" => {
                let pod: Pod = typed.parse()?;
                out.pods.push(pools.share(PodInfo::from(&pod)));
            }
            "Node" => {
                let node: Node = typed.parse()?;
                out.nodes.push(NodeInfo::from(&node));
            }
            "Deployment" if header.name.as_deref() == Some(WEBHOOK_DEPLOYMENT) => {
                let deployment: Deployment = typed.parse()?;
                let (settings, problems) = webhook_settings(&deployment);
                out.webhook = Some(settings);
                out.problems.extend(problems);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// One item about to be deserialized, with what names it in an error.
struct Typed<'a> {
    file: &'a str,
    index: usize,
    kind: &'a str,
    header: &'a ItemHeader<'a>,
    item: &'a str,
}

impl Typed<'_> {
    /// Deserializes the item into its k8s-openapi type, naming the item on failure.
    fn parse<T: DeserializeOwned>(&self) -> Result<T, String> {
        typed_item(self.file, self.item).map_err(|e| {
            let (index, kind) = (self.index, self.kind);
            let name = self.header.name.as_deref().unwrap_or("<no name>");
            match self.header.namespace.as_deref() {
                Some(ns) => format!("items[{index}] ({kind} {ns}/{name}): {e}"),
                None => format!("items[{index}] ({kind} {name}): {e}"),
            }
        })
    }
}

/// A kubectl list file (or single object), read in one syntax-checking pass without a tree.
#[derive(Debug)]
pub(super) struct ListText<'a> {
    /// The root's `kind` when it is a string (`List`, `PodList`, `Pod`, …).
    pub kind: Option<Cow<'a, str>>,
    pub items: ListItems<'a>,
}

/// The root's `items`.
#[derive(Debug)]
pub(super) enum ListItems<'a> {
    /// No `items` member (a single object), or the root is not an object.
    Absent,
    /// `items` is there but not an array.
    NotArray,
    /// Each item's text: a slice of the file text.
    Array(Vec<&'a str>),
}

impl<'a> ListText<'a> {
    /// Reads the root of `text`. The error is serde's, with line and column in `text`.
    pub(super) fn read(text: &'a str) -> Result<Self, String> {
        let json_space = [' ', '\t', '\n', '\r'];
        if !text.trim_start_matches(json_space).starts_with('{') {
            // Not an object: only its syntax decides the error.
            serde_json::from_str::<IgnoredAny>(text).map_err(|e| e.to_string())?;
            return Ok(Self {
                kind: None,
                items: ListItems::Absent,
            });
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let list = de.deserialize_map(RootVisitor).map_err(|e| e.to_string())?;
        de.end().map_err(|e| e.to_string())?;
        Ok(list)
    }
}

/// Visits the root object: `kind` as text, `items` as slices, everything else skipped.
struct RootVisitor;

impl<'de> Visitor<'de> for RootVisitor {
    type Value = ListText<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListText<'de>, A::Error> {
        let mut list = ListText {
            kind: None,
            items: ListItems::Absent,
        };
        // A repeated member: the last one wins, as in a `Value` tree.
        while let Some(key) = map.next_key_seed(KeyIn(&["kind", "items"]))? {
            match key {
                Some(0) => list.kind = text_of(map.next_value()?),
                Some(_) => list.items = map.next_value()?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(list)
    }
}

impl<'de> Deserialize<'de> for ListItems<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ItemsVisitor)
    }
}

/// Visits `items`: an array gives each element's slice; any other value is skipped.
struct ItemsVisitor;

impl<'de> Visitor<'de> for ItemsVisitor {
    type Value = ListItems<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            items.push(item.get());
        }
        Ok(ListItems::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_map(map).map(|_| ListItems::NotArray)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(ListItems::NotArray)
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(ListItems::NotArray)
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(ListItems::NotArray)
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(ListItems::NotArray)
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(ListItems::NotArray)
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(ListItems::NotArray)
    }
}

/// What is read of an item before its type is known: `kind`, `metadata.name` and
/// `metadata.namespace`, each `None` when absent or not a string.
#[derive(Debug, Default)]
pub(super) struct ItemHeader<'a> {
    pub kind: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    pub namespace: Option<Cow<'a, str>>,
}

impl<'a> ItemHeader<'a> {
    /// Reads the header of one item's text (already syntax-checked by [`ListText::read`]);
    /// an item that is not an object has an empty header.
    pub(super) fn read(item: &'a str) -> Self {
        let [kind, metadata] = members(item, ["kind", "metadata"]);
        let [name, namespace] =
            metadata.map_or([None; 2], |m| members(m.get(), ["name", "namespace"]));
        Self {
            kind: kind.and_then(text_of),
            name: name.and_then(text_of),
            namespace: namespace.and_then(text_of),
        }
    }
}

/// Deserializes one item's text (a slice of `file`) into `T`; the error is serde's, its
/// position moved from the item to the file.
fn typed_item<T: DeserializeOwned>(file: &str, item: &str) -> Result<T, String> {
    serde_json::from_str(item).map_err(|e| error_in_file(file, item, &e))
}

/// serde's message without its ` at line L column C` (for text whose positions would point
/// nowhere the user can look).
pub(super) fn without_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match message.strip_suffix(&suffix) {
        Some(base) if e.line() > 0 => base.to_owned(),
        _ => message,
    }
}

/// serde's message for an error in `item`, with the line and column in `file` instead.
fn error_in_file(file: &str, item: &str, e: &serde_json::Error) -> String {
    let (line, column) = (e.line(), e.column());
    let Some(start) = offset_in(file, item).filter(|_| line > 0) else {
        return e.to_string();
    };
    let base = without_position(e);
    // serde counts lines from 1 and columns in bytes from the line's start.
    let before = file.get(..start).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let start_line = 1 + before.bytes().filter(|b| *b == b'\n').count();
    let (line, column) = if line == 1 {
        (start_line, start - line_start + column)
    } else {
        (start_line + line - 1, column)
    };
    format!("{base} at line {line} column {column}")
}

/// Where `part`, a slice of `whole`, starts in it (`None` when it is not a slice of it).
fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let offset = part.as_ptr().addr().checked_sub(whole.as_ptr().addr())?;
    (offset + part.len() <= whole.len()).then_some(offset)
}

/// The values of the members `names` of the JSON object `text` (a repeated member: the last
/// one); all `None` when `text` is not an object.
fn members<'a, const N: usize>(text: &'a str, names: [&str; N]) -> [Option<&'a RawValue>; N] {
    serde_json::Deserializer::from_str(text)
        .deserialize_map(Members(&names))
        .unwrap_or([None; N])
}

/// Visits an object, keeping the raw values of the named members.
struct Members<'n, const N: usize>(&'n [&'n str; N]);

impl<'de, const N: usize> Visitor<'de> for Members<'_, N> {
    type Value = [Option<&'de RawValue>; N];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = [None; N];
        while let Some(key) = map.next_key_seed(KeyIn(self.0))? {
            match key.and_then(|i| found.get_mut(i)) {
                Some(slot) => *slot = Some(map.next_value()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// A member name, as its index in the names looked for (`None` for any other), read without
/// allocating.
struct KeyIn<'n>(&'n [&'n str]);

impl<'de> DeserializeSeed<'de> for KeyIn<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIn<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|name| *name == v))
    }
}

/// A JSON string's text, borrowed from the file unless it has escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// The text of a raw value that is a string; `None` for any other value.
fn text_of(raw: &RawValue) -> Option<Cow<'_, str>> {
    serde_json::from_str::<Text<'_>>(raw.get())
        .ok()
        .map(|t| t.0)
}

/// The webhook's flags from its container's `command` and `args`.
fn webhook_settings(deployment: &Deployment) -> (WebhookSettings, Vec<String>) {
    let containers = deployment
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    let container = containers
        .iter()
        .find(|c| c.name == WEBHOOK_DEPLOYMENT)
        .or_else(|| containers.first());
    let args: Vec<String> = container
        .map(|c| {
            c.command
                .iter()
                .flatten()
                .chain(c.args.iter().flatten())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    settings_from_args(&args)
}

/// Parses Go `flag`-style arguments (`-f=v`, `--f=v`, `--f v`, bare `--bool`) into settings;
/// flags the analysis does not need are skipped. Bad values keep the default and are reported.
pub(super) fn settings_from_args(args: &[String]) -> (WebhookSettings, Vec<String>) {
    let mut settings = WebhookSettings {
        watch_config_map: Some(false),
        ..WebhookSettings::default()
    };
    let mut problems = Vec::new();
    let mut iter = args.iter().peekable();
    while let Some(arg) = iter.next() {
        let Some(flag) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
            continue;
        };
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (flag, None),
        };
        if name == "sts-regional-endpoint" || name == "watch-config-map" {
            let slot = if name == "watch-config-map" {
                settings.watch_config_map.get_or_insert(false)
            } else {
                &mut settings.sts_regional_endpoints
            };
            match inline.as_deref().map(parse_go_bool) {
                None => *slot = true,
                Some(Some(b)) => *slot = b,
                Some(None) => problems.push(format!(
                    "pod-identity-webhook flag {arg:?} is not a boolean — assuming false"
                )),
            }
            continue;
        }
        let takes_value = matches!(
            name,
            "aws-default-region"
                | "token-expiration"
                | "annotation-prefix"
                | "token-audience"
                | "token-mount-path"
        );
        if !takes_value {
            continue;
        }
        let Some(value) = inline.or_else(|| iter.next_if(|next| !next.starts_with('-')).cloned())
        else {
            problems.push(format!("pod-identity-webhook flag {arg:?} has no value"));
            continue;
        };
        match name {
            "aws-default-region" => settings.region = Some(value).filter(|v| !v.is_empty()),
            "annotation-prefix" => settings.annotation_prefix = value,
            "token-audience" => settings.audience = value,
            "token-mount-path" => settings.token_mount_path = value,
            _ => match value.parse::<i64>() {
                Ok(seconds) => settings.default_token_expiration = seconds,
                Err(_) => problems.push(format!(
                    "pod-identity-webhook flag --token-expiration={value:?} is not a number of \
                     seconds — assuming {}",
                    settings.default_token_expiration
                )),
            },
        }
    }
    (settings, problems)
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn webhook_flags_in_every_go_flag_form() {
        let (s, problems) = settings_from_args(&args(&[
            "/webhook",
            "--in-cluster=false",
            "--namespace=kube-system",
            "-aws-default-region=eu-west-1",
            "--sts-regional-endpoint",
            "--token-expiration",
            "3600",
            "--annotation-prefix=example.com",
            "--token-audience=internal",
            "--token-mount-path=/var/run/tok",
            "--watch-config-map",
            "--logtostderr",
        ]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.region.as_deref(), Some("eu-west-1"));
        assert!(s.sts_regional_endpoints);
        assert_eq!(s.default_token_expiration, 3600);
        assert_eq!(s.annotation_prefix, "example.com");
        assert_eq!(s.audience, "internal");
        assert_eq!(s.token_mount_path, "/var/run/tok");
        assert_eq!(s.watch_config_map, Some(true));
    }

    #[test]
    fn webhook_defaults_hold_without_flags_and_bad_values_are_reported() {
        let (s, problems) = settings_from_args(&args(&[
            "--sts-regional-endpoint=false",
            "--token-expiration=soon",
        ]));
        assert_eq!(
            s,
            WebhookSettings {
                watch_config_map: Some(false),
                ..WebhookSettings::default()
            }
        );
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("token-expiration"), "{problems:?}");
    }

    #[test]
    fn list_items_are_projected_by_kind_and_unknown_kinds_ignored() {
        let text = json!({
            "apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
            "items": [
                {"apiVersion": "v1", "kind": "ServiceAccount",
                 "metadata": {"name": "s3-reader", "namespace": "demo"}},
                {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "x", "namespace": "demo"}, "data": {}},
                {"apiVersion": "v1", "kind": "Node",
                 "metadata": {"name": "n1"}, "spec": {"providerID": "aws:///eu-west-1a/i-1"}},
                {"apiVersion": "apps/v1", "kind": "Deployment",
                 "metadata": {"name": "pod-identity-webhook", "namespace": "kube-system"},
                 "spec": {"selector": {}, "template": {"spec": {"containers": [
                     {"name": "pod-identity-webhook",
                      "command": ["/webhook", "--aws-default-region=eu-west-1"]}]}}}}
            ]
        })
        .to_string();
        let out = parse(&text).unwrap();
        assert_eq!(out.service_accounts.len(), 1);
        assert_eq!(
            out.nodes[0].provider_id.as_deref(),
            Some("aws:///eu-west-1a/i-1")
        );
        assert!(out.pods.is_empty());
        assert_eq!(
            out.webhook.and_then(|w| w.region).as_deref(),
            Some("eu-west-1")
        );
    }

    #[test]
    fn typed_lists_and_single_objects_are_accepted() {
        let list = json!({"kind": "PodList", "items": [
            {"metadata": {"name": "p", "namespace": "ns"}, "spec": {"containers": []}}
        ]});
        assert_eq!(parse(&list.to_string()).unwrap().pods.len(), 1);
        let single = json!({"kind": "ServiceAccount", "metadata": {"name": "a", "namespace": "b"}});
        assert_eq!(
            parse(&single.to_string()).unwrap().service_accounts.len(),
            1
        );
    }

    #[test]
    fn an_item_that_does_not_fit_its_kind_is_named_in_the_error() {
        let text = json!({"kind": "List", "items": [
            {"kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
             "spec": {"containers": "not-a-list"}}
        ]})
        .to_string();
        let err = parse(&text).unwrap_err();
        assert!(err.starts_with("items[0] (Pod ns/p): "), "{err}");
        let err = parse("{\"kind\": \"List\", \"items\": [").unwrap_err();
        assert!(err.contains("line 1 column"), "{err}");
    }
}
