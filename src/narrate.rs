//! The app's narration: the shared catalogue of `kafkalab-narration` (every fact as a ko/en
//! sentence, clients by their names, the feed's folded repeats, timeline marks), and which
//! facts the feed and "step to the next interesting fact" skip, from each fact's salience.

use kafkalab_engine::narration::Fact;

pub use kafkalab_narration::{feed_lines, keep_marked, mark, member_ids, sentence, short_member_id, Mark, Roster};

/// Worth stopping at when stepping: everything but routine traffic.
pub fn is_interesting(fact: &Fact) -> bool {
    !is_routine(fact)
}

/// Routine traffic, which the feed folds away unless asked.
pub fn is_routine(fact: &Fact) -> bool {
    fact.salience().is_routine()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::sim::{Preset, Setup, Sim, UserAction};

    #[test]
    fn every_fact_of_a_faulty_run_has_a_sentence_in_both_languages() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, 11)).unwrap();
        sim.seek(4_000);
        sim.apply(UserAction::KillController).unwrap();
        let consumer = sim.world().view().consumers[0].id;
        sim.apply(UserAction::CrashConsumer { consumer }).unwrap();
        sim.apply(UserAction::CutLink { a: "broker-2".into(), b: "broker-3".into(), one_way: false }).unwrap();
        sim.seek(30_000);
        let roster = Roster::from_view(&sim.world().view());
        let mut seen = 0;
        for f in sim.world().facts() {
            for lang in Lang::ALL {
                let text = sentence(lang, &roster, &f.fact);
                assert!(!text.contains('{'), "unfilled placeholder in {text}");
                assert!(text.len() > 8, "{text}");
            }
            seen += 1;
        }
        assert!(seen > 50);
    }
}
