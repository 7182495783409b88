//! Option parsing as Kafka's tools do it (jopt-simple): `--name value` or `--name=value`,
//! unambiguous prefixes accepted, every value kept in order, and jopt-simple's messages.

use std::collections::BTreeMap;

/// One option a tool accepts, with what Kafka's `--help` shows of it.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    pub name: &'static str,
    /// Takes an argument (`--topic t`); otherwise a flag (`--list`).
    pub value: bool,
    /// The argument may be left out (`withOptionalArg`: `--state` or `--state stable`).
    pub optional: bool,
    pub help: &'static str,
    /// The argument's `describedAs` text (`server to connect to`), if any.
    pub arg: &'static str,
    /// The argument's `ofType` class, as jopt-simple shows it (`String`, `Integer`, `Long`).
    pub kind: &'static str,
    /// The argument's `defaultsTo` value, shown as `(default: …)`.
    pub default: Option<&'static str>,
}

pub const fn flag(name: &'static str, help: &'static str) -> Opt {
    Opt { name, value: false, optional: false, help, arg: "", kind: "String", default: None }
}

pub const fn with_value(name: &'static str, help: &'static str) -> Opt {
    Opt { name, value: true, optional: false, help, arg: "", kind: "String", default: None }
}

impl Opt {
    /// `withOptionalArg()`.
    pub const fn optional(self) -> Opt {
        Opt { optional: true, ..self }
    }

    /// `describedAs(text)`.
    pub const fn arg(self, arg: &'static str) -> Opt {
        Opt { arg, ..self }
    }

    /// `ofType(Integer.class)` and the like.
    pub const fn of(self, kind: &'static str) -> Opt {
        Opt { kind, ..self }
    }

    /// `defaultsTo(value)`.
    pub const fn default(self, value: &'static str) -> Opt {
        Opt { default: Some(value), ..self }
    }
}

/// Parsed options: every occurrence's values, by option name.
#[derive(Debug, Default)]
pub struct Parsed {
    values: BTreeMap<&'static str, Vec<String>>,
    /// Words that are not options (`kafka-metadata-quorum describe`).
    pub positional: Vec<String>,
}

impl Parsed {
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).and_then(|v| v.last()).map(String::as_str)
    }

    pub fn values(&self, name: &str) -> &[String] {
        self.values.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// An integer option (jopt-simple's `ofType(Integer.class)` message on a bad value).
    pub fn int(&self, name: &str) -> Result<Option<i64>, String> {
        match self.value(name) {
            None => Ok(None),
            Some(v) => v
                .parse::<i32>()
                .map(|n| Some(n as i64))
                .map_err(|_| format!("Cannot parse argument '{v}' of option {name}")),
        }
    }

    pub fn long(&self, name: &str) -> Result<Option<i64>, String> {
        match self.value(name) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| format!("Cannot parse argument '{v}' of option {name}")),
        }
    }
}

/// Parses `args` against `spec`; the error is jopt-simple's message.
pub fn parse(spec: &[Opt], args: &[String]) -> Result<Parsed, String> {
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        let Some(body) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-').filter(|b| !b.is_empty())) else {
            parsed.positional.push(arg.clone());
            continue;
        };
        if body.is_empty() {
            parsed.positional.extend(args[i..].iter().cloned());
            break;
        }
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let opt = find(spec, name).ok_or_else(|| format!("{name} is not a recognized option"))?;
        let value = if opt.value {
            match inline {
                Some(v) => v,
                // An optional argument is the next word unless that looks like an option.
                None if opt.optional => match args.get(i) {
                    Some(next) if !next.starts_with('-') => {
                        i += 1;
                        next.clone()
                    }
                    _ => String::new(),
                },
                None if i < args.len() && !(args[i].starts_with("--") && find(spec, &args[i][2..]).is_some()) => {
                    i += 1;
                    args[i - 1].clone()
                }
                None => return Err(format!("Option {} requires an argument", opt.name)),
            }
        } else if inline.is_some() {
            return Err(format!("Option {} does not take an argument", opt.name));
        } else {
            String::new()
        };
        parsed.values.entry(opt.name).or_default().push(value);
    }
    Ok(parsed)
}

/// An exact name, or a prefix of exactly one option (jopt-simple's abbreviations).
fn find<'a>(spec: &'a [Opt], name: &str) -> Option<&'a Opt> {
    if let Some(exact) = spec.iter().find(|o| o.name == name) {
        return Some(exact);
    }
    let mut matches = spec.iter().filter(|o| !name.is_empty() && o.name.starts_with(name));
    match (matches.next(), matches.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// jopt-simple 5.0.4's help table, as `--help` prints it (`BuiltinHelpFormatter(80, 2)`):
/// options sorted by name, `--name <Type: argument>`, the description with `(default: …)`,
/// both columns wrapped to their widths with two-space continuation indents, and every line
/// padded to the columns' widths (trailing spaces included, as Kafka's tools print them).
pub fn usage(spec: &[Opt]) -> String {
    let mut sorted: Vec<&Opt> = spec.iter().collect();
    sorted.sort_by_key(|o| o.name);
    let mut rows: Vec<(String, String)> =
        vec![("Option".into(), "Description".into()), ("------".into(), "-----------".into())];
    for o in sorted {
        let mut left = format!("--{}", o.name);
        if o.value {
            let (open, close) = if o.optional { ('[', ']') } else { ('<', '>') };
            left.push_str(&format!(" {open}{}", o.kind));
            if !o.arg.is_empty() {
                left.push_str(&format!(": {}", o.arg));
            }
            left.push(close);
        }
        let right = match o.default {
            Some(d) => format!("{} (default: {d})", o.help).trim().to_string(),
            None => o.help.to_string(),
        };
        rows.push((left, right));
    }
    const OVERALL: usize = 80;
    const SEPARATOR: usize = 2;
    let width = |rows: &[(String, String)]| {
        let option = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0).min((OVERALL - SEPARATOR) / 2);
        let description = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0).min(OVERALL - option - SEPARATOR);
        (option, description)
    };
    let (option_width, description_width) = width(&rows);
    let mut fitted = Vec::new();
    for (left, right) in &rows {
        let left = pieces(left, option_width);
        let right = pieces(right, description_width);
        for i in 0..left.len().max(right.len()) {
            fitted.push((left.get(i).cloned().unwrap_or_default(), right.get(i).cloned().unwrap_or_default()));
        }
    }
    let (option_width, description_width) = width(&fitted);
    let mut out = String::new();
    for (left, right) in fitted {
        let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
        out.push_str(&pad(&left, option_width));
        out.push_str(&" ".repeat(SEPARATOR));
        out.push_str(&pad(&right, description_width));
        out.push('\n');
    }
    out
}

/// jopt-simple's `Columns.piecesOf`: each embedded line cut into pieces of at most `width`
/// characters at line-break opportunities, continuation pieces indented by two spaces.
fn pieces(raw: &str, width: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    for line in raw.trim().split('\n') {
        let mut next = String::new();
        for word in break_words(line) {
            if next.chars().count() + word.chars().count() > width {
                pieces.push(next.trim_end().to_string());
                next = format!("  {word}");
            } else {
                next.push_str(word);
            }
        }
        if !next.is_empty() {
            pieces.push(next);
        }
    }
    pieces
}

/// Whether the digits ending at `i` follow a minus sign that starts a number.
fn signed_number_ends_at(chars: &[(usize, char)], i: usize) -> bool {
    let mut j = i;
    while j > 0 && chars[j - 1].1.is_ascii_digit() {
        j -= 1;
    }
    j > 0 && chars[j - 1].1 == '-' && (j == 1 || !chars[j - 2].1.is_alphanumeric())
}

/// The spans between line-break opportunities, as `java.text.BreakIterator.getLineInstance()`
/// finds them (checked against the JDK on Kafka's option texts): after a run of spaces or tabs;
/// after a hyphen not followed by another, an opening bracket or the number it starts; after a full stop before a
/// letter (`org.|apache.`);
/// after `,` `:` `;` `?` `!` `%` and closing brackets or `"` before a letter or digit (not
/// `1,5`); before an opening bracket after a letter or digit; and in a regular expression's
/// `)|(`, `]*`, `)-` and `:(`.
fn break_words(line: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut words = Vec::new();
    let mut start = 0;
    for (i, &(at, c)) in chars.iter().enumerate() {
        let Some(next) = chars.get(i + 1).map(|&(_, n)| n) else { break };
        let prev = if i > 0 { Some(chars[i - 1].1) } else { None };
        let after = match c {
            ' ' | '\t' => !matches!(next, ' ' | '\t'),
            // A minus sign starting a number (`-3`, `:-1`) stays with it.
            '-' => {
                let starts_number = next.is_ascii_digit() && !prev.is_some_and(char::is_alphanumeric);
                !(matches!(next, '-' | ' ' | '\t' | '(' | '[' | '{') || starts_number)
            }
            // A signed number ends a span before `>` (`topic5:-3|>`).
            c if c.is_ascii_digit() && next == '>' => signed_number_ends_at(&chars, i),
            '.' => next.is_alphabetic(),
            ',' => next.is_alphabetic() || (next.is_ascii_digit() && !prev.is_some_and(|p| p.is_ascii_digit())),
            ';' | '?' | '!' | '%' | '"' => next.is_alphanumeric(),
            ':' => next.is_alphanumeric() || next == '(',
            ')' | ']' | '}' => next.is_alphanumeric() || matches!(next, '|' | '*' | '-'),
            '|' => next == '(',
            _ => false,
        };
        let before_next = matches!(next, '(' | '[' | '{') && c.is_alphanumeric();
        if after || before_next {
            let end = at + c.len_utf8();
            words.push(&line[start..end]);
            start = end;
        }
    }
    if start < line.len() {
        words.push(&line[start..]);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &[Opt] = &[with_value("topic", ""), with_value("partitions", ""), flag("create", "")];

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn values_prefixes_and_errors() {
        let p = parse(SPEC, &words("--create --top=a --partitions 3")).unwrap();
        assert!(p.has("create"));
        assert_eq!(p.value("topic"), Some("a"));
        assert_eq!(p.int("partitions"), Ok(Some(3)));
        assert_eq!(parse(SPEC, &words("--nope")).unwrap_err(), "nope is not a recognized option");
        assert_eq!(parse(SPEC, &words("--topic")).unwrap_err(), "Option topic requires an argument");
        let p = parse(SPEC, &words("--partitions x")).unwrap();
        assert_eq!(p.int("partitions").unwrap_err(), "Cannot parse argument 'x' of option partitions");
    }
}
