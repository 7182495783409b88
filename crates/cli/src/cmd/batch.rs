use super::{not_implemented, CmdResult};

#[derive(clap::Subcommand)]
pub enum BatchCommand {
    /// Encode a JSON batch description as one line of lowercase hex
    Encode {
        /// JSON input file, or - for stdin
        #[arg(long)]
        input: String,
    },
    /// Decode a hex RecordBatch v2 into JSON
    Decode {
        /// The batch bytes as hex
        #[arg(long)]
        hex: String,
    },
}

pub fn run(command: BatchCommand) -> CmdResult {
    match command {
        BatchCommand::Encode { .. } => not_implemented("batch encode"),
        BatchCommand::Decode { .. } => not_implemented("batch decode"),
    }
}
