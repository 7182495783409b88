//! A cut link on the canvas.

use yew::prelude::*;

use super::node_events::{open_menu_by_key, open_menu_on_right_click, opens_menu, NodeEvent};
use crate::cluster::CutEdge;
use crate::i18n::{fill, t, Key, Lang};
use crate::menu::MenuTarget;
use crate::sim::UserAction;
use crate::state::AppAction;

#[derive(Properties, PartialEq)]
pub struct CutLinkProps {
    pub lang: Lang,
    pub edge: CutEdge,
    pub names: (String, String),
    pub p: (i32, i32),
    pub q: (i32, i32),
    /// The middle of the drawn curve.
    pub mid: (i32, i32),
    pub on_action: Callback<AppAction>,
    pub on_node: Callback<NodeEvent>,
}

/// A cut link's scissors, at the middle of its dashed curve (drawn beneath the nodes), with an
/// arrow when only one way is cut. Clicking or Enter heals it; right-click opens its menu.
#[function_component(CutLink)]
pub fn cut_link(props: &CutLinkProps) -> Html {
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
