//! One module per subcommand.

pub mod assign;
pub mod batch;
pub mod bench;
pub mod chaos;
pub mod partition;
pub mod run;

/// What every subcommand returns: an error message for stderr.
pub type CmdResult = Result<(), String>;
