//! One module per subcommand.

pub mod assign;
pub mod batch;
pub mod bench;
pub mod chaos;
pub mod lessons;
pub mod partition;
pub mod run;
pub mod scenarios;
pub mod shell;

/// What every subcommand returns: an error message for stderr.
pub type CmdResult = Result<(), String>;

/// Reads a command's `--input`: a file path, or `-` for standard input.
pub fn read_input(path: &str) -> Result<String, String> {
    use std::io::Read;
    if path == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read stdin: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
}
