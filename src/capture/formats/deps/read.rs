//! Reads deps.json of any shape dep_gen wrote: the v1 `[[pred, succ], …]`
//! edge list as well as the annotated objects of v2 onward (u64 values as
//! strings or numbers).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use super::Deps;
use crate::capture::formats::error::FormatError;
use crate::capture::formats::json::Int;
use crate::record::{ArgKind, DepEdge, EdgeSource, SubmitArg, SubmitRecord, TaskId, TensorView};

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    tasks: Option<Vec<TaskObj>>,
    #[serde(default)]
    tensors: Option<Vec<TensorObj>>,
    #[serde(default)]
    edges: Option<Vec<EdgeAny>>,
}

#[derive(Deserialize)]
struct TaskObj {
    task_id: Int,
    #[serde(default)]
    kernel_ids: Option<Vec<i64>>,
    #[serde(default)]
    block_num: Option<Int>,
    #[serde(default)]
    args: Option<Vec<ArgObj>>,
}

#[derive(Deserialize)]
struct ArgObj {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    tensor_id: Option<Int>,
    #[serde(default)]
    dtype: Option<String>,
    #[serde(default)]
    shape: Option<Vec<u32>>,
    #[serde(default)]
    start_offset: Option<Int>,
    #[serde(default)]
    strides: Option<Vec<u32>>,
}

#[derive(Deserialize)]
struct TensorObj {
    tensor_id: Int,
    buffer_addr: Int,
    #[serde(default)]
    version: Option<Int>,
    #[serde(default)]
    dtype: Option<String>,
    #[serde(default)]
    buffer_numel: Option<Int>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum EdgeAny {
    /// v1 (2026-05-11): `[pred, succ]`.
    Pair(Vec<Int>),
    Obj(EdgeObj),
}

#[derive(Deserialize)]
struct EdgeObj {
    pred: Int,
    succ: Int,
    #[serde(default)]
    arg: Option<i64>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    tensor_id: Option<Int>,
    #[serde(default)]
    consumer_dtype: Option<String>,
    #[serde(default)]
    producer_shape: Option<Vec<u32>>,
    #[serde(default)]
    producer_start_offset: Option<Int>,
    #[serde(default)]
    producer_strides: Option<Vec<u32>>,
}

pub fn read(path: &Path) -> Result<Deps, FormatError> {
    parse(&FormatError::read_file(path)?, path)
}

pub fn parse(bytes: &[u8], path: &Path) -> Result<Deps, FormatError> {
    let doc: Doc =
        serde_json::from_slice(bytes).map_err(|e| FormatError::from_json(path, bytes, &e))?;
    if doc.tasks.is_none() && doc.edges.is_none() {
        return Err(FormatError::key(
            path,
            "top level",
            "expected a deps.json object with \"tasks\" or \"edges\"",
        ));
    }
    let tensors: HashMap<u64, &TensorObj> = doc
        .tensors
        .iter()
        .flatten()
        .map(|t| (t.tensor_id.0, t))
        .collect();

    let mut submits = Vec::new();
    for (i, t) in doc.tasks.iter().flatten().enumerate() {
        let mut args = Vec::new();
        for (j, a) in t.args.iter().flatten().enumerate() {
            let kind = arg_kind(&a.kind).ok_or_else(|| {
                FormatError::record(
                    path,
                    &format!("tasks[{i}].args"),
                    j,
                    "type: expected INPUT, OUTPUT, INOUT or OUTPUT_EXISTING",
                )
            })?;
            let view = if kind == ArgKind::Output {
                None
            } else {
                a.tensor_id.and_then(|id| {
                    view(
                        tensors.get(&id.0).copied(),
                        a.dtype.as_deref(),
                        a.shape.as_ref(),
                        a.start_offset,
                        a.strides.as_ref(),
                    )
                })
            };
            args.push(SubmitArg { kind, view });
        }
        let k = |n: usize| {
            t.kernel_ids
                .as_ref()
                .filter(|v| v.len() == 3)
                .map_or(-1, |v| i32::try_from(v[n]).unwrap_or(-1))
        };
        submits.push(SubmitRecord {
            round: 0,
            task_id: TaskId(t.task_id.0),
            kernel_ids: [k(0), k(1), k(2)],
            block_num: t.block_num.and_then(Int::to_u32).unwrap_or(1).max(1),
            args,
            edges_in: Vec::new(),
        });
    }

    let at: HashMap<TaskId, usize> = submits
        .iter()
        .enumerate()
        .map(|(i, s)| (s.task_id, i))
        .collect();
    let mut pairs = Vec::new();
    let mut seen = HashSet::new();
    for (i, e) in doc.edges.iter().flatten().enumerate() {
        let (pred, succ) = match e {
            EdgeAny::Pair(p) if p.len() == 2 => (TaskId(p[0].0), TaskId(p[1].0)),
            EdgeAny::Pair(p) => {
                return Err(FormatError::record(
                    path,
                    "edges",
                    i,
                    format!("expected [pred, succ], found {} values", p.len()),
                ));
            }
            EdgeAny::Obj(o) => (TaskId(o.pred.0), TaskId(o.succ.0)),
        };
        if seen.insert((pred, succ)) {
            pairs.push((pred, succ));
        }
        if let (EdgeAny::Obj(o), Some(&s)) = (e, at.get(&succ))
            && let Some(source) = o.source.as_deref().and_then(edge_source)
        {
            let producer_view = (source == EdgeSource::Tensormap)
                .then(|| {
                    o.producer_shape.as_ref()?;
                    view(
                        o.tensor_id.and_then(|id| tensors.get(&id.0).copied()),
                        o.consumer_dtype.as_deref(),
                        o.producer_shape.as_ref(),
                        o.producer_start_offset,
                        o.producer_strides.as_ref(),
                    )
                })
                .flatten();
            submits[s].edges_in.push(DepEdge {
                pred,
                succ,
                arg: o.arg.map_or(-1, |a| i32::try_from(a).unwrap_or(-1)),
                source,
                producer_view,
            });
        }
    }
    Ok(Deps {
        submits,
        edges: pairs,
    })
}

/// A view needs its buffer from the `tensors[]` table; without it the arg
/// stays untyped rather than inventing an address.
fn view(
    tensor: Option<&TensorObj>,
    dtype: Option<&str>,
    shape: Option<&Vec<u32>>,
    start_offset: Option<Int>,
    strides: Option<&Vec<u32>>,
) -> Option<TensorView> {
    let t = tensor?;
    Some(TensorView {
        buffer_addr: t.buffer_addr.0,
        version: t.version.and_then(Int::to_u32).unwrap_or(0),
        dtype: dtype.or(t.dtype.as_deref()).unwrap_or_default().to_string(),
        buffer_numel: t.buffer_numel.map_or(0, |n| n.0),
        shape: shape.cloned().unwrap_or_default(),
        start_offset: start_offset.map_or(0, |o| o.0),
        strides: strides.cloned().unwrap_or_default(),
    })
}

fn arg_kind(s: &str) -> Option<ArgKind> {
    Some(match s {
        "INPUT" => ArgKind::Input,
        "OUTPUT" => ArgKind::Output,
        "INOUT" => ArgKind::Inout,
        "OUTPUT_EXISTING" => ArgKind::OutputExisting,
        _ => return None,
    })
}

pub(super) fn edge_source(s: &str) -> Option<EdgeSource> {
    Some(match s {
        "creator" => EdgeSource::Creator,
        "tensormap" => EdgeSource::Tensormap,
        "explicit" => EdgeSource::Explicit,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_pairs_and_numbers_are_accepted_and_deduplicated() {
        let d = parse(
            br#"{"version": 1, "edges": [[0, 1], [0, 1], ["1", "4294967296"]]}"#,
            Path::new("d.json"),
        )
        .unwrap();
        assert_eq!(
            d.edges,
            vec![(TaskId(0), TaskId(1)), (TaskId(1), TaskId(4_294_967_296))]
        );
        assert!(d.submits.is_empty());
    }

    #[test]
    fn not_a_deps_file() {
        let e = parse(b"{}", Path::new("d.json")).unwrap_err().to_string();
        assert!(
            e.starts_with("d.json: top level: expected a deps.json"),
            "{e}"
        );
    }
}
