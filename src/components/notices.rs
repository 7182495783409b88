//! The banners above the canvas.

use yew::prelude::*;

use crate::i18n::{counted, fill, t, Key, Lang};
use crate::state::Notice;
use crate::url::UrlNotice;

#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    pub lang: Lang,
    pub notices: Vec<Notice>,
    pub on_dismiss: Callback<usize>,
}

/// One dismissible banner per ignored URL value, unreadable workspace or refused action.
#[function_component(Notices)]
pub fn notices(props: &NoticesProps) -> Html {
    let lang = props.lang;
    if props.notices.is_empty() {
        return html! {};
    }
    html! {
        <div class="notices">
            { for props.notices.iter().enumerate().map(|(index, notice)| {
                let (text, id) = match notice {
                    Notice::Url(UrlNotice::UnknownLang(value)) => (fill(t(lang, Key::NoticeUnknownLang), &[value]), "url-notice"),
                    Notice::Url(UrlNotice::BadNumber { field, value }) => (fill(t(lang, Key::NoticeBadNumber), &[field, value]), "url-notice"),
                    Notice::UnknownScenario(value) => (fill(t(lang, Key::NoticeUnknownScenario), &[value]), "url-notice"),
                    Notice::CorruptWorkspace => (t(lang, Key::NoticeCorruptWorkspace).to_string(), "workspace-notice"),
                    Notice::Dropped(n) => (counted(lang, Key::NoticeDropped, *n as u64), "workspace-notice"),
                    Notice::ActionFailed(e) => (fill(t(lang, Key::ActionFailed), &[e]), "action-notice"),
                    Notice::UnknownLesson(name) => {
                        let names: Vec<&str> = crate::lessons::all().iter().map(|l| l.name.as_str()).collect();
                        (fill(t(lang, Key::NoticeUnknownLesson), &[name, &names.join(", ")]), "url-notice")
                    }
                    Notice::UnknownQuestion(id) => (fill(t(lang, Key::NoticeUnknownQuestion), &[id]), "url-notice"),
                    Notice::UnknownStep(i) => (fill(t(lang, Key::NoticeUnknownStep), &[&i.to_string()]), "url-notice"),
                    Notice::BadFork(e) => (fill(t(lang, Key::NoticeBadFork), &[e]), "fork-notice"),
                    Notice::CorruptProgress => (fill(t(lang, Key::NoticeCorruptProgress), &[crate::lessons::UNREADABLE_PROGRESS_KEY]), "lesson-notice"),
                    Notice::VerdictFailed(e) => (fill(t(lang, Key::NoticeVerdictFailed), &[e]), "lesson-notice"),
                };
                let onclick = props.on_dismiss.reform(move |_: MouseEvent| index);
                html! {
                    <div class="notice" role="status" data-testid={id}>
                        <span class="notice-icon" aria-hidden="true">{ "!" }</span>
                        <span class="notice-text">{ text }</span>
                        <button type="button" class="notice-dismiss" data-testid={format!("{id}-dismiss")}
                            aria-label={t(lang, Key::NoticeDismiss)} title={t(lang, Key::NoticeDismiss)} {onclick}>
                            { "×" }
                        </button>
                    </div>
                }
            }) }
        </div>
    }
}
