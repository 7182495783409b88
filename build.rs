//! Parses and validates the built-in scenario and lesson files with the engine, here at build
//! time, and writes them as JSON for the app to embed (`sim::catalogue`): the page then links no
//! TOML reader for them, nor their validation. A file that does not parse fails the build with
//! the engine's message.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=scenarios");
    let catalogue = match kafkalab_engine::lesson::Catalogue::builtin() {
        Ok(catalogue) => catalogue,
        Err(e) => panic!("a built-in scenario or lesson does not parse: {e}"),
    };
    let json = serde_json::to_string(&catalogue).expect("the catalogue serializes");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("catalogue.json"), json).expect("OUT_DIR is writable");
}
