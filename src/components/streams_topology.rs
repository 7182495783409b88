//! Kafka Streams applications next to the cluster: each topology drawn as source → groupBy →
//! (repartition topic) → aggregate with its state store and changelog topic → sink, then each
//! instance's tasks: RESTORING with its progress through the changelog, or RUNNING with its
//! stream time, the records it dropped as late, and its store's contents (key → value per
//! window). The engine builds it all (`World::streams_views`).

use yew::prelude::*;

use crate::cluster::ViewRc;
use crate::i18n::{fill, t, Key, Lang};
use kafkalab_engine::streams::task::TaskState;
use kafkalab_engine::streams::{Aggregate, GroupBy, TimeWindows};
use kafkalab_engine::view::streams::{StreamsAppView, StreamsTaskView};

#[derive(Properties, PartialEq)]
pub struct StreamsTopologyProps {
    pub lang: Lang,
    pub view: ViewRc,
}

#[function_component(StreamsTopology)]
pub fn streams_topology(props: &StreamsTopologyProps) -> Html {
    let lang = props.lang;
    let apps = &props.view.0.streams;
    if apps.is_empty() {
        return html! {};
    }
    html! {
        <section class="panel panel-wide streams" aria-labelledby="streams-heading" data-testid="streams-topology">
            <h3 id="streams-heading">{ t(lang, Key::StreamsHeading) }</h3>
            <p class="hint">{ t(lang, Key::StreamsHint) }</p>
            { for apps.iter().map(|app| html! { <StreamsApp {lang} app={app.clone()} /> }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct StreamsAppProps {
    lang: Lang,
    app: StreamsAppView,
}

/// `TimeWindows` as a learner reads them: tumbling or hopping, size, advance, grace.
fn windows_text(lang: Lang, w: &TimeWindows) -> String {
    let s = |ms: i64| format!("{}s", ms as f64 / 1000.0);
    if w.is_tumbling() {
        fill(t(lang, Key::StreamsTumbling), &[&s(w.size_ms), &s(w.grace_ms)])
    } else {
        fill(t(lang, Key::StreamsHopping), &[&s(w.size_ms), &s(w.advance_ms), &s(w.grace_ms)])
    }
}

/// One box of the topology picture: a topic (rounded), a processor or a store.
fn node(x: i32, y: i32, w: i32, class: &'static str, title: String, label: String) -> Html {
    html! {
        <g class={classes!("streams-node", class)}>
            <rect x={x.to_string()} y={y.to_string()} width={w.to_string()} height="38" rx={if class == "topic" { "12" } else { "3" }} />
            <text x={(x + w / 2).to_string()} y={(y + 15).to_string()} class="streams-node-kind">{ title }</text>
            <text x={(x + w / 2).to_string()} y={(y + 30).to_string()} class="streams-node-name">{ label }</text>
        </g>
    }
}

fn arrow(x1: i32, y1: i32, x2: i32, y2: i32) -> Html {
    html! {
        <line class="streams-edge" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
            marker-end="url(#streams-arrow)" />
    }
}

#[function_component(StreamsApp)]
fn streams_app(props: &StreamsAppProps) -> Html {
    let lang = props.lang;
    let app = &props.app;
    let (w, gap) = (150, 26);
    let x = |i: i32| 4 + i * (w + gap);
    let mut nodes = vec![node(x(0), 8, w, "topic", t(lang, Key::StreamsSource).into(), app.source.clone())];
    let group = match app.group_by {
        GroupBy::Key => "groupByKey()",
        GroupBy::Value => "groupBy((k, v) -> v)",
    };
    nodes.push(node(x(1), 8, w, "processor", t(lang, Key::StreamsGroupBy).into(), group.into()));
    let mut col = 2;
    if let Some(repartition) = &app.repartition_topic {
        nodes.push(node(x(2), 8, w, "topic internal", t(lang, Key::StreamsRepartition).into(), repartition.clone()));
        col = 3;
    }
    let aggregate = match app.aggregate {
        Aggregate::Count => "count()",
        Aggregate::Sum => "aggregate(sum)",
    };
    let aggregate_label = match &app.windows {
        Some(w) => format!("{aggregate} · {}", windows_text(lang, w)),
        None => aggregate.to_string(),
    };
    nodes.push(node(x(col), 8, w, "processor", t(lang, Key::StreamsAggregate).into(), aggregate_label));
    nodes.push(node(x(col + 1), 8, w, "topic", t(lang, Key::StreamsSink).into(), app.sink.clone()));
    nodes.push(node(x(col), 78, w, "store", t(lang, Key::StreamsStore).into(), app.store.clone()));
    nodes.push(node(
        x(col + 1),
        78,
        w,
        "topic internal",
        t(lang, Key::StreamsChangelog).into(),
        app.changelog_topic.clone(),
    ));
    let mut edges: Vec<Html> = (0..col + 1).map(|i| arrow(x(i) + w, 27, x(i + 1) - 2, 27)).collect();
    edges.push(arrow(x(col) + w / 2, 46, x(col) + w / 2, 76));
    edges.push(arrow(x(col) + w, 97, x(col + 1) - 2, 97));
    let width = x(col + 2);
    html! {
        <div class="streams-app" data-testid={format!("streams-app-{}", app.application_id)}>
            <h4>{ fill(t(lang, Key::StreamsApplication), &[&app.application_id]) }</h4>
            <svg class="streams-topology" viewBox={format!("0 0 {width} 124")} width={width.to_string()} height="124"
                role="img" aria-label={fill(t(lang, Key::StreamsTopologyLabel), &[&app.application_id])}>
                <defs>
                    <marker id="streams-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                        <path d="M0,0 L10,5 L0,10 z" />
                    </marker>
                </defs>
                { for edges }
                { for nodes }
            </svg>
            <div class="streams-instances">
                { for app.instances.iter().map(|i| html! {
                    <div class={classes!("streams-instance", (!i.running).then_some("crashed"))}
                        data-testid={format!("streams-instance-{}", i.name)} data-running={i.running.to_string()}>
                        <strong>{ &i.name }</strong>{ " " }
                        <span class="streams-badge">{ t(lang, if i.running { Key::StreamsRunning } else { Key::StreamsCrashed }) }</span>
                        if i.tasks.is_empty() {
                            <p class="hint">{ t(lang, Key::StreamsNoTasks) }</p>
                        }
                        { for i.tasks.iter().map(|task| task_html(lang, &i.name, task)) }
                    </div>
                }) }
            </div>
        </div>
    }
}

fn task_html(lang: Lang, instance: &str, task: &StreamsTaskView) -> Html {
    let window = |w: &Option<(i64, i64)>| w.map_or(String::new(), |(s, e)| format!("[{s},{e})"));
    let (state, progress) = match task.state {
        TaskState::Restoring { start_offset, end_offset, position } => {
            let done = (position - start_offset) as f64 / (end_offset - start_offset).max(1) as f64;
            (
                "restoring",
                html! {
                    <div class="streams-restore" data-testid="streams-restore">
                        <progress max="100" value={((done * 100.0) as i64).to_string()} />
                        { fill(t(lang, Key::StreamsRestoring), &[&task.restored.to_string(), &start_offset.to_string(), &position.to_string(), &end_offset.to_string()]) }
                    </div>
                },
            )
        }
        TaskState::Running => ("running", html! {}),
    };
    html! {
        <div class={classes!("streams-task", state)} data-testid={format!("streams-task-{instance}-{}", task.task)}
            data-state={state} data-dropped={task.dropped.to_string()}>
            <div class="streams-task-head">
                <span>{ fill(t(lang, Key::StreamsTask), &[&task.task]) }</span>
                <span class="streams-state">{ if state == "restoring" { "RESTORING" } else { "RUNNING" } }</span>
                if task.stream_time >= 0 {
                    <span>{ fill(t(lang, Key::StreamsStreamTime), &[&task.stream_time.to_string()]) }</span>
                }
                if state == "running" && task.restored > 0 {
                    <span>{ fill(t(lang, Key::StreamsRestored), &[&task.restored.to_string()]) }</span>
                }
            </div>
            { progress }
            if task.dropped > 0 {
                <p class="streams-dropped" data-testid="streams-dropped" data-count={task.dropped.to_string()}>
                    { fill(t(lang, Key::StreamsDropped), &[&task.dropped.to_string()]) }
                    if let Some((offset, timestamp, w)) = &task.last_dropped {
                        { " " }{ fill(t(lang, Key::StreamsLastDropped), &[&offset.to_string(), &timestamp.to_string(), &window(w)]) }
                    }
                </p>
            }
            if !task.entries.is_empty() {
                <table class="streams-store">
                    <thead><tr>
                        <th scope="col">{ t(lang, Key::StreamsKey) }</th>
                        <th scope="col">{ t(lang, Key::StreamsWindow) }</th>
                        <th scope="col">{ t(lang, Key::StreamsValue) }</th>
                    </tr></thead>
                    <tbody>
                        { for task.entries.iter().map(|(key, w, value)| html! {
                            <tr data-testid="streams-entry" data-key={key.clone()} data-window={window(w)} data-value={value.to_string()}>
                                <td>{ key }</td><td>{ window(w) }</td><td>{ value }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </div>
    }
}
