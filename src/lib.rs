//! kafkalab web app: the Yew (CSR) front end of the Kafka learning simulator, laid out like Yew's
//! examples: the root component in `app.rs`, the app state and its reducer in `state.rs`, one
//! component per file in `components/`, the hooks that listen to the document in `hooks/`.
//!
//! `main.rs` only mounts [`App`]. Pure logic (the message catalogue, narration, the URL fragment,
//! the layout, the simulation bridge and the reducer) has native unit tests, run by
//! `cargo test --workspace`.

pub mod app;
pub mod cluster;
pub mod components;
pub mod dev;
pub mod hooks;
pub mod i18n;
pub mod inspect;
pub mod lessons;
pub mod live;
pub mod logs;
pub mod menu;
pub mod narrate;
pub mod scale;
pub mod sim;
pub mod state;
pub mod url;

pub use app::App;
