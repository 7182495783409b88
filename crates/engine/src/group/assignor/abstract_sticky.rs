//! The algorithm shared by `sticky` and `cooperative-sticky`: a port of Java's `AbstractStickyAssignor`
//! without racks. Goals, in order: balance (partition counts differ by at most one where subscriptions
//! allow), then stickiness (keep what members owned).
//!
//! Owned partitions are generation-aware: when two members claim a partition, the higher generation
//! wins; two claims in the same generation void the partition for both.
//!
//! Java iterates the members' `HashMap` in three places that can change results, and they are emulated
//! with [`JavaHashSet`] (bucket order of `String.hashCode`, ties in JoinGroup order = the order of the
//! `members` slice):
//! 1. collecting owned partitions (which claim wins when three claims meet in mixed generations, and
//!    Java's "all subscriptions equal" check, which only starts comparing after the first member with a
//!    non-empty subscription);
//! 2. the constrained path's `assignOwnedPartitions`, which decides which owners keep `maxQuota`;
//! 3. the general path's previous-generation owners (first claim wins among equal generations).
//!
//! The general path also picks "the actual partition to move" as the first element of a
//! `HashSet<TopicPartition>`, emulated the same way with `TopicPartition.hashCode`.
//! Where Java would throw a `NullPointerException` (a previous owner that is not reassignable), this
//! port skips the previous-owner preference instead.

use super::java::{self, JavaHashSet};
use super::{AssignError, Group, TopicPartition};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A partition as (topic index, partition number). Topic indexes follow `String.compareTo`, so the
/// derived order is Java's `TopicPartition` order.
type Tp = (usize, i32);

/// Partition → the member it is moving to.
type Transfers = BTreeMap<Tp, usize>;

/// What `AbstractStickyAssignor.assignPartitions` returns, by member index (the `members` order).
pub(crate) struct StickyResult {
    pub assignment: Vec<Vec<TopicPartition>>,
    /// `partitionsTransferringOwnership`: computed by the constrained path, `None` on the general path
    /// (the cooperative assignor then derives it from owned vs assigned partitions).
    pub transferring: Option<BTreeMap<TopicPartition, usize>>,
}

struct Ctx<'g, 'a> {
    group: &'g Group<'a>,
    topic_names: Vec<&'a str>,
    topic_hash: Vec<i32>,
    topic_count: Vec<i32>,
    topic_index: BTreeMap<&'a str, usize>,
    /// Member ranks by `String.compareTo` of member ids, and back.
    rank: Vec<usize>,
    by_rank: Vec<usize>,
    /// Member indexes in Java `HashMap<String, Subscription>` iteration order.
    hash_order: Vec<usize>,
    /// `consumer2AllPotentialTopics`: subscribed topics that exist, in subscription order.
    potential_topics: Vec<Vec<usize>>,
}

impl<'g, 'a> Ctx<'g, 'a> {
    fn new(group: &'g Group<'a>) -> Self {
        let mut topic_names: Vec<&str> = group.partitions_per_topic.keys().copied().collect();
        topic_names.sort_by(|a, b| java::compare(a, b));
        let topic_index: BTreeMap<&str, usize> = topic_names.iter().enumerate().map(|(i, t)| (*t, i)).collect();
        let topic_count = topic_names.iter().map(|t| group.partitions_per_topic[t]).collect();
        let topic_hash = topic_names.iter().map(|t| java::string_hash(t)).collect();
        let n = group.members.len();
        let mut by_rank: Vec<usize> = (0..n).collect();
        by_rank.sort_by(|&a, &b| java::compare(&group.members[a].member_id, &group.members[b].member_id));
        let mut rank = vec![0; n];
        for (r, &m) in by_rank.iter().enumerate() {
            rank[m] = r;
        }
        let mut set = JavaHashSet::new();
        for (i, m) in group.members.iter().enumerate() {
            set.insert(i, java::string_hash(&m.member_id));
        }
        let hash_order = set.iter_order().into_iter().copied().collect();
        let potential_topics = group
            .subscriptions
            .iter()
            .map(|s| s.iter().filter_map(|t| topic_index.get(t).copied()).collect())
            .collect();
        Self { group, topic_names, topic_hash, topic_count, topic_index, rank, by_rank, hash_order, potential_topics }
    }

    fn tp(&self, tp: &TopicPartition) -> Option<Tp> {
        self.topic_index.get(tp.topic.as_str()).map(|&t| (t, tp.partition))
    }

    fn public(&self, tp: Tp) -> TopicPartition {
        TopicPartition::new(self.topic_names[tp.0], tp.1)
    }

    fn hash(&self, tp: Tp) -> i32 {
        java::topic_partition_hash(self.topic_hash[tp.0], tp.1)
    }

    /// Owned partitions of topics being assigned, in the member's order.
    fn owned(&self, m: usize) -> Vec<Tp> {
        self.group.members[m].owned.iter().filter_map(|tp| self.tp(tp)).collect()
    }

    fn all_partitions(&self, topics: &[usize]) -> Vec<Tp> {
        topics.iter().flat_map(|&t| (0..self.topic_count[t]).map(move |p| (t, p))).collect()
    }

    fn total_partitions(&self) -> usize {
        self.topic_count.iter().map(|&n| n as usize).sum()
    }
}

/// `AbstractStickyAssignor.assignPartitions` without racks.
pub(crate) fn assign_partitions(group: &Group<'_>) -> Result<StickyResult, AssignError> {
    let n = group.members.len();
    if n == 0 {
        return Ok(StickyResult { assignment: Vec::new(), transferring: Some(BTreeMap::new()) });
    }
    let ctx = Ctx::new(group);
    let claims = collect_owned(&ctx);
    let (assignment, transferring) = if claims.all_subscriptions_equal {
        let (a, t) = Constrained::new(&ctx, claims.owned, claims.multiple_owners).build()?;
        (a, Some(t))
    } else {
        (General::new(&ctx, claims.owned).build(claims.max_generation)?, None)
    };
    let to_public = |list: Vec<Tp>| list.into_iter().map(|tp| ctx.public(tp)).collect();
    Ok(StickyResult {
        assignment: assignment.into_iter().map(to_public).collect(),
        transferring: transferring.map(|t| t.into_iter().map(|(tp, m)| (ctx.public(tp), m)).collect()),
    })
}

struct Claims {
    all_subscriptions_equal: bool,
    /// `consumerToOwnedPartitions` after resolving conflicting claims.
    owned: Vec<Vec<Tp>>,
    multiple_owners: BTreeSet<Tp>,
    max_generation: i32,
}

/// `allSubscriptionsEqual`: also resolves conflicting claims on owned partitions.
fn collect_owned(ctx: &Ctx<'_, '_>) -> Claims {
    let members = ctx.group.members;
    let mut equal = true;
    let mut subscribed: BTreeSet<&str> = BTreeSet::new();
    let mut owner: BTreeMap<Tp, usize> = BTreeMap::new();
    let mut owned = vec![Vec::new(); members.len()];
    let mut multiple_owners = BTreeSet::new();
    let mut max_generation = -1;
    for &m in &ctx.hash_order {
        let topics = &ctx.group.subscriptions[m];
        if subscribed.is_empty() {
            subscribed.extend(topics.iter().copied());
        } else if equal && !(topics.len() == subscribed.len() && topics.iter().all(|t| subscribed.contains(t))) {
            equal = false;
        }
        let generation = members[m].generation();
        max_generation = max_generation.max(generation);
        for tp in ctx.owned(m) {
            match owner.get(&tp).copied() {
                None => {
                    owned[m].push(tp);
                    owner.insert(tp, m);
                }
                Some(other) => {
                    let other_generation = members[other].generation();
                    if generation == other_generation {
                        multiple_owners.insert(tp);
                        remove_first(&mut owned[other], tp);
                        owner.insert(tp, m);
                    } else if generation > other_generation {
                        owned[m].push(tp);
                        remove_first(&mut owned[other], tp);
                        owner.insert(tp, m);
                    }
                }
            }
        }
    }
    Claims { all_subscriptions_equal: equal, owned, multiple_owners, max_generation }
}

fn remove_first(list: &mut Vec<Tp>, tp: Tp) {
    if let Some(i) = list.iter().position(|&x| x == tp) {
        list.remove(i);
    }
}

/// `ConstrainedAssignmentBuilder`: every member subscribes to the same topics.
struct Constrained<'c, 'g, 'a> {
    ctx: &'c Ctx<'g, 'a>,
    owned: Vec<Vec<Tp>>,
    multiple_owners: BTreeSet<Tp>,
    maybe_revoked: BTreeMap<Tp, usize>,
    under_min: Vec<usize>,
    exactly_min: VecDeque<usize>,
    min_quota: usize,
    max_quota: usize,
    expected_over_min: usize,
    current_over_min: usize,
    assignment: Vec<Vec<Tp>>,
    transferring: BTreeMap<Tp, usize>,
}

impl<'c, 'g, 'a> Constrained<'c, 'g, 'a> {
    fn new(ctx: &'c Ctx<'g, 'a>, owned: Vec<Vec<Tp>>, multiple_owners: BTreeSet<Tp>) -> Self {
        let n = ctx.group.members.len();
        let total = ctx.total_partitions();
        Self {
            ctx,
            owned,
            multiple_owners,
            maybe_revoked: BTreeMap::new(),
            under_min: Vec::new(),
            exactly_min: VecDeque::new(),
            min_quota: total / n,
            max_quota: total.div_ceil(n),
            expected_over_min: total % n,
            current_over_min: 0,
            assignment: vec![Vec::new(); n],
            transferring: BTreeMap::new(),
        }
    }

    /// The assignment and `partitionsTransferringOwnership`.
    fn build(mut self) -> Result<(Vec<Vec<Tp>>, Transfers), AssignError> {
        let assigned = self.assign_owned_partitions();
        let all = self.ctx.all_partitions(&(0..self.ctx.topic_names.len()).collect::<Vec<_>>());
        let unassigned: Vec<Tp> = all.into_iter().filter(|tp| !assigned.contains(tp)).collect();
        let rank = &self.ctx.rank;
        self.under_min.sort_by_key(|&m| rank[m]);
        self.exactly_min.make_contiguous().sort_by_key(|&m| rank[m]);
        self.assign_round_robin(&unassigned)?;
        self.verify_unfilled_members()?;
        Ok((self.assignment, self.transferring))
    }

    /// Keep owned partitions up to the quotas, visiting members in Java `HashMap` order.
    fn assign_owned_partitions(&mut self) -> BTreeSet<Tp> {
        let mut assigned = BTreeSet::new();
        for &m in &self.ctx.hash_order {
            let mut owned = std::mem::take(&mut self.owned[m]);
            owned.sort_by_key(|&(t, p)| (p, t));
            owned.retain(|tp| !self.multiple_owners.contains(tp));
            let keep = if owned.len() < self.min_quota {
                self.under_min.push(m);
                owned.len()
            } else if owned.len() >= self.max_quota && self.current_over_min < self.expected_over_min {
                self.current_over_min += 1;
                if self.current_over_min == self.expected_over_min {
                    self.exactly_min.clear();
                }
                self.max_quota
            } else {
                if self.current_over_min < self.expected_over_min {
                    self.exactly_min.push_back(m);
                }
                self.min_quota
            };
            for &tp in &owned[keep..] {
                self.maybe_revoked.insert(tp, m);
            }
            owned.truncate(keep);
            assigned.extend(owned.iter().copied());
            self.assignment[m] = owned;
        }
        assigned
    }

    fn assign_round_robin(&mut self, unassigned: &[Tp]) -> Result<(), AssignError> {
        // `cursor` plays Java's iterator over `under_min`: the index of its next element.
        let mut cursor = 0;
        for &tp in unassigned {
            let from_iterator;
            let m = if cursor < self.under_min.len() {
                cursor += 1;
                from_iterator = true;
                self.under_min[cursor - 1]
            } else if self.under_min.is_empty() {
                from_iterator = false;
                self.exactly_min
                    .pop_front()
                    .ok_or_else(|| AssignError::Internal("No more unfilled consumers to be assigned.".into()))?
            } else {
                cursor = 1;
                from_iterator = true;
                self.under_min[0]
            };
            let count = self.assign_new_partition(tp, m);
            if count == self.min_quota {
                if from_iterator {
                    cursor -= 1;
                    self.under_min.remove(cursor);
                }
                self.exactly_min.push_back(m);
            } else if count == self.max_quota {
                self.current_over_min += 1;
            }
        }
        Ok(())
    }

    fn assign_new_partition(&mut self, tp: Tp, m: usize) -> usize {
        self.assignment[m].push(tp);
        let revoked_from_other = self.maybe_revoked.get(&tp).is_some_and(|&o| o != m);
        if revoked_from_other || self.multiple_owners.contains(&tp) {
            self.transferring.insert(tp, m);
        }
        self.assignment[m].len()
    }

    fn verify_unfilled_members(&self) -> Result<(), AssignError> {
        if self.under_min.is_empty() {
            return Ok(());
        }
        if self.current_over_min != self.expected_over_min {
            return Err(AssignError::Internal(
                "We haven't reached the expected number of members with more than the minQuota partitions, \
                 but no more partitions to be assigned"
                    .into(),
            ));
        }
        match self.under_min.iter().find(|&&m| self.assignment[m].len() != self.min_quota) {
            Some(&m) => Err(AssignError::Internal(format!(
                "Consumer: [{}] doesn't reach minQuota partitions, and no more partitions to be assigned",
                self.ctx.group.members[m].member_id
            ))),
            None => Ok(()),
        }
    }
}

/// `PartitionMovements`: where partitions moved during this assignment, to move a partition back
/// along a reverse pair rather than create a ping-pong between two members.
#[derive(Default)]
struct PartitionMovements {
    moves: BTreeMap<Tp, (usize, usize)>,
    by_topic_pair: BTreeMap<(usize, usize, usize), JavaHashSet<Tp>>,
}

impl PartitionMovements {
    fn remove_record(&mut self, tp: Tp) -> Option<(usize, usize)> {
        let pair = self.moves.remove(&tp)?;
        let key = (tp.0, pair.0, pair.1);
        if let Some(set) = self.by_topic_pair.get_mut(&key) {
            set.remove(&tp);
            if set.is_empty() {
                self.by_topic_pair.remove(&key);
            }
        }
        Some(pair)
    }

    fn add_record(&mut self, tp: Tp, hash: i32, pair: (usize, usize)) {
        self.moves.insert(tp, pair);
        self.by_topic_pair.entry((tp.0, pair.0, pair.1)).or_default().insert(tp, hash);
    }

    fn move_partition(&mut self, tp: Tp, hash: i32, old: usize, new: usize) {
        match self.remove_record(tp) {
            Some((src, _)) if src != new => self.add_record(tp, hash, (src, new)),
            Some(_) => {}
            None => self.add_record(tp, hash, (old, new)),
        }
    }

    fn actual_partition_to_move(&self, tp: Tp, old: usize, new: usize) -> Tp {
        let old = self.moves.get(&tp).map_or(old, |&(src, _)| src);
        self.by_topic_pair.get(&(tp.0, new, old)).and_then(|set| set.first().copied()).unwrap_or(tp)
    }
}

/// `GeneralAssignmentBuilder`: members subscribe to different topics.
struct General<'c, 'g, 'a> {
    ctx: &'c Ctx<'g, 'a>,
    /// `currentAssignment`; `None` while a member is set aside as not reassignable.
    current: Vec<Option<Vec<Tp>>>,
    current_partition_consumer: BTreeMap<Tp, usize>,
    /// `sortedCurrentSubscriptions`: (partition count, member rank).
    sorted: BTreeSet<(usize, usize)>,
    /// `topic2AllPotentialConsumers`.
    topic_consumers: Vec<Vec<usize>>,
    sorted_all_partitions: Vec<Tp>,
    revocation_required: bool,
    movements: PartitionMovements,
}

impl<'c, 'g, 'a> General<'c, 'g, 'a> {
    fn new(ctx: &'c Ctx<'g, 'a>, owned: Vec<Vec<Tp>>) -> Self {
        let mut topic_consumers = vec![Vec::new(); ctx.topic_names.len()];
        for &m in &ctx.hash_order {
            for &t in &ctx.potential_topics[m] {
                topic_consumers[t].push(m);
            }
        }
        let current_partition_consumer =
            owned.iter().enumerate().flat_map(|(m, list)| list.iter().map(move |&tp| (tp, m))).collect();
        let mut topics: Vec<usize> = (0..ctx.topic_names.len()).collect();
        // TopicComparator: fewest potential consumers first, then name (indexes are in name order).
        topics.sort_by_key(|&t| (topic_consumers[t].len(), t));
        let sorted_all_partitions = ctx.all_partitions(&topics);
        Self {
            ctx,
            current: owned.into_iter().map(Some).collect(),
            current_partition_consumer,
            sorted: BTreeSet::new(),
            topic_consumers,
            sorted_all_partitions,
            revocation_required: false,
            movements: PartitionMovements::default(),
        }
    }

    fn size(&self, m: usize) -> Option<usize> {
        self.current[m].as_ref().map(Vec::len)
    }

    fn subscribed(&self, m: usize, topic: usize) -> bool {
        self.ctx.potential_topics[m].contains(&topic)
    }

    fn build(mut self, max_generation: i32) -> Result<Vec<Vec<Tp>>, AssignError> {
        let prev = self.previous_assignment(max_generation);
        let assigned: BTreeSet<Tp> = self.assign_owned_partitions();
        let unassigned: Vec<Tp> =
            self.sorted_all_partitions.iter().copied().filter(|tp| !assigned.contains(tp)).collect();
        for m in 0..self.current.len() {
            let size = self.size(m).unwrap_or(0);
            self.sorted.insert((size, self.ctx.rank[m]));
        }
        self.balance(&prev, unassigned)?;
        Ok(self.current.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// `prepopulateCurrentAssignments`: the latest owner from an older generation of each partition.
    fn previous_assignment(&self, max_generation: i32) -> BTreeMap<Tp, usize> {
        let mut prev: BTreeMap<Tp, (usize, i32)> = BTreeMap::new();
        for &m in &self.ctx.hash_order {
            let generation = self.ctx.group.members[m].generation();
            let known = generation >= 0;
            if (known && generation < max_generation) || (!known && max_generation > -1) {
                for tp in self.ctx.owned(m) {
                    match prev.get(&tp) {
                        Some(&(_, g)) if generation <= g => {}
                        _ => {
                            prev.insert(tp, (m, generation));
                        }
                    }
                }
            }
        }
        prev.into_iter().map(|(tp, (m, _))| (tp, m)).collect()
    }

    /// Keep owned partitions of topics the owner still subscribes to.
    fn assign_owned_partitions(&mut self) -> BTreeSet<Tp> {
        let mut assigned = BTreeSet::new();
        for m in 0..self.current.len() {
            let Some(list) = self.current[m].as_mut() else { continue };
            let potential = &self.ctx.potential_topics[m];
            let before = list.len();
            list.retain(|tp| potential.contains(&tp.0));
            if list.len() != before {
                self.revocation_required = true;
            }
            assigned.extend(list.iter().copied());
        }
        assigned
    }

    fn balance(&mut self, prev: &BTreeMap<Tp, usize>, mut unassigned: Vec<Tp>) -> Result<(), AssignError> {
        let initializing = self.sorted.last().is_none_or(|&(size, _)| size == 0);
        for &tp in &unassigned {
            if !self.topic_consumers[tp.0].is_empty() {
                self.assign_to_lightest(tp);
            }
        }
        let fixed_topic: Vec<bool> = self.topic_consumers.iter().map(|c| c.len() < 2).collect();
        self.sorted_all_partitions.retain(|tp| !fixed_topic[tp.0]);
        unassigned.retain(|tp| !fixed_topic[tp.0]);

        let mut fixed = Vec::new();
        for m in 0..self.current.len() {
            if !self.can_consumer_participate(m) {
                let size = self.size(m).unwrap_or(0);
                self.sorted.remove(&(size, self.ctx.rank[m]));
                fixed.push((m, self.current[m].take()));
            }
        }
        let pre_balance = self.current.clone();
        let pre_balance_consumers = self.current_partition_consumer.clone();

        if !self.revocation_required {
            self.perform_reassignments(&unassigned, prev)?;
        }
        let all = std::mem::take(&mut self.sorted_all_partitions);
        let reassigned = self.perform_reassignments(&all, prev)?;
        if !initializing && reassigned && balance_score(&self.current) >= balance_score(&pre_balance) {
            self.current = pre_balance;
            self.current_partition_consumer = pre_balance_consumers;
        }
        for (m, list) in fixed {
            self.current[m] = list;
        }
        Ok(())
    }

    /// `maybeAssignPartition`: the member with the fewest partitions (then lowest id) that subscribes.
    fn assign_to_lightest(&mut self, tp: Tp) {
        let found = self.sorted.iter().copied().find(|&(_, r)| self.subscribed(self.ctx.by_rank[r], tp.0));
        if let Some((size, r)) = found {
            let m = self.ctx.by_rank[r];
            self.sorted.remove(&(size, r));
            if let Some(list) = self.current[m].as_mut() {
                list.push(tp);
            }
            self.current_partition_consumer.insert(tp, m);
            self.sorted.insert((size + 1, r));
        }
    }

    fn max_assignment_size(&self, m: usize) -> usize {
        self.ctx.potential_topics[m].iter().map(|&t| self.ctx.topic_count[t] as usize).sum()
    }

    fn can_consumer_participate(&self, m: usize) -> bool {
        let Some(list) = self.current[m].as_ref() else { return false };
        list.len() < self.max_assignment_size(m) || list.iter().any(|tp| self.topic_consumers[tp.0].len() >= 2)
    }

    /// `isBalanced`: counts differ by at most one, or no partition could move to a lighter subscriber
    /// without breaking the balance.
    fn is_balanced(&self) -> bool {
        let (Some(&(min, _)), Some(&(max, _))) = (self.sorted.first(), self.sorted.last()) else {
            return true;
        };
        if min + 1 >= max {
            return true;
        }
        let mut owner: BTreeMap<Tp, usize> = BTreeMap::new();
        for (m, list) in self.current.iter().enumerate() {
            for &tp in list.iter().flatten() {
                owner.insert(tp, m);
            }
        }
        for &(size, r) in &self.sorted {
            let m = self.ctx.by_rank[r];
            if size == self.max_assignment_size(m) {
                continue;
            }
            for &t in &self.ctx.potential_topics[m] {
                for p in 0..self.ctx.topic_count[t] {
                    if let Some(&other) = owner.get(&(t, p)) {
                        if other != m && self.size(other).is_some_and(|o| size + 1 < o) {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }

    fn perform_reassignments(&mut self, partitions: &[Tp], prev: &BTreeMap<Tp, usize>) -> Result<bool, AssignError> {
        let mut reassigned = false;
        loop {
            let mut modified = false;
            for &tp in partitions {
                if self.is_balanced() {
                    break;
                }
                let consumer = *self.current_partition_consumer.get(&tp).ok_or_else(|| {
                    AssignError::Internal(format!(
                        "Expected partition '{}' to be assigned to a consumer",
                        self.ctx.public(tp)
                    ))
                })?;
                let size = self.size(consumer).unwrap_or(0);
                if let Some(&prev_owner) = prev.get(&tp) {
                    if self.size(prev_owner).is_some_and(|p| size > p + 1) {
                        self.reassign_partition_to(tp, prev_owner);
                        reassigned = true;
                        modified = true;
                        continue;
                    }
                }
                let lighter_exists =
                    self.topic_consumers[tp.0].iter().any(|&o| self.size(o).is_some_and(|s| size > s + 1));
                if lighter_exists {
                    let new_consumer =
                        self.sorted.iter().map(|&(_, r)| self.ctx.by_rank[r]).find(|&m| self.subscribed(m, tp.0));
                    if let Some(new_consumer) = new_consumer {
                        self.reassign_partition_to(tp, new_consumer);
                        reassigned = true;
                        modified = true;
                    }
                }
            }
            if !modified {
                return Ok(reassigned);
            }
        }
    }

    fn reassign_partition_to(&mut self, tp: Tp, new_consumer: usize) {
        let Some(&consumer) = self.current_partition_consumer.get(&tp) else { return };
        let actual = self.movements.actual_partition_to_move(tp, consumer, new_consumer);
        self.process_partition_movement(actual, new_consumer);
    }

    fn process_partition_movement(&mut self, tp: Tp, new_consumer: usize) {
        let Some(&old) = self.current_partition_consumer.get(&tp) else { return };
        let rank = &self.ctx.rank;
        let (old_size, new_size) = (self.size(old).unwrap_or(0), self.size(new_consumer).unwrap_or(0));
        self.sorted.remove(&(old_size, rank[old]));
        self.sorted.remove(&(new_size, rank[new_consumer]));
        self.movements.move_partition(tp, self.ctx.hash(tp), old, new_consumer);
        if let Some(list) = self.current[old].as_mut() {
            remove_first(list, tp);
        }
        if let Some(list) = self.current[new_consumer].as_mut() {
            list.push(tp);
        }
        self.current_partition_consumer.insert(tp, new_consumer);
        self.sorted.insert((self.size(new_consumer).unwrap_or(0), rank[new_consumer]));
        self.sorted.insert((self.size(old).unwrap_or(0), rank[old]));
    }
}

/// `getBalanceScore`: the sum of |size_i − size_j| over all pairs of reassignable members.
fn balance_score(assignment: &[Option<Vec<Tp>>]) -> usize {
    let sizes: Vec<usize> = assignment.iter().flatten().map(Vec::len).collect();
    let mut score = 0;
    for (i, a) in sizes.iter().enumerate() {
        for b in &sizes[i + 1..] {
            score += a.abs_diff(*b);
        }
    }
    score
}
