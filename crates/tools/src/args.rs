//! Option parsing as Kafka's tools do it (jopt-simple): `--name value` or `--name=value`,
//! unambiguous prefixes accepted, every value kept in order, and jopt-simple's messages.

use std::collections::BTreeMap;

/// One option a tool accepts.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    pub name: &'static str,
    /// Takes an argument (`--topic t`); otherwise a flag (`--list`).
    pub value: bool,
    pub help: &'static str,
}

pub const fn flag(name: &'static str, help: &'static str) -> Opt {
    Opt { name, value: false, help }
}

pub const fn with_value(name: &'static str, help: &'static str) -> Opt {
    Opt { name, value: true, help }
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

/// jopt-simple's help table, as `--help` prints it.
pub fn usage(spec: &[Opt]) -> String {
    let rows: Vec<(String, &str)> = spec
        .iter()
        .map(|o| {
            let left = if o.value { format!("--{} <String>", o.name) } else { format!("--{}", o.name) };
            (left, o.help)
        })
        .collect();
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(6).max(6) + 1;
    let mut out = format!("{:<width$}Description\n{:<width$}-----------\n", "Option", "------");
    for (left, help) in rows {
        out.push_str(&format!("{left:<width$}{help}\n"));
    }
    out
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
