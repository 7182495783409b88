//! The bridge from the engine's `View` to what the canvas draws: brokers with their replica tiles,
//! client nodes grouped by consumer group, links, cut links and messages in flight, laid out on an
//! integer grid (whole SVG units keep float formatting out of the wasm).

use std::collections::BTreeMap;
use std::rc::Rc;

use kafkalab_engine::consumer::MemberState;
use kafkalab_engine::sim::NodeId;
use kafkalab_engine::view::external::{ExternalClientView, ExternalRole};
use kafkalab_engine::view::{BrokerState, PartitionView, RaftRole, View};
pub use kafkalab_engine::World;

/// The seed when the URL gives none.
pub const DEFAULT_SEED: u64 = 42;

/// A view shared by the components; equal when it is the same snapshot.
#[derive(Clone)]
pub struct ViewRc(pub Rc<View>);

impl PartialEq for ViewRc {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
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

    pub fn from_engine(state: BrokerState) -> Self {
        match state {
            BrokerState::Alive => NodeState::Alive,
            BrokerState::Fenced => NodeState::Fenced,
            BrokerState::Dead => NodeState::Dead,
        }
    }
}

/// One replica tile: the controller's metadata decides leader and ISR membership. Only what is
/// drawn, so that a broker whose tiles did not change is not drawn again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    pub topic: String,
    pub partition: i32,
    pub leader: bool,
    pub in_isr: bool,
    /// Out of the ISR but an eligible leader replica (KIP-966): drawn "E", not "✕".
    pub in_elr: bool,
    /// Consumers (by name) that fetch this partition from this follower, its preferred read
    /// replica (KIP-392): drawn as a reader mark on the tile.
    pub read_by: Vec<String>,
    /// This replica's part in a running reassignment (KIP-455), if any.
    pub moving: Option<Move>,
}

/// A replica's part in a partition reassignment (KIP-455).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// A new replica, catching up as a follower: drawn "+".
    Adding,
    /// An old replica, dropped once every adding one is in the ISR: drawn "−".
    Removing,
}

impl Move {
    pub fn as_str(self) -> &'static str {
        match self {
            Move::Adding => "adding",
            Move::Removing => "removing",
        }
    }
}

/// Why a broker's tiles no longer say what the cluster does: they are the controller's last word
/// about a broker that cannot act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// Dead, or cut off from the active controller, and not fenced yet: until
    /// `broker.session.timeout.ms` passes, the metadata still counts it as leader and in the ISR.
    NotFenced,
    /// Fenced by the controller: its leaderships have moved on.
    Fenced,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerCard {
    pub id: i32,
    pub state: NodeState,
    pub is_controller: bool,
    /// A voter between leaders (prospective, candidate, resigned): drawn as a mark by its name.
    pub quorum_mark: Option<RaftRole>,
    /// A controlled shutdown is under way.
    pub shutting_down: bool,
    /// `process.roles=controller`: a quorum voter with no replicas, drawn apart from brokers.
    pub controller_only: bool,
    /// `broker.rack`, drawn beside the name.
    pub rack: Option<String>,
    pub tiles: Vec<Tile>,
    pub slow_ms: u64,
    pub stale: Option<Stale>,
}

/// A producer or consumer node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCard {
    pub node: NodeId,
    /// The producer's or consumer's id in the engine's actions.
    pub id: u32,
    pub label: String,
    pub producer: bool,
    pub running: bool,
    /// A running consumer in a stable group with no partition assigned: nothing to read.
    pub idle: bool,
    /// A consumer's `client.rack` (KIP-392).
    pub rack: Option<String>,
    /// A consumer with a `client.rack`: each owned partition and the broker it fetches it from
    /// (its leader or a follower the leader named), drawn as the fetch path.
    pub reads_from: Vec<FetchPath>,
    /// A consumer whose thread sleeps a Spring `DefaultErrorHandler` back-off: nothing it owns
    /// moves meanwhile.
    pub backing_off: bool,
}

/// A drawn fetch path: a consumer (by name), what it reads, and the line's ends on the canvas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchLine {
    pub consumer: String,
    pub path: FetchPath,
    pub from: (i32, i32),
    pub to: (i32, i32),
}

/// Where a consumer fetches one partition from (KIP-392).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPath {
    pub topic: String,
    pub partition: i32,
    pub broker: i32,
    /// From a follower, its preferred read replica, rather than the leader.
    pub follower: bool,
}

/// A real Kafka client (bridge mode): its connections with one `client.id` from one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealClientCard {
    /// The connection it is drawn as (its menu's node).
    pub node: NodeId,
    pub client_id: String,
    pub host: String,
    pub roles: Vec<ExternalRole>,
    /// An idempotent producer's id and epoch, and its `transactional.id`.
    pub producer: Option<(i64, i16, Option<String>)>,
    /// The groups it is a member of.
    pub groups: Vec<String>,
    /// Its connections, per broker.
    pub links: Vec<RealLink>,
}

impl RealClientCard {
    /// `open` while a connection is open, `stalled` while one waits behind a cut link,
    /// `closed` once all are closed.
    pub fn state(&self) -> LinkState {
        self.links.iter().map(|l| l.state).min().unwrap_or(LinkState::Closed)
    }
}

/// What a real client's connections to one broker are doing; ordered most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkState {
    /// Requests wait behind a cut link.
    Stalled,
    Open,
    /// Closed (the broker died, or the client closed them).
    Closed,
}

impl LinkState {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Stalled => "stalled",
            LinkState::Open => "open",
            LinkState::Closed => "closed",
        }
    }
}

/// A real client's connections to one broker, drawn as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealLink {
    pub broker: i32,
    pub state: LinkState,
    /// How many connections (a client can have a bootstrap one and a leader's one).
    pub count: usize,
    /// Requests not answered yet, over those connections.
    pub waiting: usize,
}

impl RealClientCard {
    pub fn from_view(c: &ExternalClientView) -> Self {
        let mut links: Vec<RealLink> = Vec::new();
        for conn in &c.connections {
            let state = match (conn.closed, conn.stalled) {
                (Some(_), _) => LinkState::Closed,
                (None, true) => LinkState::Stalled,
                (None, false) => LinkState::Open,
            };
            match links.iter_mut().find(|l| l.broker == conn.broker) {
                Some(l) => {
                    l.state = l.state.min(state);
                    l.count += 1;
                    l.waiting += conn.waiting.len();
                }
                None => links.push(RealLink { broker: conn.broker, state, count: 1, waiting: conn.waiting.len() }),
            }
        }
        links.sort_by_key(|l| l.broker);
        let mut groups: Vec<String> = c.members.iter().map(|m| m.group_id.clone()).collect();
        groups.dedup();
        RealClientCard {
            node: c.node,
            client_id: c.client_id.clone(),
            host: c.host.clone(),
            roles: c.roles.clone(),
            producer: c.producer.as_ref().map(|p| (p.producer_id, p.producer_epoch, p.transactional_id.clone())),
            groups,
            links,
        }
    }
}

/// Consumers of one group, drawn in one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBox {
    pub group: String,
    pub clients: Vec<ClientCard>,
}

/// The limit of a readable cluster view (#7): up to 64 partitions drawn and 12 brokers,
/// every replica is a tile; beyond either, each broker is summarised.
pub const MAX_PARTITIONS: usize = 64;
pub const MAX_BROKERS: usize = 12;

/// What the cluster canvas draws.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterModel {
    pub now_ms: u64,
    pub brokers: Vec<BrokerCard>,
    pub producers: Vec<ClientCard>,
    pub groups: Vec<GroupBox>,
    /// Real Kafka clients (bridge mode), drawn in a frame of their own.
    pub real_clients: Vec<RealClientCard>,
    pub summarised: bool,
}

impl ClusterModel {
    pub fn from_view(view: &View, show_internal: bool) -> Self {
        let mut meta: BTreeMap<(&str, i32), &PartitionView> = BTreeMap::new();
        let mut internal: Vec<&str> = Vec::new();
        let mut partitions = 0;
        for topic in &view.topics {
            if topic.internal {
                internal.push(&topic.name);
            }
            if show_internal || !topic.internal {
                partitions += topic.partitions.len();
            }
            for p in &topic.partitions {
                meta.insert((&topic.name, p.partition), p);
            }
        }
        let slow: BTreeMap<NodeId, u64> = view.slow_nodes.iter().copied().collect();
        let controller = view.brokers.iter().find(|b| b.is_controller).map(|b| b.id);
        // Followers that consumers read from (KIP-392), by (topic, partition, broker).
        let mut readers: BTreeMap<(&str, i32, i32), Vec<String>> = BTreeMap::new();
        for c in view.consumers.iter().filter(|c| c.running) {
            for (tp, broker) in &c.reading_from {
                if meta.get(&(tp.topic.as_str(), tp.partition)).is_some_and(|p| p.leader != *broker) {
                    readers.entry((tp.topic.as_str(), tp.partition, *broker)).or_default().push(c.name.clone());
                }
            }
        }
        let cut = |a: i32, b: i32| {
            let (a, b) = (NodeId::Broker(a), NodeId::Broker(b));
            view.cut_links.contains(&(a, b)) || view.cut_links.contains(&(b, a))
        };
        let mut brokers: Vec<BrokerCard> = view
            .brokers
            .iter()
            .map(|b| {
                let mut tiles: Vec<Tile> = b
                    .replicas
                    .iter()
                    .filter(|r| show_internal || !internal.contains(&r.topic.as_str()))
                    .map(|r| {
                        let partition = meta.get(&(r.topic.as_str(), r.partition));
                        let (leader, isr, elr) =
                            partition.map_or((-1, &[][..], &[][..]), |p| (p.leader, &p.isr[..], &p.elr[..]));
                        let moving = partition.and_then(|p| {
                            if p.adding_replicas.contains(&b.id) {
                                Some(Move::Adding)
                            } else if p.removing_replicas.contains(&b.id) {
                                Some(Move::Removing)
                            } else {
                                None
                            }
                        });
                        Tile {
                            topic: r.topic.clone(),
                            partition: r.partition,
                            leader: leader == b.id,
                            in_isr: isr.contains(&b.id),
                            in_elr: elr.contains(&b.id),
                            read_by: readers.get(&(r.topic.as_str(), r.partition, b.id)).cloned().unwrap_or_default(),
                            moving,
                        }
                    })
                    .collect();
                tiles.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
                let unreachable = controller.is_some_and(|c| c != b.id && cut(b.id, c));
                let stale = if b.roles.controller_only() {
                    None
                } else if b.fenced {
                    Some(Stale::Fenced)
                } else if b.state == BrokerState::Dead || unreachable {
                    Some(Stale::NotFenced)
                } else {
                    None
                };
                BrokerCard {
                    id: b.id,
                    state: NodeState::from_engine(b.state),
                    is_controller: b.is_controller,
                    quorum_mark: b
                        .quorum_role
                        .filter(|r| matches!(r, RaftRole::Prospective | RaftRole::Candidate | RaftRole::Resigned)),
                    shutting_down: b.shutting_down,
                    controller_only: b.roles.controller_only(),
                    rack: b.rack.clone(),
                    tiles,
                    slow_ms: slow.get(&NodeId::Broker(b.id)).copied().unwrap_or(0),
                    stale,
                }
            })
            .collect();
        brokers.sort_by_key(|b| b.id);
        let summarised = partitions > MAX_PARTITIONS || brokers.len() > MAX_BROKERS;
        let producers = view
            .producers
            .iter()
            .map(|p| ClientCard {
                node: p.client,
                id: p.id,
                label: p.name.clone(),
                producer: true,
                running: p.running,
                idle: false,
                rack: None,
                reads_from: Vec::new(),
                backing_off: false,
            })
            .collect();
        let mut groups: Vec<GroupBox> = Vec::new();
        for c in &view.consumers {
            let idle = c.running && c.state == MemberState::Stable && c.assignment.is_empty();
            let rack = (!c.client_rack.is_empty()).then(|| c.client_rack.clone());
            let reads_from = if rack.is_some() && c.running {
                c.reading_from
                    .iter()
                    .map(|(tp, broker)| FetchPath {
                        topic: tp.topic.to_string(),
                        partition: tp.partition,
                        broker: *broker,
                        follower: meta.get(&(tp.topic.as_str(), tp.partition)).is_some_and(|p| p.leader != *broker),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let card = ClientCard {
                node: c.client,
                id: c.id,
                label: c.name.clone(),
                producer: false,
                running: c.running,
                idle,
                rack,
                reads_from,
                backing_off: c.running && c.listener.as_ref().is_some_and(|l| l.backing_off_until.is_some()),
            };
            match groups.iter_mut().find(|g| g.group == c.group_id) {
                Some(g) => g.clients.push(card),
                None => groups.push(GroupBox { group: c.group_id.clone(), clients: vec![card] }),
            }
        }
        let real_clients = view.external_clients.iter().map(RealClientCard::from_view).collect();
        ClusterModel { now_ms: view.now_ms, brokers, producers, groups, real_clients, summarised }
    }
}

/// Where everything goes on the canvas.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub columns: usize,
    pub broker_h: i32,
    /// The size of the replica tiles, the same on every broker.
    pub grid: TileGrid,
    pub width: i32,
    pub height: i32,
    pub clients_y: i32,
    /// Centre of every node, for links and messages.
    pub centres: BTreeMap<NodeId, (i32, i32)>,
    /// Every node's box: x, y, width, height (for pointer hit tests).
    pub boxes: BTreeMap<NodeId, (i32, i32, i32, i32)>,
    /// Top-left of each client node, in model order (producers, then each group's consumers).
    pub client_pos: Vec<(i32, i32)>,
    /// Each group's frame: x, y, width.
    pub group_frames: Vec<(i32, i32, i32)>,
    /// Top-left of each real client, in model order, and their frame (x, y, width).
    pub real_pos: Vec<(i32, i32)>,
    pub real_frame: Option<(i32, i32, i32)>,
}

impl Layout {
    pub const NODE_W: i32 = 270;
    pub const GAP_X: i32 = 40;
    pub const GAP_Y: i32 = 40;
    pub const MARGIN: i32 = 20;
    /// Room above the nodes for the controller badge and the scissors of cut links that bow
    /// over the first row.
    pub const TOP: i32 = 34;
    pub const HEAD_H: i32 = 78;
    /// Room for the two lines of a summarised broker.
    pub const SUMMARY_H: i32 = 56;
    pub const CLIENT_W: i32 = 130;
    pub const CLIENT_H: i32 = 46;

    pub fn columns_for(count: usize) -> usize {
        match count {
            0..=4 => count.max(1),
            5..=9 => 3,
            _ => 4,
        }
    }

    pub fn new(model: &ClusterModel) -> Self {
        let columns = Self::columns_for(model.brokers.len());
        let rows = model.brokers.len().div_ceil(columns).max(1) as i32;
        let most = model.brokers.iter().map(|b| b.tiles.len()).max().unwrap_or(0);
        let grid = TileGrid::for_tiles(most);
        let tiles_h = if model.summarised {
            Self::SUMMARY_H
        } else {
            model.brokers.iter().map(|b| grid.place(&b.tiles).height).max().unwrap_or(0).max(TileGrid::NORMAL.h)
        };
        let broker_h = Self::HEAD_H + tiles_h + 14;
        let cols = columns as i32;
        let brokers_w = cols * Self::NODE_W + (cols - 1) * Self::GAP_X;
        let mut centres = BTreeMap::new();
        let mut boxes = BTreeMap::new();
        // Each node's box, and its centre, where links and messages meet it.
        let mut place = |node: NodeId, x: i32, y: i32, w: i32, h: i32| {
            boxes.insert(node, (x, y, w, h));
            centres.insert(node, (x + w / 2, y + h / 2));
        };
        for (i, b) in model.brokers.iter().enumerate() {
            let (x, y) = Self::broker_pos(columns, broker_h, i);
            place(NodeId::Broker(b.id), x, y, Self::NODE_W, broker_h);
        }
        let clients_y = Self::TOP + Self::MARGIN + rows * (broker_h + Self::GAP_Y) + 10;
        // Clients: producers, then one frame per group.
        let mut x = Self::MARGIN;
        let mut client_pos = Vec::new();
        for p in &model.producers {
            client_pos.push((x, clients_y + 24));
            place(p.node, x, clients_y + 24, Self::CLIENT_W, Self::CLIENT_H);
            x += Self::CLIENT_W + 16;
        }
        if !model.producers.is_empty() {
            x += 24;
        }
        let mut group_frames = Vec::new();
        for g in &model.groups {
            let frame_x = x;
            x += 10;
            for c in &g.clients {
                client_pos.push((x, clients_y + 24));
                place(c.node, x, clients_y + 24, Self::CLIENT_W, Self::CLIENT_H);
                x += Self::CLIENT_W + 10;
            }
            group_frames.push((frame_x, clients_y, x - frame_x));
            x += 24;
        }
        // Real clients, in a frame; each of a client's connections meets the client's box.
        let mut real_pos = Vec::new();
        let mut real_frame = None;
        if !model.real_clients.is_empty() {
            let frame_x = x;
            x += 10;
            for c in &model.real_clients {
                real_pos.push((x, clients_y + 24));
                place(c.node, x, clients_y + 24, Self::CLIENT_W, Self::CLIENT_H);
                x += Self::CLIENT_W + 10;
            }
            real_frame = Some((frame_x, clients_y, x - frame_x));
            x += 24;
        }
        let has_clients = !client_pos.is_empty() || !real_pos.is_empty();
        let width = (2 * Self::MARGIN + brokers_w).max(x + Self::MARGIN);
        let height = if has_clients { clients_y + 24 + Self::CLIENT_H + 16 } else { clients_y };
        Layout {
            columns,
            broker_h,
            grid,
            width,
            height,
            clients_y,
            centres,
            boxes,
            client_pos,
            group_frames,
            real_pos,
            real_frame,
        }
    }

    /// The top-left corner of the `index`-th broker.
    pub fn broker_pos(columns: usize, broker_h: i32, index: usize) -> (i32, i32) {
        let (row, col) = ((index / columns) as i32, (index % columns) as i32);
        (Self::MARGIN + col * (Self::NODE_W + Self::GAP_X), Self::TOP + Self::MARGIN + row * (broker_h + Self::GAP_Y))
    }

    pub fn broker(&self, index: usize) -> (i32, i32) {
        Self::broker_pos(self.columns, self.broker_h, index)
    }

    /// The fetch paths to draw (KIP-392): from the top of each consumer with a `client.rack` to
    /// the replica tile it reads each partition from (the broker's centre when tiles are not drawn).
    pub fn fetch_lines(&self, model: &ClusterModel) -> Vec<FetchLine> {
        let consumers = model.groups.iter().flat_map(|g| g.clients.iter());
        consumers
            .flat_map(|c| c.reads_from.iter().map(move |path| (c, path)))
            .filter_map(|(c, path)| {
                let &(cx, cy, cw, _) = self.boxes.get(&c.node)?;
                let index = model.brokers.iter().position(|b| b.id == path.broker)?;
                let broker = &model.brokers[index];
                let (bx, by) = self.broker(index);
                let tile = broker.tiles.iter().position(|t| t.topic == path.topic && t.partition == path.partition);
                let to = match tile.filter(|_| !model.summarised) {
                    Some(i) => {
                        let (tx, ty) = self.grid.place(&broker.tiles).tiles[i];
                        (bx + tx + self.grid.w / 2, by + ty + self.grid.h)
                    }
                    None => (bx + Self::NODE_W / 2, by + self.broker_h),
                };
                Some(FetchLine { consumer: c.label.clone(), path: path.clone(), from: (cx + cw / 2, cy), to })
            })
            .collect()
    }

    /// The node whose box holds the point (canvas units), for a drag that ends on it.
    /// Whether a message marker centred on `point` would overlap `node`'s box.
    pub fn covers(&self, node: &NodeId, (px, py): (f64, f64)) -> bool {
        self.boxes.get(node).is_some_and(|&(x, y, w, h)| {
            let c = MessageRoute::CLEARANCE;
            px > f64::from(x - c) && px < f64::from(x + w + c) && py > f64::from(y - c) && py < f64::from(y + h + c)
        })
    }

    /// Whether a message marker centred on `(x, y)` would overlap no node.
    pub fn is_clear(&self, (x, y): (i32, i32)) -> bool {
        !self.boxes.keys().any(|node| self.covers(node, (f64::from(x), f64::from(y))))
    }

    pub fn node_at(&self, (px, py): (i32, i32)) -> Option<NodeId> {
        self.boxes
            .iter()
            .find(|(_, (x, y, w, h))| px >= *x && px < x + w && py >= *y && py < y + h)
            .map(|(node, _)| *node)
    }

    /// Canvas units for a point `offset` pixels from the top-left of the drawn SVG of `size`
    /// pixels, which shows this layout with `preserveAspectRatio="xMidYMin meet"`.
    pub fn to_canvas(&self, offset: (f64, f64), size: (f64, f64)) -> (i32, i32) {
        let scale = (size.0 / self.width as f64).min(size.1 / self.height as f64);
        if scale.is_nan() || scale <= 0.0 {
            return (0, 0);
        }
        let pad_x = (size.0 - self.width as f64 * scale) / 2.0;
        (((offset.0 - pad_x) / scale).round() as i32, (offset.1 / scale).round() as i32)
    }
}

/// The size of the replica tiles. Above 24 tiles on a broker they are compact, so that the 64
/// replicas a broker holds at most before the view is summarised fit in its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileGrid {
    pub compact: bool,
    pub w: i32,
    pub h: i32,
    pub gap: i32,
    /// Upper bound of a character's width in the tiles' monospace font, to fit the topic labels.
    pub char_w: i32,
    /// Cells a topic label may take; a longer name is cut with "…" (the tiles' titles have it all).
    pub label_cells: usize,
}

/// A topic's name at the start of its run of tiles: the tiles themselves show only the
/// partition number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicLabel {
    pub text: String,
    pub x: i32,
    pub y: i32,
    /// The whole cells it takes, so that the tiles stay in columns.
    pub w: i32,
}

/// Where a broker's topic labels and tiles go, relative to the broker's box.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TilePlaces {
    pub labels: Vec<TopicLabel>,
    pub tiles: Vec<(i32, i32)>,
    /// From the top of the first row to the bottom of the last.
    pub height: i32,
}

impl TileGrid {
    pub const NORMAL: TileGrid = TileGrid { compact: false, w: 44, h: 26, gap: 4, char_w: 8, label_cells: 2 };
    pub const COMPACT: TileGrid = TileGrid { compact: true, w: 28, h: 20, gap: 3, char_w: 7, label_cells: 3 };
    pub const COMPACT_ABOVE: usize = 24;
    /// The tiles' inset from the broker's sides.
    pub const PAD: i32 = 10;

    pub fn for_tiles(most_on_a_broker: usize) -> Self {
        if most_on_a_broker > Self::COMPACT_ABOVE {
            Self::COMPACT
        } else {
            Self::NORMAL
        }
    }

    pub fn columns(&self) -> usize {
        ((Layout::NODE_W - 2 * Self::PAD + self.gap) / (self.w + self.gap)) as usize
    }

    /// A topic's label, cut to fit its cells.
    fn label(&self, topic: &str) -> String {
        let room = self.label_cells as i32 * (self.w + self.gap) - self.gap - 4;
        let fits = (room / self.char_w) as usize;
        if topic.chars().count() <= fits {
            topic.to_string()
        } else {
            let mut cut: String = topic.chars().take(fits - 1).collect();
            cut.push('…');
            cut
        }
    }

    /// Lays `tiles` (sorted by topic) out row by row: each topic's run starts with its label,
    /// on the row of its first tile, and runs of small topics share rows.
    pub fn place(&self, tiles: &[Tile]) -> TilePlaces {
        let cols = self.columns();
        let (mut col, mut row) = (0usize, 0i32);
        let mut places = TilePlaces::default();
        let at = |col: usize, row: i32| {
            (Self::PAD + col as i32 * (self.w + self.gap), Layout::HEAD_H + row * (self.h + self.gap))
        };
        for (i, tile) in tiles.iter().enumerate() {
            if i == 0 || tiles[i - 1].topic != tile.topic {
                let text = self.label(&tile.topic);
                let width = text.chars().count() as i32 * self.char_w + 4;
                let cells = ((width + self.gap) as usize).div_ceil((self.w + self.gap) as usize);
                if col > 0 && col + cells + 1 > cols {
                    (col, row) = (0, row + 1);
                }
                let (x, y) = at(col, row);
                let w = cells as i32 * (self.w + self.gap) - self.gap;
                places.labels.push(TopicLabel { text, x, y, w });
                col += cells;
            }
            if col == cols {
                (col, row) = (0, row + 1);
            }
            places.tiles.push(at(col, row));
            col += 1;
        }
        if !tiles.is_empty() {
            places.height = (row + 1) * (self.h + self.gap) - self.gap;
        }
        places
    }
}

/// A cut link between two nodes, `a < b`, and which directions are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutEdge {
    pub a: NodeId,
    pub b: NodeId,
    pub a_to_b: bool,
    pub b_to_a: bool,
}

impl CutEdge {
    /// Folds the view's directed cuts into one edge per pair of nodes.
    pub fn from_cuts(cuts: &[(NodeId, NodeId)]) -> Vec<CutEdge> {
        let mut edges: BTreeMap<(NodeId, NodeId), CutEdge> = BTreeMap::new();
        for &(from, to) in cuts {
            let (a, b) = if from <= to { (from, to) } else { (to, from) };
            let edge = edges.entry((a, b)).or_insert(CutEdge { a, b, a_to_b: false, b_to_a: false });
            if from == a {
                edge.a_to_b = true;
            } else {
                edge.b_to_a = true;
            }
        }
        edges.into_values().collect()
    }

    pub fn both(&self) -> bool {
        self.a_to_b && self.b_to_a
    }
}

/// Which family a message belongs to: drawn with its own shape (not colour alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgKind {
    Produce,
    Fetch,
    Group,
    Controller,
    Other,
}

impl MsgKind {
    pub fn of(kind: &str) -> Self {
        if kind.starts_with("Produce") {
            MsgKind::Produce
        } else if kind.starts_with("Fetch") || kind.starts_with("ListOffsets") {
            MsgKind::Fetch
        } else if [
            "JoinGroup",
            "SyncGroup",
            "Heartbeat",
            "OffsetCommit",
            "OffsetFetch",
            "LeaveGroup",
            "FindCoordinator",
        ]
        .iter()
        .any(|p| kind.starts_with(p))
        {
            MsgKind::Group
        } else if ["Vote", "BrokerHeartbeat", "BrokerRegistration", "AlterPartition", "BeginQuorum", "Raft"]
            .iter()
            .any(|p| kind.starts_with(p))
        {
            MsgKind::Controller
        } else {
            MsgKind::Other
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            MsgKind::Produce => "msg-produce",
            MsgKind::Fetch => "msg-fetch",
            MsgKind::Group => "msg-group",
            MsgKind::Controller => "msg-controller",
            MsgKind::Other => "msg-other",
        }
    }
}

/// How far along its trip a message is, from 0 (sent) to 1 (arrived), `vt_milli` being the
/// virtual time in thousandths of a ms.
pub fn progress(sent_ms: u64, arrive_ms: u64, vt_milli: u64) -> f64 {
    let start = sent_ms * 1000;
    let span = (arrive_ms.saturating_sub(sent_ms) * 1000).max(1);
    vt_milli.saturating_sub(start).min(span) as f64 / span as f64
}

/// A message's way on the canvas: straight, or along its link's curve when the straight line
/// runs through another node (bowing past it, as a cut link does), and only outside the boxes
/// of the two nodes at its ends, so a marker never covers the text of any node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MessageRoute {
    from: (f64, f64),
    control: (f64, f64),
    to: (f64, f64),
    /// The part of the curve outside both end boxes.
    leave: f64,
    enter: f64,
}

impl MessageRoute {
    /// Steps along a curve when looking for box edges (a box is crossed in more than one step).
    const STEPS: usize = 64;
    /// Half a marker: its centre stays this far outside a box.
    pub const CLEARANCE: i32 = 7;

    pub fn between(layout: &Layout, from: NodeId, to: NodeId) -> Option<Self> {
        let (p, q) = (*layout.centres.get(&from)?, *layout.centres.get(&to)?);
        let f = |(x, y): (i32, i32)| (f64::from(x), f64::from(y));
        let straight = MessageRoute { from: f(p), control: f(midpoint(p, q)), to: f(q), leave: 0.0, enter: 1.0 };
        let covers = |node: &NodeId, point: (f64, f64)| layout.covers(node, point);
        let crosses_another = (0..=Self::STEPS).any(|i| {
            let point = straight.point(i as f64 / Self::STEPS as f64);
            layout.boxes.keys().any(|n| *n != from && *n != to && covers(n, point))
        });
        let mut route = if crosses_another {
            // Both directions bow the same way, so a request and its response share one curve.
            let (a, b) = if from <= to { (p, q) } else { (q, p) };
            MessageRoute { control: f(link_curve(a, b, layout.link_bow()).0), ..straight }
        } else {
            straight
        };
        let steps: Vec<f64> = (0..=Self::STEPS).map(|i| i as f64 / Self::STEPS as f64).collect();
        let leave = steps.iter().copied().find(|&t| !covers(&from, route.point(t)));
        let enter = steps.iter().rev().copied().find(|&t| !covers(&to, route.point(t)));
        match (leave, enter) {
            (Some(leave), Some(enter)) if leave < enter => (route.leave, route.enter) = (leave, enter),
            // Boxes that touch leave no way between them: the marker waits where they meet.
            _ => (route.leave, route.enter) = (0.5, 0.5),
        }
        Some(route)
    }

    /// The marker's centre at `progress` (0: leaving the sender's box, 1: reaching the receiver's).
    pub fn at(&self, progress: f64) -> (i32, i32) {
        let (x, y) = self.point(self.leave + (self.enter - self.leave) * progress.clamp(0.0, 1.0));
        (x.round() as i32, y.round() as i32)
    }

    /// The quadratic Bézier at parameter `t`.
    fn point(&self, t: f64) -> (f64, f64) {
        let u = 1.0 - t;
        let mix = |a: f64, c: f64, b: f64| u * u * a + 2.0 * u * t * c + t * t * b;
        (mix(self.from.0, self.control.0, self.to.0), mix(self.from.1, self.control.1, self.to.1))
    }
}

/// A cut link's curve from `p` to `q`: the control point of a quadratic Bézier that bows to one
/// side, and the curve's middle (where the scissors go), at least `min_offset` off the straight
/// line. Bowing past half a broker's height keeps a link between two brokers of a row from
/// running through the brokers between them.
pub fn link_curve(p: (i32, i32), q: (i32, i32), min_offset: i32) -> ((i32, i32), (i32, i32)) {
    let (dx, dy) = ((q.0 - p.0) as f64, (q.1 - p.1) as f64);
    let len = dx.hypot(dy).max(1.0);
    let (mx, my) = ((p.0 + q.0) as f64 / 2.0, (p.1 + q.1) as f64 / 2.0);
    let offset = (0.15 * len).max(min_offset as f64) / len;
    // Perpendicular (dy, -dx): upwards for a left-to-right link. The control point is twice as
    // far off as the curve's middle.
    let at = |k: f64| ((mx + dy * k).round() as i32, (my - dx * k).round() as i32);
    (at(2.0 * offset), at(offset))
}

impl Layout {
    /// How far a cut link's middle stands off its straight line: past half a broker.
    pub fn link_bow(&self) -> i32 {
        self.broker_h / 2 + 34
    }
}

/// Halfway between two points (a straight route's control point).
pub fn midpoint(from: (i32, i32), to: (i32, i32)) -> (i32, i32) {
    ((from.0 + to.0) / 2, (from.1 + to.1) / 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Preset, Setup, Sim};

    #[test]
    fn the_demo_has_three_brokers_tiles_and_clients() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, DEFAULT_SEED)).unwrap();
        sim.seek(3_000);
        let model = ClusterModel::from_view(&sim.world().view(), false);
        assert_eq!(model.brokers.iter().map(|b| b.id).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(model.brokers.iter().filter(|b| b.is_controller).count(), 1);
        for b in &model.brokers {
            assert_eq!(b.tiles.len(), 3, "orders only: internal topics hidden");
        }
        assert_eq!(model.brokers.iter().flat_map(|b| &b.tiles).filter(|t| t.leader).count(), 3);
        let with_internal = ClusterModel::from_view(&sim.world().view(), true);
        assert!(with_internal.brokers[0].tiles.iter().any(|t| t.topic == "__consumer_offsets"));
        assert_eq!(model.producers.len(), 1);
        assert_eq!(model.groups.len(), 1);
        assert_eq!(model.groups[0].clients.len(), 2);
    }

    #[test]
    fn layout_places_nodes_without_overlap() {
        let mut sim = Sim::new(Setup::new(Preset::Large, 1)).unwrap();
        sim.seek(2_000);
        let model = ClusterModel::from_view(&sim.world().view(), false);
        assert!(!model.summarised, "60 partitions x 3 replicas on 9 brokers: 20 tiles each, drawn");
        let layout = Layout::new(&model);
        assert_eq!(layout.grid, TileGrid::NORMAL);
        assert_eq!(layout.columns, 3);
        let xs: Vec<i32> = (0..3).map(|i| layout.broker(i).0).collect();
        assert!(xs.windows(2).all(|w| w[1] - w[0] >= Layout::NODE_W));
        assert!(layout.broker(8).1 + layout.broker_h < layout.clients_y);
        assert!(layout.client_pos.iter().all(|(x, _)| x + Layout::CLIENT_W <= layout.width));
    }

    /// A 3-broker sandbox with one topic of `partitions` partitions, RF 3, once the brokers
    /// host their replicas.
    fn wide(partitions: i32) -> ClusterModel {
        let mut sim = Sim::new(Setup::new(Preset::Sandbox, 1)).unwrap();
        sim.seek(3_000);
        sim.apply(crate::sim::UserAction::CreateTopic { name: "wide".into(), partitions, replication_factor: 3 })
            .unwrap();
        sim.seek(8_000);
        ClusterModel::from_view(&sim.world().view(), false)
    }

    #[test]
    fn up_to_64_partitions_every_replica_is_a_compact_tile_inside_its_broker() {
        let model = wide(64);
        assert!(!model.summarised);
        assert!(model.brokers.iter().all(|b| b.tiles.len() == 64));
        let layout = Layout::new(&model);
        assert_eq!(layout.grid, TileGrid::COMPACT);
        let g = layout.grid;
        for b in &model.brokers {
            let places = g.place(&b.tiles);
            assert_eq!(places.labels.len(), 1, "one label for the one topic");
            assert_eq!(places.labels[0].text, "wide");
            let cells: Vec<(i32, i32, i32, i32)> = places
                .tiles
                .iter()
                .map(|&(x, y)| (x, y, g.w, g.h))
                .chain(places.labels.iter().map(|l| (l.x, l.y, l.w, g.h)))
                .collect();
            for (i, &(x, y, w, h)) in cells.iter().enumerate() {
                assert!(x >= 0 && x + w <= Layout::NODE_W, "inside the box's width: {x}");
                assert!(y >= Layout::HEAD_H && y + h < layout.broker_h, "inside its height: {y}");
                for &(x2, y2, w2, _) in &cells[i + 1..] {
                    assert!(x + w <= x2 || x2 + w2 <= x || y + h <= y2 || y2 + h <= y, "overlap at {x},{y}");
                }
            }
        }
        assert!(wide(65).summarised, "beyond 64 partitions");
    }

    #[test]
    fn topics_are_labelled_once_and_small_ones_share_rows() {
        let tile = |topic: &str, partition| Tile {
            topic: topic.into(),
            partition,
            leader: false,
            in_isr: true,
            in_elr: false,
            read_by: Vec::new(),
            moving: None,
        };
        let tiles = vec![tile("a", 0), tile("b", 0), tile("b", 1), tile("a-very-long-topic-name", 0)];
        let places = TileGrid::NORMAL.place(&tiles);
        let texts: Vec<&str> = places.labels.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["a", "b", "a-very-lon…"]);
        let row = |y: i32| (y - Layout::HEAD_H) / (TileGrid::NORMAL.h + TileGrid::NORMAL.gap);
        // "a" label, a-0, "b" label, b-0, b-1: five cells on the first row.
        assert_eq!(places.tiles[..3].iter().map(|t| row(t.1)).collect::<Vec<_>>(), [0, 0, 0]);
        assert_eq!(row(places.labels[2].y), 1, "a long name wraps with its first tile");
        assert_eq!(row(places.tiles[3].1), 1);
    }

    #[test]
    fn a_cut_link_between_brokers_of_a_row_bows_above_the_one_between() {
        let layout = three_brokers();
        let (p, q) = (layout.centres[&NodeId::Broker(1)], layout.centres[&NodeId::Broker(3)]);
        let (_, middle) = link_curve(p, q, layout.link_bow());
        let (_, top, _, _) = layout.boxes[&NodeId::Broker(2)];
        assert_eq!(middle.0, layout.centres[&NodeId::Broker(2)].0);
        assert!(middle.1 < top, "{middle:?} is above broker 2 (top {top})");
        assert_eq!(layout.node_at(middle), None);
        assert_eq!(layout.node_at(layout.centres[&NodeId::Broker(2)]), Some(NodeId::Broker(2)));
    }

    #[test]
    fn pointer_pixels_map_to_canvas_units() {
        let model = ClusterModel::default();
        let layout = Layout::new(&model);
        let (w, h) = (layout.width as f64, layout.height as f64);
        // Drawn at half size: pixels double.
        assert_eq!(layout.to_canvas((w / 4.0, h / 4.0), (w / 2.0, h / 2.0)), (layout.width / 2, layout.height / 2));
        // Letterboxed in a wider box: centred horizontally.
        assert_eq!(layout.to_canvas((w / 2.0 + 10.0, 0.0), (w * 2.0, h)), (10, 0));
        assert_eq!(layout.to_canvas((5.0, 5.0), (0.0, 0.0)), (0, 0));
    }

    #[test]
    fn directed_cuts_fold_into_edges() {
        let (a, b, c) = (NodeId::Broker(1), NodeId::Broker(2), NodeId::Client(7));
        let edges = CutEdge::from_cuts(&[(b, a), (a, c), (c, a)]);
        assert_eq!(edges.len(), 2);
        assert_eq!((edges[0].a, edges[0].b, edges[0].a_to_b, edges[0].b_to_a), (a, b, false, true));
        assert!(edges[1].both());
    }

    #[test]
    fn a_dead_broker_is_stale_and_unfenced_until_its_session_times_out() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, DEFAULT_SEED)).unwrap();
        sim.seek(4_000);
        let stale = |sim: &Sim, id: i32| {
            ClusterModel::from_view(&sim.world().view(), false).brokers.into_iter().find(|b| b.id == id).unwrap().stale
        };
        let view = sim.world().view();
        let controller = view.brokers.iter().find(|b| b.is_controller).unwrap().id;
        let other = view.brokers.iter().find(|b| !b.is_controller).unwrap().id;
        assert_eq!(stale(&sim, other), None);
        sim.apply(crate::sim::UserAction::KillBroker { broker: other }).unwrap();
        assert_eq!(stale(&sim, other), Some(Stale::NotFenced));
        sim.seek(30_000);
        assert_eq!(stale(&sim, other), Some(Stale::Fenced));
        // Alive but cut off from the controller: unreachable, not fenced yet.
        sim.apply(crate::sim::UserAction::RestartBroker { broker: other }).unwrap();
        sim.seek(45_000);
        assert_eq!(stale(&sim, other), None);
        sim.apply(crate::sim::UserAction::CutLink {
            a: format!("broker-{other}"),
            b: format!("broker-{controller}"),
            one_way: true,
        })
        .unwrap();
        assert_eq!(stale(&sim, other), Some(Stale::NotFenced));
    }

    /// `process.roles=controller` nodes are drawn as controllers: no tiles, never stale.
    #[test]
    fn dedicated_controllers_are_cards_of_their_own() {
        use kafkalab_engine::cluster::{World, WorldConfig};
        let world = World::new(WorldConfig { brokers: 3, controllers: 3, ..WorldConfig::default() }, 1).unwrap();
        let model = ClusterModel::from_view(&world.view(), false);
        let only: Vec<i32> = model.brokers.iter().filter(|b| b.controller_only).map(|b| b.id).collect();
        assert_eq!(only, vec![4, 5, 6]);
        assert!(model.brokers.iter().filter(|b| b.controller_only).all(|b| b.tiles.is_empty() && b.stale.is_none()));
        assert_eq!(model.brokers.iter().find(|b| b.is_controller).map(|b| b.id), Some(4));
    }

    /// KIP-996 in the picture: a voter cut off from the quorum shows it asks for pre-votes.
    #[test]
    fn an_isolated_voter_is_marked_prospective() {
        let mut sim = Sim::new(Setup::new(Preset::Demo, DEFAULT_SEED)).unwrap();
        sim.seek(1_000);
        let other = sim.world().view().brokers.iter().find(|b| !b.is_controller).unwrap().id;
        sim.apply(crate::sim::UserAction::IsolateNode { node: format!("broker-{other}") }).unwrap();
        let mark = |sim: &Sim| {
            ClusterModel::from_view(&sim.world().view(), false)
                .brokers
                .into_iter()
                .find(|b| b.id == other)
                .unwrap()
                .quorum_mark
        };
        assert_eq!(mark(&sim), None);
        let marked = (2..40).any(|s| {
            sim.seek(1_000 + s * 250);
            mark(&sim) == Some(RaftRole::Prospective)
        });
        assert!(marked, "broker {other} never showed as prospective");
    }

    #[test]
    fn messages_move_from_sender_to_receiver() {
        assert_eq!(progress(10, 20, 10_000), 0.0);
        assert_eq!(progress(10, 20, 15_000), 0.5);
        assert_eq!(progress(10, 20, 99_000), 1.0);
        assert_eq!(progress(10, 10, 10_000), 0.0);
    }

    #[test]
    fn a_real_client_is_one_card_with_a_line_per_broker_and_its_worst_state() {
        use kafkalab_engine::cluster::{Action, WorldConfig};
        let mut world = World::new(WorldConfig::default(), 1).unwrap();
        let conns: Vec<u32> = [1, 1, 2, 3].iter().map(|b| world.connect_external_client(*b).unwrap()).collect();
        for c in &conns {
            world.set_external_peer(*c, "127.0.0.1:7000");
            world.note_external_request(*c, "writer", "Produce");
        }
        world.apply(Action::CutLink { from: NodeId::Client(conns[2]), to: NodeId::Broker(2), both: true }).unwrap();
        assert!(world.send_external(conns[2], kafkalab_engine::protocol::ClientMessage::MetadataRequest.into()));
        world.apply(Action::KillBroker { broker: 3 }).unwrap();
        let model = ClusterModel::from_view(&world.view(), false);
        assert_eq!(model.real_clients.len(), 1);
        let card = &model.real_clients[0];
        let links: Vec<(i32, LinkState, usize)> = card.links.iter().map(|l| (l.broker, l.state, l.count)).collect();
        assert_eq!(links, [(1, LinkState::Open, 2), (2, LinkState::Stalled, 1), (3, LinkState::Closed, 1)]);
        assert_eq!(card.state(), LinkState::Stalled);
        let layout = Layout::new(&model);
        assert_eq!(layout.real_pos.len(), 1);
        assert!(layout.real_frame.is_some() && layout.boxes.contains_key(&card.node));
    }

    fn three_brokers() -> Layout {
        let model = ClusterModel {
            brokers: (1..=3)
                .map(|id| BrokerCard {
                    id,
                    state: NodeState::Alive,
                    is_controller: false,
                    quorum_mark: None,
                    shutting_down: false,
                    controller_only: false,
                    rack: None,
                    tiles: Vec::new(),
                    slow_ms: 0,
                    stale: None,
                })
                .collect(),
            ..Default::default()
        };
        Layout::new(&model)
    }

    #[test]
    fn a_message_travels_outside_every_box_and_bows_past_the_broker_between() {
        let layout = three_brokers();
        let (b1, b2, b3) = (NodeId::Broker(1), NodeId::Broker(2), NodeId::Broker(3));
        for (from, to) in [(b1, b2), (b2, b1), (b1, b3), (b3, b1)] {
            let route = MessageRoute::between(&layout, from, to).unwrap();
            for i in 0..=20 {
                let at = route.at(f64::from(i) / 20.0);
                assert_eq!(layout.node_at(at), None, "{from}→{to} at {i}/20: {at:?} is on a node");
            }
        }
        let there = MessageRoute::between(&layout, b1, b3).unwrap();
        let back = MessageRoute::between(&layout, b3, b1).unwrap();
        assert_eq!(there.at(0.5), back.at(0.5), "a request and its response share one curve");
        let (_, top, _, _) = layout.boxes[&b2];
        assert!(there.at(0.5).1 < top, "bowing above broker 2");
        let (x1, _, w1, _) = layout.boxes[&b1];
        assert!(
            there.at(0.0).0 <= x1 + w1 + MessageRoute::CLEARANCE + 1 || there.at(0.0).1 < top,
            "leaving broker 1's edge"
        );
    }
}
