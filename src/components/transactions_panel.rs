//! Transactions: each transactional id as its coordinator knows it (Kafka's state, the
//! coordinator broker, producer id and epoch, the partitions in the open transaction), and each
//! transactional producer's own side (its state, transactions committed and aborted).

use yew::prelude::*;

use crate::cluster::ViewRc;
use crate::i18n::{fill, t, Key, Lang};

#[derive(Properties, PartialEq)]
pub struct TransactionsPanelProps {
    pub lang: Lang,
    pub view: ViewRc,
}

#[function_component(TransactionsPanel)]
pub fn transactions_panel(props: &TransactionsPanelProps) -> Html {
    let lang = props.lang;
    let view = &props.view.0;
    let producers: Vec<_> = view.producers.iter().filter_map(|p| p.transaction.as_ref().map(|txn| (p, txn))).collect();
    if view.transactions.is_empty() && producers.is_empty() {
        return html! {};
    }
    html! {
        <section class="panel" aria-labelledby="txn-heading" data-testid="txn-panel">
            <h3 id="txn-heading">{ t(lang, Key::TxnHeading) }</h3>
            <ul class="txn-list">
                { for view.transactions.iter().map(|txn| {
                    let partitions: Vec<String> = txn.partitions.iter().map(|p| p.to_string()).collect();
                    html! {
                        <li data-testid={format!("txn-{}", txn.transactional_id)} data-state={txn.state}
                            data-coordinator={txn.coordinator.to_string()} data-epoch={txn.producer_epoch.to_string()}>
                            <strong>{ &txn.transactional_id }</strong>{ " " }
                            <span class={classes!("txn-state", format!("txn-state-{}", txn.state.to_lowercase()))}>{ txn.state }</span>
                            <br />
                            <small>{ fill(t(lang, Key::TxnCoordinatorRow), &[&txn.coordinator.to_string(), &txn.producer_id.to_string(), &txn.producer_epoch.to_string()]) }</small>
                            if !partitions.is_empty() {
                                <br /><small>{ fill(t(lang, Key::TxnPartitions), &[&partitions.join(", ")]) }</small>
                            }
                        </li>
                    }
                }) }
                { for producers.iter().map(|(p, txn)| {
                    let state = serde_json::to_value(txn.state).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                    html! {
                        <li data-testid={format!("txn-producer-{}", p.name)} data-state={state.clone()}>
                            { fill(t(lang, Key::TxnProducerRow), &[&p.name, &txn.transactional_id, &txn.committed.to_string(), &txn.aborted.to_string()]) }
                            { " · " }<span class="txn-client-state">{ state }</span>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
