//! The world: every node, the network, the clock and the RNG.

/// Being written: the simulation kernel lands here next.
#[derive(Debug, Clone, Default)]
pub struct World;
