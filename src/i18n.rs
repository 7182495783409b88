//! The app's message catalogue: every piece of UI text, in Korean and English.
//!
//! Components never hold text of their own: they ask [`t`] for a [`Key`] in the current [`Lang`].
//! Messages with a placeholder (`{0}`) are filled in with [`fill`].

use std::fmt;

/// A UI language. Korean is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Ko,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ko, Lang::En];

    /// The code used in the URL (`#lang=ko`) and in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// Parses a language code exactly as written in the URL (`ko` or `en`).
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// The language's name in itself, as the toggle shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ko => "한국어",
            Lang::En => "English",
        }
    }

    /// The other language: what the toggle switches to.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ko => Lang::En,
            Lang::En => Lang::Ko,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Every message of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Tagline,
    /// The toggle's accessible name.
    LangToggleTitle,
    ClusterHeading,
    /// `{0}`: the number of brokers.
    ClusterSummary,
    /// `{0}`: a broker id.
    BrokerName,
    StateAlive,
    StateFenced,
    StateDead,
    ControllerBadge,
    ClockLabel,
    LegendController,
    LegendAlive,
    LegendDead,
    CanvasTitle,
    /// `{0}`: the language code found in the URL.
    NoticeUnknownLang,
    /// `{0}`: the field name, `{1}`: the value found in the URL.
    NoticeBadNumber,
    NoticeDismiss,
    /// `{0}`: the engine's error.
    EngineError,
    FooterAbout,
    FooterOffline,
}

impl Key {
    /// Every key, for tests that check the catalogue is complete.
    pub const ALL: [Key; 20] = [
        Key::Tagline,
        Key::LangToggleTitle,
        Key::ClusterHeading,
        Key::ClusterSummary,
        Key::BrokerName,
        Key::StateAlive,
        Key::StateFenced,
        Key::StateDead,
        Key::ControllerBadge,
        Key::ClockLabel,
        Key::LegendController,
        Key::LegendAlive,
        Key::LegendDead,
        Key::CanvasTitle,
        Key::NoticeUnknownLang,
        Key::NoticeBadNumber,
        Key::NoticeDismiss,
        Key::EngineError,
        Key::FooterAbout,
        Key::FooterOffline,
    ];
}

/// The message for `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    // One arm per key holding both languages: a key without a translation does not compile.
    let (ko, en) = match key {
        Key::Tagline => ("브라우저에서 돌아가는 Apache Kafka 학습 시뮬레이터", "A learning simulator of Apache Kafka, in your browser"),
        Key::LangToggleTitle => ("언어 바꾸기: 영어로", "Switch language: to Korean"),
        Key::ClusterHeading => ("클러스터", "Cluster"),
        Key::ClusterSummary => ("브로커 {0}대", "{0} brokers"),
        Key::BrokerName => ("브로커 {0}", "Broker {0}"),
        Key::StateAlive => ("살아 있음", "alive"),
        Key::StateFenced => ("펜싱됨", "fenced"),
        Key::StateDead => ("죽음", "dead"),
        Key::ControllerBadge => ("★ 컨트롤러", "★ Controller"),
        Key::ClockLabel => ("가상 시간", "Virtual time"),
        Key::LegendController => ("★ 이중 테두리: 액티브 컨트롤러", "★ double border: active controller"),
        Key::LegendAlive => ("실선: 살아 있는 브로커", "solid: broker alive"),
        Key::LegendDead => ("점선: 죽었거나 펜싱된 브로커", "dashed: broker dead or fenced"),
        Key::CanvasTitle => ("Kafka 클러스터의 브로커들", "The brokers of the Kafka cluster"),
        Key::NoticeUnknownLang => (
            "URL의 언어 \u{201c}{0}\u{201d}는 지원하지 않습니다. 한국어로 보여 줍니다 (ko 또는 en).",
            "The URL asks for language \u{201c}{0}\u{201d}, which kafkalab does not have; showing Korean (use ko or en).",
        ),
        Key::NoticeBadNumber => (
            "URL의 {0} 값 \u{201c}{1}\u{201d}는 쓸 수 없는 수여서 무시했습니다 (0 이상의 정수, t는 86400000 ms 이하).",
            "The URL's {0} value \u{201c}{1}\u{201d} is not a usable number; ignored (a non-negative integer; t at most 86400000 ms).",
        ),
        Key::NoticeDismiss => ("알림 닫기", "Dismiss notice"),
        Key::EngineError => ("시뮬레이터를 시작하지 못했습니다: {0}", "The simulator could not start: {0}"),
        Key::FooterAbout => (
            "kafkalab: Kafka의 동작을 눈으로 보며 배우는 시뮬레이터",
            "kafkalab: learn how Kafka works by watching it",
        ),
        Key::FooterOffline => (
            "모든 것이 브라우저 안에서 돌아갑니다. 네트워크를 쓰지 않습니다.",
            "Everything runs in your browser; nothing goes over the network.",
        ),
    };
    match lang {
        Lang::Ko => ko,
        Lang::En => en,
    }
}

/// Replaces `{0}`, `{1}`, ... in `template` with `args`. Arguments are inserted as text.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = template.to_string();
    for (i, arg) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), arg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_text_in_every_language() {
        for key in Key::ALL {
            for lang in Lang::ALL {
                assert!(!t(lang, key).trim().is_empty(), "{key:?} is empty in {lang}");
            }
        }
    }

    #[test]
    fn korean_and_english_differ() {
        for key in Key::ALL {
            assert_ne!(t(Lang::Ko, key), t(Lang::En, key), "{key:?} is not translated");
        }
    }

    #[test]
    fn placeholders_match_between_languages() {
        for key in Key::ALL {
            for i in 0..4 {
                let p = format!("{{{i}}}");
                assert_eq!(t(Lang::Ko, key).contains(&p), t(Lang::En, key).contains(&p), "{key:?} {p}");
            }
        }
    }

    #[test]
    fn lang_codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            assert_eq!(lang.other().other(), lang);
        }
        assert_eq!(Lang::from_code("KO"), None);
        assert_eq!(Lang::from_code("xx"), None);
        assert_eq!(Lang::default(), Lang::Ko);
    }

    #[test]
    fn fill_inserts_arguments() {
        assert_eq!(fill(t(Lang::En, Key::BrokerName), &["3"]), "Broker 3");
        assert_eq!(fill(t(Lang::Ko, Key::BrokerName), &["3"]), "브로커 3");
        assert_eq!(fill("{0}-{1}-{0}", &["a", "b"]), "a-b-a");
    }
}
