//! The SVG cluster canvas: brokers with their replica tiles, clients framed by group, cut links
//! and the messages in flight; a node's fault menu (right-click, or Enter on the focused node) and
//! drag-to-cut between two nodes.
//!
//! Frames are cheap because what moves is apart from what does not: the nodes are components
//! whose props change only when the cluster does, and the messages live in an overlay `<svg>` on
//! its own compositor layer, so moving them repaints neither the nodes nor the page.

use std::rc::Rc;

use kafkalab_engine::sim::NodeId;
use yew::prelude::*;

use super::node_events::{focus, NodeEvent};
use super::{BrokerNode, ClientNode, CutLink, Messages, NodeMenuView, RealClientNode};
use crate::cluster::{link_curve, ClientCard, ClusterModel, CutEdge, Layout, LinkState, ViewRc};
use crate::hooks::{use_menu_placement, use_pointer_down_outside, use_reduced_motion, MenuPlacement};
use crate::i18n::{counted, fill, t, Key, Lang};
use crate::menu::{self, MenuTarget};
use crate::sim::UserAction;
use crate::state::AppAction;

/// Pixels a pointer must move before a press on a node becomes a drag.
const DRAG_THRESHOLD_PX: f64 = 6.0;

/// An open menu: what it is for, and where.
#[derive(Debug, Clone, PartialEq)]
struct OpenMenu {
    target: MenuTarget,
    place: MenuPlacement,
}

/// A press on a node that may become a drag to another node.
#[derive(Debug, Clone, PartialEq)]
struct Drag {
    from: NodeId,
    start: (f64, f64),
    /// The pointer, in canvas units.
    at: Option<(i32, i32)>,
}

/// The canvas's own state: the menu and the drag (the cluster itself is the app's).
#[derive(Debug, Clone, PartialEq, Default)]
struct CanvasUi {
    menu: Option<OpenMenu>,
    cut_open: bool,
    drag: Option<Drag>,
    /// Changes on every menu opened, so that its first item takes the focus.
    opened: u32,
}

enum UiMsg {
    Open(OpenMenu),
    Close,
    ToggleCut,
    Press(Drag),
    Move((i32, i32)),
    Release,
}

impl Reducible for CanvasUi {
    type Action = UiMsg;

    fn reduce(self: Rc<Self>, msg: UiMsg) -> Rc<Self> {
        let mut next = (*self).clone();
        match msg {
            UiMsg::Open(menu) => {
                next.cut_open = false;
                next.menu = Some(menu);
                next.opened += 1;
            }
            UiMsg::Close => next.menu = None,
            UiMsg::ToggleCut => next.cut_open = !self.cut_open,
            UiMsg::Press(drag) => next.drag = Some(drag),
            UiMsg::Move(at) => match &mut next.drag {
                Some(drag) => drag.at = Some(at),
                None => return self,
            },
            UiMsg::Release => next.drag = None,
        }
        Rc::new(next)
    }
}

/// The test id of what a menu target is drawn as, to give it the focus back.
fn target_testid(target: MenuTarget) -> String {
    match target {
        MenuTarget::Node(NodeId::Broker(id)) => format!("broker-{id}"),
        MenuTarget::Node(node) => format!("node-{node}"),
        MenuTarget::Link(a, b) => format!("cut-{a}-{b}"),
    }
}

#[derive(Properties, PartialEq)]
pub struct ClusterCanvasProps {
    pub lang: Lang,
    pub view: ViewRc,
    pub vt_milli: u64,
    pub show_internal: bool,
    /// What the scenario note being explained names.
    pub highlight: Rc<Vec<String>>,
    pub on_action: Callback<AppAction>,
}

#[function_component(ClusterCanvas)]
pub fn cluster_canvas(props: &ClusterCanvasProps) -> Html {
    let lang = props.lang;
    let view = &props.view.0;
    let ui = use_reducer(CanvasUi::default);
    let wrap_ref = use_node_ref();
    let svg_ref = use_node_ref();
    let menu_ref = use_node_ref();
    let still = use_reduced_motion();
    let model = ClusterModel::from_view(view, props.show_internal);
    let layout = Rc::new(Layout::new(&model));
    let (w, h) = (layout.width, layout.height);
    let summary = counted(lang, Key::ClusterSummary, model.brokers.len() as u64);
    // A real client's connections are drawn as the client: so are their cut links.
    let drawn = |n: NodeId| menu::real_client(view, n).map_or(n, |c| c.node);
    let cut_links: Vec<(NodeId, NodeId)> = view.cut_links.iter().map(|&(a, b)| (drawn(a), drawn(b))).collect();
    let cuts = CutEdge::from_cuts(&cut_links);
    let fetch_lines = layout.fetch_lines(&model);
    let mut clients: Vec<&ClientCard> = model.producers.iter().collect();
    clients.extend(model.groups.iter().flat_map(|g| g.clients.iter()));

    // Nodes and links report here; stable, so that unchanged nodes are not drawn again.
    let place_menu = use_menu_placement(wrap_ref.clone());
    let on_node = {
        let ui = ui.dispatcher();
        use_callback(place_menu, move |event: NodeEvent, place_menu| match event {
            NodeEvent::Menu { target, at, element } => {
                if let Some(place) = place_menu.emit((at, element)) {
                    ui.dispatch(UiMsg::Open(OpenMenu { target, place }));
                }
            }
            NodeEvent::Press { node, at } => ui.dispatch(UiMsg::Press(Drag { from: node, start: at, at: None })),
        })
    };

    // The menu takes the focus when it opens; a click outside it closes it.
    {
        let menu_ref = menu_ref.clone();
        use_effect_with(ui.opened, move |_| {
            if let Some(menu) = menu_ref.cast::<web_sys::Element>() {
                focus(menu.query_selector("[role=menuitem]").ok().flatten());
            }
        });
    }
    use_pointer_down_outside(ui.menu.is_some(), menu_ref.clone(), {
        let ui = ui.dispatcher();
        Callback::from(move |()| ui.dispatch(UiMsg::Close))
    });
    let close_and_refocus = {
        let target = ui.menu.as_ref().map(|m| m.target);
        let ui = ui.dispatcher();
        let wrap = wrap_ref.clone();
        Callback::from(move |()| {
            ui.dispatch(UiMsg::Close);
            if let (Some(wrap), Some(target)) = (wrap.cast::<web_sys::Element>(), target) {
                let selector = format!("[data-testid=\"{}\"]", target_testid(target));
                focus(wrap.query_selector(&selector).ok().flatten());
            }
        })
    };

    // Dragging: the press becomes a drag past a few pixels; the release on another node cuts.
    let to_canvas =
        {
            let svg_ref = svg_ref.clone();
            let layout = layout.clone();
            move |e: &PointerEvent| -> Option<(i32, i32)> {
                let svg = svg_ref.cast::<web_sys::Element>()?;
                let r = svg.get_bounding_client_rect();
                Some(layout.to_canvas(
                    (e.client_x() as f64 - r.left(), e.client_y() as f64 - r.top()),
                    (r.width(), r.height()),
                ))
            }
        };
    let onpointermove = {
        let ui_d = ui.dispatcher();
        let drag = ui.drag.clone();
        let svg_ref = svg_ref.clone();
        let to_canvas = to_canvas.clone();
        Callback::from(move |e: PointerEvent| {
            let Some(drag) = &drag else { return };
            // A press released outside the canvas never reached our pointerup.
            if e.buttons() & 1 == 0 {
                ui_d.dispatch(UiMsg::Release);
                return;
            }
            let (dx, dy) = (e.client_x() as f64 - drag.start.0, e.client_y() as f64 - drag.start.1);
            if drag.at.is_none() && dx.hypot(dy) < DRAG_THRESHOLD_PX {
                return;
            }
            if drag.at.is_none() {
                // Captured from here on: the release is ours wherever it happens, and it does
                // not click the tile the drag started on.
                if let Some(svg) = svg_ref.cast::<web_sys::Element>() {
                    let _ = svg.set_pointer_capture(e.pointer_id());
                }
            }
            if let Some(at) = to_canvas(&e) {
                ui_d.dispatch(UiMsg::Move(at));
            }
        })
    };
    let onpointerup = {
        let ui_d = ui.dispatcher();
        let drag = ui.drag.clone();
        let layout = layout.clone();
        let on_action = props.on_action.clone();
        Callback::from(move |_: PointerEvent| {
            if let Some(Drag { from, at: Some(at), .. }) = &drag {
                if let Some(to) = layout.node_at(*at).filter(|to| to != from) {
                    on_action.emit(AppAction::Apply(UserAction::CutLink {
                        a: from.to_string(),
                        b: to.to_string(),
                        one_way: false,
                    }));
                }
            }
            if drag.is_some() {
                ui_d.dispatch(UiMsg::Release);
            }
        })
    };
    let onpointercancel = {
        let ui_d = ui.dispatcher();
        Callback::from(move |_: PointerEvent| ui_d.dispatch(UiMsg::Release))
    };
    let rubber_band = ui.drag.as_ref().and_then(|drag| {
        let at = drag.at?;
        let from = *layout.centres.get(&drag.from)?;
        let over = layout.node_at(at).filter(|n| *n != drag.from);
        Some(html! {
            <g class="rubber-band" data-testid="drag-line">
                if let Some((x, y, bw, bh)) = over.and_then(|n| layout.boxes.get(&n).copied()) {
                    <rect class="drop-target" x={(x - 4).to_string()} y={(y - 4).to_string()}
                        width={(bw + 8).to_string()} height={(bh + 8).to_string()} rx="14" />
                }
                <line x1={from.0.to_string()} y1={from.1.to_string()} x2={at.0.to_string()} y2={at.1.to_string()} />
                <text class="drag-scissors" x={(at.0 + 12).to_string()} y={(at.1 - 10).to_string()}>{ "✂" }</text>
                if over.is_some() {
                    // Towards the middle of the canvas, so that it is never cut off.
                    <text class="drag-hint" x={(if at.0 > w / 2 { at.0 - 8 } else { at.0 + 36 }).to_string()} y={(at.1 - 30).to_string()}
                        text-anchor={if at.0 > w / 2 { "end" } else { "start" }}>{ t(lang, Key::DragCutHint) }</text>
                }
            </g>
        })
    });

    let menu_html = ui.menu.as_ref().and_then(|open| {
        let built = menu::build(lang, view, open.target)?;
        Some(html! {
            <NodeMenuView {lang} menu={Rc::new(built)} x={open.place.x} y={open.place.y} up={open.place.up} max_h={open.place.max_h} cut_open={ui.cut_open}
                node_ref={menu_ref.clone()} on_user={{
                    let on_action = props.on_action.clone();
                    let close = close_and_refocus.clone();
                    Callback::from(move |u: UserAction| {
                        on_action.emit(AppAction::Apply(u));
                        close.emit(());
                    })
                }}
                on_close={close_and_refocus.clone()}
                on_toggle_cut={{
                    let ui = ui.dispatcher();
                    Callback::from(move |()| ui.dispatch(UiMsg::ToggleCut))
                }} />
        })
    });

    html! {
        <section class="cluster" aria-labelledby="cluster-heading">
            <div class="cluster-bar">
                <h2 id="cluster-heading">
                    { t(lang, Key::ClusterHeading) }
                    <span class="cluster-summary">{ summary }</span>
                </h2>
                if model.summarised { <span class="hint" data-testid="summarised-notice">{ t(lang, Key::Summarised) }</span> }
            </div>
            <p class="hint canvas-hint">{ t(lang, Key::CanvasHint) }</p>
            <div class="canvas-wrap" ref={wrap_ref.clone()}>
                <svg class={classes!("canvas", ui.drag.as_ref().is_some_and(|d| d.at.is_some()).then_some("dragging"))}
                    ref={svg_ref.clone()} viewBox={format!("0 0 {w} {h}")} role="group" aria-labelledby="canvas-title"
                    preserveAspectRatio="xMidYMin meet" {onpointermove} {onpointerup} {onpointercancel}>
                    <title id="canvas-title">{ t(lang, Key::CanvasTitle) }</title>
                    <defs>
                        <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                            <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
                        </pattern>
                    </defs>
                    <g class="cut-lines" aria-hidden="true">
                        { for cuts.iter().filter_map(|edge| {
                            let (p, q) = (*layout.centres.get(&edge.a)?, *layout.centres.get(&edge.b)?);
                            let (c, _) = link_curve(p, q, layout.link_bow());
                            Some(html! { <path d={format!("M{} {} Q{} {} {} {}", p.0, p.1, c.0, c.1, q.0, q.1)} /> })
                        }) }
                    </g>
                    { for model.groups.iter().zip(layout.group_frames.iter()).map(|(g, (x, y, fw))| html! {
                        <g class="group-frame" transform={format!("translate({x} {y})")}>
                            <rect x="0" y="0" width={fw.to_string()} height={(Layout::CLIENT_H + 34).to_string()} rx="10" />
                            <text x="10" y="17">{ fill(t(lang, Key::GroupFrame), &[&g.group]) }</text>
                        </g>
                    }) }
                    if let Some((x, y, fw)) = layout.real_frame {
                        <g class="group-frame real-frame" transform={format!("translate({x} {y})")}>
                            <rect x="0" y="0" width={fw.to_string()} height={(Layout::CLIENT_H + 34).to_string()} rx="10" />
                            <text x="10" y="17">{ t(lang, Key::RealClientsFrame) }</text>
                        </g>
                    }
                    <g class="real-conns">
                        { for model.real_clients.iter().zip(layout.real_pos.iter()).flat_map(|(c, (x, y))| {
                            let links = c.links.iter().enumerate().filter_map(|(i, link)| {
                                let &(bx, by, bw, bh) = layout.boxes.get(&NodeId::Broker(link.broker))?;
                                // Side by side along the client's top, to the broker's bottom.
                                let from_x = x + 16 + (i as i32 * 24) % (Layout::CLIENT_W - 24);
                                let to_x = bx + bw / 2 + (i as i32 - 1) * 10;
                                let title = fill(t(lang, match link.state {
                                    LinkState::Open => Key::RealLinkOpen,
                                    LinkState::Stalled => Key::RealLinkStalled,
                                    LinkState::Closed => Key::RealLinkClosed,
                                }), &[&c.client_id, &link.broker.to_string(), &link.count.to_string(), &link.waiting.to_string()]);
                                Some(html! {
                                    <line class={classes!("real-conn", format!("real-conn-{}", link.state.as_str()))}
                                        data-testid={format!("real-conn-{}-{}", c.client_id, link.broker)} data-state={link.state.as_str()}
                                        data-count={link.count.to_string()} data-waiting={link.waiting.to_string()}
                                        x1={from_x.to_string()} y1={y.to_string()} x2={to_x.to_string()} y2={(by + bh).to_string()}>
                                        <title>{ title }</title>
                                    </line>
                                })
                            }).collect::<Vec<Html>>();
                            links
                        }) }
                    </g>
                    <g class="fetch-paths">
                        { for fetch_lines.iter().map(|line| {
                            let p = &line.path;
                            let target = t(lang, if p.follower { Key::FetchPathFollower } else { Key::FetchPathLeader });
                            let title = fill(t(lang, Key::FetchPathTitle), &[&line.consumer, &format!("{}-{}", p.topic, p.partition), &p.broker.to_string()]);
                            html! {
                                <line class={classes!("fetch-path", p.follower.then_some("fetch-path-follower"))}
                                    data-testid={format!("fetch-path-{}-{}-{}", line.consumer, p.topic, p.partition)}
                                    data-broker={p.broker.to_string()} data-follower={p.follower.to_string()}
                                    x1={line.from.0.to_string()} y1={line.from.1.to_string()} x2={line.to.0.to_string()} y2={line.to.1.to_string()}>
                                    <title>{ format!("{title}: {target}") }</title>
                                </line>
                            }
                        }) }
                    </g>
                    { for model.brokers.iter().enumerate().map(|(i, broker)| {
                        let (x, y) = layout.broker(i);
                        html! { <BrokerNode key={broker.id} {lang} broker={broker.clone()} {x} {y} h={layout.broker_h}
                            summarised={model.summarised} grid={layout.grid} highlight={props.highlight.clone()} on_action={props.on_action.clone()} on_node={on_node.clone()} /> }
                    }) }
                    { for clients.iter().zip(layout.client_pos.iter()).map(|(c, (x, y))| html! {
                        <ClientNode key={c.node.to_string()} {lang} client={(*c).clone()} x={*x} y={*y}
                            highlighted={props.highlight.contains(&c.label)} on_node={on_node.clone()} />
                    }) }
                    { for model.real_clients.iter().zip(layout.real_pos.iter()).map(|(c, (x, y))| html! {
                        <RealClientNode key={format!("real-{}-{}", c.client_id, c.host)} {lang} client={c.clone()} x={*x} y={*y} on_node={on_node.clone()} />
                    }) }
                    { for cuts.iter().filter_map(|edge| {
                        let (p, q) = (*layout.centres.get(&edge.a)?, *layout.centres.get(&edge.b)?);
                        let (_, mid) = link_curve(p, q, layout.link_bow());
                        Some(html! { <CutLink key={format!("{}-{}", edge.a, edge.b)} {lang} edge={*edge}
                            names={(menu::node_name(lang, view, edge.a), menu::node_name(lang, view, edge.b))}
                            {p} {q} {mid} on_action={props.on_action.clone()} on_node={on_node.clone()} /> })
                    }) }
                </svg>
                <svg class="canvas-overlay" viewBox={format!("0 0 {w} {h}")} preserveAspectRatio="xMidYMin meet" aria-hidden="true">
                    <Messages view={props.view.clone()} layout={layout.clone()} vt_milli={props.vt_milli} {still} />
                    { rubber_band.unwrap_or_default() }
                </svg>
                { menu_html.unwrap_or_default() }
            </div>
            <ul class="legend">
                <li><span class="legend-swatch swatch-controller" aria-hidden="true"></span>{ t(lang, Key::LegendController) }</li>
                <li><span class="legend-swatch swatch-alive" aria-hidden="true"></span>{ t(lang, Key::LegendAlive) }</li>
                <li><span class="legend-swatch swatch-dead" aria-hidden="true"></span>{ t(lang, Key::LegendDead) }</li>
                <li><span class="legend-topic" aria-hidden="true">{ t(lang, Key::LegendTopicName) }</span><span class="legend-tile" aria-hidden="true">{ "F 0" }</span>{ t(lang, Key::LegendTopic) }</li>
                <li><span class="legend-tile tile-leader" aria-hidden="true">{ "L" }</span>{ t(lang, Key::LegendLeader) }</li>
                <li><span class="legend-tile" aria-hidden="true">{ "F" }</span>{ t(lang, Key::LegendFollower) }</li>
                <li><span class="legend-tile tile-out" aria-hidden="true">{ "✕" }</span>{ t(lang, Key::LegendOutOfIsr) }</li>
                <li><span class="legend-tile tile-out tile-elr" aria-hidden="true">{ "E" }</span>{ t(lang, Key::LegendElr) }</li>
                <li><span class="legend-tile tile-stale" aria-hidden="true">{ "L" }</span>{ t(lang, Key::LegendStale) }</li>
                <li data-testid="legend-adding"><span class="legend-tile tile-adding" aria-hidden="true">{ "+" }</span>{ t(lang, Key::LegendAdding) }</li>
                <li data-testid="legend-removing"><span class="legend-tile tile-removing" aria-hidden="true">{ "−" }</span>{ t(lang, Key::LegendRemoving) }</li>
                if !fetch_lines.is_empty() {
                    <li><span class="legend-fetch" aria-hidden="true">{ "— R" }</span>{ t(lang, Key::LegendFetchPath) }</li>
                }
                if !model.real_clients.is_empty() {
                    <li><span class="legend-real" aria-hidden="true">{ "⚡ —" }</span>{ t(lang, Key::LegendRealConn) }</li>
                }
                <li><span class="legend-cut" aria-hidden="true">{ "✂" }</span>{ t(lang, Key::LegendCut) }</li>
                <li><span class="legend-msg" aria-hidden="true">{ "■ ● ◆ ▲" }</span>{ t(lang, if still { Key::LegendStill } else { Key::LegendMessage }) }</li>
            </ul>
        </section>
    }
}
