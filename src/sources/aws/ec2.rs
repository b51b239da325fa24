//! EC2: the nodes' instances (`DescribeInstances`), for their IMDS settings
//! (`MetadataOptions`) and instance profiles (whose role is the node role).
//!
//! Ids go in batches of [`BATCH`] through the `instance-id` *filter* rather than
//! `InstanceIds`: with `InstanceIds`, one terminated or unknown id fails the whole batch
//! (`InvalidInstanceID.NotFound`), with the filter it is simply absent.

use super::eks::ReadList;
use super::{AwsSource, convert};
use aws_sdk_ec2::types::Filter;
use irsa_core::model::Ec2Instance;
use std::collections::BTreeSet;

/// Instance ids per `DescribeInstances` call (EC2 accepts up to 200 values per filter).
pub const BATCH: usize = 100;

impl AwsSource {
    /// The instances with these ids; unknown ids are simply not in the answer.
    pub(super) async fn instances(&self, ids: &BTreeSet<String>) -> ReadList<Ec2Instance> {
        let ids: Vec<String> = ids.iter().cloned().collect();
        let batches = futures::future::join_all(ids.chunks(BATCH).map(|batch| self.batch(batch)));
        let mut instances = Vec::new();
        for result in batches.await {
            match result {
                Ok(list) => instances.extend(list),
                Err(message) => return (None, vec![message]),
            }
        }
        (Some(instances), Vec::new())
    }

    async fn batch(&self, ids: &[String]) -> Result<Vec<Ec2Instance>, String> {
        let filter = Filter::builder()
            .name("instance-id")
            .set_values(Some(ids.to_vec()))
            .build();
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .call("ec2:DescribeInstances", || {
                    self.clients
                        .ec2
                        .describe_instances()
                        .filters(filter.clone())
                        .set_next_token(token.clone())
                        .send()
                })
                .await
                .map_err(|e| e.status("node IMDS settings and instance profiles unknown"))?;
            out.extend(
                page.reservations()
                    .iter()
                    .flat_map(|r| r.instances())
                    .map(|i| Ec2Instance::from(&convert::instance(i))),
            );
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }
}
