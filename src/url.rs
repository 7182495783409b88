//! The URL fragment that restores a view: `#scenario=NAME&seed=N&t=MS&lang=ko`, plus a lesson's
//! `lesson=NAME`, `question=ID`, `step=N`, `plan=1` and a what-if fork's
//! `fork=producer:checkout:acks=1` with `fork_at=MS`.
//!
//! Parsed defensively: any part may be missing, unknown keys are ignored, and an invalid value is
//! dropped with a [`UrlNotice`] that the app shows to the learner.

use crate::i18n::Lang;

/// What the fragment asked for, after validation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UrlState {
    /// The language; Korean when absent or invalid.
    pub lang: Lang,
    pub scenario: Option<String>,
    pub seed: Option<u64>,
    /// Virtual time, in ms.
    pub t_ms: Option<u64>,
    /// Presenter mode (`presenter=1`): shareable with a class.
    pub presenter: bool,
    /// A lesson to open (checked against the built-in lessons by the app).
    pub lesson: Option<String>,
    /// A question of that lesson to ask (a teacher starting a class at a step).
    pub question: Option<String>,
    /// A what-if fork of the scenario: one change, as `kind:name:key=value` or `+action`.
    pub fork: Option<String>,
    /// When the fork's branches part (`fork_at=MS`; absent: from the start).
    pub fork_at: Option<u64>,
    /// A scenario step to start at (`step=N`, the index of `step-note-N`): a class at a given step.
    pub step: Option<usize>,
    /// The open lesson's plan view, to print (`plan=1`).
    pub plan: bool,
    /// One notice per value that was ignored.
    pub notices: Vec<UrlNotice>,
}

/// A value in the URL that was ignored, with the value as written (decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlNotice {
    UnknownLang(String),
    BadNumber { field: &'static str, value: String },
}

/// The latest virtual time the URL may ask for: one day, as `kafkalab bench --until-ms` allows.
pub const MAX_T_MS: u64 = 86_400_000;

/// Parses a fragment, with or without its leading `#`.
pub fn parse_fragment(fragment: &str) -> UrlState {
    let mut state = UrlState::default();
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    for pair in fragment.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value);
        match key {
            "lang" => match Lang::from_code(&value) {
                Some(lang) => state.lang = lang,
                None => {
                    state.lang = Lang::Ko;
                    state.notices.push(UrlNotice::UnknownLang(value));
                }
            },
            "scenario" if !value.is_empty() => state.scenario = Some(value),
            "presenter" => state.presenter = value == "1",
            "lesson" if !value.is_empty() => state.lesson = Some(value),
            "question" if !value.is_empty() => state.question = Some(value),
            "fork" if !value.is_empty() => state.fork = Some(value),
            "fork_at" => state.fork_at = parse_number(&mut state.notices, "fork_at", value),
            "step" => state.step = parse_number(&mut state.notices, "step", value).map(|n| n as usize),
            "plan" => state.plan = value == "1",
            "seed" => state.seed = parse_number(&mut state.notices, "seed", value),
            "t" => {
                state.t_ms = parse_number(&mut state.notices, "t", value.clone()).and_then(|t| {
                    if t <= MAX_T_MS {
                        Some(t)
                    } else {
                        state.notices.push(UrlNotice::BadNumber { field: "t", value });
                        None
                    }
                })
            }
            _ => {}
        }
    }
    state
}

/// The fragment for `lang`, keeping the other parts of `fragment` as they are.
pub fn with_lang(fragment: &str, lang: Lang) -> String {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let mut parts: Vec<String> = fragment
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some("lang"))
        .map(str::to_string)
        .collect();
    parts.push(format!("lang={}", lang.code()));
    format!("#{}", parts.join("&"))
}

fn parse_number(notices: &mut Vec<UrlNotice>, field: &'static str, value: String) -> Option<u64> {
    match value.parse::<u64>() {
        Ok(n) if !value.starts_with('+') => Some(n),
        _ => {
            notices.push(UrlNotice::BadNumber { field, value });
            None
        }
    }
}

/// Encodes what a fragment value may not hold as itself (`+` reads as a space, `&`, `#`, `%`).
pub fn percent_encode(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '+' | '&' | '#' | '%' | ' ' => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// Decodes `%XX` escapes and `+`; invalid escapes and invalid UTF-8 are kept or replaced, never fatal.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fragment_is_korean_without_notices() {
        for f in ["", "#", "#&&"] {
            assert_eq!(parse_fragment(f), UrlState::default(), "{f:?}");
        }
    }

    #[test]
    fn known_languages() {
        assert_eq!(parse_fragment("#lang=en").lang, Lang::En);
        assert_eq!(parse_fragment("lang=ko").lang, Lang::Ko);
        assert!(parse_fragment("#lang=en").notices.is_empty());
    }

    #[test]
    fn unknown_language_falls_back_to_korean_with_a_notice() {
        let s = parse_fragment("#lang=xx");
        assert_eq!(s.lang, Lang::Ko);
        assert_eq!(s.notices, vec![UrlNotice::UnknownLang("xx".into())]);
        // Case matters, and an empty value is also unknown.
        assert_eq!(parse_fragment("#lang=EN").notices, vec![UrlNotice::UnknownLang("EN".into())]);
        assert_eq!(parse_fragment("#lang").notices, vec![UrlNotice::UnknownLang(String::new())]);
        // A later invalid value does not keep an earlier valid one.
        assert_eq!(parse_fragment("#lang=en&lang=fr").lang, Lang::Ko);
    }

    #[test]
    fn the_full_design_fragment() {
        let s = parse_fragment("#scenario=leader-failover&seed=7&t=1500&lang=en");
        assert_eq!(s.scenario.as_deref(), Some("leader-failover"));
        assert_eq!((s.seed, s.t_ms, s.lang), (Some(7), Some(1500), Lang::En));
        assert!(s.notices.is_empty());
    }

    #[test]
    fn bad_numbers_are_ignored_with_notices() {
        let s = parse_fragment("#seed=-1&t=abc&lang=en");
        assert_eq!((s.seed, s.t_ms, s.lang), (None, None, Lang::En));
        assert_eq!(
            s.notices,
            vec![
                UrlNotice::BadNumber { field: "seed", value: "-1".into() },
                UrlNotice::BadNumber { field: "t", value: "abc".into() },
            ]
        );
        assert_eq!(parse_fragment("#seed=99999999999999999999").seed, None);
        assert_eq!(parse_fragment("#seed=+5").seed, None);
        assert_eq!(parse_fragment("#t=86400000").t_ms, Some(MAX_T_MS));
        let late = parse_fragment("#t=86400001");
        assert_eq!((late.t_ms, late.notices.len()), (None, 1));
    }

    #[test]
    fn unknown_keys_are_ignored() {
        assert_eq!(parse_fragment("#foo=bar&x"), UrlState::default());
    }

    #[test]
    fn values_are_percent_decoded_and_never_fatal() {
        assert_eq!(parse_fragment("#lang=%3Cb%3E").notices, vec![UrlNotice::UnknownLang("<b>".into())]);
        assert_eq!(parse_fragment("#lang=%").notices, vec![UrlNotice::UnknownLang("%".into())]);
        assert_eq!(parse_fragment("#lang=%e").notices, vec![UrlNotice::UnknownLang("%e".into())]);
        assert_eq!(parse_fragment("#lang=%zz").notices, vec![UrlNotice::UnknownLang("%zz".into())]);
        assert_eq!(parse_fragment("#lang=%FF").notices, vec![UrlNotice::UnknownLang("\u{fffd}".into())]);
        assert_eq!(parse_fragment("#scenario=a+b%20c").scenario.as_deref(), Some("a b c"));
    }

    #[test]
    fn with_lang_replaces_only_the_language() {
        assert_eq!(with_lang("", Lang::En), "#lang=en");
        assert_eq!(with_lang("#lang=xx", Lang::Ko), "#lang=ko");
        assert_eq!(with_lang("#seed=3&lang=ko&t=5", Lang::En), "#seed=3&t=5&lang=en");
    }
}
