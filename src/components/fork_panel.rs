//! A what-if fork side by side: the scenario as written and with one change from a moment, from the
//! same seed, both at the timeline's cursor, compared by the numbers of `scenario::summary`.

use std::rc::Rc;

use kafkalab_engine::lesson::ForkComparison;
use kafkalab_engine::scenario::Summary;
use yew::prelude::*;

use crate::i18n::{fill, t, Key, Lang};
use crate::state::{AppAction, LessonAction};

#[derive(Properties, PartialEq)]
pub struct ForkPanelProps {
    pub lang: Lang,
    /// The change, as in the URL (`producer:checkout:acks=1`).
    pub change: String,
    pub seed: u64,
    /// When the branches part (0: from the start).
    pub from_ms: u64,
    pub comparison: Rc<ForkComparison>,
    pub on_action: Callback<AppAction>,
}

/// The rows: a stable id (the summary's field name), the label, and the value.
fn rows(s: &Summary) -> [(&'static str, Key, u64); 9] {
    [
        ("records_acked", Key::ForkRowAcked, s.records_acked),
        ("records_failed", Key::ForkRowFailed, s.records_failed),
        ("acked_lost", Key::ForkRowLost, s.acked_lost),
        ("duplicates_in_log", Key::ForkRowDuplicates, s.duplicates_in_log),
        ("duplicates_processed", Key::ForkRowProcessedTwice, s.duplicates_processed),
        ("skipped", Key::ForkRowSkipped, s.skipped),
        ("leaderless_ms", Key::ForkRowLeaderless, s.leaderless_ms),
        ("rebalances", Key::ForkRowRebalances, s.rebalances as u64),
        ("rebalance_pause_ms", Key::ForkRowRebalancePause, s.rebalance_pause_ms),
    ]
}

#[function_component(ForkPanel)]
pub fn fork_panel(props: &ForkPanelProps) -> Html {
    let lang = props.lang;
    let c = &props.comparison;
    let close = props.on_action.reform(|_: MouseEvent| AppAction::Lesson(LessonAction::Fork(None)));
    let branch = rows(&c.fork);
    html! {
        <section class="fork-panel" data-testid="fork-panel" data-at-ms={c.at_ms.to_string()} data-change={props.change.clone()}
            data-from-ms={props.from_ms.to_string()} aria-labelledby="fork-heading">
            <div class="lesson-bar">
                <h3 id="fork-heading">{ fill(t(lang, Key::ForkHeading), &[&props.seed.to_string(), &c.at_ms.to_string()]) }</h3>
                <button type="button" data-testid="fork-close" onclick={close}>{ t(lang, Key::ForkClose) }</button>
            </div>
            if props.from_ms > 0 {
                <p class="hint" data-testid="fork-from">{ fill(t(lang, Key::ForkFrom), &[&props.from_ms.to_string()]) }</p>
            }
            <table class="fork-table">
                <thead>
                    <tr>
                        <th scope="col"></th>
                        <th scope="col">{ t(lang, Key::ForkAsWritten) }</th>
                        <th scope="col"><code>{ fill(t(lang, Key::ForkChanged), &[&props.change]) }</code></th>
                    </tr>
                </thead>
                <tbody>
                    { for rows(&c.base).into_iter().zip(branch).map(|((id, key, base), (_, _, fork))| {
                        let differs = base != fork;
                        html! {
                            <tr class={classes!(differs.then_some("fork-differs"))} data-testid={format!("fork-row-{id}")}>
                                <th scope="row">{ t(lang, key) }</th>
                                <td data-testid={format!("fork-base-{id}")} data-value={base.to_string()}>{ base }</td>
                                <td data-testid={format!("fork-branch-{id}")} data-value={fork.to_string()}>{ fork }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </section>
    }
}
