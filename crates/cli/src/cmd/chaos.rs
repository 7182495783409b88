use super::{not_implemented, CmdResult};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub seed: u64,
    #[arg(long, default_value_t = 1000)]
    pub steps: u64,
    #[arg(long, default_value_t = 3)]
    pub brokers: u32,
    #[arg(long, default_value_t = 3)]
    pub replication_factor: u32,
    #[arg(long, value_parser = ["0", "1", "all"], default_value = "all")]
    pub acks: String,
    #[arg(long, default_value_t = 2)]
    pub min_insync_replicas: u32,
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    pub unclean: bool,
}

pub fn run(_args: Args) -> CmdResult {
    not_implemented("chaos")
}
