//! The engine's top-level modules form layers: no two of them may depend on each other, directly
//! or through others. A module depends on another when any of its files names `crate::<other>`
//! (in code or in a doc link). The test reads `src/` and fails on a cycle, printing it with the
//! lines that make each edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where each edge comes from: `(from, to)` -> `file:line` examples.
type Edges = BTreeMap<(String, String), Vec<String>>;

fn rust_files(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for entry in entries {
            rust_files(&entry, files);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        files.push(path.to_path_buf());
    }
}

/// The top-level modules named after `crate::` in `line`, including every branch of a
/// `crate::{a, b::c}` group.
fn crate_references(line: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        // `kafkalab_crate::` or `my_crate::` is not this crate.
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Split the group at its top-level commas; each branch starts with a module name.
            let (mut depth, mut branch) = (0, String::new());
            let mut branches = Vec::new();
            for c in group.chars() {
                match c {
                    '}' if depth == 0 => break,
                    ',' if depth == 0 => branches.push(std::mem::take(&mut branch)),
                    _ => {
                        depth += (c == '{') as i32 - (c == '}') as i32;
                        branch.push(c);
                    }
                }
            }
            branches.push(branch);
            for branch in branches {
                let name: String = branch.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    names.push(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

fn module_edges(src: &Path) -> (BTreeSet<String>, Edges) {
    let mut modules = BTreeSet::new();
    let mut edges = Edges::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if name == "lib" || name == "main" {
            continue;
        }
        modules.insert(name.clone());
        let mut files = Vec::new();
        rust_files(&path, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                for target in crate_references(line) {
                    if target != name {
                        let place = format!("{}:{}", file.strip_prefix(src).unwrap().display(), n + 1);
                        edges.entry((name.clone(), target)).or_default().push(place);
                    }
                }
            }
        }
    }
    (modules, edges)
}

/// One cycle through `start`, if any: the modules in order, `start` first.
fn cycle_through(start: &str, graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        start: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(node).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if visit(next, start, graph, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    visit(start, start, graph, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_engine_modules_have_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (modules, edges) = module_edges(&src);
    for (from, to) in edges.keys() {
        assert!(modules.contains(to), "{from} names `crate::{to}`, which is not a top-level module");
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        graph.entry(from.clone()).or_default().insert(to.clone());
    }
    let mut report = Vec::new();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for module in &modules {
        if reported.contains(module) {
            continue;
        }
        if let Some(cycle) = cycle_through(module, &graph) {
            let mut lines = vec![format!("cycle: {} -> {module}", cycle.join(" -> "))];
            for (i, from) in cycle.iter().enumerate() {
                let to = &cycle[(i + 1) % cycle.len()];
                let places = &edges[&(from.clone(), to.clone())];
                lines.push(format!(
                    "  {from} -> {to}: {}",
                    places.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            reported.extend(cycle);
            report.push(lines.join("\n"));
        }
    }
    assert!(report.is_empty(), "the engine's top-level modules import each other:\n{}", report.join("\n"));
}

#[test]
fn references_are_read_from_paths_and_groups() {
    assert_eq!(crate_references("use crate::log::{Record, RecordBatch};"), vec!["log"]);
    assert_eq!(crate_references("use crate::{broker::Broker, sim::{Millis, NodeId}};"), vec!["broker", "sim"]);
    assert_eq!(crate_references("/// See [`crate::cluster::World`] and crate::view."), vec!["cluster", "view"]);
    assert!(crate_references("use kafkalab_crate::x; // not a crate:: path").is_empty());
}

#[test]
fn a_cycle_is_found_and_named() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["c".to_string()])),
        ("c".to_string(), BTreeSet::from(["a".to_string()])),
        ("d".to_string(), BTreeSet::from(["a".to_string()])),
    ]
    .into_iter()
    .collect();
    assert_eq!(cycle_through("a", &graph), Some(vec!["a".to_string(), "b".to_string(), "c".to_string()]));
    assert_eq!(cycle_through("d", &graph), None, "d reaches a cycle but is not on one");
}
