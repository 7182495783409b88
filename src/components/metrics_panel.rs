//! Kafka's metrics by their own names: the value now, a chart over the last minute of virtual
//! time ending at the timeline cursor, and the value before and after the last fault.

use yew::prelude::*;

use crate::i18n::{fill, t, Key, Lang};
use crate::logs::{format_metric, MetricSeries, MetricsData, Shared, CHART_SPAN_MS};

#[derive(Properties, PartialEq)]
pub struct MetricsPanelProps {
    pub lang: Lang,
    pub data: Shared<MetricsData>,
}

const CHART_W: u64 = 80;
const CHART_H: u64 = 24;

/// The series as an SVG polyline over `[now - span, now]`, scaled to its own maximum.
fn chart(s: &MetricSeries, now_ms: u64) -> Html {
    let from = now_ms.saturating_sub(CHART_SPAN_MS);
    let max = s.samples.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let points: Vec<String> = s
        .samples
        .iter()
        .map(|(at, v)| {
            let x = (at.saturating_sub(from)) * CHART_W / CHART_SPAN_MS;
            let y = if max > 0.0 { CHART_H - 2 - ((v / max) * (CHART_H - 4) as f64) as u64 } else { CHART_H - 2 };
            format!("{x},{y}")
        })
        .collect();
    html! {
        <svg class="metric-chart" viewBox={format!("0 0 {CHART_W} {CHART_H}")} width={CHART_W.to_string()}
            height={CHART_H.to_string()} aria-hidden="true" focusable="false">
            <polyline points={points.join(" ")} />
            <line class="chart-cursor" x1={CHART_W.to_string()} y1="0" x2={CHART_W.to_string()} y2={CHART_H.to_string()} />
        </svg>
    }
}

#[function_component(MetricsPanel)]
pub fn metrics_panel(props: &MetricsPanelProps) -> Html {
    let lang = props.lang;
    let data = &props.data.0;
    html! {
        <section class="panel metrics" data-testid="metrics" aria-labelledby="metrics-heading">
            <h3 id="metrics-heading">{ t(lang, Key::MetricsHeading) }</h3>
            <p class="hint">{
                match data.fault {
                    Some((fault, at)) => fill(t(lang, Key::MetricsFault), &[fault, &at.to_string()]),
                    None => t(lang, Key::MetricsNoFault).to_string(),
                }
            }</p>
            <table class="metrics-table">
                <thead><tr>
                    <th scope="col">{ t(lang, Key::MetricName) }</th>
                    <th scope="col">{ t(lang, Key::MetricNow) }</th>
                    <th scope="col">{ t(lang, Key::MetricChart) }</th>
                    <th scope="col">{ t(lang, Key::MetricDelta) }</th>
                </tr></thead>
                <tbody>
                    { for data.series.iter().map(|s| html! {
                        <tr data-testid={format!("metric-{}", s.name)} data-value={format_metric(s.now)}>
                            <th scope="row"><code>{ s.name }</code></th>
                            <td class="num">{ format_metric(s.now) }</td>
                            <td>{ chart(s, data.now_ms) }</td>
                            <td class={classes!("num", s.delta.filter(|(b, a)| b != a).map(|_| "delta-changed"))}>{
                                s.delta.map(|(b, a)| format!("{} → {}", format_metric(b), format_metric(a))).unwrap_or_default()
                            }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}
