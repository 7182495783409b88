//! The props of the panels that act on the simulation.

use yew::prelude::*;

use crate::cluster::ViewRc;
use crate::i18n::Lang;
use crate::sim::UserAction;

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub lang: Lang,
    pub view: ViewRc,
    pub on_user: Callback<UserAction>,
}
