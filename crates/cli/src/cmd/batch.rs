//! `kafkalab batch encode|decode`: RecordBatch v2 bytes as Kafka writes them.

use super::CmdResult;
use kafkalab_engine::log::batch_json::{batch_from_json, batch_to_json, from_hex, to_hex};
use kafkalab_engine::log::RecordBatch;

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
        BatchCommand::Encode { input } => {
            let text = super::read_input(&input)?;
            let batch = batch_from_json(&text)?;
            println!("{}", to_hex(&batch.encode()));
            Ok(())
        }
        BatchCommand::Decode { hex } => {
            let bytes = from_hex(&hex).map_err(|e| format!("--hex: {e}"))?;
            let batch = RecordBatch::decode(&bytes).map_err(|e| format!("corrupt batch: {e}"))?;
            let json = serde_json::to_string_pretty(&batch_to_json(&batch)).map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(())
        }
    }
}
