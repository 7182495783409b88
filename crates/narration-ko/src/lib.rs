//! Korean particles (조사) chosen from the word before them, so that generated sentences read
//! "브로커 2가", "metrics-0으로", "checkout이" instead of the placeholder "이(가)".
//!
//! Templates write a particle as its marker ([`Particle::marker`]: `이(가)`, `을(를)`, `은(는)`,
//! `와(과)`, `(으)로`) right after a value; [`resolve`] replaces every marker once the values are in.
//! The choice depends only on how the preceding word is read aloud ([`Ending`]):
//!
//! - a Hangul syllable: its final consonant (받침); ㄹ takes 로, not 으로.
//! - digits: the Korean reading of the last unit read: 0 영, 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육,
//!   7 칠, 8 팔, 9 구 for a non-zero last digit; 십, 백, 천, 만, 억, 조, 경 for trailing zeros
//!   (10 십, 100 백, 1000 천, 20 이십); the sign is not read for the particle (-1 is 마이너스 일).
//!   Digits after a decimal point are read one by one (1.0 일 점 영).
//! - Latin letters, as the usual Korean loanword reading of the last word:
//!   up to three capitals are spelled (ISR 아이에스알: L, R end in ㄹ; M, N in a consonant);
//!   otherwise, lower-cased, a word ends in a consonant if it ends in `m`, `n`, `ng` (스트림,
//!   토큰, 빌링), in ㄹ if it ends in `l` or `le` (풀, 파일), and in a consonant for the short
//!   stops that loanwords write as 받침: vowel + `p`/`b` (앱, 그룹, 잡), `ck` or vowel + `c`
//!   (스택, 토픽), `ook` (북), a single vowel or `ou` + `t` (커밋, 오프셋, 체크아웃). Every other
//!   ending is read with a vowel: `r`, `s`, `x`, `d`, `g`, `k`, `t` after a consonant or a long
//!   vowel, `e`, `o`, `a`, `i`, `u`, `y`... (워커, 오더스, 로그, 리스트, 키).
//! - anything else (a symbol alone): read as a vowel ending, so no marker is ever left.
//!
//! A parenthesis right before the particle is skipped ("브로커 1(리더)이"), as are closing
//! brackets, quotes and the ellipsis of a shortened id ("[1, 3]이", "“ja”는", "billing-1-54…가").

/// How the word before a particle ends when read aloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// No final consonant: 가, 를, 는, 와, 로.
    Vowel,
    /// Final ㄹ: 이, 을, 은, 과, but 로.
    Rieul,
    /// Any other final consonant: 이, 을, 은, 과, 으로.
    Consonant,
}

/// A particle whose form depends on the word before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Particle {
    /// Subject: 이/가.
    IGa,
    /// Object: 을/를.
    EulReul,
    /// Topic: 은/는.
    EunNeun,
    /// "And, with": 와/과.
    WaGwa,
    /// Direction, means: (으)로.
    EuroRo,
}

impl Particle {
    pub const ALL: [Particle; 5] =
        [Particle::IGa, Particle::EulReul, Particle::EunNeun, Particle::WaGwa, Particle::EuroRo];

    /// How a template writes the particle when the word before it is not known yet.
    pub fn marker(self) -> &'static str {
        match self {
            Particle::IGa => "이(가)",
            Particle::EulReul => "을(를)",
            Particle::EunNeun => "은(는)",
            Particle::WaGwa => "와(과)",
            Particle::EuroRo => "(으)로",
        }
    }

    /// The particle's form after a word that ends as `ending`.
    pub fn form(self, ending: Ending) -> &'static str {
        use Ending::*;
        match (self, ending) {
            (Particle::IGa, Vowel) => "가",
            (Particle::IGa, _) => "이",
            (Particle::EulReul, Vowel) => "를",
            (Particle::EulReul, _) => "을",
            (Particle::EunNeun, Vowel) => "는",
            (Particle::EunNeun, _) => "은",
            (Particle::WaGwa, Vowel) => "와",
            (Particle::WaGwa, _) => "과",
            (Particle::EuroRo, Consonant) => "으로",
            (Particle::EuroRo, _) => "로",
        }
    }

    /// The particle's form after `text` (its last word decides).
    pub fn after(self, text: &str) -> &'static str {
        self.form(ending(text))
    }
}

/// Replaces every particle marker in `text` with the form its preceding word takes.
pub fn resolve(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, particle)) =
        Particle::ALL.iter().filter_map(|&p| rest.find(p.marker()).map(|at| (at, p))).min_by_key(|&(at, _)| at)
    {
        out.push_str(&rest[..at]);
        out.push_str(particle.after(&out));
        rest = &rest[at + particle.marker().len()..];
    }
    out.push_str(rest);
    out
}

/// How the last word of `text` ends when read aloud (see the module documentation).
pub fn ending(text: &str) -> Ending {
    let word = spoken_end(text);
    let Some(last) = word.chars().next_back() else {
        return Ending::Vowel;
    };
    if let Some(ending) = hangul_ending(last) {
        ending
    } else if last.is_ascii_digit() {
        number_ending(word)
    } else if last.is_ascii_alphabetic() {
        latin_ending(word)
    } else {
        Ending::Vowel
    }
}

/// `text` without what is not read before a particle: closing brackets and quotes, the "…" of
/// a shortened id (read up to where it stops), and a parenthesis that follows a word.
fn spoken_end(text: &str) -> &str {
    let mut s = text;
    loop {
        let trimmed = s.trim_end_matches([']', '"', '\'', '\u{201d}', '\u{2019}', '`', '>', '\u{2026}']);
        if let (Some(inner), Some(open)) = (trimmed.strip_suffix(')'), trimmed.rfind('(')) {
            let before = &trimmed[..open];
            // A parenthesis alone is the word itself: "(null)".
            s = if before.is_empty() || before.ends_with(char::is_whitespace) { &inner[open + 1..] } else { before };
            continue;
        }
        return trimmed;
    }
}

fn hangul_ending(c: char) -> Option<Ending> {
    let code = c as u32;
    if !(0xAC00..=0xD7A3).contains(&code) {
        return None;
    }
    Some(match (code - 0xAC00) % 28 {
        0 => Ending::Vowel,
        8 => Ending::Rieul,
        _ => Ending::Consonant,
    })
}

/// The reading of a single digit: 영 일 이 삼 사 오 육 칠 팔 구.
fn digit_ending(d: u8) -> Ending {
    match d {
        b'1' | b'7' | b'8' => Ending::Rieul,
        b'0' | b'3' | b'6' => Ending::Consonant,
        _ => Ending::Vowel,
    }
}

fn number_ending(word: &str) -> Ending {
    let bytes = word.as_bytes();
    let run_start = bytes.iter().rposition(|b| !b.is_ascii_digit()).map_or(0, |i| i + 1);
    let digits = &bytes[run_start..];
    let last = digits[digits.len() - 1];
    let decimal = run_start >= 2 && bytes[run_start - 1] == b'.' && bytes[run_start - 2].is_ascii_digit();
    let zeros = digits.iter().rev().take_while(|&&d| d == b'0').count();
    if decimal || zeros == 0 || zeros == digits.len() {
        return digit_ending(last);
    }
    match zeros {
        // 십 백 천, 만 (십만 백만 천만), 억: all end in a consonant.
        1..=11 => Ending::Consonant,
        // 조
        12..=15 => Ending::Vowel,
        // 경
        _ => Ending::Consonant,
    }
}

fn latin_ending(word: &str) -> Ending {
    let start = word.char_indices().rfind(|(_, c)| !c.is_ascii_alphabetic()).map_or(0, |(i, c)| i + c.len_utf8());
    let letters = &word[start..];
    if letters.len() <= 3 && letters.bytes().all(|b| b.is_ascii_uppercase()) {
        // Spelled out: 엘, 알 / 엠, 엔 / 에이, 비, 에스...
        return match letters.as_bytes()[letters.len() - 1] {
            b'L' | b'R' => Ending::Rieul,
            b'M' | b'N' => Ending::Consonant,
            _ => Ending::Vowel,
        };
    }
    let w = letters.to_ascii_lowercase();
    let b = w.as_bytes();
    let vowel = |i: usize| b.get(i).is_some_and(|c| b"aeiou".contains(c));
    let n = b.len();
    let last = b[n - 1];
    let before = |k: usize| n.checked_sub(k);
    if w.ends_with('l') || w.ends_with("le") {
        return Ending::Rieul;
    }
    let closed = match last {
        b'm' | b'n' => true,
        b'g' => w.ends_with("ng"),
        b'p' | b'b' => before(2).is_some_and(|i| vowel(i) || b[i] == last),
        b'c' => before(2).is_some_and(vowel),
        b'k' => w.ends_with("ck") || w.ends_with("ook"),
        b't' => w.ends_with("out") || before(2).is_some_and(|i| vowel(i) && !before(3).is_some_and(vowel)),
        _ => false,
    };
    if closed {
        Ending::Consonant
    } else {
        Ending::Vowel
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ending::*;

    /// The five forms after `word`, in the order 이/가, 을/를, 은/는, 와/과, (으)로.
    fn forms(word: &str) -> [&'static str; 5] {
        Particle::ALL.map(|p| p.after(word))
    }

    const VOWEL: [&str; 5] = ["가", "를", "는", "와", "로"];
    const RIEUL: [&str; 5] = ["이", "을", "은", "과", "로"];
    const CONSONANT: [&str; 5] = ["이", "을", "은", "과", "으로"];

    #[test]
    fn numbers_are_read_in_korean() {
        let expected = [
            (0_i64, Consonant),         // 영
            (1, Rieul),                 // 일
            (2, Vowel),                 // 이
            (3, Consonant),             // 삼
            (4, Vowel),                 // 사
            (5, Vowel),                 // 오
            (6, Consonant),             // 육
            (7, Rieul),                 // 칠
            (8, Rieul),                 // 팔
            (9, Vowel),                 // 구
            (10, Consonant),            // 십
            (11, Rieul),                // 십일
            (12, Vowel),                // 십이
            (20, Consonant),            // 이십
            (100, Consonant),           // 백
            (1000, Consonant),          // 천
            (10_000, Consonant),        // 만
            (1_000_000_000_000, Vowel), // 조
            (-1, Rieul),                // 마이너스 일
            (-2, Vowel),
            (-10, Consonant),
        ];
        for (n, e) in expected {
            assert_eq!(ending(&n.to_string()), e, "{n}");
        }
        assert_eq!(ending("1.5"), Vowel);
        assert_eq!(ending("1.0"), Consonant); // 일 점 영
        assert_eq!(ending("i64::MAX 9223372036854775807"), Rieul);
        assert_eq!(forms("브로커 2"), VOWEL);
        assert_eq!(forms("브로커 1"), RIEUL);
        assert_eq!(forms("에포크 0"), CONSONANT);
        assert_eq!(forms("오프셋 100"), CONSONANT);
    }

    #[test]
    fn hangul_words_follow_their_final_consonant() {
        assert_eq!(forms("브로커"), VOWEL);
        assert_eq!(forms("레플리카"), VOWEL);
        assert_eq!(forms("토픽"), CONSONANT);
        assert_eq!(forms("그룹"), CONSONANT);
        assert_eq!(forms("세대"), VOWEL);
        assert_eq!(forms("파일"), RIEUL);
        assert_eq!(forms("서울"), RIEUL);
    }

    #[test]
    fn latin_names_follow_their_loanword_reading() {
        assert_eq!(forms("orders"), VOWEL); // 오더스
        assert_eq!(forms("metrics"), VOWEL); // 메트릭스
        assert_eq!(forms("events"), VOWEL); // 이벤츠
        assert_eq!(forms("__consumer_offsets"), VOWEL); // 오프셋츠
        assert_eq!(forms("worker"), VOWEL); // 워커
        assert_eq!(forms("billing-1"), RIEUL); // 빌링 일
        assert_eq!(forms("worker-1"), RIEUL);
        assert_eq!(forms("metrics-0"), CONSONANT); // 메트릭스 영
        assert_eq!(forms("checkout"), CONSONANT); // 체크아웃
        assert_eq!(forms("billing"), CONSONANT); // 빌링
        assert_eq!(forms("stream"), CONSONANT);
        assert_eq!(forms("pool"), RIEUL);
        assert_eq!(forms("console"), RIEUL);
        assert_eq!(forms("topic"), CONSONANT); // 토픽
        assert_eq!(forms("sync"), VOWEL); // 싱크
        assert_eq!(forms("group"), CONSONANT); // 그룹
        assert_eq!(forms("commit"), CONSONANT); // 커밋
        assert_eq!(forms("list"), VOWEL); // 리스트
        assert_eq!(forms("boat"), VOWEL); // 보트
        assert_eq!(forms("webhook"), CONSONANT); // 웹훅
        assert_eq!(forms("log"), VOWEL); // 로그
        assert_eq!(forms("commitSync"), VOWEL);
        assert_eq!(forms("ISR"), RIEUL); // 아이에스알
        assert_eq!(forms("HW"), VOWEL);
        assert_eq!(forms("NETWORK_EXCEPTION"), CONSONANT); // 익셉션
    }

    #[test]
    fn brackets_quotes_and_parentheses_are_not_read() {
        assert_eq!(forms("브로커 1(리더)"), RIEUL);
        assert_eq!(forms("[1, 3]"), CONSONANT);
        assert_eq!(forms("\u{201c}ja\u{201d}"), VOWEL);
        assert_eq!(forms("(null)"), RIEUL); // 널
        assert_eq!(forms("billing-1-540\u{2026}"), CONSONANT); // …오백사십
        assert_eq!(forms("consumer-1-0\u{2026}"), CONSONANT);
        assert_eq!(forms("-"), VOWEL);
        assert_eq!(forms(""), VOWEL);
    }

    #[test]
    fn resolve_replaces_every_marker() {
        assert_eq!(resolve("브로커 2이(가) 멈췄습니다."), "브로커 2가 멈췄습니다.");
        assert_eq!(
            resolve("컨트롤러가 브로커 1을(를) 리더로, 3(으)로 잘랐습니다"),
            "컨트롤러가 브로커 1을 리더로, 3으로 잘랐습니다"
        );
        assert_eq!(resolve("metrics-0(으)로 보내기"), "metrics-0으로 보내기");
        assert_eq!(resolve("billing-1와(과) checkout은(는)"), "billing-1과 checkout은");
        assert_eq!(resolve("토픽 orders이(가)"), "토픽 orders가");
        assert_eq!(resolve("no markers"), "no markers");
        for p in Particle::ALL {
            assert!(!resolve(&format!("x{} y", p.marker())).contains('('));
        }
    }
}
