//! The root component and the app state, held by a reducer.

use std::rc::Rc;

use yew::prelude::*;

use crate::cluster::{self, ClusterModel, World};
use crate::components::{ClusterCanvas, Footer, Header, Notices};
use crate::i18n::{fill, t, Key, Lang};
use crate::url::{self, UrlNotice, UrlState};

/// Everything the app knows. Rendering reads the World only through `World::view()`.
#[derive(Clone)]
pub struct AppState {
    pub lang: Lang,
    pub notices: Vec<UrlNotice>,
    /// The simulated cluster, or why it could not be built.
    pub world: Result<Rc<World>, String>,
}

impl AppState {
    /// The state that a URL fragment asks for.
    pub fn from_url(state: UrlState) -> Self {
        let seed = state.seed.unwrap_or(cluster::DEFAULT_SEED);
        let world = cluster::initial_world(seed).map(|mut world| {
            if let Some(t_ms) = state.t_ms {
                world.run_until(t_ms);
            }
            Rc::new(world)
        });
        AppState { lang: state.lang, notices: state.notices, world }
    }

    pub fn model(&self) -> Option<ClusterModel> {
        self.world.as_ref().ok().map(|world| ClusterModel::from_view(&world.view()))
    }
}

/// What the user can do in the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppAction {
    ToggleLang,
    DismissNotice(usize),
}

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            AppAction::ToggleLang => next.lang = self.lang.other(),
            AppAction::DismissNotice(index) => {
                if index < next.notices.len() {
                    next.notices.remove(index);
                }
            }
        }
        Rc::new(next)
    }
}

fn current_fragment() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Shows the language in `<html lang>` and in the URL, so that a reload keeps it.
fn reflect_lang(lang: Lang) {
    let Some(window) = web_sys::window() else { return };
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.code());
    }
    let fragment = current_fragment();
    if url::parse_fragment(&fragment).lang != lang || !fragment.contains("lang=") {
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&url::with_lang(&fragment, lang)),
            );
        }
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| AppState::from_url(url::parse_fragment(&current_fragment())));
    let lang = state.lang;
    use_effect_with(lang, |lang| reflect_lang(*lang));

    let on_toggle_lang = {
        let state = state.dispatcher();
        Callback::from(move |()| state.dispatch(AppAction::ToggleLang))
    };
    let on_dismiss = {
        let state = state.dispatcher();
        Callback::from(move |index| state.dispatch(AppAction::DismissNotice(index)))
    };
    let body = match (&state.world, state.model()) {
        (_, Some(model)) => html! { <ClusterCanvas {lang} {model} /> },
        (Err(error), _) => {
            html! { <p class="engine-error" role="alert">{ fill(t(lang, Key::EngineError), &[error]) }</p> }
        }
        (Ok(_), None) => html! {},
    };
    html! {
        <div class="app" lang={lang.code()}>
            <Header {lang} {on_toggle_lang} />
            <Notices {lang} notices={state.notices.clone()} {on_dismiss} />
            <main class="app-main">{ body }</main>
            <Footer {lang} />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(state: AppState, action: AppAction) -> AppState {
        (*Rc::new(state).reduce(action)).clone()
    }

    #[test]
    fn toggling_switches_between_korean_and_english() {
        let state = AppState::from_url(url::parse_fragment(""));
        assert_eq!(state.lang, Lang::Ko);
        let state = reduce(state, AppAction::ToggleLang);
        assert_eq!(state.lang, Lang::En);
        assert_eq!(reduce(state, AppAction::ToggleLang).lang, Lang::Ko);
    }

    #[test]
    fn notices_can_be_dismissed_one_by_one() {
        let state = AppState::from_url(url::parse_fragment("#lang=xx&seed=no"));
        assert_eq!(state.notices.len(), 2);
        let state = reduce(state, AppAction::DismissNotice(5));
        assert_eq!(state.notices.len(), 2);
        let state = reduce(state, AppAction::DismissNotice(0));
        assert_eq!(state.notices, vec![UrlNotice::BadNumber { field: "seed", value: "no".into() }]);
    }

    #[test]
    fn the_shell_shows_the_engine_cluster() {
        let state = AppState::from_url(url::parse_fragment("#lang=en"));
        let model = state.model().expect("world builds");
        assert_eq!(model.brokers.len(), 3);
        assert_eq!(model.now_ms, 0);
    }

    #[test]
    fn t_in_the_url_advances_the_virtual_clock() {
        let state = AppState::from_url(url::parse_fragment("#t=2500"));
        assert_eq!(state.model().expect("world builds").now_ms, 2500);
    }
}
