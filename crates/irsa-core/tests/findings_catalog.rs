//! The findings catalog, code by code: for every `FindingCode` a positive case (an inventory,
//! built here, that triggers it — asserting the code, the subject and the key evidence) and a
//! negative case (the nearest healthy variant, which must not trigger it). The healthy lab in
//! `findings_catalog/lab.rs` is the guide's `demo/s3-reader`, done right: it yields no finding.

#[path = "findings_catalog/lab.rs"]
mod lab;

#[path = "findings_catalog/audit_cases.rs"]
mod audit_cases;
#[path = "findings_catalog/irsa.rs"]
mod irsa;
#[path = "findings_catalog/near_miss.rs"]
mod near_miss;
#[path = "findings_catalog/node.rs"]
mod node;
#[path = "findings_catalog/pod.rs"]
mod pod;
#[path = "findings_catalog/pod_identity.rs"]
mod pod_identity;
#[path = "findings_catalog/report.rs"]
mod report;
