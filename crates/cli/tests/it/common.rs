//! Running the built binary.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The `kafkalab` binary Cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_kafkalab");

/// Runs `kafkalab ARGS`, writing `stdin` (if any) to its standard input.
pub fn kafkalab(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kafkalab");
    {
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            // kafkalab may exit before reading (e.g. an unknown strategy): a broken pipe is fine.
            let _ = pipe.write_all(text.as_bytes());
        }
    }
    child.wait_with_output().expect("wait for kafkalab")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
