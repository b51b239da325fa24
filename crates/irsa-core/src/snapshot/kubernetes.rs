//! `kubernetes.json`: the `v1 List` that `kubectl get serviceaccounts,pods,nodes -A -o json`
//! prints (typed lists such as `PodList` and single objects are accepted too). Each item is
//! parsed by its `kind` into the k8s-openapi type and projected with the model's `From` impls;
//! unknown kinds are ignored. A Deployment named `pod-identity-webhook` (self-managed
//! clusters) yields the webhook's flags.
//!
//! At 50,000 pods the file is hundreds of MB, a `serde_json::Value` tree of it several times
//! that, and even its text alone several times the projection. So the file is read in one
//! pass that holds one item at a time: for each element of `items` the pass takes its JSON
//! text, reads its `kind` and name ([`ItemHeader`]), deserializes it into the k8s-openapi
//! type, projects it and drops it. Two passes share that work ([`Loader`]):
//!
//! - [`parse`]: text the caller holds (the embedded demo, callers of `load_files`), read by
//!   serde (`from_str`); items are `&RawValue` slices of it, no copy.
//! - [`read`] (`load_dir`): the file itself, never held whole. The fast pass ([`scan`]) reads
//!   it in chunks and splits it into items, which serde checks and parses as text. When that
//!   pass is unsure — the file is not valid JSON, or not a list of the usual shape — the file
//!   is read whole after all, checked by serde with every item skipped ([`syntax_error`]),
//!   and given to [`parse`], so that errors are serde's own, word for word (serde from a
//!   reader words some differently): a broken file costs what every file cost before.
//!
//! The root's `kind` may come *after* `items` (kubectl sorts keys) and a reader cannot look
//! ahead. kubectl's items carry their own `kind`, so they never need the list's. Only a typed
//! list whose items have none (`PodList` from `kubectl get --raw`) needs it: those items alone
//! are held back, as JSON text, until the list's `kind` is known at the end of the root, then
//! projected and merged into file order. Such a file costs its items' text in memory again;
//! a `kind` before `items`, or items with kinds, cost nothing.
//!
//! Errors are what a whole-file parse said. A syntax error anywhere in the file is reported
//! before a schema error in an earlier item (after a schema error a pass goes on checking
//! syntax only), with serde's line and column in the file. A schema error names the item
//! (index, kind, name) and gives serde's position moved from the item to the file: the
//! item's first line and column come from its offset in the text, or from the fast pass's
//! line count. A file that is not UTF-8 is still "cannot read" (`io::ErrorKind::InvalidData`):
//! the fast pass checks each chunk as it reads it. A file without `items` is a single
//! object, which is small: [`read`] reads it whole and parses the text.
//!
//! Measured on a generated 959 MB file of 50,000 pods (5,000 Deployments × 10, kubectl's
//! layout, release build): peak RSS of `load_dir` 1.01 GB when it held the text, 78 MB
//! streamed, in the same time (about 4.3 s). A syntax error near the end of that file: 0.99
//! GB and 5.6 s (the fast pass, then the text), where holding the text gave 0.94 GB, 1.5 s.
//!
//! [`ListText`] and [`ItemHeader`] also read the webhook's list files (`webhook_config`).

use super::scan::{self, Bail};
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
use std::io::{self, Read, Seek, SeekFrom};

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

/// Why [`read`] failed.
#[derive(Debug)]
pub(super) enum ReadError {
    /// The file cannot be read (I/O, or not UTF-8).
    Io(io::Error),
    /// As [`parse`]'s error: one line.
    Malformed(String),
}

/// Parses the file text. The error is one line: serde's message with line/column for JSON
/// syntax, or the item index, kind and name for an item that does not fit its kind's schema.
pub(super) fn parse(text: &str) -> Result<KubernetesObjects, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    match stream(&mut de, Source::Text(text)) {
        Ok(Outcome::Objects(objects)) => Ok(*objects),
        Ok(Outcome::Single) => single(text),
        Err(Failure::Json(e)) => Err(e.to_string()),
        Err(Failure::Message(message)) => Err(message),
    }
}

/// A file that is one object (no `items`), projected by its `kind`.
fn single(text: &str) -> Result<KubernetesObjects, String> {
    let mut loader = Loader::new(Source::Text(text));
    let mut collected = Collected::default();
    // The root has a `kind` (or it would not be a single object): never held back.
    loader.take(&mut collected, 0, &Item::Slice(text));
    match collected.error {
        Some((_, message)) => Err(message),
        None => Ok(collected.projected.into_objects()),
    }
}

/// Reads the file from `file` (at its start) without holding its text: what [`parse`] gives
/// for the same text, the error split into I/O and malformed content. The fast pass
/// ([`scan`]) reads it unless it is unsure; then the text is read whole after all.
pub(super) fn read<R: Read + Seek>(mut file: R) -> Result<KubernetesObjects, ReadError> {
    let mut sink = ScanSink {
        loader: Loader::new(Source::Scan),
        items: None,
    };
    let scanned = scan::scan(&mut file, &mut sink).map_err(ReadError::Io)?;
    if scanned.is_ok() {
        match sink.finish() {
            Ok(Outcome::Objects(objects)) => return Ok(*objects),
            // No list: one object, which is small; read as text below.
            Ok(Outcome::Single) => {}
            Err(message) => return Err(ReadError::Malformed(message)),
        }
    } else {
        // Broken JSON, or a shape the fast pass does not take: read the text whole, as
        // before, so that the error is serde's own, word for word. What was projected goes
        // first; and a syntax error is looked for before anything is projected again.
        drop(sink);
    }
    let mut text = String::new();
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.read_to_string(&mut text))
        .map_err(ReadError::Io)?;
    if scanned.is_err()
        && let Some(message) = syntax_error(&text)
    {
        return Err(ReadError::Malformed(message));
    }
    parse(&text).map_err(ReadError::Malformed)
}

/// serde's syntax error in `text`, if any: [`parse`]'s serde pass with every item skipped
/// (the same visitors, so the same words and position), projecting nothing.
fn syntax_error(text: &str) -> Option<String> {
    let mut de = serde_json::Deserializer::from_str(text);
    match stream(&mut de, Source::Syntax) {
        Err(Failure::Json(e)) => Some(e.to_string()),
        _ => None,
    }
}

/// What one pass over the file found.
enum Outcome {
    /// The items of a list, projected.
    Objects(Box<KubernetesObjects>),
    /// The root is one object with a `kind` and no `items`: the caller projects it whole.
    Single,
}

/// Why one pass failed.
enum Failure {
    /// Syntax: serde's error, with line and column in the file.
    Json(serde_json::Error),
    /// The file's shape, or an item that does not fit its kind's schema.
    Message(String),
}

/// Runs one serde pass over the root value, checks that nothing follows it, and projects what
/// is held back for the root's `kind`.
fn stream<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    source: Source<'de>,
) -> Result<Outcome, Failure> {
    let mut loader = Loader::new(source);
    de.deserialize_any(StreamRoot(&mut loader))
        .map_err(Failure::Json)?;
    de.end().map_err(Failure::Json)?;
    loader.finish().map_err(Failure::Message)
}

/// Where the items come from.
#[derive(Clone, Copy)]
enum Source<'de> {
    /// The whole file text, read by serde: items are slices of it.
    Text(&'de str),
    /// The fast pass ([`scan`]): items are pieces of text serde has not checked yet.
    Scan,
    /// [`syntax_error`]: the text read by serde with every item skipped.
    Syntax,
}

impl Source<'_> {
    /// Whether serde has checked the items' syntax already (as part of the whole file).
    fn checked(self) -> bool {
        !matches!(self, Source::Scan)
    }
}

/// One element of `items` (or the root object itself).
enum Item<'t> {
    /// A slice of the file text ([`Source::Text`]).
    Slice(&'t str),
    /// A piece of the fast pass (borrowed from its window, or owned when held back), and the
    /// line (from 1) and byte column (from 0) of its first byte in the file.
    Placed {
        text: Cow<'t, str>,
        line: usize,
        column: usize,
    },
}

impl Item<'_> {
    fn text(&self) -> &str {
        match self {
            Item::Slice(text) => text,
            Item::Placed { text, .. } => text,
        }
    }

    /// Line (from 1) and byte column (from 0) of the item's first byte in the file.
    fn start(&self, source: Source<'_>) -> Option<(usize, usize)> {
        match (self, source) {
            (Item::Placed { line, column, .. }, _) => Some((*line, *column)),
            (Item::Slice(item), Source::Text(file)) => {
                let start = offset_in(file, item)?;
                let before = file.get(..start)?;
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                let line = 1 + before.bytes().filter(|b| *b == b'\n').count();
                Some((line, start - line_start))
            }
            (Item::Slice(_), _) => None,
        }
    }

    /// The same item, owning its text (to hold it back).
    fn to_owned_item<'any>(&self, source: Source<'_>) -> Item<'any> {
        let (line, column) = self.start(source).unwrap_or((1, 0));
        Item::Placed {
            text: Cow::Owned(self.text().to_owned()),
            line,
            column,
        }
    }
}

/// The state of one pass.
struct Loader<'de> {
    source: Source<'de>,
    /// The root's `kind` when it is a string (the last one, as in a `Value` tree).
    kind: Option<String>,
    /// Whether a `kind` member has been read yet (then items need not be held back).
    kind_seen: bool,
    items: Items<'de>,
    /// The replicas of a Deployment share their repeated parts; the pools live for this load.
    pools: PodPools,
}

/// The root's `items`, as far as read.
enum Items<'de> {
    /// No `items` member (a single object), or the root is not an object.
    Absent,
    /// `items` is there but not an array.
    NotArray,
    /// An array.
    Array(Box<Collected<'de>>),
}

/// What the items of an array gave.
#[derive(Default)]
struct Collected<'de> {
    /// Projected as they were read.
    projected: Projected,
    /// Items without a `kind`, read before the root's `kind`: `(index, item)`.
    held: Vec<(usize, Item<'de>)>,
    /// The first item that did not fit its kind's schema: `(index, message)`. Items after it
    /// are only syntax-checked.
    error: Option<(usize, String)>,
}

/// What became of one item.
#[derive(Debug, PartialEq, Eq)]
enum Taken {
    /// Projected, ignored (a kind not read), or recorded as the first schema error.
    Done,
    /// Its kind depends on the root's `kind`, not read yet: the caller holds it back.
    Hold,
    /// Not valid JSON ([`Source::Scan`] only, whose items serde has not checked).
    Unreadable,
}

impl<'de> Loader<'de> {
    fn new(source: Source<'de>) -> Self {
        Loader {
            source,
            kind: None,
            kind_seen: false,
            items: Items::Absent,
            pools: PodPools::default(),
        }
    }

    /// Projects one item now (or says to hold it back when its kind depends on the root's
    /// `kind` and that is not read yet).
    fn take(&mut self, collected: &mut Collected<'de>, index: usize, item: &Item<'_>) -> Taken {
        let unchecked = !self.source.checked();
        let header = ItemHeader::read(item.text());
        if header.kind.is_none() && !self.kind_seen {
            if unchecked && !valid_json(item.text()) {
                return Taken::Unreadable;
            }
            return Taken::Hold;
        }
        let kind = header.kind.as_deref().or(implied(self.kind.as_deref()));
        let place = Place {
            source: self.source,
            index,
            kind: kind.unwrap_or_default(),
            header: &header,
            item,
        };
        match collected.projected.project(&mut self.pools, &place) {
            Projection::Projected => Taken::Done,
            Projection::Ignored if unchecked && !valid_json(item.text()) => Taken::Unreadable,
            Projection::Ignored => Taken::Done,
            Projection::Unreadable => Taken::Unreadable,
            Projection::Misfit(message) => {
                collected.error = Some((index, message));
                Taken::Done
            }
        }
    }

    /// After the root: the items held back, the file's shape, and the first schema error.
    fn finish(mut self) -> Result<Outcome, String> {
        let collected = match self.items {
            Items::Array(collected) => *collected,
            Items::NotArray => return Err("`items` is not an array".to_owned()),
            Items::Absent if self.kind.as_deref().is_some_and(|k| !k.is_empty()) => {
                return Ok(Outcome::Single);
            }
            Items::Absent => {
                return Err("neither a List (`items`) nor an object with a `kind`".to_owned());
            }
        };
        let Collected {
            projected,
            held,
            mut error,
        } = collected;
        let mut late = Projected::default();
        let implied = implied(self.kind.as_deref());
        for (index, item) in held {
            if error.as_ref().is_some_and(|(first, _)| *first < index) {
                break;
            }
            let header = ItemHeader::read(item.text());
            let Some(kind) = header.kind.as_deref().or(implied) else {
                continue;
            };
            let place = Place {
                source: self.source,
                index,
                kind,
                header: &header,
                item: &item,
            };
            // Held items were syntax-checked when held: only a schema error is left.
            if let Projection::Misfit(message) = late.project(&mut self.pools, &place) {
                error = Some((index, message));
                break;
            }
        }
        match error {
            Some((_, message)) => Err(message),
            None => Ok(Outcome::Objects(Box::new(
                projected.merge(late).into_objects(),
            ))),
        }
    }
}

/// The kind a typed list (`PodList`) gives items without one.
fn implied(list_kind: Option<&str>) -> Option<&str> {
    list_kind.unwrap_or_default().strip_suffix("List")
}

/// Whether `text` is one valid JSON value (serde's syntax check, no tree).
fn valid_json(text: &str) -> bool {
    serde_json::from_str::<IgnoredAny>(text).is_ok()
}

/// Takes the fast pass's pieces: members' values and items are checked here with serde
/// (`from_str`); anything that is not valid JSON bails out to the serde pass.
struct ScanSink {
    loader: Loader<'static>,
    /// The current `items` array and its next index.
    items: Option<(Collected<'static>, usize)>,
}

impl scan::Sink for ScanSink {
    fn member(&mut self, name: &str, value: &str) -> Result<(), Bail> {
        if name == "kind" {
            let raw: &RawValue = serde_json::from_str(value).map_err(|_| Bail)?;
            self.loader.kind = text_of(raw).map(Cow::into_owned);
            self.loader.kind_seen = true;
        } else if !valid_json(value) {
            return Err(Bail);
        }
        Ok(())
    }

    fn items(&mut self) {
        // A repeated member: the last one wins, as in a `Value` tree.
        self.items = Some((Collected::default(), 0));
    }

    fn item(&mut self, text: &str, line: usize, column: usize) -> Result<(), Bail> {
        let Some((collected, next)) = self.items.as_mut() else {
            return Err(Bail);
        };
        let index = *next;
        *next += 1;
        if collected.error.is_some() {
            // Only the syntax of the rest matters now.
            return if valid_json(text) { Ok(()) } else { Err(Bail) };
        }
        let item = Item::Placed {
            text: Cow::Borrowed(text),
            line,
            column,
        };
        match self.loader.take(collected, index, &item) {
            Taken::Done => Ok(()),
            Taken::Hold => {
                collected
                    .held
                    .push((index, item.to_owned_item(Source::Scan)));
                Ok(())
            }
            Taken::Unreadable => Err(Bail),
        }
    }
}

impl ScanSink {
    fn finish(mut self) -> Result<Outcome, String> {
        if let Some((collected, _)) = self.items.take() {
            self.loader.items = Items::Array(Box::new(collected));
        }
        self.loader.finish()
    }
}

/// Visits the root (serde pass): an object's `kind` and `items`; anything else is skipped.
struct StreamRoot<'l, 'de>(&'l mut Loader<'de>);

impl<'de> Visitor<'de> for StreamRoot<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // A repeated member: the last one wins, as in a `Value` tree.
        while let Some(key) = map.next_key_seed(KeyIn(&["kind", "items"]))? {
            match key {
                Some(0) => {
                    let raw: Box<RawValue> = map.next_value()?;
                    self.0.kind = text_of(&raw).map(Cow::into_owned);
                    self.0.kind_seen = true;
                }
                Some(_) => map.next_value_seed(ItemsSeed(&mut *self.0))?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| ())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
}

/// The root's `items` (serde pass): each element of an array is taken as it is read.
struct ItemsSeed<'l, 'de>(&'l mut Loader<'de>);

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let items = d.deserialize_any(StreamItems(&mut *self.0))?;
        self.0.items = items;
        Ok(())
    }
}

/// Visits `items` (serde pass): an array's elements are projected (or held back) one by one;
/// any other value is skipped.
struct StreamItems<'l, 'de>(&'l mut Loader<'de>);

impl<'de> Visitor<'de> for StreamItems<'_, 'de> {
    type Value = Items<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut collected = Collected::default();
        let skip_all = matches!(self.0.source, Source::Syntax);
        for index in 0.. {
            if skip_all || collected.error.is_some() {
                // Only the syntax of the rest matters now.
                if seq.next_element::<IgnoredAny>()?.is_none() {
                    break;
                }
                continue;
            }
            let Some(item) = seq.next_element_seed(ItemSeed)? else {
                break;
            };
            if self.0.take(&mut collected, index, &item) == Taken::Hold {
                collected.held.push((index, item));
            }
        }
        Ok(Items::Array(Box::new(collected)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_map(map).map(|_| Items::NotArray)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Items::NotArray)
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Items::NotArray)
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Items::NotArray)
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Items::NotArray)
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Items::NotArray)
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Items::NotArray)
    }
}

/// One element of `items` (serde pass): a slice of the text.
struct ItemSeed;

impl<'de> DeserializeSeed<'de> for ItemSeed {
    type Value = Item<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Item<'de>, D::Error> {
        <&'de RawValue>::deserialize(d).map(|raw| Item::Slice(raw.get()))
    }
}

/// The projections of a pass, each with the index of its item (to merge what was held back
/// into file order).
#[derive(Default)]
struct Projected {
    service_accounts: Indexed<ServiceAccountInfo>,
    pods: Indexed<PodInfo>,
    nodes: Indexed<NodeInfo>,
    /// Each `pod-identity-webhook` Deployment's settings and problems; the last one wins.
    webhooks: Indexed<(WebhookSettings, Vec<String>)>,
}

/// One item about to be projected, with what names it in an error.
struct Place<'p, 'de> {
    source: Source<'de>,
    index: usize,
    kind: &'p str,
    header: &'p ItemHeader<'p>,
    item: &'p Item<'p>,
}

/// What [`Projected::project`] did with an item.
enum Projection {
    Projected,
    /// A kind that is not read.
    Ignored,
    /// Valid JSON that does not fit its kind's schema: the message names the item.
    Misfit(String),
    /// Not valid JSON (only for items serde has not checked).
    Unreadable,
}

impl Projected {
    /// Projects one item by its kind (other kinds are ignored).
    fn project(&mut self, pools: &mut PodPools, place: &Place<'_, '_>) -> Projection {
        let index = place.index;
        let result = match place.kind {
            "ServiceAccount" => place.parse::<ServiceAccount>().map(|sa| {
                self.service_accounts
                    .push(index, ServiceAccountInfo::from(&sa));
            }),
            "Pod" => place.parse::<Pod>().map(|pod| {
                self.pods.push(index, pools.share(PodInfo::from(&pod)));
            }),
            "Node" => place.parse::<Node>().map(|node| {
                self.nodes.push(index, NodeInfo::from(&node));
            }),
            "Deployment" if place.header.name.as_deref() == Some(WEBHOOK_DEPLOYMENT) => place
                .parse::<Deployment>()
                .map(|deployment| self.webhooks.push(index, webhook_settings(&deployment))),
            _ => return Projection::Ignored,
        };
        match result {
            Ok(()) => Projection::Projected,
            Err(projection) => projection,
        }
    }

    /// Both passes' projections in file order.
    fn merge(self, later: Projected) -> Projected {
        Projected {
            service_accounts: self.service_accounts.merge(later.service_accounts),
            pods: self.pods.merge(later.pods),
            nodes: self.nodes.merge(later.nodes),
            webhooks: self.webhooks.merge(later.webhooks),
        }
    }

    fn into_objects(self) -> KubernetesObjects {
        let mut webhook = None;
        let mut problems = Vec::new();
        for (settings, lines) in self.webhooks.values {
            webhook = Some(settings);
            problems.extend(lines);
        }
        KubernetesObjects {
            service_accounts: self.service_accounts.values,
            pods: self.pods.values,
            nodes: self.nodes.values,
            webhook,
            problems,
        }
    }
}

/// Values in item order, each with its item's index.
struct Indexed<T> {
    at: Vec<usize>,
    values: Vec<T>,
}

impl<T> Default for Indexed<T> {
    fn default() -> Self {
        Self {
            at: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<T> Indexed<T> {
    fn push(&mut self, index: usize, value: T) {
        self.at.push(index);
        self.values.push(value);
    }

    /// Both in item order (each already is).
    fn merge(self, other: Indexed<T>) -> Indexed<T> {
        if other.values.is_empty() {
            return self;
        }
        let mut merged = Indexed {
            at: Vec::with_capacity(self.at.len() + other.at.len()),
            values: Vec::with_capacity(self.values.len() + other.values.len()),
        };
        let mut a = self.at.into_iter().zip(self.values).peekable();
        let mut b = other.at.into_iter().zip(other.values).peekable();
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some((i, _)), Some((j, _))) if i < j => a.next(),
                (_, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => None,
            };
            let Some((index, value)) = next else {
                return merged;
            };
            merged.push(index, value);
        }
    }
}

impl Place<'_, '_> {
    /// Deserializes the item into its k8s-openapi type; a misfit names the item and gives
    /// serde's position in the file.
    fn parse<T: DeserializeOwned>(&self) -> Result<T, Projection> {
        let text = self.item.text();
        serde_json::from_str(text).map_err(|e| {
            // An item serde has not checked may be broken JSON rather than a misfit: that
            // is a syntax error, which serde must report with its position in the file.
            let misfit = e.classify() == serde_json::error::Category::Data;
            let readable = self.source.checked() || (misfit && valid_json(text));
            if !readable {
                return Projection::Unreadable;
            }
            let e = error_in_file(self.item.start(self.source), &e);
            let (index, kind) = (self.index, self.kind);
            let name = self.header.name.as_deref().unwrap_or("<no name>");
            Projection::Misfit(match self.header.namespace.as_deref() {
                Some(ns) => format!("items[{index}] ({kind} {ns}/{name}): {e}"),
                None => format!("items[{index}] ({kind} {name}): {e}"),
            })
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
    /// Reads the header of one item's text; an item that is not an object has an empty
    /// header. The text need not be checked yet (the fast pass checks it afterwards): what
    /// cannot be read is `None`.
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

/// serde's message for an error in an item that starts at `start` (line from 1, byte
/// column from 0) of the file, with the line and column in the file instead.
fn error_in_file(start: Option<(usize, usize)>, e: &serde_json::Error) -> String {
    let (line, column) = (e.line(), e.column());
    let Some((start_line, start_column)) = start.filter(|_| line > 0) else {
        return e.to_string();
    };
    let base = without_position(e);
    // serde counts lines from 1 and columns in bytes from the line's start.
    let (line, column) = if line == 1 {
        (start_line, start_column + column)
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

    /// What a pass says, as text: the error, or the names of the pods.
    fn said(outcome: Result<KubernetesObjects, String>) -> String {
        match outcome {
            Ok(objects) => {
                let names: Vec<&str> = objects.pods.iter().map(|p| p.name.as_str()).collect();
                format!("pods {names:?}")
            }
            Err(message) => message,
        }
    }

    fn pod(name: &str, containers: serde_json::Value) -> serde_json::Value {
        json!({"metadata": {"name": name, "namespace": "ns"}, "spec": {"containers": containers}})
    }

    #[test]
    fn reading_the_file_says_what_parsing_its_text_says() {
        // Misfits' positions come from the fast pass's line count; broken files and odd
        // shapes are left to the text.
        let misfit = json!({"apiVersion": "v1", "items": [
            pod("a", json!([])), pod("b", json!("oops")), pod("c", json!([]))
        ], "kind": "PodList"});
        let texts = [
            serde_json::to_string_pretty(&misfit).unwrap(),
            misfit.to_string(),
            serde_json::to_string_pretty(&misfit)
                .unwrap()
                .replace('\n', "\r\n\t"),
            json!({"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "x"},
                "spec": {"containers": 5}}]})
            .to_string(),
            json!({"items": [pod("a", json!([])), pod("b", json!([]))], "kind": "PodList"})
                .to_string(),
            "{\"kind\": \"List\", \"items\": [\n  {\"kind\": \"Pod\"},\n  {\"kind\": 1,}\n]}"
                .to_owned(),
            "{\"kind\": \"List\", \"items\": 7}".to_owned(),
            "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"solo\"}}".to_owned(),
            "\"text\"".to_owned(),
        ];
        for text in texts {
            let read = read(io::Cursor::new(text.as_bytes())).map_err(|e| match e {
                ReadError::Io(e) => e.to_string(),
                ReadError::Malformed(message) => message,
            });
            assert_eq!(said(read), said(parse(&text)), "{text}");
        }
    }

    #[test]
    fn an_item_nested_too_deep_for_the_fast_pass_is_read_as_text() {
        let deep = format!("{}1{}", "[".repeat(110), "]".repeat(110));
        let text = format!(
            "{{\"items\": [{}, {{\"kind\": \"ConfigMap\", \"data\": {deep}}}, {}],\n\"kind\": \"PodList\"}}",
            pod("a", json!([])),
            pod("b", json!(3))
        );
        let read = read(io::Cursor::new(text.as_bytes())).map_err(|e| match e {
            ReadError::Io(e) => e.to_string(),
            ReadError::Malformed(message) => message,
        });
        let message = said(read);
        assert!(message.starts_with("items[2] (Pod ns/b): "), "{message}");
        assert_eq!(message, said(parse(&text)));
    }
}
