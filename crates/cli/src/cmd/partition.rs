use super::{not_implemented, CmdResult};

#[derive(clap::Args)]
pub struct Args {
    /// Number of partitions of the topic
    #[arg(long)]
    pub partitions: i32,
    /// A key, as UTF-8 text (repeatable)
    #[arg(long = "key")]
    pub keys: Vec<String>,
    /// A key, as hex bytes (repeatable)
    #[arg(long = "key-hex")]
    pub keys_hex: Vec<String>,
}

pub fn run(_args: Args) -> CmdResult {
    not_implemented("partition")
}
