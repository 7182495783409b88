//! Bridge mode (`kafkalab broker`): real Kafka clients speak the wire protocol to the simulated
//! cluster. Each simulated broker listens on its own port; every accepted connection becomes an
//! external client node of the world, whose requests travel the simulated network, so a killed
//! broker closes its connections and a cut link stalls them. The engine stays pure: this crate
//! owns the sockets, the clock (virtual time follows the wall clock × speed) and the codecs
//! (the `kafka-protocol` crate), and turns requests into engine messages and answers back.

mod api;
mod connection;
mod consumer_group;
mod frame;
mod live;
mod topic_ids;
mod versions;

use kafkalab_engine::cluster::ExternalEvent;
use kafkalab_engine::sim::Millis;
use kafkalab_engine::World;
use std::cell::RefCell;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

pub use versions::SUPPORTED_APIS;

/// How often the bridge reports the engine's load on stderr.
const REPORT_EVERY: Duration = Duration::from_secs(5);

/// How the bridge serves a world.
#[derive(Debug, Clone)]
pub struct BridgeConfig {
    /// Broker 1's address; broker n listens on `port + n - 1`.
    pub listen: SocketAddr,
    /// Virtual milliseconds per wall-clock millisecond.
    pub speed: f64,
    /// Where the live view listens (the web app's files and the `/live` WebSocket), if anywhere.
    pub live: Option<SocketAddr>,
    /// The built web app (`trunk build`'s `dist/`).
    pub dist: std::path::PathBuf,
}

/// Virtual time as a function of the wall clock.
struct Clock {
    wall_start: Instant,
    virtual_start: Millis,
    speed: f64,
}

impl Clock {
    fn now(&self) -> Millis {
        self.virtual_start + (self.wall_start.elapsed().as_secs_f64() * 1000.0 * self.speed) as Millis
    }
}

/// What every connection shares: the world (one thread, so a `RefCell`), where each external
/// client's events go, and the raw group subscriptions the engine does not keep.
pub(crate) struct Bridge {
    pub(crate) world: RefCell<World>,
    routes: RefCell<HashMap<u32, mpsc::UnboundedSender<ExternalEvent>>>,
    clock: Clock,
    pub(crate) listen: SocketAddr,
    /// The member metadata bytes each member sent in JoinGroup, by (group, member, protocol):
    /// the engine keeps the parsed subscription, the leader's assignor wants the client's bytes
    /// (user data included).
    pub(crate) subscriptions: RefCell<HashMap<(String, String, String), bytes::Bytes>>,
    /// The topic ids Metadata and the consumer group protocol give out.
    pub(crate) topic_ids: RefCell<topic_ids::TopicIds>,
    /// The client id of each consumer-protocol member, by (group, member), for
    /// ConsumerGroupDescribe: the engine's members know their connection only.
    pub(crate) member_clients: RefCell<HashMap<(String, String), String>>,
}

impl Bridge {
    /// The port broker `id` listens on.
    pub(crate) fn port_of(&self, broker: i32) -> u16 {
        self.listen.port() + (broker - 1) as u16
    }

    pub(crate) fn host(&self) -> String {
        self.listen.ip().to_string()
    }

    /// Advances the world to the clock's time and hands each external client its events.
    fn advance(&self) {
        let events = {
            let mut world = self.world.borrow_mut();
            let target = self.clock.now();
            world.run_until(target);
            world.take_external_events()
        };
        let routes = self.routes.borrow();
        for event in events {
            let client = match &event {
                ExternalEvent::Message { client, .. } | ExternalEvent::Disconnected { client, .. } => *client,
            };
            if let Some(route) = routes.get(&client) {
                // A connection that already ended dropped its receiver: nothing to do.
                let _ = route.send(event);
            }
        }
    }

    pub(crate) fn register(&self, client: u32) -> mpsc::UnboundedReceiver<ExternalEvent> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.routes.borrow_mut().insert(client, tx);
        rx
    }

    pub(crate) fn unregister(&self, client: u32) {
        self.routes.borrow_mut().remove(&client);
        self.world.borrow_mut().disconnect_external_client(client);
    }
}

/// Serves `world` until the process is stopped: one listener per broker-role node, and the
/// clock that advances the world. Errors only if a port cannot be bound.
pub fn serve(world: World, config: BridgeConfig) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the bridge's runtime: {e}"))?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, run(world, config))
}

async fn run(world: World, config: BridgeConfig) -> Result<(), String> {
    if !(config.speed > 0.0 && config.speed.is_finite()) {
        return Err(format!("--speed must be a positive number, got {}", config.speed));
    }
    let brokers = world.broker_ids();
    let last_port = u32::from(config.listen.port()) + brokers.iter().max().copied().unwrap_or(1) as u32 - 1;
    if last_port > u32::from(u16::MAX) {
        return Err(format!("--listen port {} leaves no room for {} brokers", config.listen.port(), brokers.len()));
    }
    let bridge = Rc::new(Bridge {
        clock: Clock { wall_start: Instant::now(), virtual_start: world.now(), speed: config.speed },
        world: RefCell::new(world),
        routes: RefCell::default(),
        listen: config.listen,
        subscriptions: RefCell::default(),
        topic_ids: RefCell::default(),
        member_clients: RefCell::default(),
    });
    for broker in brokers {
        let addr = SocketAddr::new(config.listen.ip(), bridge.port_of(broker));
        let listener =
            TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr} for broker {broker}: {e}"))?;
        eprintln!("kafkalab broker: broker {broker} listens on {addr}");
        tokio::task::spawn_local(accept(bridge.clone(), broker, listener));
    }
    if let Some(addr) = config.live {
        let listener =
            TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr} for the live view: {e}"))?;
        eprintln!(
            "kafkalab broker: live view on http://{addr}/ (WebSocket at /live), files from {}",
            config.dist.display()
        );
        tokio::task::spawn_local(live::serve(bridge.clone(), listener, config.dist.clone()));
    }
    eprintln!("kafkalab broker: virtual time runs at {}x the wall clock", config.speed);
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // How much of the wall clock the engine takes: near 100% it no longer keeps up with the
    // speed asked for (virtual time still follows the wall clock, answers come late).
    let (mut busy, mut since) = (Duration::ZERO, Instant::now());
    loop {
        tick.tick().await;
        let started = Instant::now();
        bridge.advance();
        busy += started.elapsed();
        if since.elapsed() >= REPORT_EVERY {
            let world = bridge.world.borrow();
            eprintln!(
                "kafkalab broker: virtual time {} ms, engine busy {:.0}% of the last {} s",
                world.now(),
                100.0 * busy.as_secs_f64() / since.elapsed().as_secs_f64(),
                REPORT_EVERY.as_secs()
            );
            (busy, since) = (Duration::ZERO, Instant::now());
        }
    }
}

async fn accept(bridge: Rc<Bridge>, broker: i32, listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                tokio::task::spawn_local(connection::serve(bridge.clone(), broker, stream, peer));
            }
            Err(e) => eprintln!("kafkalab broker: broker {broker}: accept failed: {e}"),
        }
    }
}
