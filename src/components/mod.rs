//! The components, one per file. They hold no text of their own (see [`crate::i18n`]), draw only
//! what their props say, render every user-provided string (topic names, keys, values) as text,
//! and report what the user does as an [`AppAction`](crate::state::AppAction) or a
//! [`UserAction`](crate::sim::UserAction): none of them knows the root component.

mod broker_node;
mod build_panel;
mod client_node;
mod cluster_canvas;
mod controls;
mod cut_link;
mod fault_panel;
mod footer;
mod fork_panel;
mod form;
mod group_panel;
mod header;
mod lesson_panel;
mod log_inspector;
mod logo_mark;
mod mark_list;
mod memory_line;
mod messages;
mod metrics_panel;
mod narration_feed;
mod node_events;
mod node_menu;
mod notices;
mod panel_props;
mod partition_logs;
mod producer_panel;
mod rebalance_swimlane;
mod scenario_notes;
mod seq_diagram;
mod terminal;
mod transactions_panel;
mod view_toggle;

pub use broker_node::{BrokerNode, BrokerNodeProps};
pub use build_panel::BuildPanel;
pub use client_node::{ClientNode, ClientNodeProps};
pub use cluster_canvas::{ClusterCanvas, ClusterCanvasProps};
pub use controls::{Controls, ControlsProps};
pub use cut_link::{CutLink, CutLinkProps};
pub use fault_panel::FaultPanel;
pub use footer::{Footer, FooterProps};
pub use fork_panel::{ForkPanel, ForkPanelProps};
pub use group_panel::{GroupPanel, GroupPanelProps};
pub use header::{Header, HeaderProps};
pub use lesson_panel::{LessonPanel, LessonPanelProps};
pub use log_inspector::{LogInspector, LogInspectorProps};
pub use logo_mark::LogoMark;
pub use mark_list::{MarkList, MarkListProps};
pub use memory_line::{MemoryLine, MemoryLineProps};
pub use messages::{Messages, MessagesProps};
pub use metrics_panel::{MetricsPanel, MetricsPanelProps};
pub use narration_feed::{NarrationFeed, NarrationProps};
pub use node_events::NodeEvent;
pub use node_menu::{NodeMenuProps, NodeMenuView};
pub use notices::{Notices, NoticesProps};
pub use panel_props::PanelProps;
pub use partition_logs::{PartitionLogs, PartitionLogsProps};
pub use producer_panel::ProducerPanel;
pub use rebalance_swimlane::{RebalanceSwimlane, RebalanceSwimlaneProps};
pub use scenario_notes::{ScenarioNotes, ScenarioNotesProps};
pub use seq_diagram::{SeqDiagram, SeqDiagramProps};
pub use terminal::{Terminal, TerminalProps};
pub use transactions_panel::{TransactionsPanel, TransactionsPanelProps};
pub use view_toggle::{ViewToggle, ViewToggleProps};
