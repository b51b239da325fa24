//! The stand-in API server under steady pod churn, for the soak test (`scripts/soak.sh`):
//! `kube_soak SAS PODS NODES EVENTS_PER_SECOND KUBECONFIG_OUT` seeds a generated cluster,
//! writes a kubeconfig pointing at itself, then creates, modifies and deletes pods at the given
//! rate (one third each, so the pod count stays level) until killed. It prints one line per
//! 10 s with the events sent so far and its LIST/WATCH counters. Each modification sets a new
//! label value, unless `SOAK_LABEL=same`.

#[path = "../tests/support/mod.rs"]
mod support;

use serde_json::Value;
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use support::apiserver::{Kind, StandIn, Verb, kubeconfig};

fn arg(n: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| {
            panic!("usage: kube_soak SAS PODS NODES EVENTS_PER_SECOND KUBECONFIG_OUT")
        })
}

#[tokio::main]
async fn main() {
    let (sas, pods, nodes, rate) = (arg(1), arg(2), arg(3), arg(4).max(1));
    let out = std::env::args().nth(5).expect("KUBECONFIG_OUT");
    let objects: Vec<Value> = support::objects::large_cluster(sas, pods, nodes).collect();
    let template = objects
        .iter()
        .find(|o| o["kind"] == "Pod")
        .cloned()
        .expect("a pod to copy");
    let server = StandIn::start_on("127.0.0.1:0", objects, Duration::from_secs(5)).await;
    std::fs::write(&out, kubeconfig("soak", &server.url())).expect("write kubeconfig");
    println!("ready url={}", server.url());

    let namespace = template["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default")
        .to_owned();
    let same_label = std::env::var("SOAK_LABEL").as_deref() == Ok("same");
    let mut created: VecDeque<String> = VecDeque::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1) / u32::try_from(rate).unwrap_or(1));
    let started = Instant::now();
    let mut last_report = Instant::now();
    let mut sent: u64 = 0;
    loop {
        tick.tick().await;
        match sent % 3 {
            0 => {
                let name = format!("soak-{sent}");
                let mut pod = template.clone();
                pod["metadata"]["name"] = Value::from(name.clone());
                pod["metadata"]["uid"] = Value::from(format!("00000000-0000-0000-0000-{sent:012}"));
                server.apply(pod);
                created.push_back(name);
            }
            1 => {
                if let Some(name) = created.back() {
                    let mut pod = template.clone();
                    pod["metadata"]["name"] = Value::from(name.clone());
                    // SOAK_LABEL=same: every modification sets the same value (isolates the
                    // cost of label maps never seen before).
                    let value = if same_label {
                        "same".to_owned()
                    } else {
                        sent.to_string()
                    };
                    pod["metadata"]["labels"]["soak-generation"] = Value::from(value);
                    server.apply(pod);
                }
            }
            _ => {
                if created.len() > 100
                    && let Some(name) = created.pop_front()
                {
                    server.delete(Kind::Pod, Some(&namespace), &name);
                }
            }
        }
        sent += 1;
        if last_report.elapsed() >= Duration::from_secs(10) {
            last_report = Instant::now();
            println!(
                "t={}s events={sent} lists_pods={} watches_pods={}",
                started.elapsed().as_secs(),
                server.requests(Kind::Pod, Verb::List),
                server.requests(Kind::Pod, Verb::Watch),
            );
        }
    }
}
