//! The SVG cluster canvas: brokers with their replica tiles, clients framed by group, cut links
//! and the messages in flight; a node's fault menu (right-click, or Enter on the focused node) and
//! drag-to-cut between two nodes.
//!
//! Frames are cheap because what moves is apart from what does not: the nodes are components
//! whose props change only when the cluster does, and the messages live in an overlay `<svg>` on
//! its own compositor layer, so moving them repaints neither the nodes nor the page.

use std::rc::Rc;

use kafkalab_engine::sim::NodeId;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::app::AppAction;
use crate::cluster::{
    interpolate, link_curve, midpoint, BrokerCard, ClientCard, ClusterModel, CutEdge, Layout, MsgKind, NodeState,
    Stale, TileGrid, TilePlaces, ViewRc,
};
use crate::i18n::{counted, fill, t, Key, Lang};
use crate::menu::{self, MenuItem, MenuTarget};
use crate::sim::UserAction;

/// Pixels a pointer must move before a press on a node becomes a drag.
const DRAG_THRESHOLD_PX: f64 = 6.0;
/// The menu's width in pixels (styles/main.css), to keep it inside the canvas.
const MENU_W: f64 = 300.0;
/// Below this much room under the pointer, the menu opens upwards (if there is more room above).
const MENU_MIN_H: f64 = 320.0;

/// An open menu: what it is for, and where (pixels from the canvas's top-left corner).
#[derive(Debug, Clone, PartialEq)]
struct OpenMenu {
    target: MenuTarget,
    x: i32,
    /// From the top, or (`up`) from the canvas's bottom edge up, when there is more room above.
    y: i32,
    up: bool,
    /// Room in the window, so that the menu scrolls inside instead of running off it.
    max_h: i32,
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

/// What a node or a cut link asks of the canvas.
#[derive(Clone)]
pub enum NodeEvent {
    /// Open the menu; `at` is the pointer (client pixels), or None to open it by the element.
    Menu { target: MenuTarget, at: Option<(f64, f64)>, element: Option<web_sys::Element> },
    /// The primary button went down on a node (client pixels).
    Press { node: NodeId, at: (f64, f64) },
}

/// The test id of what a menu target is drawn as, to give it the focus back.
fn target_testid(target: MenuTarget) -> String {
    match target {
        MenuTarget::Node(NodeId::Broker(id)) => format!("broker-{id}"),
        MenuTarget::Node(node) => format!("node-{node}"),
        MenuTarget::Link(a, b) => format!("cut-{a}-{b}"),
    }
}

fn focus(element: Option<web_sys::Element>) {
    let Some(element) = element else { return };
    if let Some(e) = element.dyn_ref::<web_sys::HtmlElement>() {
        let _ = e.focus();
    } else if let Some(e) = element.dyn_ref::<web_sys::SvgElement>() {
        let _ = e.focus();
    }
}

/// Whether a key press asks for a context menu: Enter, the menu key, or Shift+F10.
fn opens_menu(e: &KeyboardEvent) -> bool {
    matches!(e.key().as_str(), "Enter" | "ContextMenu") || (e.key() == "F10" && e.shift_key())
}

/// Opens `target`'s menu at the element, for a key press that asks for it.
fn open_menu_by_key(e: &KeyboardEvent, on_node: &Callback<NodeEvent>, target: MenuTarget, node_ref: &NodeRef) {
    e.prevent_default();
    e.stop_propagation();
    on_node.emit(NodeEvent::Menu { target, at: None, element: node_ref.cast() });
}

/// Opens `target`'s menu at the pointer, on right-click.
fn open_menu_on_right_click(on_node: &Callback<NodeEvent>, target: MenuTarget) -> Callback<MouseEvent> {
    on_node.reform(move |e: MouseEvent| {
        e.prevent_default();
        NodeEvent::Menu { target, at: Some((e.client_x() as f64, e.client_y() as f64)), element: None }
    })
}

/// Whether the user asked the system for reduced motion, following changes while mounted.
#[hook]
fn use_reduced_motion() -> bool {
    const QUERY: &str = "(prefers-reduced-motion: reduce)";
    let query = || web_sys::window().and_then(|w| w.match_media(QUERY).ok().flatten());
    let reduced = use_state(|| query().is_some_and(|q| q.matches()));
    {
        let reduced = reduced.clone();
        use_effect_with((), move |_| {
            let list = query();
            let listener = Closure::<dyn Fn()>::new(move || {
                reduced.set(query().is_some_and(|q| q.matches()));
            });
            if let Some(list) = &list {
                let _ = list.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(list) = list {
                    let _ = list.remove_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    *reduced
}

#[derive(Properties, PartialEq)]
pub struct ClusterCanvasProps {
    pub lang: Lang,
    pub view: ViewRc,
    pub vt_milli: u64,
    pub show_internal: bool,
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
    let cuts = CutEdge::from_cuts(&view.cut_links);
    let mut clients: Vec<&ClientCard> = model.producers.iter().collect();
    clients.extend(model.groups.iter().flat_map(|g| g.clients.iter()));

    // Nodes and links report here; stable, so that unchanged nodes are not drawn again.
    let on_node = {
        let ui = ui.dispatcher();
        let wrap = wrap_ref.clone();
        use_callback((), move |event: NodeEvent, _| match event {
            NodeEvent::Menu { target, at, element } => {
                let Some(wrap) = wrap.cast::<web_sys::Element>() else {
                    return;
                };
                let frame = wrap.get_bounding_client_rect();
                let (cx, cy) = match (at, element) {
                    (Some(at), _) => at,
                    (None, Some(element)) => {
                        let r = element.get_bounding_client_rect();
                        (r.left() + 16.0, r.top() + r.height().min(60.0))
                    }
                    (None, None) => (frame.left(), frame.top()),
                };
                let x = (cx - frame.left()).clamp(0.0, (frame.width() - MENU_W).max(0.0));
                let window_h =
                    web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64()).unwrap_or(800.0);
                let (below, above) = (window_h - cy - 8.0, cy - 8.0);
                let up = below < MENU_MIN_H && above > below;
                let (y, max_h) = if up { (frame.bottom() - cy, above) } else { ((cy - frame.top()).max(0.0), below) };
                ui.dispatch(UiMsg::Open(OpenMenu {
                    target,
                    x: x as i32,
                    y: y as i32,
                    up,
                    max_h: max_h.max(MENU_MIN_H / 2.0) as i32,
                }));
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
    {
        let menu_ref = menu_ref.clone();
        let ui_d = ui.dispatcher();
        use_effect_with(ui.menu.is_some(), move |open| {
            let doc = web_sys::window().and_then(|w| w.document());
            let listener = open.then(|| {
                Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
                    let target = e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                    let inside = menu_ref.cast::<web_sys::Node>().is_some_and(|menu| menu.contains(target.as_ref()));
                    if !inside {
                        ui_d.dispatch(UiMsg::Close);
                    }
                })
            });
            if let (Some(doc), Some(l)) = (&doc, &listener) {
                let _ = doc.add_event_listener_with_callback("pointerdown", l.as_ref().unchecked_ref());
            }
            move || {
                if let (Some(doc), Some(l)) = (doc, listener) {
                    let _ = doc.remove_event_listener_with_callback("pointerdown", l.as_ref().unchecked_ref());
                }
            }
        });
    }
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
            <NodeMenuView {lang} menu={Rc::new(built)} x={open.x} y={open.y} up={open.up} max_h={open.max_h} cut_open={ui.cut_open}
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
                    { for model.brokers.iter().enumerate().map(|(i, broker)| {
                        let (x, y) = layout.broker(i);
                        html! { <BrokerNode key={broker.id} {lang} broker={broker.clone()} {x} {y} h={layout.broker_h}
                            summarised={model.summarised} grid={layout.grid} on_action={props.on_action.clone()} on_node={on_node.clone()} /> }
                    }) }
                    { for clients.iter().zip(layout.client_pos.iter()).map(|(c, (x, y))| html! {
                        <ClientNode key={c.node.to_string()} {lang} client={(*c).clone()} x={*x} y={*y} on_node={on_node.clone()} />
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
                <li><span class="legend-tile tile-stale" aria-hidden="true">{ "L" }</span>{ t(lang, Key::LegendStale) }</li>
                <li><span class="legend-cut" aria-hidden="true">{ "✂" }</span>{ t(lang, Key::LegendCut) }</li>
                <li><span class="legend-msg" aria-hidden="true">{ "■ ● ◆ ▲" }</span>{ t(lang, if still { Key::LegendStill } else { Key::LegendMessage }) }</li>
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct NodeMenuProps {
    lang: Lang,
    menu: Rc<menu::NodeMenu>,
    x: i32,
    y: i32,
    up: bool,
    max_h: i32,
    cut_open: bool,
    node_ref: NodeRef,
    on_user: Callback<UserAction>,
    on_close: Callback<()>,
    on_toggle_cut: Callback<()>,
}

/// The menu: buttons (role menuitem) that arrow keys move between; Escape closes it.
#[function_component(NodeMenuView)]
fn node_menu_view(props: &NodeMenuProps) -> Html {
    let lang = props.lang;
    let menu = &props.menu;
    let onkeydown = {
        let node_ref = props.node_ref.clone();
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            if key == "Escape" {
                e.prevent_default();
                e.stop_propagation();
                on_close.emit(());
                return;
            }
            let step: fn(usize, usize) -> usize = match key.as_str() {
                "ArrowDown" | "ArrowRight" => |at, n| (at + 1) % n,
                "ArrowUp" | "ArrowLeft" => |at, n| (at + n - 1) % n,
                "Home" => |_, _| 0,
                "End" => |_, n| n - 1,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            let Some(list) =
                node_ref.cast::<web_sys::Element>().and_then(|m| m.query_selector_all("[role=menuitem]").ok())
            else {
                return;
            };
            let items: Vec<web_sys::Element> =
                (0..list.length()).filter_map(|i| list.item(i)?.dyn_into().ok()).collect();
            if items.is_empty() {
                return;
            }
            let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
            // From nowhere, Down goes to the first item and Up to the last.
            let at = items.iter().position(|i| Some(i) == active.as_ref()).unwrap_or(items.len() - 1);
            focus(items.get(step(at, items.len())).cloned());
        })
    };
    let button = |item: &MenuItem, class: &'static str| {
        let action = item.action.clone();
        html! {
            <button type="button" role="menuitem" class={classes!(class, item.danger.then_some("danger"))}
                data-testid={item.testid.clone()} aria-label={item.aria.clone()} title={item.aria.clone()}
                onclick={props.on_user.reform(move |_: MouseEvent| action.clone())}>
                { item.text.clone() }
            </button>
        }
    };
    html! {
        <div class="node-menu" role="menu" data-testid="node-menu" ref={props.node_ref.clone()}
            aria-label={fill(t(lang, Key::NodeMenuLabel), &[&menu.title])}
            style={format!("left: {}px; {}: {}px; max-height: {}px", props.x, if props.up { "bottom" } else { "top" }, props.y, props.max_h)}
            {onkeydown}>
            <div class="menu-head">
                <span class="menu-title">{ menu.title.clone() }</span>
                <button type="button" class="menu-close" data-testid="menu-close" aria-label={t(lang, Key::MenuClose)}
                    title={t(lang, Key::MenuClose)} onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "×" }</button>
            </div>
            { for menu.items.iter().map(|item| button(item, "menu-item")) }
            if !menu.cut.is_empty() {
                <button type="button" role="menuitem" class="menu-item menu-sub" data-testid="menu-cut-links"
                    aria-expanded={props.cut_open.to_string()} onclick={props.on_toggle_cut.reform(|_: MouseEvent| ())}>
                    { "✂ " }{ t(lang, Key::CutLinksTo) }<span aria-hidden="true">{ if props.cut_open { " ▾" } else { " ▸" } }</span>
                </button>
                if props.cut_open {
                    <div class="menu-peers" role="group" aria-label={t(lang, Key::CutLinksTo)}>
                        <div class="menu-section">{ fill(t(lang, Key::CutDirHint), &[&menu.title]) }</div>
                        { for menu.cut.iter().map(|row| html! {
                            <div class="menu-peer">
                                <span class="peer-name">{ row.name.clone() }</span>
                                { for row.items.iter().map(|item| button(item, "menu-dir")) }
                            </div>
                        }) }
                    </div>
                }
            }
            if !menu.heal.is_empty() {
                <div class="menu-heal" role="group" aria-label={t(lang, Key::HealLinksHeading)}>
                    <div class="menu-section">{ t(lang, Key::HealLinksHeading) }</div>
                    { for menu.heal.iter().map(|item| button(item, "menu-item")) }
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct BrokerNodeProps {
    pub lang: Lang,
    pub broker: BrokerCard,
    pub x: i32,
    pub y: i32,
    pub h: i32,
    pub summarised: bool,
    pub grid: TileGrid,
    pub on_action: Callback<AppAction>,
    pub on_node: Callback<NodeEvent>,
}

/// The handlers that make a node focusable, open its menu and start a drag.
fn node_handlers(
    node: NodeId,
    node_ref: &NodeRef,
    on_node: &Callback<NodeEvent>,
) -> (Callback<MouseEvent>, Callback<KeyboardEvent>, Callback<PointerEvent>) {
    let target = MenuTarget::Node(node);
    let oncontextmenu = open_menu_on_right_click(on_node, target);
    let onkeydown = {
        let (on_node, node_ref) = (on_node.clone(), node_ref.clone());
        Callback::from(move |e: KeyboardEvent| {
            if opens_menu(&e) {
                open_menu_by_key(&e, &on_node, target, &node_ref);
            }
        })
    };
    let onpointerdown = {
        let on_node = on_node.clone();
        Callback::from(move |e: PointerEvent| {
            if e.button() == 0 && e.is_primary() {
                on_node.emit(NodeEvent::Press { node, at: (e.client_x() as f64, e.client_y() as f64) });
            }
        })
    };
    (oncontextmenu, onkeydown, onpointerdown)
}

/// A broker: a labelled box with its state (text and border style) and its replica tiles.
#[function_component(BrokerNode)]
pub fn broker_node(props: &BrokerNodeProps) -> Html {
    let BrokerNodeProps { lang, broker, x, y, h, .. } = props;
    let lang = *lang;
    let node_ref = use_node_ref();
    let (w, h) = (Layout::NODE_W, *h);
    let state_key = match broker.state {
        NodeState::Alive => Key::StateAlive,
        NodeState::Fenced => Key::StateFenced,
        NodeState::Dead => Key::StateDead,
    };
    let name = fill(t(lang, Key::BrokerName), &[&broker.id.to_string()]);
    let class = classes!(
        "broker",
        "node",
        format!("broker-{}", broker.state.as_str()),
        broker.is_controller.then_some("broker-controller"),
        broker.stale.is_some().then_some("broker-stale")
    );
    let leaders = broker.tiles.iter().filter(|t| t.leader).count();
    let out = broker.tiles.iter().filter(|t| !t.in_isr).count();
    let grid = props.grid;
    let places = if props.summarised { TilePlaces::default() } else { grid.place(&broker.tiles) };
    let stale = broker.stale.map(|s| match s {
        Stale::NotFenced => ("not-fenced", t(lang, Key::StaleNotFenced)),
        Stale::Fenced => ("fenced", t(lang, Key::StaleFenced)),
    });
    let mut state_text = t(lang, state_key).to_string();
    if broker.is_controller {
        state_text = format!("{state_text}, {}", t(lang, Key::ControllerBadge));
    }
    if let Some((_, label)) = stale {
        state_text = format!("{state_text}, {label}");
    }
    let (oncontextmenu, onkeydown, onpointerdown) = node_handlers(NodeId::Broker(broker.id), &node_ref, &props.on_node);
    html! {
        <g {class} ref={node_ref}
            data-testid={format!("broker-{}", broker.id)}
            data-state={broker.state.as_str()}
            data-controller={broker.is_controller.to_string()}
            tabindex="0" role="button" aria-haspopup="menu"
            aria-label={fill(t(lang, Key::NodeAria), &[&name, &state_text])}
            transform={format!("translate({x} {y})")} {oncontextmenu} {onkeydown} {onpointerdown}>
            <rect class="broker-box" x="0" y="0" width={w.to_string()} height={h.to_string()} rx="12" />
            if broker.is_controller {
                <rect class="broker-box-inner" x="5" y="5" width={(w - 10).to_string()} height={(h - 10).to_string()} rx="9" />
                <g class="controller-badge" transform={format!("translate({} -16)", w / 2)}>
                    <rect x="-72" y="0" width="144" height="28" rx="14" />
                    <text x="0" y="19" text-anchor="middle">{ t(lang, Key::ControllerBadge) }</text>
                </g>
            }
            <g class="server-icon" transform="translate(18 22)">
                <rect x="0" y="0" width="30" height="11" rx="2" />
                <rect x="0" y="15" width="30" height="11" rx="2" />
                <rect x="0" y="30" width="30" height="11" rx="2" />
            </g>
            <text class="broker-name" x="60" y="40">{ name }</text>
            <g class="broker-state" transform="translate(60 64)">
                <circle class="state-dot" cx="6" cy="-5" r="6" />
                <text x="18" y="0">{ t(lang, state_key) }</text>
                if broker.slow_ms > 0 {
                    <text class="slow-mark" x={(w - 72).to_string()} y="0" text-anchor="end">{ fill(t(lang, Key::SlowMark), &[&broker.slow_ms.to_string()]) }</text>
                }
            </g>
            if props.summarised {
                <text class="tile-summary" x="14" y={(Layout::HEAD_H + 16).to_string()} data-testid={format!("summary-{}", broker.id)}>
                    <tspan>{ fill(t(lang, Key::SummaryRoles), &[&leaders.to_string(), &(broker.tiles.len() - leaders).to_string()]) }</tspan>
                    <tspan x="14" dy="22">{ fill(t(lang, Key::SummaryOutOfIsr), &[&out.to_string()]) }</tspan>
                </text>
            } else {
                <g class={classes!("tiles", grid.compact.then_some("tiles-compact"))}>
                    { for places.labels.iter().map(|l| html! {
                        <text class="tile-topic" x={l.x.to_string()} y={(l.y + grid.h / 2 + 4).to_string()} aria-hidden="true">{ &l.text }</text>
                    }) }
                    { for broker.tiles.iter().zip(&places.tiles).map(|(tile, &(tx, ty))| {
                        let role = if tile.leader { "leader" } else { "follower" };
                        let mut label = format!("{}-{} {}{}", tile.topic, tile.partition,
                            t(lang, if tile.leader { Key::Leader } else { Key::Follower }),
                            if tile.in_isr { String::new() } else { format!(", {}", t(lang, Key::OutOfIsr)) });
                        if stale.is_some() {
                            label = format!("{label} ({})", t(lang, Key::StaleTile));
                        }
                        let topic = tile.topic.clone();
                        let partition = tile.partition;
                        let onclick = props.on_action.reform(move |_: MouseEvent| AppAction::Inspect(Some((topic.clone(), partition))));
                        let mark = if tile.leader { "L" } else if tile.in_isr { "F" } else { "✕" };
                        let (w, h) = (grid.w.to_string(), grid.h.to_string());
                        html! {
                            <g class={classes!("tile", tile.leader.then_some("tile-leader"), (!tile.in_isr).then_some("tile-out"), stale.is_some().then_some("tile-stale"))}
                                data-testid={format!("replica-{}-{}-{}", tile.topic, tile.partition, broker.id)}
                                data-role={role} data-in-isr={tile.in_isr.to_string()} data-stale={stale.is_some().to_string()}
                                transform={format!("translate({tx} {ty})")} {onclick}>
                                <title>{ label }</title>
                                <rect width={w.clone()} height={h.clone()} rx="4" />
                                if !tile.in_isr {
                                    <rect class="tile-hatch" width={w} height={h} rx="4" />
                                }
                                <text x={(grid.w / 2).to_string()} y={(grid.h / 2 + 4).to_string()} text-anchor="middle">
                                    { if grid.compact { format!("{mark}{partition}") } else { format!("{mark} {partition}") } }
                                </text>
                            </g>
                        }
                    }) }
                </g>
            }
            if let Some((kind, label)) = stale {
                <g class="stale-label" data-testid={format!("stale-{}", broker.id)} data-stale={kind}
                    transform={format!("translate({} {h})", w / 2)}>
                    <rect x="-118" y="-11" width="236" height="22" rx="11" />
                    <text x="0" y="5" text-anchor="middle">{ label }</text>
                </g>
            }
        </g>
    }
}

#[derive(Properties, PartialEq)]
pub struct ClientNodeProps {
    pub lang: Lang,
    pub client: ClientCard,
    pub x: i32,
    pub y: i32,
    pub on_node: Callback<NodeEvent>,
}

#[function_component(ClientNode)]
pub fn client_node(props: &ClientNodeProps) -> Html {
    let c = &props.client;
    let node_ref = use_node_ref();
    let class = classes!(
        "client",
        "node",
        if c.producer { "client-producer" } else { "client-consumer" },
        (!c.running).then_some("client-stopped")
    );
    let kind = t(props.lang, if c.producer { Key::ProducerKind } else { Key::ConsumerKind });
    let state = if c.running { kind.to_string() } else { format!("{kind}, {}", t(props.lang, Key::ConsumerStopped)) };
    let (oncontextmenu, onkeydown, onpointerdown) = node_handlers(c.node, &node_ref, &props.on_node);
    html! {
        <g {class} ref={node_ref} data-testid={format!("node-{}", c.node)} transform={format!("translate({} {})", props.x, props.y)}
            tabindex="0" role="button" aria-haspopup="menu"
            aria-label={fill(t(props.lang, Key::NodeAria), &[&c.label, &state])}
            {oncontextmenu} {onkeydown} {onpointerdown}>
            <rect width={Layout::CLIENT_W.to_string()} height={Layout::CLIENT_H.to_string()} rx={if c.producer { "4" } else { "22" }} />
            // The stopped mark replaces the kind on the short first line: beside the kind or a long
            // name it ran out of the box (the group's frame already says these are consumers).
            <text x="10" y="19" class="client-kind">{ if c.producer { "⇪ " } else { "⇩ " } }
                if c.running { { kind } } else { { "✕ " }{ t(props.lang, Key::ConsumerStopped) } }
            </text>
            <text x="10" y="37" class="client-name">{ c.label.chars().take(14).collect::<String>() }</text>
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct CutLinkProps {
    lang: Lang,
    edge: CutEdge,
    names: (String, String),
    p: (i32, i32),
    q: (i32, i32),
    /// The middle of the drawn curve.
    mid: (i32, i32),
    on_action: Callback<AppAction>,
    on_node: Callback<NodeEvent>,
}

/// A cut link's scissors, at the middle of its dashed curve (drawn beneath the nodes), with an
/// arrow when only one way is cut. Clicking or Enter heals it; right-click opens its menu.
#[function_component(CutLink)]
fn cut_link(props: &CutLinkProps) -> Html {
    let CutLinkProps { edge, p, q, .. } = props;
    let (p, q) = (*p, *q);
    let node_ref = use_node_ref();
    let (an, bn) = (&props.names.0, &props.names.1);
    let one_way = (!edge.both()).then_some(if edge.a_to_b { (p, q, an, bn) } else { (q, p, bn, an) });
    let (dir, aria) = match one_way {
        None => ("both".to_string(), fill(t(props.lang, Key::LinkAria), &[an, bn])),
        Some((_, _, from, to)) => (
            if edge.a_to_b { format!("{}->{}", edge.a, edge.b) } else { format!("{}->{}", edge.b, edge.a) },
            fill(t(props.lang, Key::LinkOneWayAria), &[from, to]),
        ),
    };
    let (mx, my) = props.mid;
    let heal = UserAction::HealLink { a: edge.a.to_string(), b: edge.b.to_string() };
    let onclick = {
        let heal = heal.clone();
        props.on_action.reform(move |_: MouseEvent| AppAction::Apply(heal.clone()))
    };
    let target = MenuTarget::Link(edge.a, edge.b);
    let onkeydown = {
        let (on_node, on_action, node_ref) = (props.on_node.clone(), props.on_action.clone(), node_ref.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                on_action.emit(AppAction::Apply(heal.clone()));
            } else if opens_menu(&e) {
                open_menu_by_key(&e, &on_node, target, &node_ref);
            }
        })
    };
    let oncontextmenu = open_menu_on_right_click(&props.on_node, target);
    // One way: an arrowhead past the scissors, pointing the way messages can no longer go.
    let arrow = one_way.map(|(from, to, ..)| {
        let (dx, dy) = ((to.0 - from.0) as f64, (to.1 - from.1) as f64);
        let len = dx.hypot(dy).max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let at = |along: f64, across: f64| {
            let x = mx as f64 + ux * along - uy * across;
            let y = my as f64 + uy * along + ux * across;
            format!("{} {}", x.round() as i32, y.round() as i32)
        };
        format!("M{} L{} L{} Z", at(34.0, 0.0), at(18.0, -8.0), at(18.0, 8.0))
    });
    html! {
        <g class={classes!("cut-link", one_way.is_some().then_some("cut-oneway"))} ref={node_ref}
            data-testid={format!("cut-{}-{}", edge.a, edge.b)} data-dir={dir}
            tabindex="0" role="button" aria-haspopup="menu" aria-label={aria.clone()}
            {onclick} {onkeydown} {oncontextmenu}>
            <title>{ aria }</title>
            <circle class="cut-knot" cx={mx.to_string()} cy={my.to_string()} r="14" />
            <text x={mx.to_string()} y={(my + 7).to_string()} text-anchor="middle">{ "✂" }</text>
            if let Some(d) = arrow { <path class="cut-arrow" {d} /> }
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct MessagesProps {
    view: ViewRc,
    layout: Rc<Layout>,
    vt_milli: u64,
    still: bool,
}

/// The messages in flight: moving between send and arrival, or, with reduced motion, still at
/// the middle of their link. Every shape is a `<path>` and the list is not keyed, so that a
/// frame rewrites the paths in place: at 10x most messages live a frame or two, and creating and
/// removing their elements cost more than moving them.
#[function_component(Messages)]
fn messages(props: &MessagesProps) -> Html {
    let centres = &props.layout.centres;
    html! {
        <g class={classes!("messages", props.still.then_some("messages-still"))} data-testid="messages"
            data-still={props.still.to_string()}>
            { for props.view.0.in_flight.iter().filter_map(|m| {
                let (from, to) = (*centres.get(&m.from)?, *centres.get(&m.to)?);
                let (x, y) = if props.still {
                    midpoint(from, to)
                } else {
                    interpolate(from, to, m.sent_at_ms, m.arrive_at_ms, props.vt_milli)
                };
                let kind = MsgKind::of(m.kind);
                let d = match kind {
                    MsgKind::Produce => format!("M{} {}h10v10h-10Z", x - 5, y - 5),
                    MsgKind::Group => format!("M{x} {}L{} {y}L{x} {}L{} {y}Z", y - 6, x + 6, y + 6, x - 6),
                    MsgKind::Controller => format!("M{x} {}L{} {}L{} {}Z", y - 6, x + 6, y + 5, x - 6, y + 5),
                    _ => format!("M{} {y}a5 5 0 1 0 10 0a5 5 0 1 0 -10 0Z", x - 5),
                };
                Some(html! { <path class={classes!("msg", kind.class())} data-msg={m.id.to_string()} {d} /> })
            }) }
        </g>
    }
}
