//! The stand-in API server's data: objects by resource, one global resourceVersion counter
//! (like etcd's revision), the event history watches replay from, and the switches tests flip
//! (403s, compaction). Objects are kept as serialized JSON bytes so a 50,000-pod cluster stays
//! a few hundred MB.

use bytes::Bytes;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::SystemTime;
use tokio::sync::broadcast;

/// A resource the server serves: its URL plural, API group path and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    ServiceAccount,
    Pod,
    Node,
    Deployment,
    ConfigMap,
    /// `admissionregistration.k8s.io/v1`, cluster-scoped.
    MutatingWebhookConfiguration,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::ServiceAccount,
        Kind::Pod,
        Kind::Node,
        Kind::Deployment,
        Kind::ConfigMap,
        Kind::MutatingWebhookConfiguration,
    ];

    pub fn plural(self) -> &'static str {
        match self {
            Kind::ServiceAccount => "serviceaccounts",
            Kind::Pod => "pods",
            Kind::Node => "nodes",
            Kind::Deployment => "deployments",
            Kind::ConfigMap => "configmaps",
            Kind::MutatingWebhookConfiguration => "mutatingwebhookconfigurations",
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Kind::ServiceAccount => "ServiceAccount",
            Kind::Pod => "Pod",
            Kind::Node => "Node",
            Kind::Deployment => "Deployment",
            Kind::ConfigMap => "ConfigMap",
            Kind::MutatingWebhookConfiguration => "MutatingWebhookConfiguration",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Kind::Deployment => "apps/v1",
            Kind::MutatingWebhookConfiguration => "admissionregistration.k8s.io/v1",
            _ => "v1",
        }
    }

    /// The API group (`""` for the core group).
    pub fn group(self) -> &'static str {
        self.api_version().rsplit_once('/').map_or("", |(g, _)| g)
    }

    pub fn namespaced(self) -> bool {
        !matches!(self, Kind::Node | Kind::MutatingWebhookConfiguration)
    }

    pub fn from_kind(kind: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.kind() == kind)
    }

    pub fn from_plural(plural: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.plural() == plural)
    }
}

/// A verb as RBAC names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    List,
    Watch,
    Get,
    /// `create` on `serviceaccounts/token`.
    CreateToken,
    /// `create` on `pods/exec`.
    Exec,
}

/// One stored object.
#[derive(Debug, Clone)]
pub struct Stored {
    pub namespace: Option<String>,
    pub name: String,
    pub rv: u64,
    pub json: Bytes,
}

/// One watch event, already serialized as the NDJSON line the server sends.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: Kind,
    pub namespace: Option<String>,
    pub rv: u64,
    pub line: Bytes,
}

/// What a live watch receives: an event, or the order to end the stream.
#[derive(Debug, Clone)]
pub enum Live {
    Event(Event),
    /// End every open watch stream (a dropped connection, as the client sees it).
    Drop,
}

/// The whole server state behind one mutex.
pub struct Cluster {
    pub rv: u64,
    pub objects: HashMap<Kind, BTreeMap<(String, String), Stored>>,
    pub history: Vec<Event>,
    /// Watches from a resourceVersion below this get a 410 (etcd compaction).
    pub compacted_below: u64,
    pub forbidden: HashSet<(Kind, Verb)>,
    pub requests: HashMap<(Kind, Verb), usize>,
    /// When the last page (no `continue`) of a LIST was served, per resource.
    pub last_page_at: HashMap<Kind, SystemTime>,
    pub live: broadcast::Sender<Live>,
    /// Bumped whenever open watches are dropped: a watch of an older generation sends nothing
    /// more.
    pub generation: u64,
    pub issuer: String,
    /// Every request by HTTP method (`GET`, `POST`, …); exec upgrades count as `EXEC`.
    pub methods: HashMap<String, usize>,
    /// Every token handed out (TokenRequest or exec `cat`), for tests that check none leaks.
    pub issued: Vec<String>,
    /// Faults the next requests of a resource and verb get instead of their answer, in order.
    pub faults: HashMap<(Kind, Verb), std::collections::VecDeque<Fault>>,
}

/// A fault a request gets instead of its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// An error `Status` with this HTTP code (500, 503, 429…).
    Status(u16),
    /// A 200 whose body is cut off in the middle of the JSON.
    Malformed,
    /// A watch stream that ends in the middle of an event line.
    CutMidEvent,
    /// No answer at all (not even the status line) until the server stops: a server that
    /// accepted the connection and hangs, as an overloaded or half-dead API server does.
    Hang,
}

impl Cluster {
    pub fn new(issuer: &str) -> Self {
        let (live, _) = broadcast::channel(65_536);
        Cluster {
            rv: 1000,
            objects: HashMap::new(),
            history: Vec::new(),
            compacted_below: 0,
            forbidden: HashSet::new(),
            requests: HashMap::new(),
            last_page_at: HashMap::new(),
            live,
            generation: 0,
            issuer: issuer.to_owned(),
            methods: HashMap::new(),
            issued: Vec::new(),
            faults: HashMap::new(),
        }
    }

    /// Adds or replaces an object (kind from its `kind`), stamping a new resourceVersion and,
    /// when missing, a uid and creationTimestamp. Returns the event type sent to watches.
    /// With `record` false (bulk seeding) no event is kept in the history.
    pub fn apply(&mut self, mut object: Value, record: bool) -> &'static str {
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .and_then(Kind::from_kind)
            .unwrap_or_else(|| panic!("stand-in server: unsupported object {object}"));
        self.rv += 1;
        let rv = self.rv;
        let meta = object
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
            .expect("object without metadata");
        let name = meta["name"]
            .as_str()
            .expect("object without name")
            .to_owned();
        let namespace = if kind.namespaced() {
            Some(
                meta.get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("default")
                    .to_owned(),
            )
        } else {
            None
        };
        if let Some(ns) = &namespace {
            meta.insert("namespace".into(), Value::from(ns.clone()));
        }
        meta.insert("resourceVersion".into(), Value::from(rv.to_string()));
        meta.entry("uid")
            .or_insert_with(|| Value::from(format!("uid-{}-{rv}", kind.plural())));
        meta.entry("creationTimestamp")
            .or_insert_with(|| Value::from("2026-04-10T09:00:00Z"));
        let json = Bytes::from(serde_json::to_vec(&object).expect("serializable"));
        let key = (namespace.clone().unwrap_or_default(), name.clone());
        let stored = Stored {
            namespace: namespace.clone(),
            name,
            rv,
            json: json.clone(),
        };
        let previous = self.objects.entry(kind).or_default().insert(key, stored);
        let ty = if previous.is_some() {
            "MODIFIED"
        } else {
            "ADDED"
        };
        if record {
            self.emit(kind, namespace, rv, ty, &json);
        }
        ty
    }

    /// Deletes an object; false when it did not exist.
    pub fn delete(&mut self, kind: Kind, namespace: Option<&str>, name: &str) -> bool {
        let key = (namespace.unwrap_or_default().to_owned(), name.to_owned());
        let Some(stored) = self.objects.entry(kind).or_default().remove(&key) else {
            return false;
        };
        self.rv += 1;
        let rv = self.rv;
        let mut object: Value = serde_json::from_slice(&stored.json).expect("stored JSON");
        object["metadata"]["resourceVersion"] = Value::from(rv.to_string());
        let json = serde_json::to_vec(&object).expect("serializable");
        self.emit(kind, stored.namespace, rv, "DELETED", &json);
        true
    }

    fn emit(&mut self, kind: Kind, namespace: Option<String>, rv: u64, ty: &str, json: &[u8]) {
        let mut line = Vec::with_capacity(json.len() + 32);
        line.extend_from_slice(br#"{"type":""#);
        line.extend_from_slice(ty.as_bytes());
        line.extend_from_slice(br#"","object":"#);
        line.extend_from_slice(json);
        line.extend_from_slice(b"}\n");
        let event = Event {
            kind,
            namespace,
            rv,
            line: Bytes::from(line),
        };
        self.history.push(event.clone());
        // No receiver is fine: nobody watches yet.
        let _ = self.live.send(Live::Event(event));
    }

    /// Counts a request and says whether RBAC allows it.
    /// The next fault queued for `kind`/`verb`, if any.
    pub fn take_fault(&mut self, kind: Kind, verb: Verb) -> Option<Fault> {
        self.faults
            .get_mut(&(kind, verb))
            .and_then(|q| q.pop_front())
    }

    pub fn admit(&mut self, kind: Kind, verb: Verb) -> bool {
        *self.requests.entry((kind, verb)).or_default() += 1;
        !self.forbidden.contains(&(kind, verb))
    }

    /// Objects of `kind`, optionally in one namespace and with one name, in key order.
    pub fn select<'a>(
        &'a self,
        kind: Kind,
        namespace: Option<&'a str>,
        name: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Stored> + 'a {
        self.objects
            .get(&kind)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(move |s| namespace.is_none() || s.namespace.as_deref() == namespace)
            .filter(move |s| name.is_none_or(|n| s.name == n))
    }
}
