//! KRaft's Raft (KIP-595) for the `__cluster_metadata` log, as a pure state machine.
//!
//! Voters elect a leader with epochs and votes; followers *pull* records with fetches (there is no
//! append push), and a fetch that does not arrive for `controller.quorum.fetch.timeout.ms` starts
//! an election. Brokers that are not voters are observers: they fetch but never vote.
//!
//! Kafka 4.x's pre-vote (KIP-996): a voter that lost its leader first becomes *prospective* and
//! asks for pre-votes without bumping the epoch; only a majority of pre-votes makes it a
//! candidate. A voter that still hears from its leader refuses pre-votes, so an isolated voter
//! that comes back cannot depose a healthy leader. A leader that resigns (check-quorum) enters
//! Kafka's Resigned state and sends EndQuorumEpoch so the others stand for election at once.

use crate::narration::Fact;
use crate::node::Outbox;
use crate::protocol::metadata::{MetadataEntry, MetadataRecord};
use crate::protocol::{ErrorCode, RaftMessage};
use crate::sim::{Millis, NodeId};
use rand::Rng;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The quorum settings, with Kafka's names and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RaftConfig {
    /// `controller.quorum.election.timeout.ms`: a candidate waits `[T, 2T)` for votes.
    pub election_timeout_ms: Millis,
    /// `controller.quorum.fetch.timeout.ms`: a follower that hears nothing this long starts an election.
    pub fetch_timeout_ms: Millis,
    /// `controller.quorum.election.backoff.max.ms`: the most a candidate that lost waits before
    /// trying again, and what EndQuorumEpoch's successors wait at most.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RaftRole {
    Leader,
    /// KIP-996: a voter that lost its leader asks for pre-votes in its current epoch.
    Prospective,
    Candidate,
    /// A voter following `leader` (None: it knows the epoch but not yet its leader).
    Follower,
    /// A broker outside the voter set: it replicates the log and never votes.
    Observer,
    /// A leader that gave up its leadership in its epoch and waits for a successor
    /// (Kafka's `ResignedState`): it grants no vote and serves no fetch.
    Resigned,
}

impl RaftRole {
    pub fn as_str(self) -> &'static str {
        match self {
            RaftRole::Leader => "leader",
            RaftRole::Prospective => "prospective",
            RaftRole::Candidate => "candidate",
            RaftRole::Follower => "follower",
            RaftRole::Observer => "observer",
            RaftRole::Resigned => "resigned",
        }
    }
}

/// Raft timers, carried inside the broker's timer type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RaftTimer {
    /// A candidate's or prospective's election timed out, a follower's fetch timeout expired, or
    /// a candidate's backoff ended.
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
    /// A follower that started reached the leader's high watermark for the first time: what it
    /// committed may now be published (Kafka's `MetadataLoader` ends its initial catch-up).
    pub caught_up: bool,
}

/// What a voter keeps on disk (KRaft's quorum-state file and the log; raft-rs's `HardState`):
/// it survives a crash.
#[derive(Debug, Clone, Default)]
pub struct RaftDurable {
    pub epoch: i32,
    pub voted_for: Option<i32>,
    pub log: Vec<MetadataEntry>,
    pub high_watermark: i64,
}

/// What a node holds only in memory (raft-rs's `SoftState` and progress): a crash resets it.
#[derive(Debug, Clone)]
pub struct RaftVolatile {
    pub role: RaftRole,
    /// The leader of the current epoch; a prospective keeps the one it followed.
    pub leader: Option<i32>,
    votes_granted: BTreeSet<i32>,
    /// Voters that refused this prospective's pre-vote or this candidate's vote.
    votes_rejected: BTreeSet<i32>,
    /// When a fetch from the leader last succeeded: within the fetch timeout, pre-votes are
    /// refused (KIP-996).
    last_leader_fetch_ms: Option<Millis>,
    /// Elections stood since a leader was last known (Kafka's `CandidateState.retries`).
    election_retries: u32,
    /// A candidate that lost waits out its backoff before it becomes prospective again.
    backing_off: bool,
    /// It went prospective and has not heard from a leader since (for the fact that it has).
    lost_leader: bool,
    /// Leader only: each voter's fetch offset and when it last fetched.
    voter_state: BTreeMap<i32, (i64, Millis)>,
    /// Leader only: fetches with nothing new yet, by replica: (timer token, fetch offset, correlation id).
    parked_fetches: BTreeMap<i32, (u64, i64, u64)>,
    /// The correlation id of the fetch awaiting an answer; any other answer is stale and ignored.
    fetch_in_flight: Option<u64>,
    /// The high watermark the leader last sent, which may run ahead of this log's end (Kafka's
    /// follower `highWatermark`): a restarted node publishes nothing until it reaches it.
    leader_high_watermark: Option<i64>,
    election_token: u64,
    fetch_token: u64,
}

impl RaftVolatile {
    /// A process that just started: a follower (or observer) that knows no leader.
    fn new(is_voter: bool) -> Self {
        RaftVolatile {
            role: if is_voter { RaftRole::Follower } else { RaftRole::Observer },
            leader: None,
            votes_granted: BTreeSet::new(),
            votes_rejected: BTreeSet::new(),
            last_leader_fetch_ms: None,
            election_retries: 0,
            backing_off: false,
            lost_leader: false,
            voter_state: BTreeMap::new(),
            parked_fetches: BTreeMap::new(),
            fetch_in_flight: None,
            leader_high_watermark: None,
            election_token: 0,
            fetch_token: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RaftNode {
    pub id: i32,
    pub voters: Vec<i32>,
    pub config: RaftConfig,
    pub durable: RaftDurable,
    pub volatile: RaftVolatile,
    /// Source of timer tokens and correlation ids; never reset, so nothing from before a crash
    /// matches what the restarted process sends.
    next_token: u64,
}

impl RaftNode {
    pub fn new(id: i32, voters: Vec<i32>, config: RaftConfig) -> Self {
        let volatile = RaftVolatile::new(voters.contains(&id));
        RaftNode { id, voters, config, durable: RaftDurable::default(), volatile, next_token: 0 }
    }

    pub fn is_voter(&self) -> bool {
        self.voters.contains(&self.id)
    }

    pub fn is_leader(&self) -> bool {
        self.volatile.role == RaftRole::Leader
    }

    /// Whether this node's committed log reaches the leader's high watermark (a leader's is its
    /// own). Kafka's `MetadataLoader.stillNeedToCatchUp`: until then a restarted broker's image
    /// is older than the cluster's, and acting on it would lead partitions and coordinators
    /// that have moved on.
    pub fn caught_up(&self) -> bool {
        self.is_leader() || self.volatile.leader_high_watermark.is_some_and(|hw| self.durable.high_watermark >= hw)
    }

    pub fn log_end_offset(&self) -> i64 {
        self.durable.log.len() as i64
    }

    fn last_epoch(&self) -> i32 {
        self.durable.log.last().map_or(0, |e| e.epoch)
    }

    fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    /// Starts a cluster that is already formed: `leader` leads `epoch` and `log` is committed
    /// everywhere. Used to begin a simulation with a running cluster.
    pub fn bootstrap(&mut self, epoch: i32, leader: i32, log: Vec<MetadataEntry>) {
        self.durable.epoch = epoch;
        self.volatile.leader = Some(leader);
        self.durable.voted_for = Some(leader);
        self.durable.high_watermark = log.len() as i64;
        self.durable.log = log;
        if self.id == leader {
            self.volatile.role = RaftRole::Leader;
        }
    }

    /// A crash: the log, epoch, vote and high watermark are on disk; the role is not. A leader
    /// that restarts does not resume leading: it must learn who leads now.
    pub fn crash(&mut self) {
        self.volatile = RaftVolatile::new(self.is_voter());
    }

    /// (Re)starts the node's timers.
    pub fn start(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) {
        self.volatile.fetch_in_flight = None;
        self.volatile.parked_fetches.clear();
        if self.volatile.role == RaftRole::Leader {
            for voter in self.voters.clone() {
                self.volatile.voter_state.insert(voter, (0, now));
            }
            self.schedule_check_quorum(now, out);
        } else {
            if self.is_voter() {
                self.volatile.role = RaftRole::Follower;
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
            self.durable.log.push(MetadataEntry { offset, epoch: self.durable.epoch, record: record.into() });
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
            RaftTimer::Election { token }
                if token == self.volatile.election_token && self.is_voter() && !self.is_leader() =>
            {
                match self.volatile.role {
                    // KIP-996: a fetch or election timeout leads to pre-votes, not to a new epoch.
                    RaftRole::Follower | RaftRole::Resigned => self.become_prospective(now, rng, out),
                    // Its pre-votes found no majority in time: back to what it knew.
                    RaftRole::Prospective => {
                        self.lose_pre_vote(now, rng, out);
                        RaftUpdate::default()
                    }
                    RaftRole::Candidate if self.volatile.backing_off => self.become_prospective(now, rng, out),
                    RaftRole::Candidate => {
                        self.start_backoff(now, rng, out);
                        RaftUpdate::default()
                    }
                    RaftRole::Leader | RaftRole::Observer => RaftUpdate::default(),
                }
            }
            RaftTimer::Fetch { token } if token == self.volatile.fetch_token => {
                // Either it is time to fetch, or the last fetch got no answer: fetch (again).
                self.volatile.fetch_in_flight = None;
                self.send_fetch(now, rng, out);
                RaftUpdate::default()
            }
            RaftTimer::ParkedFetch { replica, token } => {
                if self.volatile.parked_fetches.get(&replica).is_some_and(|(t, _, _)| *t == token) {
                    if let Some((_, fetch_offset, correlation_id)) = self.volatile.parked_fetches.remove(&replica) {
                        out.send(NodeId::Broker(replica), self.fetch_response(correlation_id, fetch_offset, None));
                    }
                }
                RaftUpdate::default()
            }
            RaftTimer::CheckQuorum { token } if token == self.volatile.election_token && self.is_leader() => {
                // A leader cut off from a majority resigns, so a new one can be elected elsewhere.
                let horizon = now.saturating_sub(self.config.fetch_timeout_ms + self.config.fetch_timeout_ms / 2);
                let in_touch = self
                    .voters
                    .iter()
                    .filter(|v| {
                        **v == self.id || self.volatile.voter_state.get(v).is_some_and(|(_, at)| *at >= horizon)
                    })
                    .count();
                if in_touch * 2 > self.voters.len() {
                    self.schedule_check_quorum(now, out);
                    RaftUpdate::default()
                } else {
                    self.resign(now, rng, out)
                }
            }
            _ => RaftUpdate::default(),
        }
    }

    pub fn on_message(
        &mut self,
        from: i32,
        message: RaftMessage,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<impl From<RaftTimer>>,
    ) -> RaftUpdate {
        match message {
            RaftMessage::VoteRequest {
                candidate_epoch,
                candidate_id: _,
                last_offset_epoch,
                last_offset,
                pre_vote: true,
            } => {
                // A pre-vote changes nothing here: no epoch, no vote.
                let up_to_date = (last_offset_epoch, last_offset) >= (self.last_epoch(), self.log_end_offset());
                let granted = candidate_epoch > self.durable.epoch && up_to_date && self.can_grant_pre_vote(now);
                out.send(
                    NodeId::Broker(from),
                    RaftMessage::VoteResponse {
                        epoch: self.durable.epoch,
                        leader_id: self.volatile.leader.unwrap_or(-1),
                        vote_granted: granted,
                        pre_vote: true,
                    },
                );
                RaftUpdate::default()
            }
            RaftMessage::VoteRequest {
                candidate_epoch,
                candidate_id,
                last_offset_epoch,
                last_offset,
                pre_vote: false,
            } => {
                let mut update = RaftUpdate::default();
                if candidate_epoch > self.durable.epoch {
                    update.lost_leadership = self.is_leader();
                    self.become_follower(candidate_epoch, None, now, rng, out);
                }
                let up_to_date = (last_offset_epoch, last_offset) >= (self.last_epoch(), self.log_end_offset());
                let granted = candidate_epoch == self.durable.epoch
                    && self.is_voter()
                    && self.durable.voted_for.is_none_or(|v| v == candidate_id)
                    && self.volatile.leader.is_none()
                    && up_to_date;
                if granted {
                    self.durable.voted_for = Some(candidate_id);
                    self.reset_fetch_timeout(now, rng, out);
                }
                out.send(
                    NodeId::Broker(from),
                    RaftMessage::VoteResponse {
                        epoch: self.durable.epoch,
                        leader_id: self.volatile.leader.unwrap_or(-1),
                        vote_granted: granted,
                        pre_vote: false,
                    },
                );
                update
            }
            RaftMessage::VoteResponse { epoch, leader_id, vote_granted, pre_vote } => {
                if epoch > self.durable.epoch {
                    let lost_leadership = self.is_leader();
                    let leader = (leader_id >= 0 && leader_id != self.id).then_some(leader_id);
                    self.become_follower(epoch, leader, now, rng, out);
                    return RaftUpdate { lost_leadership, ..RaftUpdate::default() };
                }
                if epoch != self.durable.epoch {
                    return RaftUpdate::default();
                }
                match (self.volatile.role, pre_vote) {
                    (RaftRole::Prospective, true) => {
                        if !vote_granted && leader_id >= 0 && leader_id != self.id {
                            // The voter still follows a leader of this epoch: follow it too.
                            self.rejoin_leader(leader_id, now, rng, out);
                            return RaftUpdate::default();
                        }
                        if !self.record_vote(from, vote_granted) {
                            return RaftUpdate::default();
                        }
                        if self.volatile.votes_granted.len() * 2 > self.voters.len() {
                            self.start_election(now, rng, out)
                        } else {
                            self.lose_pre_vote(now, rng, out);
                            RaftUpdate::default()
                        }
                    }
                    (RaftRole::Candidate, false) => {
                        if !self.record_vote(from, vote_granted) {
                            return RaftUpdate::default();
                        }
                        if self.volatile.votes_granted.len() * 2 > self.voters.len() {
                            self.become_leader(now, out)
                        } else {
                            // Kafka's `handleVoteResponse`: a lost vote backs off at once
                            // instead of waiting out the election timeout.
                            if !self.volatile.backing_off {
                                self.start_backoff(now, rng, out);
                            }
                            RaftUpdate::default()
                        }
                    }
                    _ => RaftUpdate::default(),
                }
            }
            RaftMessage::EndQuorumEpoch { epoch, leader_id, preferred_successors } => {
                self.handle_end_quorum_epoch(epoch, leader_id, &preferred_successors, now, rng, out)
            }
            RaftMessage::BeginQuorumEpoch { epoch, leader_id } => {
                let lost = self.is_leader() && epoch > self.durable.epoch;
                if epoch >= self.durable.epoch && !(epoch == self.durable.epoch && self.is_leader()) {
                    self.become_follower(epoch, Some(leader_id), now, rng, out);
                }
                RaftUpdate { lost_leadership: lost, ..RaftUpdate::default() }
            }
            RaftMessage::QuorumFetchRequest {
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
            RaftMessage::QuorumFetchResponse {
                correlation_id,
                epoch,
                leader_id,
                error,
                high_watermark,
                diverging,
                entries,
            } => {
                if self.volatile.fetch_in_flight != Some(correlation_id) {
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
        }
    }

    /// KIP-996 (Kafka 4.x `transitionToProspective`): vote for itself and ask the other voters
    /// whether it could win the next epoch, keeping its own epoch, vote and last leader.
    fn become_prospective(
        &mut self,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<impl From<RaftTimer>>,
    ) -> RaftUpdate {
        self.volatile.role = RaftRole::Prospective;
        self.volatile.backing_off = false;
        self.volatile.lost_leader = true;
        self.volatile.votes_granted = BTreeSet::from([self.id]);
        self.volatile.votes_rejected = BTreeSet::new();
        out.fact(Fact::ControllerProspective {
            broker: self.id,
            epoch: self.durable.epoch,
            leader: self.volatile.leader.unwrap_or(-1),
        });
        self.reset_election_timeout(now, rng, out);
        if self.voters.len() == 1 {
            return self.start_election(now, rng, out);
        }
        self.request_votes(true, out);
        RaftUpdate::default()
    }

    /// A prospective whose pre-votes lost (a majority refused, or the election timeout passed)
    /// goes back to following its last leader, or to waiting unattached (Kafka 4.x
    /// `pollProspective`); its fetch or election timeout brings the next try.
    fn lose_pre_vote(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) {
        let leader = self.volatile.leader;
        self.become_follower(self.durable.epoch, leader, now, rng, out);
    }

    /// A prospective learned that `leader` still leads its epoch: it follows it again.
    fn rejoin_leader(&mut self, leader: i32, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) {
        self.become_follower(self.durable.epoch, Some(leader), now, rng, out);
        self.leader_found(leader, out);
    }

    /// Tells, once, that a voter which had lost its leader hears from one again.
    fn leader_found(&mut self, leader: i32, out: &mut Outbox<impl From<RaftTimer>>) {
        if std::mem::take(&mut self.volatile.lost_leader) {
            out.fact(Fact::ControllerLeaderFound { broker: self.id, leader, epoch: self.durable.epoch });
        }
    }

    /// Records a voter's answer; returns whether the (pre-)election is decided either way.
    fn record_vote(&mut self, voter: i32, granted: bool) -> bool {
        if granted {
            self.volatile.votes_granted.insert(voter);
        } else {
            self.volatile.votes_rejected.insert(voter);
        }
        let majority = |n: usize| n * 2 > self.voters.len();
        majority(self.volatile.votes_granted.len()) || majority(self.volatile.votes_rejected.len())
    }

    /// Kafka's `FollowerState.canGrantVote` for a pre-vote (KIP-996): a leader, a resigned
    /// leader and a follower that fetched from its leader within the fetch timeout refuse; a
    /// voter without a live leader grants (if the log is up to date).
    fn can_grant_pre_vote(&self, now: Millis) -> bool {
        match self.volatile.role {
            RaftRole::Leader | RaftRole::Resigned | RaftRole::Observer => false,
            RaftRole::Follower => {
                !(self.volatile.leader.is_some()
                    && self.volatile.last_leader_fetch_ms.is_some_and(|at| now < at + self.config.fetch_timeout_ms))
            }
            RaftRole::Prospective | RaftRole::Candidate => true,
        }
    }

    /// Kafka's `transitionToCandidate`, reached only through a won pre-vote: bump the epoch,
    /// vote for itself, ask for votes.
    fn start_election(
        &mut self,
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<impl From<RaftTimer>>,
    ) -> RaftUpdate {
        self.durable.epoch += 1;
        self.volatile.role = RaftRole::Candidate;
        self.volatile.leader = None;
        self.volatile.last_leader_fetch_ms = None;
        self.volatile.backing_off = false;
        self.volatile.lost_leader = false;
        self.volatile.election_retries += 1;
        self.durable.voted_for = Some(self.id);
        self.volatile.votes_granted = BTreeSet::from([self.id]);
        self.volatile.votes_rejected = BTreeSet::new();
        self.reset_election_timeout(now, rng, out);
        if self.voters.len() == 1 {
            return self.become_leader(now, out);
        }
        self.request_votes(false, out);
        RaftUpdate::default()
    }

    /// Sends a (pre-)vote request to every other voter.
    fn request_votes(&mut self, pre_vote: bool, out: &mut Outbox<impl From<RaftTimer>>) {
        let candidate_epoch = if pre_vote { self.durable.epoch + 1 } else { self.durable.epoch };
        for voter in self.voters.clone() {
            if voter != self.id {
                out.send(
                    NodeId::Broker(voter),
                    RaftMessage::VoteRequest {
                        candidate_epoch,
                        candidate_id: self.id,
                        last_offset_epoch: self.last_epoch(),
                        last_offset: self.log_end_offset(),
                        pre_vote,
                    },
                );
            }
        }
    }

    /// A candidate that lost waits Kafka's `binaryExponentialElectionBackoffMs` (capped by
    /// `controller.quorum.election.backoff.max.ms`), then becomes prospective again.
    fn start_backoff(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) {
        self.volatile.backing_off = true;
        self.volatile.election_token = self.token();
        let backoff = binary_exponential_election_backoff_ms(
            self.volatile.election_retries,
            self.config.election_backoff_max_ms,
            rng,
        );
        out.timer(now + backoff, RaftTimer::Election { token: self.volatile.election_token }.into());
    }

    /// Kafka's `transitionToResigned` (from `pollLeader` when check-quorum expires, or on a
    /// graceful shutdown): stop leading, refuse parked fetches, and send EndQuorumEpoch with the
    /// other voters by descending fetch offset, so the best caught up stands first.
    pub fn resign(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) -> RaftUpdate {
        if !self.is_leader() {
            return RaftUpdate::default();
        }
        let mut successors: Vec<(i64, i32)> = self
            .voters
            .iter()
            .filter(|v| **v != self.id)
            .map(|v| (self.volatile.voter_state.get(v).map_or(0, |(offset, _)| *offset), *v))
            .collect();
        successors.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let preferred_successors: Vec<i32> = successors.into_iter().map(|(_, v)| v).collect();
        self.volatile.role = RaftRole::Resigned;
        self.volatile.leader = None;
        for (replica, (_, _, correlation_id)) in std::mem::take(&mut self.volatile.parked_fetches) {
            out.send(NodeId::Broker(replica), self.not_leader_response(correlation_id));
        }
        for voter in &preferred_successors {
            out.send(
                NodeId::Broker(*voter),
                RaftMessage::EndQuorumEpoch {
                    epoch: self.durable.epoch,
                    leader_id: self.id,
                    preferred_successors: preferred_successors.clone(),
                },
            );
        }
        self.reset_election_timeout(now, rng, out);
        RaftUpdate { lost_leadership: true, ..RaftUpdate::default() }
    }

    /// Kafka's `handleEndQuorumEpochRequest`: the leader of this epoch resigned; forget it and
    /// stand for election after `strictExponentialElectionBackoffMs` of this voter's place among
    /// the successors (the first at once).
    fn handle_end_quorum_epoch(
        &mut self,
        epoch: i32,
        leader_id: i32,
        preferred_successors: &[i32],
        now: Millis,
        rng: &mut impl Rng,
        out: &mut Outbox<impl From<RaftTimer>>,
    ) -> RaftUpdate {
        if epoch < self.durable.epoch || !self.is_voter() || leader_id == self.id {
            return RaftUpdate::default();
        }
        if epoch > self.durable.epoch || self.volatile.role == RaftRole::Follower {
            self.become_follower(epoch, None, now, rng, out);
        }
        if self.volatile.role != RaftRole::Follower {
            return RaftUpdate::default();
        }
        let position = preferred_successors.iter().position(|v| *v == self.id).unwrap_or(preferred_successors.len());
        let backoff = strict_exponential_election_backoff_ms(
            position,
            preferred_successors.len(),
            self.config.election_backoff_max_ms,
        );
        self.volatile.election_token = self.token();
        out.timer(now + backoff, RaftTimer::Election { token: self.volatile.election_token }.into());
        RaftUpdate::default()
    }

    fn become_leader(&mut self, now: Millis, out: &mut Outbox<impl From<RaftTimer>>) -> RaftUpdate {
        self.volatile.role = RaftRole::Leader;
        self.volatile.leader = Some(self.id);
        self.volatile.election_retries = 0;
        self.volatile.lost_leader = false;
        self.volatile.fetch_token = self.token();
        self.volatile.voter_state = self.voters.iter().map(|v| (*v, (0, now))).collect();
        self.volatile.voter_state.insert(self.id, (self.log_end_offset(), now));
        for voter in self.voters.clone() {
            if voter != self.id {
                out.send(
                    NodeId::Broker(voter),
                    RaftMessage::BeginQuorumEpoch { epoch: self.durable.epoch, leader_id: self.id },
                );
            }
        }
        self.volatile.election_token = self.token();
        self.schedule_check_quorum(now, out);
        let mut update =
            self.append(vec![MetadataRecord::LeaderChange { leader_id: self.id, epoch: self.durable.epoch }], now, out);
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
        if epoch > self.durable.epoch {
            self.durable.voted_for = None;
        }
        if epoch != self.durable.epoch || leader != self.volatile.leader {
            self.volatile.last_leader_fetch_ms = None;
        }
        if leader.is_some() {
            self.volatile.election_retries = 0;
        }
        self.durable.epoch = epoch;
        self.volatile.leader = leader;
        self.volatile.backing_off = false;
        self.volatile.parked_fetches.clear();
        if self.is_voter() {
            self.volatile.role = RaftRole::Follower;
            match leader {
                Some(_) => self.reset_fetch_timeout(now, rng, out),
                // Unattached: stand for election after the election timeout, like a candidate,
                // so that the voter with the best log is not kept waiting by losing candidates.
                None => self.reset_election_timeout(now, rng, out),
            }
        }
        if leader.is_some() {
            self.volatile.fetch_in_flight = None;
            self.schedule_fetch(now, out);
        }
    }

    fn reset_election_timeout(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) {
        self.volatile.election_token = self.token();
        let timeout = self.config.election_timeout_ms + rng.random_range(0..self.config.election_timeout_ms.max(1));
        out.timer(now + timeout, RaftTimer::Election { token: self.volatile.election_token }.into());
    }

    fn reset_fetch_timeout(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) {
        self.volatile.election_token = self.token();
        // A little randomness keeps followers from all standing for election at once.
        let timeout = self.config.fetch_timeout_ms + rng.random_range(0..self.config.election_timeout_ms.max(1));
        out.timer(now + timeout, RaftTimer::Election { token: self.volatile.election_token }.into());
    }

    fn schedule_check_quorum(&mut self, now: Millis, out: &mut Outbox<impl From<RaftTimer>>) {
        out.timer(
            now + self.config.fetch_timeout_ms,
            RaftTimer::CheckQuorum { token: self.volatile.election_token }.into(),
        );
    }

    fn schedule_fetch(&mut self, at: Millis, out: &mut Outbox<impl From<RaftTimer>>) {
        self.volatile.fetch_token = self.token();
        out.timer(at, RaftTimer::Fetch { token: self.volatile.fetch_token }.into());
    }

    /// Fetches from the known leader, or asks a random voter who leads. If no answer comes
    /// within the fetch timeout, the fetch timer fires again and retries.
    fn send_fetch(&mut self, now: Millis, rng: &mut impl Rng, out: &mut Outbox<impl From<RaftTimer>>) {
        if self.is_leader() || self.volatile.fetch_in_flight.is_some() {
            return;
        }
        let target = match self.volatile.leader {
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
        self.volatile.fetch_in_flight = Some(correlation_id);
        out.send(
            NodeId::Broker(target),
            RaftMessage::QuorumFetchRequest {
                correlation_id,
                replica_id: self.id,
                fetch_offset: self.log_end_offset(),
                last_fetched_epoch: self.last_epoch(),
                high_watermark: self.durable.high_watermark,
            },
        );
        self.schedule_fetch(now + self.config.fetch_timeout_ms, out);
    }

    /// The connection to `peer` broke: a fetch in flight to it is lost; retry after a pause.
    pub fn on_disconnect(&mut self, peer: i32, now: Millis, out: &mut Outbox<impl From<RaftTimer>>) {
        if self.volatile.fetch_in_flight.is_some()
            && (self.volatile.leader == Some(peer) || self.volatile.leader.is_none())
        {
            self.volatile.fetch_in_flight = None;
            if self.volatile.leader == Some(peer) && !self.is_voter() {
                self.volatile.leader = None;
            }
            self.schedule_fetch(now + self.config.fetch_max_wait_ms, out);
        }
    }

    /// Kafka's `endOffsetForEpoch`: the largest epoch <= `epoch` in this log and where it ends.
    fn end_offset_for_epoch(&self, epoch: i32) -> (i32, i64) {
        match self.durable.log.iter().rposition(|e| e.epoch <= epoch) {
            None => (0, 0),
            Some(i) => (self.durable.log[i].epoch, i as i64 + 1),
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
            out.send(NodeId::Broker(replica), self.not_leader_response(correlation_id));
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
            self.volatile.voter_state.insert(replica, (fetch_offset, now));
            update.committed = self.maybe_advance_high_watermark(now);
            if update.committed {
                self.answer_parked_fetches(out);
            }
        }
        if fetch_offset < self.log_end_offset() || fetcher_high_watermark < self.durable.high_watermark {
            out.send(NodeId::Broker(replica), self.fetch_response(correlation_id, fetch_offset, None));
        } else {
            let token = self.token();
            self.volatile.parked_fetches.insert(replica, (token, fetch_offset, correlation_id));
            out.timer(now + self.config.fetch_max_wait_ms, RaftTimer::ParkedFetch { replica, token }.into());
        }
        update
    }

    /// NOT_LEADER_OR_FOLLOWER, with the leader this node knows (-1: none).
    fn not_leader_response(&self, correlation_id: u64) -> RaftMessage {
        RaftMessage::QuorumFetchResponse {
            correlation_id,
            epoch: self.durable.epoch,
            leader_id: self.volatile.leader.unwrap_or(-1),
            error: ErrorCode::NotLeaderOrFollower,
            high_watermark: -1,
            diverging: None,
            entries: Vec::new(),
        }
    }

    fn fetch_response(&self, correlation_id: u64, fetch_offset: i64, diverging: Option<(i32, i64)>) -> RaftMessage {
        let entries = if diverging.is_some() {
            Vec::new()
        } else {
            self.durable.log[(fetch_offset.max(0) as usize).min(self.durable.log.len())..].to_vec()
        };
        RaftMessage::QuorumFetchResponse {
            correlation_id,
            epoch: self.durable.epoch,
            leader_id: self.id,
            error: ErrorCode::None,
            high_watermark: self.durable.high_watermark,
            diverging,
            entries,
        }
    }

    fn answer_parked_fetches(&mut self, out: &mut Outbox<impl From<RaftTimer>>) {
        for (replica, (_, fetch_offset, correlation_id)) in std::mem::take(&mut self.volatile.parked_fetches) {
            out.send(NodeId::Broker(replica), self.fetch_response(correlation_id, fetch_offset, None));
        }
    }

    /// Commit = the offset a majority of voters has reached, and only once an entry of the
    /// leader's own epoch is among them (Raft's rule against committing older leaders' entries).
    fn maybe_advance_high_watermark(&mut self, now: Millis) -> bool {
        self.volatile.voter_state.insert(self.id, (self.log_end_offset(), now));
        let mut offsets: Vec<i64> =
            self.voters.iter().map(|v| self.volatile.voter_state.get(v).map_or(0, |(o, _)| *o)).collect();
        offsets.sort_unstable_by(|a, b| b.cmp(a));
        let majority = offsets[self.voters.len() / 2];
        let own_epoch =
            majority > 0 && self.durable.log.get(majority as usize - 1).is_some_and(|e| e.epoch == self.durable.epoch);
        if majority > self.durable.high_watermark && own_epoch {
            self.durable.high_watermark = majority;
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
        self.volatile.fetch_in_flight = None;
        let mut update = RaftUpdate::default();
        let answered_by_leader = error == ErrorCode::None && from == leader_id;
        if epoch == self.durable.epoch && self.volatile.role == RaftRole::Prospective && answered_by_leader {
            // The leader it lost answered after all: the pre-vote is moot.
            self.become_follower(epoch, Some(leader_id), now, rng, out);
        } else if epoch > self.durable.epoch
            || (epoch == self.durable.epoch && self.volatile.leader.is_none() && leader_id >= 0)
        {
            update.lost_leadership = self.is_leader();
            self.become_follower(epoch, (leader_id >= 0).then_some(leader_id), now, rng, out);
        }
        if epoch < self.durable.epoch || self.is_leader() {
            return update;
        }
        if error != ErrorCode::None || from != leader_id {
            // Not the leader: it told us who is (or nobody knows yet); try again shortly.
            self.volatile.leader = (leader_id >= 0 && leader_id != self.id).then_some(leader_id);
            self.schedule_fetch(now + self.config.fetch_max_wait_ms / 5, out);
            return update;
        }
        if self.is_voter() {
            self.leader_found(leader_id, out);
            self.volatile.last_leader_fetch_ms = Some(now);
            self.reset_fetch_timeout(now, rng, out);
        }
        if let Some((epoch, end_offset)) = diverging {
            // KIP-595: cut to where the leader's copy of that epoch ends, or where ours does,
            // whichever is first; the next fetch checks again from there.
            let (own_epoch, own_end) = self.end_offset_for_epoch(epoch);
            let target = if own_epoch == epoch { end_offset.min(own_end) } else { own_end.min(end_offset) };
            self.durable.log.truncate(target.clamp(0, self.log_end_offset()) as usize);
        } else {
            for entry in entries {
                if entry.offset == self.log_end_offset() {
                    self.durable.log.push(entry);
                }
            }
            let was_caught_up = self.caught_up();
            self.volatile.leader_high_watermark = self.volatile.leader_high_watermark.max(Some(high_watermark));
            let hw = high_watermark.min(self.log_end_offset());
            if hw > self.durable.high_watermark {
                self.durable.high_watermark = hw;
                update.committed = true;
            }
            update.caught_up = !was_caught_up && self.caught_up();
        }
        self.schedule_fetch(now, out);
        update
    }
}

/// Kafka's `KafkaRaftClient.binaryExponentialElectionBackoffMs`: up to 100 ms × 2^retries at
/// random, capped by `controller.quorum.election.backoff.max.ms`.
fn binary_exponential_election_backoff_ms(retries: u32, max_ms: Millis, rng: &mut impl Rng) -> Millis {
    const RETRY_BACKOFF_BASE_MS: Millis = 100;
    let bound: Millis = 2 << retries.max(1).saturating_sub(1).min(20);
    (RETRY_BACKOFF_BASE_MS * rng.random_range(0..bound)).min(max_ms)
}

/// Kafka's `KafkaRaftClient.strictExponentialElectionBackoffMs`: the first successor at once,
/// the next ones after doubling shares of `controller.quorum.election.backoff.max.ms`, a voter
/// outside the list after all of it.
fn strict_exponential_election_backoff_ms(position: usize, successors: usize, max_ms: Millis) -> Millis {
    if position == 0 {
        0
    } else if position >= successors {
        max_ms
    } else {
        let base = max_ms >> (successors - 1).min(63);
        (base << (position - 1).min(63)).min(max_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Message;
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
                let Message::Raft(message) = message else { panic!("not a Raft message: {}", message.kind()) };
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
        let token = nodes[&2].volatile.election_token;
        nodes.get_mut(&2).unwrap().on_timer(RaftTimer::Election { token }, 0, &mut rng, &mut out);
        let inbox = out.messages.into_iter().map(|(to, m)| (2, to, m)).collect();
        exchange(&mut nodes, inbox, &mut rng);
        assert!(nodes[&2].is_leader());
        assert_eq!(nodes.values().filter(|n| n.is_leader()).count(), 1);
        assert!(nodes.values().all(|n| n.durable.epoch == 1 && n.volatile.leader == Some(2)));
        let mut out = Outbox::<RaftTimer>::default();
        nodes.get_mut(&2).unwrap().append(
            vec![MetadataRecord::RegisterBroker { broker_id: 9, broker_epoch: 1, rack: None }],
            0,
            &mut out,
        );
        let mut inbox = Vec::new();
        for v in [1, 3] {
            let follower = nodes.get_mut(&v).unwrap();
            follower.volatile.fetch_in_flight = None;
            let mut out = Outbox::<RaftTimer>::default();
            follower.send_fetch(0, &mut rng, &mut out);
            inbox.extend(out.messages.into_iter().map(|(to, m)| (v, to, m)));
        }
        exchange(&mut nodes, inbox, &mut rng);
        assert_eq!(nodes[&2].durable.high_watermark, 2, "LeaderChange and the new record are committed");
        assert!(nodes.values().all(|n| n.durable.log.len() == 2));
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
                record: MetadataRecord::LeaderChange { leader_id: 2, epoch: 3 }.into(),
            }],
        );
        voter.volatile.role = RaftRole::Follower;
        voter.volatile.leader = None;
        let mut out = Outbox::<RaftTimer>::default();
        voter.on_message(
            3,
            RaftMessage::VoteRequest {
                candidate_epoch: 4,
                candidate_id: 3,
                last_offset_epoch: 2,
                last_offset: 5,
                pre_vote: false,
            },
            0,
            &mut rng,
            &mut out,
        );
        assert!(out
            .messages
            .iter()
            .any(|(_, m)| matches!(m, Message::Raft(RaftMessage::VoteResponse { vote_granted: false, epoch: 4, .. }))));
    }

    #[test]
    fn a_diverging_follower_truncates_to_the_leaders_epoch_end() {
        let entry = |offset, epoch| MetadataEntry {
            offset,
            epoch,
            record: MetadataRecord::LeaderChange { leader_id: 1, epoch }.into(),
        };
        let mut leader = RaftNode::new(1, vec![1, 2, 3], RaftConfig::default());
        leader.bootstrap(3, 1, vec![entry(0, 1), entry(1, 1), entry(2, 3)]);
        let mut out = Outbox::<RaftTimer>::default();
        // The follower wrote offsets 2 and 3 in epoch 2, which the leader never had.
        leader.handle_fetch(7, 2, 4, 2, 0, 0, &mut out);
        assert!(out.messages.iter().any(|(_, m)| matches!(
            m,
            Message::Raft(RaftMessage::QuorumFetchResponse { diverging: Some((1, 2)), .. })
        )));
    }

    /// Chaos seed 964 found this: a follower appended a late answer to a fetch it had given up
    /// on, after writing an entry of its own at that offset, and so held a log no leader had.
    #[test]
    fn a_late_answer_to_an_abandoned_fetch_is_ignored() {
        let entry = |offset, epoch| MetadataEntry {
            offset,
            epoch,
            record: MetadataRecord::LeaderChange { leader_id: 2, epoch }.into(),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut follower = RaftNode::new(1, vec![1, 2, 3], RaftConfig::default());
        follower.bootstrap(5, 2, vec![entry(0, 1)]);
        follower.volatile.role = RaftRole::Follower;
        let mut out = Outbox::<RaftTimer>::default();
        follower.send_fetch(0, &mut rng, &mut out);
        let Some((_, Message::Raft(RaftMessage::QuorumFetchRequest { correlation_id: abandoned, .. }))) =
            out.messages.pop()
        else {
            panic!("no fetch sent")
        };
        // The fetch times out and is sent again; then the first answer arrives late.
        follower.on_timer(RaftTimer::Fetch { token: follower.volatile.fetch_token }, 2000, &mut rng, &mut out);
        let late = RaftMessage::QuorumFetchResponse {
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
        assert_eq!(follower.durable.high_watermark, 1);
    }

    /// Kafka's `MetadataLoader.stillNeedToCatchUp`: a restarted follower is caught up only once
    /// its committed log reaches the high watermark the leader sent, which may take more than
    /// one fetch; only then may its broker publish what it committed.
    #[test]
    fn a_restarted_follower_is_caught_up_at_the_leaders_high_watermark() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut node = follower(1);
        node.crash();
        assert!(!node.caught_up(), "no leader has told it the high watermark yet");
        let mut out = Outbox::<RaftTimer>::default();
        let mut answer = |node: &mut RaftNode, entries: Vec<MetadataEntry>, out: &mut Outbox<RaftTimer>| {
            node.send_fetch(0, &mut rng, out);
            let Some((_, Message::Raft(RaftMessage::QuorumFetchRequest { correlation_id, .. }))) = out.messages.pop()
            else {
                panic!("no fetch sent")
            };
            let response = RaftMessage::QuorumFetchResponse {
                correlation_id,
                epoch: 3,
                leader_id: 2,
                error: ErrorCode::None,
                high_watermark: 3,
                diverging: None,
                entries,
            };
            node.on_message(2, response, 1, &mut rng, out)
        };
        let first = answer(&mut node, vec![entry(1, 3)], &mut out);
        assert_eq!(node.durable.high_watermark, 2);
        assert!(first.committed && !first.caught_up && !node.caught_up(), "offset 2 is still missing");
        let second = answer(&mut node, vec![entry(2, 3)], &mut out);
        assert!(second.caught_up && node.caught_up());
    }

    fn entry(offset: i64, epoch: i32) -> MetadataEntry {
        MetadataEntry { offset, epoch, record: MetadataRecord::LeaderChange { leader_id: 2, epoch }.into() }
    }

    /// Voter `id` of {1, 2, 3} following broker 2 in epoch 3.
    fn follower(id: i32) -> RaftNode {
        let mut node = RaftNode::new(id, vec![1, 2, 3], RaftConfig::default());
        node.bootstrap(3, 2, vec![entry(0, 3)]);
        node.volatile.role = RaftRole::Follower;
        node
    }

    fn pre_vote(candidate_id: i32, candidate_epoch: i32) -> RaftMessage {
        RaftMessage::VoteRequest { candidate_epoch, candidate_id, last_offset_epoch: 3, last_offset: 1, pre_vote: true }
    }

    fn vote_answer(out: &Outbox<RaftTimer>) -> (i32, i32, bool, bool) {
        out.messages
            .iter()
            .find_map(|(_, m)| match m {
                Message::Raft(RaftMessage::VoteResponse { epoch, leader_id, vote_granted, pre_vote }) => {
                    Some((*epoch, *leader_id, *vote_granted, *pre_vote))
                }
                _ => None,
            })
            .expect("a vote response")
    }

    /// Kafka's `FollowerState.canGrantVote` (KIP-996): a follower refuses pre-votes while its
    /// last fetch from the leader is younger than `controller.quorum.fetch.timeout.ms`, and a
    /// pre-vote changes neither its epoch nor its vote.
    #[test]
    fn a_follower_that_hears_from_its_leader_refuses_pre_votes() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut voter = follower(1);
        voter.volatile.last_leader_fetch_ms = Some(1000);
        let mut out = Outbox::<RaftTimer>::default();
        voter.on_message(3, pre_vote(3, 4), 1500, &mut rng, &mut out);
        assert_eq!(vote_answer(&out), (3, 2, false, true), "refused, naming the leader");
        let mut out = Outbox::<RaftTimer>::default();
        voter.on_message(3, pre_vote(3, 4), 3000, &mut rng, &mut out);
        assert_eq!(vote_answer(&out), (3, 2, true, true), "granted once the fetch timeout passed");
        assert_eq!((voter.durable.epoch, voter.durable.voted_for), (3, Some(2)), "nothing changed");
        assert_eq!(voter.volatile.role, RaftRole::Follower);
    }

    /// Kafka 4.x `KafkaRaftClient.pollFollowerAsVoter`: a fetch timeout leads to the Prospective
    /// state (`transitionToProspective`), which asks for pre-votes for epoch + 1 and keeps its epoch.
    #[test]
    fn a_fetch_timeout_makes_a_voter_prospective_without_bumping_the_epoch() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut voter = follower(3);
        let mut out = Outbox::<RaftTimer>::default();
        voter.on_timer(RaftTimer::Election { token: voter.volatile.election_token }, 5000, &mut rng, &mut out);
        assert_eq!((voter.volatile.role, voter.durable.epoch), (RaftRole::Prospective, 3));
        let requests: Vec<(i32, bool)> = out
            .messages
            .iter()
            .filter_map(|(_, m)| match m {
                Message::Raft(RaftMessage::VoteRequest { candidate_epoch, pre_vote, .. }) => {
                    Some((*candidate_epoch, *pre_vote))
                }
                _ => None,
            })
            .collect();
        assert_eq!(requests, vec![(4, true), (4, true)]);
        assert_eq!(out.facts, vec![Fact::ControllerProspective { broker: 3, epoch: 3, leader: 2 }]);
        // A voter that still hears from broker 2 refuses, naming it: the prospective follows it.
        let mut out = Outbox::<RaftTimer>::default();
        let refusal = RaftMessage::VoteResponse { epoch: 3, leader_id: 2, vote_granted: false, pre_vote: true };
        voter.on_message(1, refusal, 5010, &mut rng, &mut out);
        assert_eq!((voter.volatile.role, voter.volatile.leader, voter.durable.epoch), (RaftRole::Follower, Some(2), 3));
        assert_eq!(out.facts, vec![Fact::ControllerLeaderFound { broker: 3, leader: 2, epoch: 3 }]);
    }

    /// KIP-996: only a majority of pre-votes makes a candidate (`transitionToCandidate`), which
    /// bumps the epoch once and asks for real votes.
    #[test]
    fn a_majority_of_pre_votes_starts_the_election() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut voter = follower(3);
        let mut out = Outbox::<RaftTimer>::default();
        voter.on_timer(RaftTimer::Election { token: voter.volatile.election_token }, 5000, &mut rng, &mut out);
        let mut out = Outbox::<RaftTimer>::default();
        let grant = RaftMessage::VoteResponse { epoch: 3, leader_id: -1, vote_granted: true, pre_vote: true };
        voter.on_message(1, grant, 5010, &mut rng, &mut out);
        assert_eq!(
            (voter.volatile.role, voter.durable.epoch, voter.durable.voted_for),
            (RaftRole::Candidate, 4, Some(3))
        );
        assert!(out.messages.iter().all(|(_, m)| matches!(
            m,
            Message::Raft(RaftMessage::VoteRequest { candidate_epoch: 4, pre_vote: false, .. })
        )));
    }

    /// Kafka's `KafkaRaftClient.handleVoteResponse` and `pollCandidate`: a candidate refused by a
    /// majority backs off at most `controller.quorum.election.backoff.max.ms`, then (Kafka 4.x)
    /// goes back to Prospective in the same epoch instead of bumping it again.
    #[test]
    fn a_lost_candidate_backs_off_then_becomes_prospective() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut voter = follower(3);
        let mut out = Outbox::<RaftTimer>::default();
        voter.on_timer(RaftTimer::Election { token: voter.volatile.election_token }, 5000, &mut rng, &mut out);
        let grant = RaftMessage::VoteResponse { epoch: 3, leader_id: -1, vote_granted: true, pre_vote: true };
        voter.on_message(1, grant, 5010, &mut rng, &mut out);
        let mut out = Outbox::<RaftTimer>::default();
        for from in [1, 2] {
            let refusal = RaftMessage::VoteResponse { epoch: 4, leader_id: -1, vote_granted: false, pre_vote: false };
            voter.on_message(from, refusal, 5020, &mut rng, &mut out);
        }
        assert!(voter.volatile.backing_off);
        let (at, timer) = out.timers.last().cloned().expect("a backoff timer");
        assert!(at <= 5020 + voter.config.election_backoff_max_ms, "{at}");
        voter.on_timer(timer, at, &mut rng, &mut out);
        assert_eq!((voter.volatile.role, voter.durable.epoch), (RaftRole::Prospective, 4));
    }

    /// Kafka's `KafkaRaftClient.pollLeader`: a leader whose check-quorum expires resigns
    /// (`transitionToResigned`) with the other voters by descending fetch offset
    /// (`LeaderState.nonLeaderVotersByDescendingFetchOffset`) and sends them EndQuorumEpoch.
    #[test]
    fn a_leader_without_its_quorum_resigns_and_sends_end_quorum_epoch() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut leader = RaftNode::new(1, vec![1, 2, 3], RaftConfig::default());
        leader.bootstrap(2, 1, vec![entry(0, 2)]);
        let mut out = Outbox::<RaftTimer>::default();
        leader.start(0, &mut rng, &mut out);
        leader.volatile.voter_state.insert(2, (5, 0));
        leader.volatile.voter_state.insert(3, (7, 0));
        let token = leader.volatile.election_token;
        let mut out = Outbox::<RaftTimer>::default();
        let update = leader.on_timer(RaftTimer::CheckQuorum { token }, 5000, &mut rng, &mut out);
        assert!(update.lost_leadership);
        assert_eq!((leader.volatile.role, leader.durable.epoch), (RaftRole::Resigned, 2));
        let sent: Vec<(NodeId, Vec<i32>)> = out
            .messages
            .iter()
            .filter_map(|(to, m)| match m {
                Message::Raft(RaftMessage::EndQuorumEpoch { epoch: 2, leader_id: 1, preferred_successors }) => {
                    Some((*to, preferred_successors.clone()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(sent, vec![(NodeId::Broker(3), vec![3, 2]), (NodeId::Broker(2), vec![3, 2])]);
        // A resigned leader grants no vote, not even a pre-vote.
        let mut out = Outbox::<RaftTimer>::default();
        leader.on_message(2, pre_vote(2, 3), 5001, &mut rng, &mut out);
        assert!(!vote_answer(&out).2);
    }

    /// Kafka's `KafkaRaftClient.handleEndQuorumEpochRequest` (`endEpochElectionBackoff`): the
    /// first preferred successor stands at once, the next after a share of the backoff maximum.
    #[test]
    fn end_quorum_epoch_orders_the_successors() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for (id, wait) in [(3, 0), (1, 500)] {
            let mut voter = follower(id);
            voter.volatile.last_leader_fetch_ms = Some(900);
            let mut out = Outbox::<RaftTimer>::default();
            let end = RaftMessage::EndQuorumEpoch { epoch: 3, leader_id: 2, preferred_successors: vec![3, 1] };
            voter.on_message(2, end, 1000, &mut rng, &mut out);
            assert_eq!(voter.volatile.leader, None, "broker {id} forgets the resigned leader");
            let token = voter.volatile.election_token;
            assert!(out.timers.contains(&(1000 + wait, RaftTimer::Election { token })), "{:?}", out.timers);
            // It no longer defends the resigned leader against pre-votes.
            let mut out = Outbox::<RaftTimer>::default();
            voter.on_message(3, pre_vote(3, 4), 1001, &mut rng, &mut out);
            assert!(vote_answer(&out).2);
        }
    }

    /// Kafka's `KafkaRaftClient.binaryExponentialElectionBackoffMs` and
    /// `strictExponentialElectionBackoffMs`, with `controller.quorum.election.backoff.max.ms` 1000.
    #[test]
    fn election_backoffs_follow_kafka() {
        assert_eq!(strict_exponential_election_backoff_ms(0, 2, 1000), 0);
        assert_eq!(strict_exponential_election_backoff_ms(1, 2, 1000), 500);
        assert_eq!(strict_exponential_election_backoff_ms(2, 2, 1000), 1000);
        assert_eq!(strict_exponential_election_backoff_ms(1, 3, 1000), 250);
        assert_eq!(strict_exponential_election_backoff_ms(2, 3, 1000), 500);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let first: BTreeSet<Millis> =
            (0..100).map(|_| binary_exponential_election_backoff_ms(1, 1000, &mut rng)).collect();
        assert_eq!(first, BTreeSet::from([0, 100]));
        let later: BTreeSet<Millis> =
            (0..200).map(|_| binary_exponential_election_backoff_ms(6, 1000, &mut rng)).collect();
        assert!(later.iter().all(|b| *b <= 1000 && b % 100 == 0) && later.contains(&1000), "{later:?}");
    }
}
