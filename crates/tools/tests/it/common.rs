//! Running commands in a fresh session.

use kafkalab_tools::{Output, Session};

/// Runs a script in a fresh 3-broker session; the outputs of its commands in order.
pub fn script(text: &str) -> Vec<Output> {
    session_with(text).1
}

/// Runs a script in a fresh session; the outputs of its commands and the session.
pub fn session_with(text: &str) -> (Session<'static>, Vec<Output>) {
    let mut session = Session::sandbox();
    let outputs = session.run_script(text).into_iter().map(|(_, o)| o).collect();
    (session, outputs)
}

/// Runs a script and returns the last command's output.
pub fn last(text: &str) -> Output {
    script(text).pop().expect("the script has a command")
}
