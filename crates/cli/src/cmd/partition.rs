//! `kafkalab partition`: the partition that Kafka's producer picks for each key.

use super::CmdResult;
use clap::{Arg, ArgAction, ArgMatches, Command};
use kafkalab_engine::producer::partitioner::partition_for_key;

const HELP: &str = r#"Prints one line per key, in the order the keys were given (--key and --key-hex may be mixed):

    <key><TAB><partition>

A --key is printed as given, except that a backslash, tab, CR or LF is written as \\, \t, \r or \n;
a --key-hex is printed as hex:<lowercase hex>. The partition is toPositive(murmur2(key bytes)) % N,
as Kafka's producer computes it for a record with a key (over all N partitions, available or not)."#;

/// A key as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Text(String),
    Hex(String),
}

/// Arguments of `partition`. Implemented by hand (not derived) to keep the order of mixed
/// `--key`/`--key-hex` flags, which clap only exposes through argument indices.
pub struct Args {
    pub partitions: i32,
    pub keys: Vec<Key>,
}

impl clap::FromArgMatches for Args {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let partitions = matches.get_one::<i32>("partitions").copied().ok_or_else(|| {
            clap::Error::raw(clap::error::ErrorKind::MissingRequiredArgument, "--partitions is required\n")
        })?;
        let mut keys: Vec<(usize, Key)> = Vec::new();
        for (id, make) in [("key", Key::Text as fn(String) -> Key), ("key-hex", Key::Hex)] {
            if let (Some(values), Some(indices)) = (matches.get_many::<String>(id), matches.indices_of(id)) {
                keys.extend(indices.zip(values).map(|(i, v)| (i, make(v.clone()))));
            }
        }
        keys.sort_by_key(|(i, _)| *i);
        Ok(Self { partitions, keys: keys.into_iter().map(|(_, k)| k).collect() })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for Args {
    fn augment_args(cmd: Command) -> Command {
        cmd.after_help(HELP)
            .arg(
                Arg::new("partitions")
                    .long("partitions")
                    .value_name("N")
                    .required(true)
                    .allow_negative_numbers(true)
                    .value_parser(clap::value_parser!(i32))
                    .help("Number of partitions of the topic (at least 1)"),
            )
            .arg(
                Arg::new("key")
                    .long("key")
                    .value_name("K")
                    .action(ArgAction::Append)
                    .allow_hyphen_values(true)
                    .help("A key, as UTF-8 text (repeatable)"),
            )
            .arg(
                Arg::new("key-hex")
                    .long("key-hex")
                    .value_name("HEX")
                    .action(ArgAction::Append)
                    .help("A key, as hex bytes, e.g. 00ff10 (repeatable; empty = the empty key)"),
            )
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

pub fn run(args: Args) -> CmdResult {
    if args.partitions < 1 {
        return Err(format!("--partitions must be at least 1, got {}", args.partitions));
    }
    if args.keys.is_empty() {
        return Err("give at least one --key or --key-hex".to_string());
    }
    let mut out = String::new();
    for key in &args.keys {
        let (label, bytes) = match key {
            Key::Text(text) => (escape(text), text.as_bytes().to_vec()),
            Key::Hex(hex) => {
                let bytes = decode_hex(hex)?;
                (format!("hex:{}", hex.to_ascii_lowercase()), bytes)
            }
        };
        out.push_str(&format!("{label}\t{}\n", partition_for_key(&bytes, args.partitions)));
    }
    print!("{out}");
    Ok(())
}

fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\t' => s.push_str("\\t"),
            '\r' => s.push_str("\\r"),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

fn decode_hex(hex: &str) -> Result<Vec<u8>, String> {
    if !hex.len().is_multiple_of(2) {
        return Err(format!("invalid --key-hex `{hex}`: odd number of hex digits"));
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    hex.as_bytes()
        .chunks(2)
        .map(|pair| match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => Ok(hi << 4 | lo),
            _ => Err(format!("invalid --key-hex `{hex}`: `{}` is not a hex byte", String::from_utf8_lossy(pair))),
        })
        .collect()
}
