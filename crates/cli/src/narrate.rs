//! `kafkalab run`'s narration: each fact's sentence from the catalogue the web app uses
//! (kafkalab-narration), clients named as the world names them when the fact is told. Routine
//! traffic (appends, acks, polls, commits) is told only when asked, as in the app's feed.

use std::collections::BTreeMap;

use kafkalab_engine::cluster::{TimedFact, World};
use kafkalab_narration::{sentence, Lang, Roster};

/// Tells facts as they come, remembering what it said: the same sentence within a second is
/// traffic (retries), not news, and is told once.
pub struct Narrator {
    lang: Lang,
    routine: bool,
    last_told: BTreeMap<String, u64>,
}

impl Narrator {
    pub fn new(lang: Lang, routine: bool) -> Narrator {
        Narrator { lang, routine, last_told: BTreeMap::new() }
    }

    /// The sentences for `facts` (the newest facts of `world`, oldest first), each with its fact.
    pub fn tell<'a>(
        &mut self,
        world: &World,
        facts: impl IntoIterator<Item = &'a TimedFact>,
    ) -> Vec<(&'a TimedFact, String)> {
        let mut roster = None;
        let mut told = Vec::new();
        for fact in facts.into_iter().filter(|f| self.routine || !f.fact.salience().is_routine()) {
            let roster = roster.get_or_insert_with(|| Roster::from_view(&world.view()));
            let text = sentence(self.lang, roster, &fact.fact);
            if self.last_told.get(&text).is_none_or(|at| fact.at_ms >= at + 1000) {
                self.last_told.insert(text.clone(), fact.at_ms);
                told.push((fact, text));
            }
        }
        told
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafkalab_engine::scenario::{self, ScenarioRun};
    use std::collections::BTreeSet;

    /// A fact's kind: its JSON tag (`leader_elected`).
    fn kind(fact: &TimedFact) -> String {
        serde_json::to_value(&fact.fact).unwrap()["fact"].as_str().unwrap().to_string()
    }

    /// Plays the built-in scenario `name` for `until` ms as `kafkalab run` does; returns the kinds
    /// of the facts that happened and the told lines with their facts' kinds.
    fn play(name: &str, until: u64, routine: bool) -> (BTreeSet<String>, Vec<(String, String)>) {
        let text = scenario::builtin().into_iter().find(|b| b.name == name).unwrap().text;
        let mut run = ScenarioRun::new(scenario::parse(text).unwrap(), None).unwrap();
        let mut narrator = Narrator::new(Lang::En, routine);
        let (mut seen, mut kinds, mut lines) = (0, BTreeSet::new(), Vec::new());
        while run.world().now() <= until && run.step_event() {
            let world = run.world();
            for (fact, text) in narrator.tell(world, world.facts_since(seen)) {
                lines.push((kind(fact), text));
            }
            kinds.extend(world.facts_since(seen).filter(|f| routine || !f.fact.salience().is_routine()).map(kind));
            seen = world.fact_count();
        }
        (kinds, lines)
    }

    #[test]
    fn every_kind_of_fact_the_app_shows_is_told_from_the_same_catalogue() {
        let mut told_kinds = BTreeSet::new();
        for name in ["leader-failover", "consumer-scale-out", "eager-vs-cooperative", "unclean-election"] {
            let (kinds, lines) = play(name, 30_000, false);
            let told: BTreeSet<String> = lines.iter().map(|(k, _)| k.clone()).collect();
            assert_eq!(told, kinds, "{name}: a kind of fact without a line");
            assert!(lines.iter().all(|(_, text)| text.ends_with('.')), "{name}: {lines:?}");
            // Clients by their names from the world, never by engine number.
            let by_number = |text: &str| {
                ["client ", "consumer ", "producer "].iter().any(|w| {
                    text.match_indices(w).any(|(i, _)| text[i + w.len()..].starts_with(|c: char| c.is_ascii_digit()))
                })
            };
            assert!(!lines.iter().any(|(_, text)| by_number(text)), "{name}: {lines:?}");
            told_kinds.extend(told);
        }
        // The catalogue's sentences, not the CLI's former short ones.
        assert!(told_kinds.len() >= 20, "{told_kinds:?}");
        assert!(told_kinds.contains("join_completed") && told_kinds.contains("position_set"), "{told_kinds:?}");
    }

    #[test]
    fn routine_traffic_is_told_only_when_asked() {
        let (kinds, lines) = play("key-ordering", 3_000, true);
        let told: BTreeSet<String> = lines.iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(told, kinds);
        assert!(told.contains("batch_appended") && told.contains("produce_acked"), "{told:?}");
        let (_, lines) = play("key-ordering", 3_000, false);
        assert!(lines.iter().all(|(k, _)| k != "batch_appended" && k != "produce_acked"));
    }
}
