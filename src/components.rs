//! The shell's components: header, URL notices, cluster canvas, footer. They hold no text of their
//! own (see [`crate::i18n`]) and draw only what their props say.

use yew::prelude::*;

use crate::cluster::{BrokerCard, ClusterModel, Layout, NodeState};
use crate::i18n::{fill, t, Key, Lang};
use crate::url::UrlNotice;

// ----------------------------------------------------------------------------------------------
// Header

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub lang: Lang,
    pub on_toggle_lang: Callback<()>,
}

#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let lang = props.lang;
    let onclick = props.on_toggle_lang.reform(|_: MouseEvent| ());
    html! {
        <header class="app-header">
            <div class="brand">
                <LogoMark />
                <div>
                    <h1 class="brand-name">{ "kafkalab" }</h1>
                    <p class="brand-tagline">{ t(lang, Key::Tagline) }</p>
                </div>
            </div>
            <button
                type="button"
                class="lang-toggle"
                data-testid="lang-toggle"
                data-lang={lang.code()}
                title={t(lang, Key::LangToggleTitle)}
                aria-label={t(lang, Key::LangToggleTitle)}
                {onclick}
            >
                { for Lang::ALL.into_iter().map(|option| html! {
                    <span class={classes!("lang-option", (option == lang).then_some("active"))} lang={option.code()}>
                        { option.native_name() }
                    </span>
                }) }
            </button>
        </header>
    }
}

/// Three stacked log segments: the product's mark.
#[function_component(LogoMark)]
fn logo_mark() -> Html {
    html! {
        <svg class="logo" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true">
            <rect x="4" y="7" width="32" height="7" rx="2" class="logo-seg logo-seg-1" />
            <rect x="4" y="17" width="24" height="7" rx="2" class="logo-seg logo-seg-2" />
            <rect x="4" y="27" width="14" height="7" rx="2" class="logo-seg logo-seg-3" />
        </svg>
    }
}

// ----------------------------------------------------------------------------------------------
// Notices

#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    pub lang: Lang,
    pub notices: Vec<UrlNotice>,
    pub on_dismiss: Callback<usize>,
}

/// One dismissible banner per value of the URL that was ignored.
#[function_component(Notices)]
pub fn notices(props: &NoticesProps) -> Html {
    let lang = props.lang;
    if props.notices.is_empty() {
        return html! {};
    }
    html! {
        <div class="notices">
            { for props.notices.iter().enumerate().map(|(index, notice)| {
                let text = match notice {
                    UrlNotice::UnknownLang(value) => fill(t(lang, Key::NoticeUnknownLang), &[value]),
                    UrlNotice::BadNumber { field, value } => fill(t(lang, Key::NoticeBadNumber), &[field, value]),
                };
                let onclick = props.on_dismiss.reform(move |_: MouseEvent| index);
                html! {
                    <div class="notice" role="status" data-testid="url-notice">
                        <span class="notice-icon" aria-hidden="true">{ "!" }</span>
                        <span class="notice-text">{ text }</span>
                        <button type="button" class="notice-dismiss" data-testid="url-notice-dismiss"
                            aria-label={t(lang, Key::NoticeDismiss)} title={t(lang, Key::NoticeDismiss)} {onclick}>
                            { "×" }
                        </button>
                    </div>
                }
            }) }
        </div>
    }
}

// ----------------------------------------------------------------------------------------------
// Cluster canvas

#[derive(Properties, PartialEq)]
pub struct ClusterCanvasProps {
    pub lang: Lang,
    pub model: ClusterModel,
}

#[function_component(ClusterCanvas)]
pub fn cluster_canvas(props: &ClusterCanvasProps) -> Html {
    let lang = props.lang;
    let model = &props.model;
    let layout = Layout::for_count(model.brokers.len());
    let (w, h) = (layout.width(), layout.height());
    let count = model.brokers.len().to_string();
    html! {
        <section class="cluster" aria-labelledby="cluster-heading">
            <div class="cluster-bar">
                <h2 id="cluster-heading">
                    { t(lang, Key::ClusterHeading) }
                    <span class="cluster-summary">{ fill(t(lang, Key::ClusterSummary), &[&count]) }</span>
                </h2>
                <div class="clock">
                    <span class="clock-label">{ t(lang, Key::ClockLabel) }</span>
                    <span class="clock-value" data-testid="clock">{ model.now_ms }</span>
                    <span class="clock-unit">{ "ms" }</span>
                </div>
            </div>
            <svg class="canvas" viewBox={format!("0 0 {w} {h}")} role="img" aria-labelledby="canvas-title"
                preserveAspectRatio="xMidYMid meet">
                <title id="canvas-title">{ t(lang, Key::CanvasTitle) }</title>
                { for model.brokers.iter().enumerate().map(|(i, broker)| {
                    let (x, y) = layout.position(i);
                    html! { <BrokerNode key={broker.id} {lang} broker={broker.clone()} {x} {y} /> }
                }) }
            </svg>
            <ul class="legend">
                <li><span class="legend-swatch swatch-controller" aria-hidden="true"></span>{ t(lang, Key::LegendController) }</li>
                <li><span class="legend-swatch swatch-alive" aria-hidden="true"></span>{ t(lang, Key::LegendAlive) }</li>
                <li><span class="legend-swatch swatch-dead" aria-hidden="true"></span>{ t(lang, Key::LegendDead) }</li>
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct BrokerNodeProps {
    pub lang: Lang,
    pub broker: BrokerCard,
    pub x: i32,
    pub y: i32,
}

/// A broker: a labelled box with its state; the controller gets a double border and a badge.
#[function_component(BrokerNode)]
pub fn broker_node(props: &BrokerNodeProps) -> Html {
    let BrokerNodeProps { lang, broker, x, y } = props;
    let lang = *lang;
    let (w, h) = (Layout::NODE_W, Layout::NODE_H);
    let state_key = match broker.state {
        NodeState::Alive => Key::StateAlive,
        NodeState::Fenced => Key::StateFenced,
        NodeState::Dead => Key::StateDead,
    };
    let name = fill(t(lang, Key::BrokerName), &[&broker.id.to_string()]);
    let class = classes!(
        "broker",
        format!("broker-{}", broker.state.as_str()),
        broker.is_controller.then_some("broker-controller")
    );
    html! {
        <g {class}
            data-testid={format!("broker-{}", broker.id)}
            data-state={broker.state.as_str()}
            data-controller={broker.is_controller.to_string()}
            transform={format!("translate({x} {y})")}>
            <rect class="broker-box" x="0" y="0" width={w.to_string()} height={h.to_string()} rx="14" />
            if broker.is_controller {
                <rect class="broker-box-inner" x="6" y="6" width={(w - 12).to_string()} height={(h - 12).to_string()} rx="10" />
                <g class="controller-badge" transform={format!("translate({} -18)", w / 2)}>
                    <rect x="-78" y="0" width="156" height="32" rx="16" />
                    <text x="0" y="22" text-anchor="middle">{ t(lang, Key::ControllerBadge) }</text>
                </g>
            }
            // A server: three stacked drives.
            <g class="server-icon" transform="translate(26 40)">
                <rect x="0" y="0" width="44" height="16" rx="3" />
                <rect x="0" y="22" width="44" height="16" rx="3" />
                <rect x="0" y="44" width="44" height="16" rx="3" />
                <circle cx="36" cy="8" r="2.5" />
                <circle cx="36" cy="30" r="2.5" />
                <circle cx="36" cy="52" r="2.5" />
            </g>
            <text class="broker-name" x="88" y="66">{ name }</text>
            <g class="broker-state" transform="translate(88 98)">
                <circle class="state-dot" cx="6" cy="-6" r="6" />
                <text x="20" y="0">{ t(lang, state_key) }</text>
            </g>
        </g>
    }
}

// ----------------------------------------------------------------------------------------------
// Footer

#[derive(Properties, PartialEq)]
pub struct FooterProps {
    pub lang: Lang,
}

#[function_component(Footer)]
pub fn footer(props: &FooterProps) -> Html {
    let lang = props.lang;
    html! {
        <footer class="app-footer">
            <span>{ t(lang, Key::FooterAbout) }</span>
            <span class="footer-sep" aria-hidden="true">{ "·" }</span>
            <span>{ t(lang, Key::FooterOffline) }</span>
            <span class="footer-sep" aria-hidden="true">{ "·" }</span>
            <span class="footer-version">{ concat!("v", env!("CARGO_PKG_VERSION")) }</span>
        </footer>
    }
}
