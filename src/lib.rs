//! kafkalab web app: the Yew (CSR) front end of the Kafka learning simulator.
//!
//! The components live here and in the submodules so that tests can import them; `main.rs` only
//! mounts [`App`]. Pure logic (the message catalogue, the URL fragment, the layout) has native unit
//! tests, run by `cargo test --workspace`.

pub mod app;
pub mod cluster;
pub mod components;
pub mod i18n;
pub mod url;

pub use app::App;
