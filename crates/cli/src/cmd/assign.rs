use super::{not_implemented, CmdResult};

#[derive(clap::Args)]
pub struct Args {
    /// range | roundrobin | sticky | cooperative-sticky
    #[arg(long)]
    pub strategy: String,
    /// JSON input file, or - for stdin
    #[arg(long)]
    pub input: String,
}

pub fn run(_args: Args) -> CmdResult {
    not_implemented("assign")
}
