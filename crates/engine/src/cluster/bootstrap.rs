//! The cluster at time 0: a running KRaft cluster, as after a normal start-up.

use crate::protocol::metadata::{MetadataEntry, MetadataRecord};

/// The metadata log of a freshly started cluster: voter `leader` won the first election, and
/// every broker (1..=`brokers`) registered, with its rack (`racks[id - 1]`, if any), and was unfenced.
pub(super) fn bootstrap_metadata_log(brokers: i32, leader: i32, racks: &[String]) -> Vec<MetadataEntry> {
    let mut records = vec![MetadataRecord::LeaderChange { leader_id: leader, epoch: 1 }];
    for id in 1..=brokers {
        records.push(MetadataRecord::RegisterBroker {
            broker_id: id,
            broker_epoch: records.len() as i64,
            rack: racks.get(id as usize - 1).cloned(),
        });
    }
    for id in 1..=brokers {
        let broker_epoch = id as i64;
        records.push(MetadataRecord::BrokerRegistrationChange {
            broker_id: id,
            broker_epoch,
            fenced: false,
            in_controlled_shutdown: false,
        });
    }
    records
        .into_iter()
        .enumerate()
        .map(|(offset, record)| MetadataEntry { offset: offset as i64, epoch: 1, record: record.into() })
        .collect()
}
