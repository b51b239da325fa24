//! What feeds the UI: a [`Source`] only sends [`SourceEvent`]s on a channel; it never touches
//! the state. The loop calls it on the UI's runtime, so no method blocks.

use crate::messages::{ActionOutcome, Capabilities, SourceEvent, SourceRequest};
use crate::tone::Tone;
use tokio::sync::mpsc;

/// Where the UI's data comes from. A source only sends [`SourceEvent`]s; it never touches the
/// state. Both methods are called on the UI's runtime and must not block: spawn tasks (or
/// blocking tasks) that send on `tx`.
pub trait Source: Send + Sync {
    /// Starts producing data (a one-shot load, or long-lived watchers).
    fn start(&self, tx: &mpsc::UnboundedSender<SourceEvent>);
    /// The user asked for fresh data (`r`).
    fn refresh(&self, tx: &mpsc::UnboundedSender<SourceEvent>);
    /// What the source can do beyond loading; nothing by default.
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
    /// Runs a confirmed live action and answers with [`SourceEvent::ActionResult`]. By
    /// default the source cannot: it answers so and creates nothing.
    fn request(&self, request: SourceRequest, tx: &mpsc::UnboundedSender<SourceEvent>) {
        let _ = tx.send(SourceEvent::ActionResult {
            id: request.id,
            outcome: Box::new(ActionOutcome::Unavailable(
                "not available for this source: demo/snapshot".to_owned(),
            )),
        });
    }
    /// `:ctx NAME`: watch another kubeconfig context ([`SourceEvent::ContextSwitched`], or a
    /// [`SourceEvent::Notice`] saying why not).
    fn switch_context(&self, name: String, tx: &mpsc::UnboundedSender<SourceEvent>) {
        let _ = name;
        no_contexts(tx);
    }
    /// `:ctx`: the kubeconfig's contexts, as a [`SourceEvent::Notice`].
    fn list_contexts(&self, tx: &mpsc::UnboundedSender<SourceEvent>) {
        no_contexts(tx);
    }
    /// `:ns NAME` while cluster-wide lists are denied: restart the namespaced watches.
    fn watch_namespace(&self, namespace: Option<String>, tx: &mpsc::UnboundedSender<SourceEvent>) {
        let _ = (namespace, tx);
    }
}

fn no_contexts(tx: &mpsc::UnboundedSender<SourceEvent>) {
    let _ = tx.send(SourceEvent::Notice {
        tone: Tone::Dim,
        text: "no kubeconfig contexts in demo or snapshot mode".to_owned(),
    });
}
