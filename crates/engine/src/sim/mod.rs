//! The deterministic simulation kernel: virtual clock, event queue, seeded RNG, network, world.

pub mod world;
