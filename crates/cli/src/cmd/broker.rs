//! `kafkalab broker`: bridge mode. Runs a simulated cluster with its virtual clock following the
//! wall clock and serves Kafka's wire protocol on one port per broker, so real Kafka clients
//! (kafka-python, librdkafka, kafkajs, the Java client, kcat) can use it.

use super::CmdResult;
use kafkalab_bridge::BridgeConfig;
use kafkalab_engine::cluster::World;
use kafkalab_engine::scenario::preset::world_config;
use kafkalab_engine::scenario::ScenarioRun;
use kafkalab_engine::sim::network::NetworkConfig;

#[derive(clap::Args)]
pub struct Args {
    /// Start from a scenario's cluster (a file or a built-in name), with its steps at time 0
    #[arg(long, conflicts_with = "brokers")]
    pub scenario: Option<String>,
    /// A fresh cluster of this many brokers (default 3)
    #[arg(long)]
    pub brokers: Option<i32>,
    /// Broker 1's address; broker n listens on PORT + n - 1
    #[arg(long, default_value = "127.0.0.1:9092")]
    pub listen: std::net::SocketAddr,
    /// Virtual time runs at this many times the wall clock
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also serve the live view here: the web app (from --dist) and a WebSocket at /live that
    /// streams the cluster and takes fault actions
    #[arg(long)]
    pub live: Option<std::net::SocketAddr>,
    /// The built web app for --live
    #[arg(long, default_value = "dist")]
    pub dist: std::path::PathBuf,
}

pub fn run(args: Args) -> CmdResult {
    let world = match &args.scenario {
        Some(name) => {
            let (_, scenario) = super::run::load(name)?;
            let mut run = ScenarioRun::new(scenario, Some(args.seed)).map_err(|e| e.to_string())?;
            run.seek(0);
            run.world().clone()
        }
        None => {
            // A LAN's latency: the preset's slower network is for watching dots move.
            let config = NetworkConfig::default();
            World::new(
                kafkalab_engine::cluster::WorldConfig { network: config, ..world_config(args.brokers.unwrap_or(3)) },
                args.seed,
            )
            .map_err(|e| e.to_string())?
        }
    };
    kafkalab_bridge::serve(
        world,
        BridgeConfig { listen: args.listen, speed: args.speed, live: args.live, dist: args.dist },
    )
}
