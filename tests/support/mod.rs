//! Test support shared by integration tests: the moto harness, its demo-lab seed, and a
//! fault-injecting proxy.
#![allow(dead_code)]

pub mod fault_proxy;
pub mod moto;
pub mod seed;
