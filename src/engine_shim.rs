//! TEMPORARY stand-in for the engine's World/View API (World::new, view()), which is being written
//! in crates/engine right now. Same names and shapes as the agreed contract; removed as soon as the
//! real kernel lands. It draws 3 alive brokers with broker 2 as controller and no simulation at all.
#![allow(dead_code)]
pub mod world {
    #[derive(Default)]
    pub struct WorldConfig { pub brokers: u32, pub x: u32 }
}
pub mod view {
    #[derive(Clone, Copy)]
    pub enum BrokerState { Alive, Fenced, Dead }
    pub struct BrokerView { pub id: i32, pub state: BrokerState, pub is_controller: bool }
    pub struct View { pub now_ms: u64, pub brokers: Vec<BrokerView> }
}
#[derive(Clone)]
pub struct World { n: u32 }
impl World {
    pub fn new(c: world::WorldConfig, _seed: u64) -> Result<World, String> { Ok(World { n: c.brokers }) }
    pub fn view(&self) -> view::View {
        view::View { now_ms: 0, brokers: (1..=self.n as i32).map(|id| view::BrokerView { id, state: view::BrokerState::Alive, is_controller: id == 2 }).collect() }
    }
}
