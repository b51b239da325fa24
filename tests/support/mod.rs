//! Shared test support: a stand-in kube-apiserver ([`apiserver::StandIn`]) that speaks the
//! Kubernetes list/watch protocol over plain HTTP, the kubeconfig that points at it, and
//! generators of real-shaped Kubernetes objects (the demo lab's, and large clusters); the moto
//! harness (`moto_server` for the AWS source), its demo-lab seed, and a fault-injecting proxy;
//! stand-ins for the EKS API's Pod Identity reads and CloudTrail's LookupEvents, which moto
//! lacks ([`eks_standin`], [`cloudtrail_standin`]);
//! the real binary in a tmux session ([`tmux::Session`]); DuckDB in the moto venv ([`duckdb`]).
//!
//! Each integration test crate compiles this module on its own and uses only part of it.
#![allow(dead_code)]

pub mod apiserver;
pub mod binary;
pub mod cloudtrail_standin;
pub mod duckdb;
pub mod eks_standin;
pub mod fault_proxy;
pub mod http_serve;
pub mod live;
pub mod moto;
pub mod objects;
pub mod seed;
pub mod tmux;
