//! The app's feed and timeline: which facts get a mark, and how consecutive repeats fold into
//! one line.

use kafkalab_engine::cluster::TimedFact;
use kafkalab_engine::narration::{Fact, Salience};

use crate::catalogue::{fill, phrase, Phrase};
use crate::roster::Roster;
use crate::sentence::{retry, sentence};
use crate::Lang;

/// What kind of moment a fact is, for timeline markers and the feed's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Fault,
    Election,
    Rebalance,
}

/// Faults, elections and rebalances get a marker on the timeline (the fact's [`Salience`]).
pub fn mark(fact: &Fact) -> Option<Mark> {
    match fact.salience() {
        Salience::Fault => Some(Mark::Fault),
        Salience::Election => Some(Mark::Election),
        Salience::Rebalance => Some(Mark::Rebalance),
        Salience::Routine | Salience::Notable => None,
    }
}

/// A line of the feed: consecutive facts that say the same thing, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedLine<'a> {
    /// The facts of the line, newest first (at least one).
    pub facts: Vec<&'a TimedFact>,
}

impl FeedLine<'_> {
    pub fn newest(&self) -> &TimedFact {
        self.facts[0]
    }

    pub fn oldest(&self) -> &TimedFact {
        self.facts[self.facts.len() - 1]
    }

    pub fn count(&self) -> usize {
        self.facts.len()
    }

    /// The sentence: a fact's own, or for retries of one send the range of attempts.
    pub fn sentence(&self, lang: Lang, roster: &Roster) -> String {
        let attempts = |f: &TimedFact| match f.fact {
            Fact::ProduceFailed { attempt, .. } => Some(attempt),
            _ => None,
        };
        let newest = self.newest();
        if let (Fact::ProduceFailed { producer: p, topic_partition, error, will_retry, .. }, true) =
            (&newest.fact, self.count() > 1)
        {
            let all: Vec<u32> = self.facts.iter().filter_map(|f| attempts(f)).collect();
            let (lo, hi) = (all.iter().min(), all.iter().max());
            if let (Some(lo), Some(hi)) = (lo, hi) {
                if lo != hi {
                    return fill(
                        phrase(lang, Phrase::FProduceFailedAttempts),
                        &[
                            &roster.producer(lang, *p),
                            &topic_partition.to_string(),
                            error.name(),
                            &lo.to_string(),
                            &hi.to_string(),
                            retry(lang, *will_retry),
                        ],
                    );
                }
            }
        }
        sentence(lang, roster, &newest.fact)
    }
}

/// Whether two facts make one line of the feed: the same fact, or the same send failing again
/// with the same error (only the attempt number differs).
pub(crate) fn same_line(a: &Fact, b: &Fact) -> bool {
    match (a, b) {
        (
            Fact::ProduceFailed { producer: p1, topic_partition: tp1, error: e1, will_retry: r1, .. },
            Fact::ProduceFailed { producer: p2, topic_partition: tp2, error: e2, will_retry: r2, .. },
        ) => p1 == p2 && tp1 == tp2 && e1 == e2 && r1 == r2,
        _ => a == b,
    }
}

/// The feed's lines from `facts` given newest first: consecutive repeats collapse into one
/// line (shown with ×N). At most `max` lines ([`keep_marked`], a line marked by its newest fact).
pub fn feed_lines<'a>(facts: impl Iterator<Item = &'a TimedFact>, max: usize) -> Vec<FeedLine<'a>> {
    let mut lines: Vec<FeedLine<'a>> = Vec::new();
    for fact in facts {
        match lines.last_mut() {
            Some(line) if same_line(&line.newest().fact, &fact.fact) => line.facts.push(fact),
            _ => lines.push(FeedLine { facts: vec![fact] }),
        }
    }
    keep_marked(lines, max, |line| mark(&line.newest().fact))
}

/// At most `max` of `items` (newest first), in the same order: the newest, except that up to
/// half of them are the marked moments that newer items would push out, faults before elections
/// and rebalances. A broker killed among 100 is followed by a hundred elections and hundreds of
/// client retries, which would otherwise push its fencing out of the feed before a learner reads it.
pub fn keep_marked<T>(items: Vec<T>, max: usize, mark: impl Fn(&T) -> Option<Mark>) -> Vec<T> {
    let count = |wanted: fn(Mark) -> bool| items.iter().filter(|item| mark(item).is_some_and(wanted)).count();
    let (faults, marked) = (count(|m| m == Mark::Fault), count(|_| true));
    let mut other_room = (items.len() - marked).min(max - marked.min(max / 2));
    let marked_room = marked.min(max - other_room);
    let mut fault_room = faults.min(marked_room);
    let mut moment_room = marked_room - fault_room;
    items
        .into_iter()
        .filter(|item| {
            let room = match mark(item) {
                None => &mut other_room,
                Some(Mark::Fault) => &mut fault_room,
                Some(_) => &mut moment_room,
            };
            let keep = *room > 0;
            *room = room.saturating_sub(1);
            keep
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::roster;
    use kafkalab_engine::protocol::{ErrorCode, TopicPartition};

    fn failed(index: u64, attempt: u32, partition: i32) -> TimedFact {
        TimedFact {
            at_ms: 100 + index,
            index,
            fact: Fact::ProduceFailed {
                producer: 1,
                topic_partition: TopicPartition { topic: "orders".into(), partition },
                error: ErrorCode::NetworkException,
                attempt,
                will_retry: true,
            },
        }
    }

    #[test]
    fn consecutive_retries_of_one_send_collapse_into_one_line() {
        let other = TimedFact { at_ms: 90, index: 0, fact: Fact::BrokerStopped { broker: 1 } };
        // Newest first, as the feed reads them.
        let facts = [
            failed(7, 5, 2),
            failed(6, 4, 2),
            failed(5, 1, 2),
            failed(4, 3, 0),
            other.clone(),
            other.clone(),
            failed(2, 2, 2),
        ];
        let lines = feed_lines(facts.iter(), 60);
        let counts: Vec<usize> = lines.iter().map(FeedLine::count).collect();
        assert_eq!(counts, vec![3, 1, 2, 1]);
        assert_eq!(lines[0].newest().index, 7);
        assert_eq!(lines[0].oldest().index, 5);
        assert_eq!(
            lines[0].sentence(Lang::En, &roster()),
            "producer checkout: send to orders-2 failed with NETWORK_EXCEPTION (attempts 1–5, will retry)."
        );
        assert_eq!(
            lines[0].sentence(Lang::Ko, &roster()),
            "프로듀서 checkout: orders-2로 보내기 실패 NETWORK_EXCEPTION (시도 1–5, 재시도 예정)."
        );
        let none = Roster::default();
        assert_eq!(lines[1].sentence(Lang::En, &none), sentence(Lang::En, &none, &facts[3].fact));
        assert_eq!(lines[2].sentence(Lang::En, &none), sentence(Lang::En, &none, &other.fact));
        assert_eq!(feed_lines(facts.iter(), 2).len(), 2);
    }

    #[test]
    fn up_to_half_the_window_keeps_the_marked_moments_faults_first() {
        // Newest first: 1 and 4 are elections, 5 a fault.
        let mark = |n: &u32| match n {
            1 | 4 => Some(Mark::Election),
            5 => Some(Mark::Fault),
            _ => None,
        };
        assert_eq!(keep_marked(vec![0, 1, 2, 3, 4], 4, mark), vec![0, 1, 2, 4]);
        assert_eq!(keep_marked(vec![0, 1, 2, 3, 4], 2, mark), vec![0, 1]);
        assert_eq!(keep_marked(vec![0, 1, 2, 3, 4], 3, mark), vec![0, 1, 2]);
        assert_eq!(
            keep_marked(vec![0, 1, 2, 3, 4, 5], 4, mark),
            vec![0, 1, 2, 5],
            "the fault before the older election"
        );
        assert_eq!(keep_marked(vec![0, 1, 2, 3, 4, 5], 6, mark), vec![0, 1, 2, 3, 4, 5]);
        // Few others: the marked ones take the rest of the window.
        assert_eq!(keep_marked(vec![1, 4, 0], 2, mark), vec![1, 0]);
        assert_eq!(keep_marked(vec![1, 4], 2, mark), vec![1, 4]);
    }
}
