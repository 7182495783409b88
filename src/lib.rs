//! kafkalab web app: the Yew (CSR) front end of the Kafka learning simulator.
//!
//! The components live here and in the submodules so that tests can import them; `main.rs` only
//! mounts [`App`]. Pure logic (the message catalogue, narration, the URL fragment, the layout, the
//! simulation bridge and the reducer) has native unit tests, run by `cargo test --workspace`.

pub mod app;
pub mod canvas;
pub mod cluster;
pub mod components;
pub mod dev;
pub mod i18n;
pub mod inspect;
pub mod menu;
pub mod narrate;
pub mod sim;
pub mod url;

pub use app::App;
