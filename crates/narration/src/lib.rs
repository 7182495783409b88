//! kafkalab's narration, shared by the web app and the CLI: every engine fact as a Korean or
//! English sentence from one catalogue, clients named as the scenario names them, and the
//! feed's folding of repeats. The engine holds no language text; this crate holds it all.

mod catalogue;
mod feed;
#[cfg(test)]
mod fixtures;
mod lang;
mod roster;
mod sentence;

pub use catalogue::{count, fill, phrase, Phrase};
pub use feed::{feed_lines, keep_marked, mark, FeedLine, Mark};
pub use lang::Lang;
pub use roster::{member_ids, short_member_id, Roster};
pub use sentence::sentence;
