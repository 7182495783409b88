//! Consume-transform-produce processors: for each application, its delivery guarantee and what
//! a read_committed reader of its output topic finds for the input records its group committed
//! (outputs missing, written twice, or aborted and skipped). The engine counts them from the logs
//! (`World::processor_audits`); this panel puts the three guarantees side by side.

use yew::prelude::*;

use crate::cluster::ViewRc;
use crate::i18n::{t, Key, Lang};

#[derive(Properties, PartialEq)]
pub struct ProcessorsPanelProps {
    pub lang: Lang,
    pub view: ViewRc,
}

#[function_component(ProcessorsPanel)]
pub fn processors_panel(props: &ProcessorsPanelProps) -> Html {
    let lang = props.lang;
    let processors = &props.view.0.processors;
    if processors.is_empty() {
        return html! {};
    }
    let guarantee = |g: &str| match g {
        "at_most_once" => t(lang, Key::AtMostOnce),
        "exactly_once" => t(lang, Key::ExactlyOnce),
        _ => t(lang, Key::AtLeastOnce),
    };
    html! {
        <section class="panel panel-wide" aria-labelledby="processors-heading" data-testid="processors-panel">
            <h3 id="processors-heading">{ t(lang, Key::ProcessorsHeading) }</h3>
            <p class="hint">{ t(lang, Key::ProcessorsHint) }</p>
            <div class="table-scroll">
                <table class="processors-table">
                    <thead>
                        <tr>
                            <th scope="col">{ t(lang, Key::ProcessorApp) }</th>
                            <th scope="col">{ t(lang, Key::ProcessorConsumed) }</th>
                            <th scope="col">{ t(lang, Key::ProcessorOutputs) }</th>
                            <th scope="col">{ t(lang, Key::ProcessorMissing) }</th>
                            <th scope="col">{ t(lang, Key::ProcessorDuplicates) }</th>
                            <th scope="col">{ t(lang, Key::ProcessorAborted) }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for processors.iter().map(|p| {
                            let bad = |n: u64| classes!((n > 0).then_some("processor-bad"));
                            html! {
                                <tr data-testid={format!("processor-{}", p.consumer)} data-guarantee={p.guarantee}
                                    data-consumed={p.consumed.to_string()} data-outputs={p.outputs.to_string()}
                                    data-missing={p.missing.to_string()} data-duplicates={p.duplicates.to_string()}
                                    data-aborted={p.aborted.to_string()}>
                                    <th scope="row">
                                        <strong>{ &p.consumer }</strong>{ " " }
                                        <span class={classes!("processor-guarantee", format!("guarantee-{}", p.guarantee))}>{ guarantee(p.guarantee) }</span>
                                        <br /><small>{ "→ " }{ &p.output_topic }</small>
                                    </th>
                                    <td>{ p.consumed }</td>
                                    <td>{ p.outputs }</td>
                                    <td class={bad(p.missing)}>{ p.missing }</td>
                                    <td class={bad(p.duplicates)}>{ p.duplicates }</td>
                                    <td>{ p.aborted }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
