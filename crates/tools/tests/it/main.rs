//! The tools' integration tests, one binary: golden outputs per tool, and random arguments.

mod common;

mod console_golden;
mod topics_golden;
