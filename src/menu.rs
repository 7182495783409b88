//! The context menu of a node or a cut link on the canvas: which faults it offers, given the
//! current view. Pure, so that the offer is tested natively; `components/node_menu.rs` draws it.

use kafkalab_engine::sim::NodeId;
use kafkalab_engine::view::external::ExternalClientView;
use kafkalab_engine::view::{BrokerState, View};

use crate::i18n::{fill, t, Key, Lang};
use crate::sim::UserAction;

/// Extra latency of "slow down", as in the fault panel.
pub const SLOW_MS: u64 = 200;

/// What a menu was opened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuTarget {
    Node(NodeId),
    /// A cut link, `a < b` as drawn.
    Link(NodeId, NodeId),
}

/// One button of the menu: `text` is what it shows, `aria` the whole sentence for screen readers.
#[derive(Debug, Clone, PartialEq)]
pub struct MenuItem {
    pub testid: String,
    pub text: String,
    pub aria: String,
    pub action: UserAction,
    pub danger: bool,
}

/// The links the node can cut to one peer: both ways, then each single direction still open.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerRow {
    pub name: String,
    pub items: Vec<MenuItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeMenu {
    pub title: String,
    pub items: Vec<MenuItem>,
    /// Peers a link can still be cut to (shown on demand: there can be a dozen).
    pub cut: Vec<PeerRow>,
    /// Cut links to heal.
    pub heal: Vec<MenuItem>,
}

/// How a node is called in the UI: `Broker 2`, or a client's own name.
pub fn node_name(lang: Lang, view: &View, node: NodeId) -> String {
    match node {
        NodeId::Broker(id) => {
            let controller_only = view.brokers.iter().any(|b| b.id == id && b.roles.controller_only());
            let key = if controller_only { Key::ControllerNodeName } else { Key::BrokerName };
            fill(t(lang, key), &[&id.to_string()])
        }
        NodeId::Client(_) => view
            .producers
            .iter()
            .find(|p| p.client == node)
            .map(|p| p.name.clone())
            .or_else(|| view.consumers.iter().find(|c| c.client == node).map(|c| c.name.clone()))
            .or_else(|| real_client(view, node).map(|c| c.client_id.clone()))
            .unwrap_or_else(|| node.to_string()),
    }
}

/// The real client (bridge mode) one of whose connections is `node`.
pub fn real_client(view: &View, node: NodeId) -> Option<&ExternalClientView> {
    view.external_clients.iter().find(|c| c.connections.iter().any(|conn| conn.node == node))
}

/// Whether the link is cut; for a real client, the link of any of its connections.
fn is_cut(view: &View, from: NodeId, to: NodeId) -> bool {
    let nodes = |n: NodeId| match real_client(view, n) {
        Some(c) => c.connections.iter().map(|conn| conn.node).collect(),
        None => vec![n],
    };
    let (froms, tos) = (nodes(from), nodes(to));
    view.cut_links.iter().any(|(a, b)| froms.contains(a) && tos.contains(b))
}

fn item(testid: String, text: String, aria: String, action: UserAction, danger: bool) -> MenuItem {
    MenuItem { testid, text, aria, action, danger }
}

fn cut_item(lang: Lang, view: &View, from: NodeId, to: NodeId, one_way: bool) -> MenuItem {
    let (f, g) = (node_name(lang, view, from), node_name(lang, view, to));
    let (testid, text, key) = if one_way {
        (format!("menu-cut-oneway-{from}-{to}"), "→", Key::CutOneWay)
    } else {
        (format!("menu-cut-{from}-{to}"), "↔", Key::CutBoth)
    };
    let action = UserAction::CutLink { a: from.to_string(), b: to.to_string(), one_way };
    item(testid, text.into(), fill(t(lang, key), &[&f, &g]), action, true)
}

fn heal_item(lang: Lang, view: &View, a: NodeId, b: NodeId) -> MenuItem {
    let (an, bn) = (node_name(lang, view, a), node_name(lang, view, b));
    let text = fill(t(lang, Key::HealBetween), &[&an, &bn]);
    let action = UserAction::HealLink { a: a.to_string(), b: b.to_string() };
    item(format!("menu-heal-{a}-{b}"), text.clone(), text, action, false)
}

/// The menu for `target`, or None when it is no longer in the view.
pub fn build(lang: Lang, view: &View, target: MenuTarget) -> Option<NodeMenu> {
    match target {
        MenuTarget::Node(node) => node_menu(lang, view, node),
        MenuTarget::Link(a, b) => {
            let (ab, ba) = (is_cut(view, a, b), is_cut(view, b, a));
            if !ab && !ba {
                return None;
            }
            let (an, bn) = (node_name(lang, view, a), node_name(lang, view, b));
            let mut items = vec![heal_item(lang, view, a, b)];
            // A one-way cut can be made whole.
            if ab != ba {
                let (from, to) = if ab { (b, a) } else { (a, b) };
                let mut also = cut_item(lang, view, from, to, true);
                also.text = also.aria.clone();
                items.push(also);
            }
            Some(NodeMenu {
                title: fill(t(lang, Key::LinkTitle), &[&an, &bn]),
                items,
                cut: Vec::new(),
                heal: Vec::new(),
            })
        }
    }
}

fn node_menu(lang: Lang, view: &View, node: NodeId) -> Option<NodeMenu> {
    let name = node_name(lang, view, node);
    let mut items = Vec::new();
    let peers: Vec<NodeId> = match node {
        NodeId::Broker(id) => {
            let broker = view.brokers.iter().find(|b| b.id == id)?;
            let n = id.to_string();
            if broker.state == BrokerState::Dead {
                items.push(item(
                    format!("menu-restart-broker-{id}"),
                    fill(t(lang, Key::RestartBroker), &[&n]),
                    fill(t(lang, Key::RestartBroker), &[&n]),
                    UserAction::RestartBroker { broker: id },
                    false,
                ));
            } else {
                items.push(item(
                    format!("menu-kill-broker-{id}"),
                    fill(t(lang, Key::KillBroker), &[&n]),
                    fill(t(lang, Key::KillBroker), &[&n]),
                    UserAction::KillBroker { broker: id },
                    true,
                ));
                if !broker.shutting_down {
                    items.push(item(
                        format!("menu-shutdown-broker-{id}"),
                        fill(t(lang, Key::ShutdownBroker), &[&n]),
                        fill(t(lang, Key::ShutdownBrokerAria), &[&n]),
                        UserAction::ShutdownBroker { broker: id },
                        false,
                    ));
                }
            }
            if broker.is_controller {
                items.push(item(
                    "menu-kill-controller".into(),
                    t(lang, Key::KillController).into(),
                    fill(t(lang, Key::KillControllerOn), &[&name]),
                    UserAction::KillController,
                    true,
                ));
            }
            let mut peers: Vec<NodeId> =
                view.brokers.iter().map(|b| NodeId::Broker(b.id)).filter(|b| *b != node).collect();
            peers.extend(view.producers.iter().map(|p| p.client));
            peers.extend(view.consumers.iter().map(|c| c.client));
            peers.extend(view.external_clients.iter().map(|c| c.node));
            peers
        }
        // A real client's process is not ours to stop: only its links to brokers can be cut.
        NodeId::Client(_) if real_client(view, node).is_some() => {
            view.brokers.iter().map(|b| NodeId::Broker(b.id)).collect()
        }
        NodeId::Client(_) => {
            if let Some(p) = view.producers.iter().find(|p| p.client == node) {
                let id = p.id;
                let entries: Vec<(&str, Key, UserAction, bool)> = if p.running {
                    vec![
                        ("stop-stream", Key::StopStreamOf, UserAction::StopStream { producer: id }, false),
                        ("crash-producer", Key::CrashProducer, UserAction::CrashProducer { producer: id }, true),
                    ]
                } else {
                    vec![(
                        "restart-producer",
                        Key::RestartProducer,
                        UserAction::RestartProducer { producer: id },
                        false,
                    )]
                };
                for (verb, key, action, danger) in entries {
                    let text = fill(t(lang, key), &[&name]);
                    items.push(item(format!("menu-{verb}-{id}"), text.clone(), text, action, danger));
                }
            } else {
                let c = view.consumers.iter().find(|c| c.client == node)?;
                let id = c.id;
                let entries: Vec<(&str, Key, UserAction, bool)> = if c.running {
                    vec![
                        ("crash", Key::CrashConsumer, UserAction::CrashConsumer { consumer: id }, true),
                        ("close", Key::CloseConsumer, UserAction::CloseConsumer { consumer: id }, false),
                    ]
                } else {
                    vec![("restart", Key::RestartConsumer, UserAction::RestartConsumer { consumer: id }, false)]
                };
                for (verb, key, action, danger) in entries {
                    let text = fill(t(lang, key), &[&name]);
                    items.push(item(format!("menu-{verb}-consumer-{id}"), text.clone(), text, action, danger));
                }
            }
            // Clients talk to brokers only.
            view.brokers.iter().map(|b| NodeId::Broker(b.id)).collect()
        }
    };
    // The bridge cuts a real client's connections both ways, and cannot isolate or slow it.
    let real = real_client(view, node).is_some();
    if !real {
        let isolate = fill(t(lang, Key::IsolateNode), &[&name]);
        items.push(item(
            format!("menu-isolate-{node}"),
            isolate.clone(),
            isolate,
            UserAction::IsolateNode { node: node.to_string() },
            true,
        ));
        let slow = view.slow_nodes.iter().any(|(n, _)| *n == node);
        let (verb, text, extra_ms) = if slow {
            ("unslow", fill(t(lang, Key::UnslowNodeNamed), &[&name]), 0)
        } else {
            let ms = SLOW_MS.to_string();
            ("slow", fill(t(lang, Key::SlowNodeNamed), &[&name, &ms]), SLOW_MS)
        };
        items.push(item(
            format!("menu-{verb}-{node}"),
            text.clone(),
            text,
            UserAction::SlowNode { node: node.to_string(), extra_ms },
            false,
        ));
    }
    let mut cut = Vec::new();
    let mut heal = Vec::new();
    for peer in peers {
        let (out, back) = (is_cut(view, node, peer), is_cut(view, peer, node));
        if out || back {
            heal.push(heal_item(lang, view, node, peer));
        }
        let mut row = Vec::new();
        if !(out && back) {
            row.push(cut_item(lang, view, node, peer, false));
        }
        if !out && !real {
            row.push(cut_item(lang, view, node, peer, true));
        }
        if !back && !real {
            let mut inbound = cut_item(lang, view, peer, node, true);
            inbound.text = "←".into();
            row.push(inbound);
        }
        if !row.is_empty() {
            cut.push(PeerRow { name: node_name(lang, view, peer), items: row });
        }
    }
    Some(NodeMenu { title: name, items, cut, heal })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Preset, Setup, Sim};

    fn demo_at(ms: u64) -> Sim {
        let mut sim = Sim::new(Setup::new(Preset::Demo, 42)).unwrap();
        sim.seek(ms);
        sim
    }

    fn ids(menu: &NodeMenu) -> Vec<&str> {
        menu.items.iter().map(|i| i.testid.as_str()).collect()
    }

    #[test]
    fn a_real_client_offers_only_cutting_its_links_and_is_named_by_client_id() {
        use kafkalab_engine::cluster::{Action, World, WorldConfig};
        let mut world = World::new(WorldConfig::default(), 1).unwrap();
        let conns: Vec<u32> = [1, 2].iter().map(|b| world.connect_external_client(*b).unwrap()).collect();
        for c in &conns {
            world.set_external_peer(*c, "127.0.0.1:7000");
            world.note_external_request(*c, "orders-app", "Produce");
        }
        // Its second connection's link is cut: the client's link to broker 2 shows cut.
        world.apply(Action::CutLink { from: NodeId::Client(conns[1]), to: NodeId::Broker(2), both: true }).unwrap();
        let view = world.view();
        let node = NodeId::Client(conns[0]);
        let menu = build(Lang::En, &view, MenuTarget::Node(node)).unwrap();
        assert_eq!(menu.title, "orders-app");
        assert!(menu.items.is_empty(), "no isolate or slow: {:?}", ids(&menu));
        assert_eq!(menu.heal.len(), 1);
        assert!(matches!(&menu.heal[0].action, UserAction::HealLink { b, .. } if b == "broker-2"));
        assert!(menu.cut.iter().all(|row| row.items.len() == 1), "both ways only");
        assert_eq!(node_name(Lang::En, &view, NodeId::Client(conns[1])), "orders-app");
        let broker = build(Lang::En, &view, MenuTarget::Node(NodeId::Broker(1))).unwrap();
        assert!(broker.cut.iter().any(|row| row.name == "orders-app"), "a broker can cut its link to the client");
    }

    #[test]
    fn a_broker_offers_kill_isolate_slow_and_links_to_every_other_node() {
        let sim = demo_at(3_000);
        let view = sim.world().view();
        let controller = view.brokers.iter().find(|b| b.is_controller).unwrap().id;
        let other = view.brokers.iter().find(|b| !b.is_controller).unwrap().id;
        let menu = build(Lang::En, &view, MenuTarget::Node(NodeId::Broker(other))).unwrap();
        assert_eq!(menu.title, format!("Broker {other}"));
        assert_eq!(
            ids(&menu),
            vec![
                format!("menu-kill-broker-{other}"),
                format!("menu-shutdown-broker-{other}"),
                format!("menu-isolate-broker-{other}"),
                format!("menu-slow-broker-{other}"),
            ]
        );
        // Two other brokers, a producer and two consumers; nothing cut yet.
        assert_eq!(menu.cut.len(), 5);
        assert!(menu.cut.iter().all(|row| row.items.len() == 3));
        assert!(menu.heal.is_empty());
        let lead = build(Lang::En, &view, MenuTarget::Node(NodeId::Broker(controller))).unwrap();
        assert!(ids(&lead).contains(&"menu-kill-controller"));
    }

    /// A graceful stop is offered once: while the controlled shutdown runs, only kill is left.
    #[test]
    fn a_broker_offers_a_graceful_stop_until_it_is_stopping() {
        let mut sim = demo_at(3_000);
        let offered = |sim: &Sim| {
            let view = sim.world().view();
            let menu = build(Lang::Ko, &view, MenuTarget::Node(NodeId::Broker(2))).unwrap();
            menu.items.iter().any(|i| i.testid == "menu-shutdown-broker-2")
        };
        assert!(offered(&sim));
        sim.apply(UserAction::ShutdownBroker { broker: 2 }).unwrap();
        assert!(sim.world().view().brokers.iter().any(|b| b.id == 2 && b.shutting_down));
        assert!(!offered(&sim));
    }

    #[test]
    fn cut_links_move_from_the_cut_list_to_the_heal_list() {
        let mut sim = demo_at(3_000);
        sim.apply(UserAction::CutLink { a: "broker-1".into(), b: "broker-2".into(), one_way: true }).unwrap();
        let view = sim.world().view();
        let menu = build(Lang::En, &view, MenuTarget::Node(NodeId::Broker(1))).unwrap();
        let row = menu.cut.iter().find(|r| r.name == "Broker 2").unwrap();
        // broker-1 → broker-2 is cut: both ways and the inbound direction are left.
        let row_ids: Vec<&str> = row.items.iter().map(|i| i.testid.as_str()).collect();
        assert_eq!(row_ids, vec!["menu-cut-broker-1-broker-2", "menu-cut-oneway-broker-2-broker-1"]);
        assert_eq!(menu.heal.len(), 1);
        assert_eq!(menu.heal[0].testid, "menu-heal-broker-1-broker-2");
        // The link's own menu heals it, or cuts the other direction too.
        let link = build(Lang::Ko, &view, MenuTarget::Link(NodeId::Broker(1), NodeId::Broker(2))).unwrap();
        assert_eq!(ids(&link), vec!["menu-heal-broker-1-broker-2", "menu-cut-oneway-broker-2-broker-1"]);
        assert!(build(Lang::En, &view, MenuTarget::Link(NodeId::Broker(1), NodeId::Broker(3))).is_none());
    }

    #[test]
    fn every_offered_action_is_accepted_by_the_engine() {
        let sim = demo_at(4_000);
        let view = sim.world().view();
        let mut targets: Vec<NodeId> = view.brokers.iter().map(|b| NodeId::Broker(b.id)).collect();
        targets.extend(view.producers.iter().map(|p| p.client));
        targets.extend(view.consumers.iter().map(|c| c.client));
        for node in targets {
            let menu = build(Lang::En, &view, MenuTarget::Node(node)).unwrap();
            let all = menu.items.iter().chain(menu.cut.iter().flat_map(|r| &r.items)).chain(&menu.heal);
            for offered in all {
                let mut fresh = sim.clone();
                assert!(fresh.apply(offered.action.clone()).is_ok(), "{} on {node}", offered.testid);
            }
        }
    }

    #[test]
    fn a_consumer_offers_crash_and_close_then_restart() {
        let mut sim = demo_at(4_000);
        let view = sim.world().view();
        let c = &view.consumers[0];
        let (node, id) = (c.client, c.id);
        let menu = build(Lang::En, &view, MenuTarget::Node(node)).unwrap();
        assert_eq!(ids(&menu)[..2], [format!("menu-crash-consumer-{id}"), format!("menu-close-consumer-{id}")]);
        // A client's links go to brokers only.
        assert_eq!(menu.cut.len(), 3);
        sim.apply(UserAction::CrashConsumer { consumer: id }).unwrap();
        let view = sim.world().view();
        let menu = build(Lang::En, &view, MenuTarget::Node(node)).unwrap();
        assert_eq!(ids(&menu)[0], format!("menu-restart-consumer-{id}"));
    }

    #[test]
    fn a_producer_offers_crash_then_restart_on_a_new_node() {
        let mut sim = demo_at(4_000);
        let view = sim.world().view();
        let p = &view.producers[0];
        let (node, id) = (p.client, p.id);
        let menu = build(Lang::En, &view, MenuTarget::Node(node)).unwrap();
        assert_eq!(ids(&menu)[..2], [format!("menu-stop-stream-{id}"), format!("menu-crash-producer-{id}")]);
        sim.apply(UserAction::CrashProducer { producer: id }).unwrap();
        let view = sim.world().view();
        let menu = build(Lang::En, &view, MenuTarget::Node(node)).unwrap();
        assert_eq!(ids(&menu)[0], format!("menu-restart-producer-{id}"));
        sim.apply(menu.items[0].action.clone()).unwrap();
        let view = sim.world().view();
        assert!(view.producers[0].running && view.producers[0].client != node);
    }
}
