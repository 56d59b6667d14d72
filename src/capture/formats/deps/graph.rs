//! A light read of deps.json for viewing: the graph only (kernel ids, block
//! counts, edges), skipping tensors and arguments without allocating them.
//! A 1M-task deps.json is most of a gigabyte of argument detail that the
//! view, the statistics and a Perfetto export never use.

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Deps, read::edge_source};
use crate::capture::formats::error::FormatError;
use crate::capture::formats::json::Int;
use crate::capture::formats::progress::{Progress, decode, decode_file};
use crate::record::{DepEdge, SubmitRecord, TaskId};

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    tasks: Option<Vec<Task>>,
    #[serde(default)]
    edges: Option<Vec<Edge>>,
}

#[derive(Deserialize)]
struct Task {
    task_id: Int,
    #[serde(default)]
    kernel_ids: Option<Vec<i64>>,
    #[serde(default)]
    block_num: Option<Int>,
}

/// An edge as `[pred, succ]` (v1) or an object, read without buffering.
struct Edge {
    pred: Int,
    succ: Int,
    arg: i64,
    source: Option<String>,
}

impl<'de> Deserialize<'de> for Edge {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Edge, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Edge;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an edge: [pred, succ] or {\"pred\", \"succ\", …}")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Edge, A::Error> {
                let pred: Int = s
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let succ: Int = s
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                if s.next_element::<IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(3, &self));
                }
                Ok(Edge {
                    pred,
                    succ,
                    arg: -1,
                    source: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Edge, A::Error> {
                let (mut pred, mut succ, mut arg, mut source) = (None, None, -1, None);
                while let Some(k) = m.next_key::<String>()? {
                    match k.as_str() {
                        "pred" => pred = Some(m.next_value::<Int>()?),
                        "succ" => succ = Some(m.next_value::<Int>()?),
                        "arg" => arg = m.next_value::<i64>()?,
                        "source" => source = Some(m.next_value::<String>()?),
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Edge {
                    pred: pred.ok_or_else(|| de::Error::missing_field("pred"))?,
                    succ: succ.ok_or_else(|| de::Error::missing_field("succ"))?,
                    arg,
                    source,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// The graph of a deps.json: submits without arguments, with their edges.
/// Streamed from the file: a deps.json can be most of a gigabyte.
pub fn read_graph(path: &Path, progress: Option<&Progress>) -> Result<Deps, FormatError> {
    let doc: Doc = decode_file(path, progress)?;
    graph_of(doc, path)
}

pub fn parse_graph(
    bytes: &[u8],
    path: &Path,
    progress: Option<&Progress>,
) -> Result<Deps, FormatError> {
    let doc: Doc = decode(bytes, path, progress)?;
    graph_of(doc, path)
}

fn graph_of(doc: Doc, path: &Path) -> Result<Deps, FormatError> {
    if doc.tasks.is_none() && doc.edges.is_none() {
        return Err(FormatError::key(
            path,
            "top level",
            "expected a deps.json object with \"tasks\" or \"edges\"",
        ));
    }
    let mut submits: Vec<SubmitRecord> = doc
        .tasks
        .iter()
        .flatten()
        .map(|t| {
            let k = |n: usize| {
                t.kernel_ids
                    .as_ref()
                    .filter(|v| v.len() == 3)
                    .map_or(-1, |v| i32::try_from(v[n]).unwrap_or(-1))
            };
            SubmitRecord {
                round: 0,
                task_id: TaskId(t.task_id.0),
                kernel_ids: [k(0), k(1), k(2)],
                block_num: t.block_num.and_then(Int::to_u32).unwrap_or(1).max(1),
                args: Vec::new(),
                edges_in: Vec::new(),
            }
        })
        .collect();
    let at: std::collections::HashMap<TaskId, usize> = submits
        .iter()
        .enumerate()
        .map(|(i, s)| (s.task_id, i))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut pairs = Vec::new();
    for e in doc.edges.iter().flatten() {
        let (pred, succ) = (TaskId(e.pred.0), TaskId(e.succ.0));
        if seen.insert((pred, succ)) {
            pairs.push((pred, succ));
        }
        if let Some(&s) = at.get(&succ) {
            submits[s].edges_in.push(DepEdge {
                pred,
                succ,
                arg: i32::try_from(e.arg).unwrap_or(-1),
                source: e
                    .source
                    .as_deref()
                    .and_then(edge_source)
                    .unwrap_or(crate::record::EdgeSource::Explicit),
                producer_view: None,
            });
        }
    }
    Ok(Deps {
        submits,
        edges: pairs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_graph_matches_the_full_read() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/captures/real/paged_attention_CaseVarSeq4_L4_depgen/deps.json");
        let full = super::super::read(&path).unwrap();
        let light = read_graph(&path, None).unwrap();
        assert_eq!(light.edges, full.edges);
        assert_eq!(light.submits.len(), full.submits.len());
        for (a, b) in light.submits.iter().zip(&full.submits) {
            assert_eq!(
                (a.task_id, a.kernel_ids, a.block_num),
                (b.task_id, b.kernel_ids, b.block_num)
            );
            let pairs = |s: &SubmitRecord| {
                s.edges_in
                    .iter()
                    .map(|e| (e.pred, e.arg, e.source))
                    .collect::<Vec<_>>()
            };
            assert_eq!(pairs(a), pairs(b));
            assert!(a.args.is_empty());
        }
    }

    #[test]
    fn v1_pairs_and_bad_edges() {
        let d = parse_graph(br#"{"edges": [[0, 1], [1, 2]]}"#, Path::new("d.json"), None).unwrap();
        assert_eq!(d.edges.len(), 2);
        let e = parse_graph(br#"{"edges": [[0, 1, 2]]}"#, Path::new("d.json"), None).unwrap_err();
        assert!(e.to_string().contains("d.json"), "{e}");
        let e =
            parse_graph(br#"{"edges": [{"pred": "1"}]}"#, Path::new("d.json"), None).unwrap_err();
        assert!(e.to_string().contains("succ"), "{e}");
    }
}
