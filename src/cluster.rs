//! The bridge to the engine: builds the World the shell shows and turns its `View` into the small,
//! comparable model that the components draw. Rendering reads `World::view()` only.

use kafkalab_engine::sim::world::WorldConfig;
use kafkalab_engine::view::{BrokerState, View};
pub use kafkalab_engine::World;

/// The seed of the World the shell shows (the URL's `seed=` overrides it).
pub const DEFAULT_SEED: u64 = 42;

/// The cluster the shell shows for now: three brokers.
pub fn initial_world(seed: u64) -> Result<World, String> {
    World::new(WorldConfig { brokers: 3, ..Default::default() }, seed).map_err(|e| e.to_string())
}

/// A broker as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerCard {
    pub id: i32,
    pub state: NodeState,
    pub is_controller: bool,
}

/// A broker's state as drawn (the engine's `BrokerState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeState {
    Alive,
    Fenced,
    Dead,
}

impl NodeState {
    /// The value of the `data-state` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Alive => "alive",
            NodeState::Fenced => "fenced",
            NodeState::Dead => "dead",
        }
    }
}

/// What the cluster canvas draws.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterModel {
    pub now_ms: u64,
    pub brokers: Vec<BrokerCard>,
}

impl ClusterModel {
    pub fn from_view(view: &View) -> Self {
        let mut brokers: Vec<BrokerCard> = view
            .brokers
            .iter()
            .map(|b| BrokerCard {
                id: b.id,
                state: match b.state {
                    BrokerState::Alive => NodeState::Alive,
                    BrokerState::Fenced => NodeState::Fenced,
                    BrokerState::Dead => NodeState::Dead,
                },
                is_controller: b.is_controller,
            })
            .collect();
        brokers.sort_by_key(|b| b.id);
        ClusterModel { now_ms: view.now_ms, brokers }
    }
}

/// Where the canvas puts each broker: a grid of at most [`Layout::MAX_COLUMNS`] columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    pub columns: usize,
    pub rows: usize,
}

impl Layout {
    pub const MAX_COLUMNS: usize = 4;
    // Integers: SVG coordinates in whole units keep float formatting out of the wasm.
    pub const NODE_W: i32 = 250;
    pub const NODE_H: i32 = 150;
    pub const GAP_X: i32 = 60;
    pub const GAP_Y: i32 = 50;
    pub const MARGIN: i32 = 20;
    /// Room above the nodes for the controller badge.
    pub const TOP: i32 = 22;

    pub fn for_count(count: usize) -> Self {
        let columns = count.clamp(1, Self::MAX_COLUMNS);
        Layout { columns, rows: count.div_ceil(columns).max(1) }
    }

    pub fn width(&self) -> i32 {
        let columns = self.columns as i32;
        2 * Self::MARGIN + columns * Self::NODE_W + (columns - 1) * Self::GAP_X
    }

    pub fn height(&self) -> i32 {
        Self::TOP + 2 * Self::MARGIN + self.rows as i32 * (Self::NODE_H + Self::GAP_Y) - Self::GAP_Y
    }

    /// The top-left corner of the `index`-th node.
    pub fn position(&self, index: usize) -> (i32, i32) {
        let (row, col) = ((index / self.columns) as i32, (index % self.columns) as i32);
        (
            Self::MARGIN + col * (Self::NODE_W + Self::GAP_X),
            Self::TOP + Self::MARGIN + row * (Self::NODE_H + Self::GAP_Y),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_cluster_has_three_brokers_and_one_controller() {
        let world = initial_world(DEFAULT_SEED).expect("3-broker world");
        let model = ClusterModel::from_view(&world.view());
        assert_eq!(model.brokers.iter().map(|b| b.id).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert!(model.brokers.iter().all(|b| b.state == NodeState::Alive));
        assert_eq!(model.brokers.iter().filter(|b| b.is_controller).count(), 1, "one active controller");
    }

    #[test]
    fn layout_places_nodes_without_overlap() {
        let layout = Layout::for_count(3);
        assert_eq!((layout.columns, layout.rows), (3, 1));
        let xs: Vec<i32> = (0..3).map(|i| layout.position(i).0).collect();
        assert!(xs.windows(2).all(|w| w[1] - w[0] >= Layout::NODE_W));
        assert!(layout.position(2).0 + Layout::NODE_W <= layout.width());
        let big = Layout::for_count(6);
        assert_eq!((big.columns, big.rows), (4, 2));
        assert!(big.position(5).1 + Layout::NODE_H <= big.height());
        assert_eq!(Layout::for_count(0).rows, 1);
    }
}
