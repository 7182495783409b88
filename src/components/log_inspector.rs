//! The partition log inspector: segments, records and the replicas' and groups' positions.

use std::rc::Rc;

use yew::prelude::*;

use super::form::select_value;
use crate::cluster::ViewRc;
use crate::i18n::{fill, t, Key, Lang};
use crate::inspect::PartitionLog;
use crate::state::AppAction;

#[derive(Properties, PartialEq)]
pub struct LogInspectorProps {
    pub lang: Lang,
    pub view: ViewRc,
    pub selected: Option<(String, i32)>,
    pub data: Option<Rc<PartitionLog>>,
    pub on_action: Callback<AppAction>,
}

#[function_component(LogInspector)]
pub fn log_inspector(props: &LogInspectorProps) -> Html {
    let lang = props.lang;
    let view = &props.view.0;
    let options: Vec<(String, i32)> = view
        .topics
        .iter()
        .filter(|t| !t.internal)
        .flat_map(|t| t.partitions.iter().map(move |p| (t.name.clone(), p.partition)))
        .collect();
    let on_pick = {
        let options = options.clone();
        props.on_action.reform(move |e: Event| {
            AppAction::Inspect(select_value(&e).parse::<usize>().ok().and_then(|i| options.get(i).cloned()))
        })
    };
    let selected = props.selected.clone();
    html! {
        <section class="panel inspector" aria-labelledby="inspector-heading">
            <h3 id="inspector-heading">{ t(lang, Key::InspectorHeading) }</h3>
            if options.is_empty() { <p class="hint">{ t(lang, Key::InspectorNone) }</p> }
            <select data-testid="inspect-select" aria-label={t(lang, Key::InspectorPick)} onchange={on_pick}>
                <option value="" selected={selected.is_none()}>{ t(lang, Key::InspectorPick) }</option>
                { for options.iter().enumerate().map(|(i, (topic, p))| html! {
                    <option value={i.to_string()} selected={selected.as_ref() == Some(&(topic.clone(), *p))}>{ format!("{topic}-{p}") }</option>
                }) }
            </select>
            if let (Some((topic, partition)), Some(log)) = (selected, props.data.as_ref()) {
                <div class="log-view" data-testid={format!("log-{topic}-{partition}")}>
                    <p class="markers">
                        <span class="marker">{ fill(t(lang, Key::LogStartMark), &[&log.log_start.to_string()]) }</span>
                        <span class="marker marker-hw">{ fill(t(lang, Key::HwMark), &[&log.hw.to_string()]) }</span>
                        <span class="marker marker-leo">{ fill(t(lang, Key::LeoMark), &[&log.leo.to_string()]) }</span>
                    </p>
                    <ul class="positions">
                        { for view.brokers.iter().filter_map(|b| b.replicas.iter().find(|r| r.topic == topic && r.partition == partition).map(|r| (b.id, r))).map(|(id, r)| html! {
                            <li>{ fill(t(lang, Key::ReplicaPosition), &[&id.to_string(), t(lang, if r.role.as_str() == "leader" { Key::Leader } else { Key::Follower }), &r.log_end_offset.to_string(), &r.high_watermark.to_string()]) }</li>
                        }) }
                        { for view.groups.iter().flat_map(|g| g.offsets.iter().filter(|o| o.topic == topic && o.partition == partition).map(move |o| (g.group_id.clone(), o))).map(|(g, o)| html! {
                            <li>{ fill(t(lang, Key::CommittedMark), &[&g, &o.committed_offset.to_string(), &o.lag.to_string()]) }</li>
                        }) }
                    </ul>
                    if log.log_start > 0 {
                        <p class="log-deleted" data-testid="log-deleted">{ fill(t(lang, Key::LogDeleted), &[&(log.log_start - 1).to_string()]) }</p>
                    }
                    if log.hidden > 0 {
                        <p class="hint">{ fill(t(lang, Key::RecordsTrimmed), &[&log.hidden.to_string(), &log.hidden_segments.to_string()]) }</p>
                    }
                    { for log.segments.iter().enumerate().map(|(i, s)| html! {
                        <div class="segment">
                            <h4>{ fill(t(lang, Key::SegmentLabel), &[&i.to_string(), &s.base_offset.to_string()]) }</h4>
                            <ol class="records">
                                { for s.records.iter().map(|r| {
                                    let committed = r.offset < log.hw;
                                    let gap = s.gaps.iter().find(|(_, last)| last + 1 == r.offset).map(|(first, last)| html! {
                                        <li class="record record-gap" data-testid={format!("gap-{first}")}>
                                            { fill(t(lang, Key::CompactedGap), &[&first.to_string(), &last.to_string()]) }
                                        </li>
                                    });
                                    let batch = r.batch.as_ref().map(|b| {
                                        let (a, z, n) = (b.base_offset.to_string(), b.last_offset.to_string(), b.record_count.to_string());
                                        let text = if b.codec == "none" {
                                            fill(t(lang, Key::BatchLine), &[&a, &z, &n, &b.size_bytes.to_string()])
                                        } else {
                                            let percent = (u64::from(b.size_bytes) * 100 / u64::from(b.uncompressed_bytes.max(1))).to_string();
                                            fill(t(lang, Key::BatchLineCompressed), &[&a, &z, &n, b.codec, &b.size_bytes.to_string(), &b.uncompressed_bytes.to_string(), &percent])
                                        };
                                        html! {
                                            <li class={classes!("record", "record-batch", (b.codec != "none").then_some("batch-compressed"))}
                                                data-testid={format!("batch-{}", b.base_offset)} data-codec={b.codec}
                                                data-size={b.size_bytes.to_string()} data-uncompressed={b.uncompressed_bytes.to_string()}>
                                                { text }
                                            </li>
                                        }
                                    });
                                    html! { <>
                                        { for gap }
                                        { for batch }
                                        <li class={classes!("record", (!committed).then_some("record-uncommitted"))} data-testid={format!("record-{}", r.offset)}>
                                            <span class="rec-offset">{ format!("#{}", r.offset) }</span>
                                            <span class="rec-key">{ r.key.clone().unwrap_or_else(|| t(lang, Key::NullValue).into()) }</span>
                                            <span class="rec-value">{ r.value.clone().unwrap_or_else(|| t(lang, Key::NullValue).into()) }</span>
                                            <span class="rec-ts">{ format!("ts {}", r.timestamp) }</span>
                                            if !r.headers.is_empty() {
                                                <span class="rec-headers">{ r.headers.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ") }</span>
                                            }
                                        </li>
                                    </> }
                                }) }
                            </ol>
                        </div>
                    }) }
                </div>
            }
        </section>
    }
}
