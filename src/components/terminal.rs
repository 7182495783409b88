//! The terminal: Kafka's command-line tools typed or pasted as in a shell, run on the page's
//! simulation by `kafkalab-tools` (the same code as `kafkalab shell`). History (↑/↓), Tab
//! completion of tool names, options, topics and groups, Ctrl+C to drop the line (or a
//! producer's pending input) and to stop a running console consumer, Ctrl+D to end a console
//! producer's typed input. A console consumer keeps running while the simulation plays: its
//! entry grows as records come.

use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::cluster::ViewRc;
use crate::i18n::{t, Key, Lang};
use crate::state::{AppAction, TerminalEntry};

#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    pub lang: Lang,
    pub view: ViewRc,
    pub entries: Rc<Vec<TerminalEntry>>,
    pub on_action: Callback<AppAction>,
}

/// Whether a command line starts a console producer that reads typed lines (no pipe, no
/// here-document): the terminal then collects input lines until Ctrl+D.
fn reads_typed_input(line: &str) -> bool {
    line.contains("kafka-console-producer")
        && !line.contains('|')
        && !line.contains("<<")
        && !line.trim_end().ends_with('\\')
}

/// The completion of the last word of `line`, if exactly one candidate (or a longer common
/// prefix) fits.
fn complete(line: &str, candidates: &[String]) -> Option<String> {
    let start = line.rfind(' ').map_or(0, |i| i + 1);
    let word = &line[start..];
    let matching: Vec<&String> = candidates.iter().filter(|c| c.starts_with(word) && c.len() > word.len()).collect();
    let first = matching.first()?;
    let common = matching
        .iter()
        .fold(first.len(), |len, c| first.bytes().zip(c.bytes()).take(len).take_while(|(a, b)| a == b).count());
    if common <= word.len() {
        return None;
    }
    let suffix = if matching.len() == 1 { " " } else { "" };
    Some(format!("{}{}{suffix}", &line[..start], &first[..common]))
}

#[function_component(Terminal)]
pub fn terminal(props: &TerminalProps) -> Html {
    let lang = props.lang;
    let input = use_node_ref();
    let output = use_node_ref();
    // Keep the newest output in sight, as a terminal does.
    {
        let output = output.clone();
        let size = props.entries.last().map_or(0, |e| e.stdout.len() + e.stderr.len());
        use_effect_with((props.entries.len(), size), move |_| {
            if let Some(pre) = output.cast::<web_sys::Element>() {
                pre.set_scroll_top(pre.scroll_height());
            }
        });
    }
    let history = use_mut_ref(Vec::<String>::new);
    let cursor = use_mut_ref(|| 0usize);
    // A console producer's command and the lines typed so far, until Ctrl+D.
    let pending = use_state(|| None::<Vec<String>>);
    // A command whose here-document is still open (`cat > f.json <<EOF`): its lines so far.
    let open = use_state(|| None::<Vec<String>>);
    let running = props.entries.last().is_some_and(|e| e.running);
    let view = &props.view.0;
    let candidates: Rc<Vec<String>> = Rc::new(
        kafkalab_tools::TOOLS
            .iter()
            .map(|t| format!("{t}.sh"))
            .chain(kafkalab_tools::OPTIONS.iter().map(|o| o.to_string()))
            .chain(view.topics.iter().map(|t| t.name.clone()))
            .chain(view.groups.iter().map(|g| g.group_id.clone()))
            .collect(),
    );
    let submit = {
        let on_action = props.on_action.clone();
        let pending = pending.clone();
        let open = open.clone();
        let history = history.clone();
        let cursor = cursor.clone();
        move |line: String| {
            if let Some(mut lines) = (*open).clone() {
                lines.push(line);
                let text = lines.join("\n");
                if kafkalab_tools::shell::unfinished(&text) {
                    open.set(Some(lines));
                } else {
                    open.set(None);
                    on_action.emit(AppAction::Terminal(text + "\n"));
                }
                return;
            }
            if let Some(lines) = (*pending).clone() {
                let mut lines = lines;
                lines.push(line);
                pending.set(Some(lines));
                return;
            }
            if line.trim().is_empty() {
                return;
            }
            history.borrow_mut().push(line.clone());
            *cursor.borrow_mut() = history.borrow().len();
            if reads_typed_input(&line) {
                pending.set(Some(vec![line]));
            } else if kafkalab_tools::shell::unfinished(&line) {
                open.set(Some(vec![line]));
            } else {
                on_action.emit(AppAction::Terminal(line));
            }
        }
    };
    let onkeydown = {
        let input = input.clone();
        let pending = pending.clone();
        let open = open.clone();
        let on_action = props.on_action.clone();
        let history = history.clone();
        let cursor = cursor.clone();
        let candidates = candidates.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(field) = input.cast::<HtmlInputElement>() else { return };
            match (e.key().as_str(), e.ctrl_key()) {
                ("Enter", false) => {
                    e.prevent_default();
                    let line = field.value();
                    field.set_value("");
                    submit(line);
                }
                ("d" | "D", true) => {
                    e.prevent_default();
                    if let Some(mut lines) = (*pending).clone() {
                        let rest = field.value();
                        if !rest.is_empty() {
                            lines.push(rest);
                        }
                        field.set_value("");
                        lines.push("^D".to_string());
                        pending.set(None);
                        on_action.emit(AppAction::Terminal(lines.join("\n") + "\n"));
                    }
                }
                ("c" | "C", true) => {
                    e.prevent_default();
                    field.set_value("");
                    pending.set(None);
                    open.set(None);
                    if running {
                        on_action.emit(AppAction::TerminalInterrupt);
                    }
                }
                ("Tab", false) => {
                    e.prevent_default();
                    if let Some(done) = complete(&field.value(), &candidates) {
                        field.set_value(&done);
                    }
                }
                ("ArrowUp", false) | ("ArrowDown", false) => {
                    e.prevent_default();
                    let history = history.borrow();
                    let mut at = cursor.borrow_mut();
                    if e.key() == "ArrowUp" {
                        *at = at.saturating_sub(1);
                    } else {
                        *at = (*at + 1).min(history.len());
                    }
                    field.set_value(history.get(*at).map(String::as_str).unwrap_or(""));
                }
                _ => {}
            }
        })
    };
    let on_clear = props.on_action.reform(|_: MouseEvent| AppAction::ClearTerminal);
    let placeholder = if pending.is_some() {
        t(lang, Key::TerminalProducerInput)
    } else if running {
        t(lang, Key::TerminalRunningInput)
    } else {
        "kafka-topics.sh --list --bootstrap-server localhost:9092"
    };
    html! {
        <section class="panel terminal-panel" aria-labelledby="terminal-heading" data-testid="terminal">
            <h3 id="terminal-heading">{ t(lang, Key::TerminalHeading) }
                <button type="button" class="terminal-clear" data-testid="terminal-clear" onclick={on_clear}>
                    { t(lang, Key::TerminalClear) }
                </button>
            </h3>
            <p class="hint">{ t(lang, Key::TerminalHint) }</p>
            <pre ref={output} class="terminal-output" data-testid="terminal-output" aria-live="polite">
                { for props.entries.iter().map(|entry| html! {
                    <span class={classes!("terminal-entry", entry.running.then_some("running"))}
                        data-testid={entry.running.then_some("terminal-running")}>
                        <span class="terminal-command">{ format!("$ {}\n", entry.command) }</span>
                        { for entry.typed.iter().map(|l| html! { <span class="terminal-typed">{ format!(">{l}\n") }</span> }) }
                        <span class="terminal-stdout">{ entry.stdout.clone() }</span>
                        <span class="terminal-stderr">{ entry.stderr.clone() }</span>
                    </span>
                }) }
                if let Some(lines) = (*pending).as_ref().or((*open).as_ref()) {
                    <span class="terminal-command">{ format!("$ {}\n", lines[0]) }</span>
                    { for lines[1..].iter().map(|l| html! { <span class="terminal-typed">{ format!(">{l}\n") }</span> }) }
                }
            </pre>
            if running {
                <p class="hint terminal-running-hint" data-testid="terminal-running-hint">{ t(lang, Key::TerminalRunning) }</p>
            }
            <div class="terminal-prompt">
                <span aria-hidden="true">{ if pending.is_some() || open.is_some() { ">" } else { "$" } }</span>
                <input ref={input} type="text" data-testid="terminal-input" aria-label={t(lang, Key::TerminalInput)}
                    spellcheck="false" autocomplete="off" {placeholder} {onkeydown} />
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_extends_the_last_word() {
        let words: Vec<String> =
            ["kafka-topics.sh", "kafka-console-producer.sh", "kafka-console-consumer.sh", "orders"]
                .map(String::from)
                .to_vec();
        assert_eq!(complete("kafka-t", &words).as_deref(), Some("kafka-topics.sh "));
        assert_eq!(complete("kafka-console-p", &words).as_deref(), Some("kafka-console-producer.sh "));
        assert_eq!(complete("kafka-c", &words).as_deref(), Some("kafka-console-"));
        assert_eq!(complete("x --topic o", &words).as_deref(), Some("x --topic orders "));
        assert_eq!(complete("zzz", &words), None);
    }

    #[test]
    fn producers_without_a_pipe_read_typed_lines() {
        assert!(reads_typed_input("kafka-console-producer.sh --topic t --bootstrap-server localhost:9092"));
        assert!(!reads_typed_input("echo a | kafka-console-producer.sh --topic t"));
        assert!(!reads_typed_input("kafka-topics.sh --list"));
    }
}
