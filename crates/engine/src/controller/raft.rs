//! KRaft's Raft (KIP-595) for the `__cluster_metadata` log, as a pure state machine.
//!
//! Voters elect a leader with epochs and votes; followers *pull* records with fetches (there is no
//! append push), and a fetch that does not arrive for `controller.quorum.fetch.timeout.ms` starts
//! an election. Brokers that are not voters are observers: they fetch but never vote.

use crate::node::Outbox;
use crate::protocol::metadata::{MetadataEntry, MetadataRecord};
use crate::protocol::{ErrorCode, Message};
use crate::sim::{Millis, NodeId};
use rand::Rng;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The quorum settings, with Kafka's names and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RaftConfig {
    /// `controller.quorum.election.timeout.ms`: a candidate waits `[T, 2T)` for votes.
    pub election_timeout_ms: Millis,
    /// `controller.quorum.fetch.timeout.ms`: a follower that hears nothing this long starts an election.
    pub fetch_timeout_ms: Millis,
    /// `controller.quorum.election.backoff.max.ms`.
    pub election_backoff_max_ms: Millis,
    /// How long the leader holds a fetch that has nothing new.
    pub fetch_max_wait_ms: Millis,
}

impl Default for RaftConfig {
    fn default() -> Self {
        RaftConfig {
            election_timeout_ms: 1000,
            fetch_timeout_ms: 2000,
            election_backoff_max_ms: 1000,
            fetch_max_wait_ms: 500,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RaftRole {
    Leader,
    Candidate,
    /// A voter following `leader` (None: it knows the epoch but not yet its leader).
    Follower,
    /// A broker outside the voter set: it replicates the log and never votes.
    Observer,
}

/// Raft timers, carried inside the broker's timer type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RaftTimer {
    /// A candidate's election timed out, or a follower's fetch timeout expired.
    Election { token: u64 },
    /// Send the next fetch to the leader.
    Fetch { token: u64 },
    /// A parked fetch from `replica` waited long enough.
    ParkedFetch { replica: i32, token: u64 },
    /// The leader checks that a majority still fetches from it (check-quorum).
    CheckQuorum { token: u64 },
}

/// What changed in a step, for the broker hosting the node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RaftUpdate {
    pub became_leader: bool,
    pub lost_leadership: bool,
    /// The high watermark moved: newly committed records can be applied.
    pub committed: bool,
}

#[derive(Debug, Clone)]
pub struct RaftNode {
    pub id: i32,
    pub voters: Vec<i32>,
    pub config: RaftConfig,
    pub role: RaftRole,
    pub epoch: i32,
    pub leader: Option<i32>,
    voted_for: Option<i32>,
    pub log: Vec<MetadataEntry>,
    pub high_watermark: i64,
    votes_granted: BTreeSet<i32>,
    /// Leader only: each voter's fetch offset and when it last fetched.
    voter_state: BTreeMap<i32, (i64, Millis)>,
    /// Leader only: fetches with nothing new yet, by replica: (timer token, fetch offset, correlation id).
    parked_fetches: BTreeMap<i32, (u64, i64, u64)>,
    /// The correlation id of the fetch awaiting an answer; any other answer is stale and ignored.
    fetch_in_flight: Option<u64>,
    election_token: u64,
    fetch_token: u64,
    next_token: u64,
}

impl RaftNode {
    pub fn new(id: i32, voters: Vec<i32>, config: RaftConfig) -> Self {
        let role = if voters.contains(&id) { RaftRole::Follower } else { RaftRole::Observer };
        RaftNode {
            id,
            voters,
            config,
            role,
            epoch: 0,
            leader: None,
            voted_for: None,
            log: Vec::new(),
            high_watermark: 0,
            votes_granted: BTreeSet::new(),
            voter_state: BTreeMap::new(),
            parked_fetches: BTreeMap::new(),
            fetch_in_flight: None,
            election_token: 0,
            fetch_token: 0,
            next_token: 0,
        }
    }

    pub fn is_voter(&self) -> bool {
        self.voters.contains(&self.id)
    }

    pub fn is_leader(&self) -> bool {
        self.role == RaftRole::Leader
    }

    pub fn log_end_offset(&self) -> i64 {
        self.log.len() as i64
    }

    fn last_epoch(&self) -> i32 {
        self.log.last().map_or(0, |e| e.epoch)
    }

    fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    /// Starts a cluster that is already formed: `leader` leads `epoch` and `log` is committed
    /// everywhere. Used to begin a simulation with a running cluster.
    pub fn bootstrap(&mut self, epoch: i32, leader: i32, log: Vec<MetadataEntry>) {
        self.epoch = epoch;
        self.leader = Some(leader);
        self.voted_for = Some(leader);
        self.high_watermark = log.len() as i64;
        self.log = log;
        if self.id == leader {
            self.role = RaftRole::Leader;
        }
    }

    /// A crash: the log, epoch and vote are on disk (KRaft's quorum-state file); the role is not.
    /// A leader that restarts does not resume leading: it must learn who leads now.
    pub fn crash(&mut self) {
        self.role = if self.is_voter() { RaftRole::Follower } else { RaftRole::Observer };
        self.leader = None;
        self.votes_granted.clear();
        self.voter_state.clear();
        self.parked_fetches.clear();
        self.fetch_in_flight = None;
    }

    /// (Re)starts the node's timers.
    pub fn start(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) {
        self.fetch_in_flight = None;
        self.parked_fetches.clear();
        if self.role == RaftRole::Leader {
            for voter in self.voters.clone() {
                self.voter_state.insert(voter, (0, now));
            }
            self.schedule_check_quorum(now, out);
        } else {
            if self.is_voter() {
                self.role = RaftRole::Follower;
                self.reset_fetch_timeout(now, rng, out);
            }
            self.schedule_fetch(now, out);
        }
    }

    /// Leader only: appends records to the log; followers pick them up with their next fetch.
    pub fn append(
        &mut self,
        records: Vec<MetadataRecord>,
        now: Millis,
        out: &mut Outbox<impl From<RaftTimer>>,
    ) -> RaftUpdate {
        for record in records {
            let offset = self.log_end_offset();
            self.log.push(MetadataEntry { offset, epoch: self.epoch, record });
        }
        let committed = self.maybe_advance_high_watermark(now);
        self.answer_parked_fetches(out);
        RaftUpdate { committed, ..RaftUpdate::default() }
    }

    pub fn on_timer(
        &mut self,
        timer: RaftTimer,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<impl From<RaftTimer>>,
    ) -> RaftUpdate {
        match timer {
            RaftTimer::Election { token } if token == self.election_token && self.is_voter() && !self.is_leader() => {
                self.start_election(now, rng, out)
            }
            RaftTimer::Fetch { token } if token == self.fetch_token => {
                // Either it is time to fetch, or the last fetch got no answer: fetch (again).
                self.fetch_in_flight = None;
                self.send_fetch(now, rng, out);
                RaftUpdate::default()
            }
            RaftTimer::ParkedFetch { replica, token } => {
                if self.parked_fetches.get(&replica).is_some_and(|(t, _, _)| *t == token) {
                    if let Some((_, fetch_offset, correlation_id)) = self.parked_fetches.remove(&replica) {
                        out.send(NodeId::Broker(replica), self.fetch_response(correlation_id, fetch_offset, None));
                    }
                }
                RaftUpdate::default()
            }
            RaftTimer::CheckQuorum { token } if token == self.election_token && self.is_leader() => {
                // A leader cut off from a majority resigns, so a new one can be elected elsewhere.
                let horizon = now.saturating_sub(self.config.fetch_timeout_ms + self.config.fetch_timeout_ms / 2);
                let in_touch = self
                    .voters
                    .iter()
                    .filter(|v| **v == self.id || self.voter_state.get(v).is_some_and(|(_, at)| *at >= horizon))
                    .count();
                if in_touch * 2 > self.voters.len() {
                    self.schedule_check_quorum(now, out);
                    RaftUpdate::default()
                } else {
                    self.become_follower(self.epoch, None, now, rng, out);
                    RaftUpdate { lost_leadership: true, ..RaftUpdate::default() }
                }
            }
            _ => RaftUpdate::default(),
        }
    }

    pub fn on_message(
        &mut self,
        from: i32,
        message: Message,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<impl From<RaftTimer>>,
    ) -> RaftUpdate {
        match message {
            Message::VoteRequest { candidate_epoch, candidate_id, last_offset_epoch, last_offset } => {
                let mut update = RaftUpdate::default();
                if candidate_epoch > self.epoch {
                    update.lost_leadership = self.is_leader();
                    self.become_follower(candidate_epoch, None, now, rng, out);
                }
                let up_to_date = (last_offset_epoch, last_offset) >= (self.last_epoch(), self.log_end_offset());
                let granted = candidate_epoch == self.epoch
                    && self.is_voter()
                    && self.voted_for.is_none_or(|v| v == candidate_id)
                    && self.leader.is_none()
                    && up_to_date;
                if granted {
                    self.voted_for = Some(candidate_id);
                    self.reset_fetch_timeout(now, rng, out);
                }
                out.send(NodeId::Broker(from), Message::VoteResponse { epoch: self.epoch, vote_granted: granted });
                update
            }
            Message::VoteResponse { epoch, vote_granted } => {
                if epoch > self.epoch {
                    self.become_follower(epoch, None, now, rng, out);
                    return RaftUpdate::default();
                }
                if self.role != RaftRole::Candidate || epoch != self.epoch || !vote_granted {
                    return RaftUpdate::default();
                }
                self.votes_granted.insert(from);
                if self.votes_granted.len() * 2 > self.voters.len() {
                    self.become_leader(now, out)
                } else {
                    RaftUpdate::default()
                }
            }
            Message::BeginQuorumEpoch { epoch, leader_id } => {
                let lost = self.is_leader() && epoch > self.epoch;
                if epoch >= self.epoch && !(epoch == self.epoch && self.is_leader()) {
                    self.become_follower(epoch, Some(leader_id), now, rng, out);
                }
                RaftUpdate { lost_leadership: lost, ..RaftUpdate::default() }
            }
            Message::QuorumFetchRequest {
                correlation_id,
                replica_id,
                fetch_offset,
                last_fetched_epoch,
                high_watermark,
            } => self.handle_fetch(
                correlation_id,
                replica_id,
                fetch_offset,
                last_fetched_epoch,
                high_watermark,
                now,
                out,
            ),
            Message::QuorumFetchResponse {
                correlation_id,
                epoch,
                leader_id,
                error,
                high_watermark,
                diverging,
                entries,
            } => {
                if self.fetch_in_flight != Some(correlation_id) {
                    // Kafka's RequestManager drops a response it no longer expects.
                    return RaftUpdate::default();
                }
                self.handle_fetch_response(
                    from,
                    epoch,
                    leader_id,
                    error,
                    high_watermark,
                    diverging,
                    entries,
                    now,
                    rng,
                    out,
                )
            }
            _ => RaftUpdate::default(),
        }
    }

    fn start_election(
        &mut self,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<impl From<RaftTimer>>,
    ) -> RaftUpdate {
        self.epoch += 1;
        self.role = RaftRole::Candidate;
        self.leader = None;
        self.voted_for = Some(self.id);
        self.votes_granted = BTreeSet::from([self.id]);
        self.reset_election_timeout(now, rng, out);
        if self.voters.len() == 1 {
            return self.become_leader(now, out);
        }
        for voter in self.voters.clone() {
            if voter != self.id {
                out.send(
                    NodeId::Broker(voter),
                    Message::VoteRequest {
                        candidate_epoch: self.epoch,
                        candidate_id: self.id,
                        last_offset_epoch: self.last_epoch(),
                        last_offset: self.log_end_offset(),
                    },
                );
            }
        }
        RaftUpdate::default()
    }

    fn become_leader(&mut self, now: Millis, out: &mut Outbox<impl From<RaftTimer>>) -> RaftUpdate {
        self.role = RaftRole::Leader;
        self.leader = Some(self.id);
        self.fetch_token = self.token();
        self.voter_state = self.voters.iter().map(|v| (*v, (0, now))).collect();
        self.voter_state.insert(self.id, (self.log_end_offset(), now));
        for voter in self.voters.clone() {
            if voter != self.id {
                out.send(NodeId::Broker(voter), Message::BeginQuorumEpoch { epoch: self.epoch, leader_id: self.id });
            }
        }
        self.election_token = self.token();
        self.schedule_check_quorum(now, out);
        let mut update =
            self.append(vec![MetadataRecord::LeaderChange { leader_id: self.id, epoch: self.epoch }], now, out);
        update.became_leader = true;
        update
    }

    fn become_follower(
        &mut self,
        epoch: i32,
        leader: Option<i32>,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<impl From<RaftTimer>>,
    ) {
        if epoch > self.epoch {
            self.voted_for = None;
        }
        self.epoch = epoch;
        self.leader = leader;
        self.parked_fetches.clear();
        if self.is_voter() {
            self.role = RaftRole::Follower;
            match leader {
                Some(_) => self.reset_fetch_timeout(now, rng, out),
                // Unattached: stand for election after the election timeout, like a candidate,
                // so that the voter with the best log is not kept waiting by losing candidates.
                None => self.reset_election_timeout(now, rng, out),
            }
        }
        if leader.is_some() {
            self.fetch_in_flight = None;
            self.schedule_fetch(now, out);
        }
    }

    fn reset_election_timeout(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) {
        self.election_token = self.token();
        let timeout = self.config.election_timeout_ms + rng.random_range(0..self.config.election_timeout_ms.max(1));
        out.timer(now + timeout, RaftTimer::Election { token: self.election_token }.into());
    }

    fn reset_fetch_timeout(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) {
        self.election_token = self.token();
        // A little randomness keeps followers from all standing for election at once.
        let timeout = self.config.fetch_timeout_ms + rng.random_range(0..self.config.election_timeout_ms.max(1));
        out.timer(now + timeout, RaftTimer::Election { token: self.election_token }.into());
    }

    fn schedule_check_quorum(&mut self, now: Millis, out: &mut Outbox<impl From<RaftTimer>>) {
        out.timer(now + self.config.fetch_timeout_ms, RaftTimer::CheckQuorum { token: self.election_token }.into());
    }

    fn schedule_fetch(&mut self, at: Millis, out: &mut Outbox<impl From<RaftTimer>>) {
        self.fetch_token = self.token();
        out.timer(at, RaftTimer::Fetch { token: self.fetch_token }.into());
    }

    /// Fetches from the known leader, or asks a random voter who leads. If no answer comes
    /// within the fetch timeout, the fetch timer fires again and retries.
    fn send_fetch(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) {
        if self.is_leader() || self.fetch_in_flight.is_some() {
            return;
        }
        let target = match self.leader {
            Some(leader) => leader,
            None => {
                let others: Vec<i32> = self.voters.iter().copied().filter(|v| *v != self.id).collect();
                if others.is_empty() {
                    return;
                }
                others[rng.random_range(0..others.len())]
            }
        };
        let correlation_id = self.token();
        self.fetch_in_flight = Some(correlation_id);
        out.send(
            NodeId::Broker(target),
            Message::QuorumFetchRequest {
                correlation_id,
                replica_id: self.id,
                fetch_offset: self.log_end_offset(),
                last_fetched_epoch: self.last_epoch(),
                high_watermark: self.high_watermark,
            },
        );
        self.schedule_fetch(now + self.config.fetch_timeout_ms, out);
    }

    /// The connection to `peer` broke: a fetch in flight to it is lost; retry after a pause.
    pub fn on_disconnect(&mut self, peer: i32, now: Millis, out: &mut Outbox<impl From<RaftTimer>>) {
        if self.fetch_in_flight.is_some() && (self.leader == Some(peer) || self.leader.is_none()) {
            self.fetch_in_flight = None;
            if self.leader == Some(peer) && !self.is_voter() {
                self.leader = None;
            }
            self.schedule_fetch(now + self.config.fetch_max_wait_ms, out);
        }
    }

    /// Kafka's `endOffsetForEpoch`: the largest epoch <= `epoch` in this log and where it ends.
    fn end_offset_for_epoch(&self, epoch: i32) -> (i32, i64) {
        match self.log.iter().rposition(|e| e.epoch <= epoch) {
            None => (0, 0),
            Some(i) => (self.log[i].epoch, i as i64 + 1),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_fetch(
        &mut self,
        correlation_id: u64,
        replica: i32,
        fetch_offset: i64,
        last_fetched_epoch: i32,
        fetcher_high_watermark: i64,
        now: Millis,
        out: &mut Outbox<impl From<RaftTimer>>,
    ) -> RaftUpdate {
        if !self.is_leader() {
            out.send(
                NodeId::Broker(replica),
                Message::QuorumFetchResponse {
                    correlation_id,
                    epoch: self.epoch,
                    leader_id: self.leader.unwrap_or(-1),
                    error: ErrorCode::NotLeaderOrFollower,
                    high_watermark: -1,
                    diverging: None,
                    entries: Vec::new(),
                },
            );
            return RaftUpdate::default();
        }
        if fetch_offset > 0 {
            let (epoch, end_offset) = self.end_offset_for_epoch(last_fetched_epoch);
            if epoch != last_fetched_epoch || end_offset < fetch_offset {
                out.send(
                    NodeId::Broker(replica),
                    self.fetch_response(correlation_id, fetch_offset, Some((epoch, end_offset))),
                );
                return RaftUpdate::default();
            }
        }
        let mut update = RaftUpdate::default();
        if self.voters.contains(&replica) {
            self.voter_state.insert(replica, (fetch_offset, now));
            update.committed = self.maybe_advance_high_watermark(now);
            if update.committed {
                self.answer_parked_fetches(out);
            }
        }
        if fetch_offset < self.log_end_offset() || fetcher_high_watermark < self.high_watermark {
            out.send(NodeId::Broker(replica), self.fetch_response(correlation_id, fetch_offset, None));
        } else {
            let token = self.token();
            self.parked_fetches.insert(replica, (token, fetch_offset, correlation_id));
            out.timer(now + self.config.fetch_max_wait_ms, RaftTimer::ParkedFetch { replica, token }.into());
        }
        update
    }

    fn fetch_response(&self, correlation_id: u64, fetch_offset: i64, diverging: Option<(i32, i64)>) -> Message {
        let entries = if diverging.is_some() {
            Vec::new()
        } else {
            self.log[(fetch_offset.max(0) as usize).min(self.log.len())..].to_vec()
        };
        Message::QuorumFetchResponse {
            correlation_id,
            epoch: self.epoch,
            leader_id: self.id,
            error: ErrorCode::None,
            high_watermark: self.high_watermark,
            diverging,
            entries,
        }
    }

    fn answer_parked_fetches(&mut self, out: &mut Outbox<impl From<RaftTimer>>) {
        for (replica, (_, fetch_offset, correlation_id)) in std::mem::take(&mut self.parked_fetches) {
            out.send(NodeId::Broker(replica), self.fetch_response(correlation_id, fetch_offset, None));
        }
    }

    /// Commit = the offset a majority of voters has reached, and only once an entry of the
    /// leader's own epoch is among them (Raft's rule against committing older leaders' entries).
    fn maybe_advance_high_watermark(&mut self, now: Millis) -> bool {
        self.voter_state.insert(self.id, (self.log_end_offset(), now));
        let mut offsets: Vec<i64> =
            self.voters.iter().map(|v| self.voter_state.get(v).map_or(0, |(o, _)| *o)).collect();
        offsets.sort_unstable_by(|a, b| b.cmp(a));
        let majority = offsets[self.voters.len() / 2];
        let own_epoch = majority > 0 && self.log.get(majority as usize - 1).is_some_and(|e| e.epoch == self.epoch);
        if majority > self.high_watermark && own_epoch {
            self.high_watermark = majority;
            true
        } else {
            false
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_fetch_response(
        &mut self,
        from: i32,
        epoch: i32,
        leader_id: i32,
        error: ErrorCode,
        high_watermark: i64,
        diverging: Option<(i32, i64)>,
        entries: Vec<MetadataEntry>,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<impl From<RaftTimer>>,
    ) -> RaftUpdate {
        self.fetch_in_flight = None;
        let mut update = RaftUpdate::default();
        if epoch > self.epoch || (epoch == self.epoch && self.leader.is_none() && leader_id >= 0) {
            update.lost_leadership = self.is_leader();
            self.become_follower(epoch, (leader_id >= 0).then_some(leader_id), now, rng, out);
        }
        if epoch < self.epoch || self.is_leader() {
            return update;
        }
        if error != ErrorCode::None || from != leader_id {
            // Not the leader: it told us who is (or nobody knows yet); try again shortly.
            self.leader = (leader_id >= 0 && leader_id != self.id).then_some(leader_id);
            self.schedule_fetch(now + self.config.fetch_max_wait_ms / 5, out);
            return update;
        }
        if self.is_voter() {
            self.reset_fetch_timeout(now, rng, out);
        }
        if let Some((epoch, end_offset)) = diverging {
            // KIP-595: cut to where the leader's copy of that epoch ends, or where ours does,
            // whichever is first; the next fetch checks again from there.
            let (own_epoch, own_end) = self.end_offset_for_epoch(epoch);
            let target = if own_epoch == epoch { end_offset.min(own_end) } else { own_end.min(end_offset) };
            self.log.truncate(target.clamp(0, self.log_end_offset()) as usize);
        } else {
            for entry in entries {
                if entry.offset == self.log_end_offset() {
                    self.log.push(entry);
                }
            }
            let hw = high_watermark.min(self.log_end_offset());
            if hw > self.high_watermark {
                self.high_watermark = hw;
                update.committed = true;
            }
        }
        self.schedule_fetch(now, out);
        update
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Delivers messages between three in-memory voters until nothing is left to send.
    fn exchange(nodes: &mut BTreeMap<i32, RaftNode>, mut inbox: Vec<(i32, NodeId, Message)>, rng: &mut ChaCha8Rng) {
        let mut rounds = 0;
        while let Some((from, NodeId::Broker(to), message)) = inbox.pop() {
            rounds += 1;
            assert!(rounds < 10_000);
            let mut out = Outbox::<RaftTimer>::default();
            if let Some(node) = nodes.get_mut(&to) {
                node.on_message(from, message, 0, rng, &mut out);
            }
            for (dest, m) in out.messages {
                inbox.insert(0, (to, dest, m));
            }
            for (_, timer) in out.timers {
                if let RaftTimer::Fetch { token } = timer {
                    let mut out = Outbox::<RaftTimer>::default();
                    if let Some(node) = nodes.get_mut(&to) {
                        node.on_timer(RaftTimer::Fetch { token }, 0, rng, &mut out);
                    }
                    for (dest, m) in out.messages {
                        inbox.insert(0, (to, dest, m));
                    }
                }
            }
        }
    }

    #[test]
    fn an_election_makes_one_leader_and_its_records_commit_on_a_majority() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut nodes: BTreeMap<i32, RaftNode> =
            [1, 2, 3].into_iter().map(|id| (id, RaftNode::new(id, vec![1, 2, 3], RaftConfig::default()))).collect();
        let mut out = Outbox::<RaftTimer>::default();
        let token = nodes[&2].election_token;
        nodes.get_mut(&2).unwrap().on_timer(RaftTimer::Election { token }, 0, &mut rng, &mut out);
        let inbox = out.messages.into_iter().map(|(to, m)| (2, to, m)).collect();
        exchange(&mut nodes, inbox, &mut rng);
        assert!(nodes[&2].is_leader());
        assert_eq!(nodes.values().filter(|n| n.is_leader()).count(), 1);
        assert!(nodes.values().all(|n| n.epoch == 1 && n.leader == Some(2)));
        let mut out = Outbox::<RaftTimer>::default();
        nodes.get_mut(&2).unwrap().append(
            vec![MetadataRecord::RegisterBroker { broker_id: 9, broker_epoch: 1 }],
            0,
            &mut out,
        );
        let mut inbox = Vec::new();
        for v in [1, 3] {
            let follower = nodes.get_mut(&v).unwrap();
            follower.fetch_in_flight = None;
            let mut out = Outbox::<RaftTimer>::default();
            follower.send_fetch(0, &mut rng, &mut out);
            inbox.extend(out.messages.into_iter().map(|(to, m)| (v, to, m)));
        }
        exchange(&mut nodes, inbox, &mut rng);
        assert_eq!(nodes[&2].high_watermark, 2, "LeaderChange and the new record are committed");
        assert!(nodes.values().all(|n| n.log.len() == 2));
    }

    #[test]
    fn a_voter_refuses_a_candidate_with_a_shorter_log() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut voter = RaftNode::new(1, vec![1, 2, 3], RaftConfig::default());
        voter.bootstrap(
            3,
            2,
            vec![MetadataEntry {
                offset: 0,
                epoch: 3,
                record: MetadataRecord::LeaderChange { leader_id: 2, epoch: 3 },
            }],
        );
        voter.role = RaftRole::Follower;
        voter.leader = None;
        let mut out = Outbox::<RaftTimer>::default();
        voter.on_message(
            3,
            Message::VoteRequest { candidate_epoch: 4, candidate_id: 3, last_offset_epoch: 2, last_offset: 5 },
            0,
            &mut rng,
            &mut out,
        );
        assert!(out.messages.iter().any(|(_, m)| matches!(m, Message::VoteResponse { vote_granted: false, epoch: 4 })));
    }

    #[test]
    fn a_diverging_follower_truncates_to_the_leaders_epoch_end() {
        let entry = |offset, epoch| MetadataEntry {
            offset,
            epoch,
            record: MetadataRecord::LeaderChange { leader_id: 1, epoch },
        };
        let mut leader = RaftNode::new(1, vec![1, 2, 3], RaftConfig::default());
        leader.bootstrap(3, 1, vec![entry(0, 1), entry(1, 1), entry(2, 3)]);
        let mut out = Outbox::<RaftTimer>::default();
        // The follower wrote offsets 2 and 3 in epoch 2, which the leader never had.
        leader.handle_fetch(7, 2, 4, 2, 0, 0, &mut out);
        assert!(out
            .messages
            .iter()
            .any(|(_, m)| matches!(m, Message::QuorumFetchResponse { diverging: Some((1, 2)), .. })));
    }

    /// Chaos seed 964 found this: a follower appended a late answer to a fetch it had given up
    /// on, after writing an entry of its own at that offset, and so held a log no leader had.
    #[test]
    fn a_late_answer_to_an_abandoned_fetch_is_ignored() {
        let entry = |offset, epoch| MetadataEntry {
            offset,
            epoch,
            record: MetadataRecord::LeaderChange { leader_id: 2, epoch },
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut follower = RaftNode::new(1, vec![1, 2, 3], RaftConfig::default());
        follower.bootstrap(5, 2, vec![entry(0, 1)]);
        follower.role = RaftRole::Follower;
        let mut out = Outbox::<RaftTimer>::default();
        follower.send_fetch(0, &mut rng, &mut out);
        let Some((_, Message::QuorumFetchRequest { correlation_id: abandoned, .. })) = out.messages.pop() else {
            panic!("no fetch sent")
        };
        // The fetch times out and is sent again; then the first answer arrives late.
        follower.on_timer(RaftTimer::Fetch { token: follower.fetch_token }, 2000, &mut rng, &mut out);
        let late = Message::QuorumFetchResponse {
            correlation_id: abandoned,
            epoch: 5,
            leader_id: 2,
            error: ErrorCode::None,
            high_watermark: 2,
            diverging: None,
            entries: vec![entry(1, 5)],
        };
        follower.on_message(2, late, 2001, &mut rng, &mut out);
        assert_eq!(follower.log_end_offset(), 1);
        assert_eq!(follower.high_watermark, 1);
    }
}
