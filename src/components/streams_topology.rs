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
    let gap = 26;
    // A box is as wide as its longer line (names are monospace, about 7 px a character).
    let width_of =
        |title: &str, label: &str| (title.chars().count().max(label.chars().count()) as i32 * 7 + 16).max(110);
    let group = match app.group_by {
        GroupBy::Key => "groupByKey()",
        GroupBy::Value => "groupBy((k, v) -> v)",
    };
    let aggregate = match app.aggregate {
        Aggregate::Count => "count()",
        Aggregate::Sum => "aggregate(sum)",
    };
    let aggregate_label = match &app.windows {
        Some(w) => format!("{aggregate} · {}", windows_text(lang, w)),
        None => aggregate.to_string(),
    };
    // The main row: source → grouping → (repartition topic) → aggregation → sink.
    let mut row: Vec<(&'static str, String, String)> = vec![
        ("topic", t(lang, Key::StreamsSource).into(), app.source.clone()),
        ("processor", t(lang, Key::StreamsGroupBy).into(), group.into()),
    ];
    if let Some(repartition) = &app.repartition_topic {
        row.push(("topic internal", t(lang, Key::StreamsRepartition).into(), repartition.clone()));
    }
    let aggregate_at = row.len();
    row.push(("processor", t(lang, Key::StreamsAggregate).into(), aggregate_label));
    row.push(("topic", t(lang, Key::StreamsSink).into(), app.sink.clone()));
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let (mut x, mut aggregate_box) = (4, (0, 0));
    for (i, (class, title, label)) in row.into_iter().enumerate() {
        let w = width_of(&title, &label);
        if i > 0 {
            edges.push(arrow(x - gap, 27, x - 2, 27));
        }
        if i == aggregate_at {
            aggregate_box = (x, w);
        }
        nodes.push(node(x, 8, w, class, title, label));
        x += w + gap;
    }
    let mut width = x;
    // Under the aggregation: its store, and the store's changelog topic.
    let (ax, aw) = aggregate_box;
    let store_title: String = t(lang, Key::StreamsStore).into();
    let store_w = width_of(&store_title, &app.store);
    nodes.push(node(ax, 78, store_w, "store", store_title, app.store.clone()));
    edges.push(arrow(ax + aw / 2, 46, ax + aw / 2, 76));
    let changelog_title: String = t(lang, Key::StreamsChangelog).into();
    let changelog_x = ax + store_w + gap;
    let changelog_w = width_of(&changelog_title, &app.changelog_topic);
    nodes.push(node(changelog_x, 78, changelog_w, "topic internal", changelog_title, app.changelog_topic.clone()));
    edges.push(arrow(ax + store_w, 97, changelog_x - 2, 97));
    width = width.max(changelog_x + changelog_w + 4);
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
                        { for i.tasks.iter().map(|task| task_html(lang, &i.name, task, app.windows.is_some())) }
                    </div>
                }) }
            </div>
        </div>
    }
}

fn task_html(lang: Lang, instance: &str, task: &StreamsTaskView, windowed: bool) -> Html {
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
                    if let Some(d) = &task.last_dropped {
                        { " " }{ fill(t(lang, Key::StreamsLastDropped), &[&d.offset.to_string(), &d.timestamp.to_string(), &window(&Some(d.window))]) }
                    }
                </p>
            }
            if !task.entries.is_empty() {
                <table class="streams-store">
                    <thead><tr>
                        <th scope="col">{ t(lang, Key::StreamsKey) }</th>
                        if windowed {
                            <th scope="col">{ t(lang, Key::StreamsWindow) }</th>
                        }
                        <th scope="col">{ t(lang, Key::StreamsValue) }</th>
                    </tr></thead>
                    <tbody>
                        { for task.entries.iter().map(|e| html! {
                            <tr data-testid="streams-entry" data-key={e.key.clone()} data-window={window(&e.window)} data-value={e.value.to_string()}>
                                <td>{ &e.key }</td>
                                if windowed {
                                    <td>{ window(&e.window) }</td>
                                }
                                <td>{ e.value }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </div>
    }
}
