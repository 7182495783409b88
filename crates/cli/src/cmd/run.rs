use super::{not_implemented, CmdResult};

#[derive(clap::Args)]
pub struct Args {
    /// Scenario file (TOML)
    pub scenario: String,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stop at this virtual time
    #[arg(long)]
    pub until_ms: Option<u64>,
    #[arg(long, value_parser = ["ko", "en"], default_value = "en")]
    pub lang: String,
    /// Write the full event trace to this file
    #[arg(long)]
    pub trace: Option<String>,
}

pub fn run(_args: Args) -> CmdResult {
    not_implemented("run")
}
