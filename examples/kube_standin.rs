//! The stand-in API server as a process, for measurements (`scripts/kube-bench.sh`):
//! `kube_standin SAS PODS NODES KUBECONFIG_OUT` seeds a generated cluster, writes a kubeconfig
//! pointing at itself, and prints one line per second with its request counters and the wall
//! time (Unix ms) of the last page of the latest LIST per resource, until killed.
//!
//! Like on a real cluster, every pod gets its own `kube-api-access-<suffix>` token volume name
//! (the ServiceAccount admission plugin generates one per pod); `STANDIN_TOKEN_VOLUME=shared`
//! keeps the generator's single name for all pods instead.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant, UNIX_EPOCH};
use support::apiserver::{Kind, StandIn, Verb, kubeconfig};

fn arg(n: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("usage: kube_standin SAS PODS NODES KUBECONFIG_OUT"))
}

#[tokio::main]
async fn main() {
    let (sas, pods, nodes) = (arg(1), arg(2), arg(3));
    let out = std::env::args().nth(4).expect("KUBECONFIG_OUT");
    let started = Instant::now();
    let per_pod = std::env::var("STANDIN_TOKEN_VOLUME").as_deref() != Ok("shared");
    let objects = support::objects::large_cluster(sas, pods, nodes)
        .enumerate()
        .map(move |(i, object)| {
            if per_pod && object["kind"] == "Pod" {
                let json = object.to_string().replace(
                    "kube-api-access-x7k2p",
                    &format!("kube-api-access-{:05x}", i * 7919 % 0xfffff),
                );
                serde_json::from_str(&json).expect("the same object, renamed")
            } else {
                object
            }
        });
    let server = StandIn::start_on("127.0.0.1:0", objects, Duration::from_secs(5)).await;
    std::fs::write(&out, kubeconfig("bench", &server.url())).expect("write kubeconfig");
    println!(
        "ready url={} seeded_in_ms={}",
        server.url(),
        started.elapsed().as_millis()
    );
    let ms = |k: Kind| {
        server
            .last_list_page_at(k)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_millis())
    };
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        println!(
            "counts lists_sa={} lists_pods={} lists_nodes={} watches_sa={} watches_pods={} \
             watches_nodes={} last_page_ms_sa={} last_page_ms_pods={} last_page_ms_nodes={}",
            server.requests(Kind::ServiceAccount, Verb::List),
            server.requests(Kind::Pod, Verb::List),
            server.requests(Kind::Node, Verb::List),
            server.requests(Kind::ServiceAccount, Verb::Watch),
            server.requests(Kind::Pod, Verb::Watch),
            server.requests(Kind::Node, Verb::Watch),
            ms(Kind::ServiceAccount),
            ms(Kind::Pod),
            ms(Kind::Node),
        );
    }
}
