//! What the simulated chip runs: functions with execution-time
//! distributions, tensors, and a task program replayed once per round.
//!
//! A workload is data. Built-ins live in `assets/workloads/*.json` (embedded
//! in the binary); any file of the same schema can be given by path, and
//! `random:N` builds a seeded random DAG. The JSON schema (unknown keys are
//! errors, so typos do not pass silently):
//!
//! ```text
//! {
//!   "name": "paged_attention",              // [A-Za-z0-9._-]+
//!   "description": "…",                     // optional
//!   "ring_window": 48,                      // optional: task-ring slots per ring, 2..=1048576 (default 16384)
//!   "functions": [                          // func ids are what records carry
//!     {"id": 0, "name": "QK", "core": "aic", "exec_us": DIST}, …],
//!   "tensors": {                            // tensor families: name prefix before the first '.'
//!     "q":  {"dtype": "FLOAT16", "shape": [16, 128], "external": true},
//!     "s":  {"dtype": "FLOAT32", "shape": [16, 128]}, …},
//!   "program": [STMT, …]
//! }
//! DIST = {"dist": "fixed", "us": 5} | {"dist": "uniform", "min": 3, "max": 4}
//!      | {"dist": "normal", "mean": 5, "sd": 0.4} | {"dist": "lognormal", "median": 8, "sigma": 0.15}
//! STMT = {"repeat": "k", "count": 8, "ring": 1?, "body": [STMT, …]}
//!      | {"repeat": "k", "count": {"by": "b", "values": [5, 8, 3]}, "body": […]}   // count = values[b mod len]
//!      | {"task": "QK", "reads": ["q.{b}.{h}", …], "writes": ["s.{b}.{h}.{k}"], "ring": 0?}
//! ```
//!
//! Tensor names are templates (`{expr}` over the enclosing repeat variables,
//! see [`super::template`]). A tensor read and written by one task is INOUT;
//! the first write of a non-external tensor in a round creates it (OUTPUT);
//! later writes, and writes of external tensors, are OUTPUT_EXISTING. Reading
//! a non-external tensor before any task wrote it is an error. `ring` is the
//! scope-nesting ring of the task id (0..=3, default 0).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use crate::device::DeviceError;
use crate::record::{ArgKind, CoreType, Ns};

use super::clock::us_to_ns;
use super::rng::Rng;
use super::template::Template;

/// Upstream's default task window (`PTO2_RING_TASK_WINDOW`, spec §10.2).
pub const DEFAULT_RING_WINDOW: u32 = 16_384;
pub const MAX_RING_WINDOW: u32 = 1 << 20;
/// Scope rings: `min(scope_depth, 3)` upstream.
pub const MAX_RING: u8 = 3;
pub const MAX_TASKS: usize = 1_000_000;
/// `PTO2TaskPayload::tensors[16]`.
pub const MAX_ARGS: usize = 16;
pub const MAX_RANDOM_TASKS: usize = 200_000;
/// Statements evaluated while expanding a program (empty loops count too),
/// so a file cannot make loading spin for ever.
const MAX_EXPANSION_STEPS: u64 = 50_000_000;
/// Shortest kernel the model will run (a sampled distribution is clamped).
pub const MIN_EXEC_NS: Ns = 100;
const MAX_EXEC_US: f64 = 1_000_000.0;

const BUILTINS: [(&str, &str); 2] = [
    (
        "paged_attention",
        include_str!("../../../assets/workloads/paged_attention.json"),
    ),
    (
        "matmul_chain",
        include_str!("../../../assets/workloads/matmul_chain.json"),
    ),
];
const BUILTIN_NAMES: [&str; 2] = ["paged_attention", "matmul_chain"];

/// Execution-time distribution of one function, in µs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    Fixed(f64),
    Uniform { min: f64, max: f64 },
    Normal { mean: f64, sd: f64 },
    Lognormal { median: f64, sigma: f64 },
}

impl Dist {
    pub fn sample(&self, rng: &mut Rng) -> Ns {
        let us = match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => rng.uniform(min, max),
            Dist::Normal { mean, sd } => rng.normal(mean, sd),
            Dist::Lognormal { median, sigma } => rng.lognormal(median, sigma),
        };
        us_to_ns(us.min(MAX_EXEC_US)).max(MIN_EXEC_NS)
    }

    fn validate(&self) -> Result<(), String> {
        let ok = |v: f64| v.is_finite() && (0.0..=MAX_EXEC_US).contains(&v);
        match *self {
            Dist::Fixed(us) if ok(us) && us > 0.0 => Ok(()),
            Dist::Fixed(us) => Err(format!("fixed: us must be in (0, {MAX_EXEC_US}], got {us}")),
            Dist::Uniform { min, max } if ok(min) && ok(max) && min > 0.0 && min <= max => Ok(()),
            Dist::Uniform { min, max } => Err(format!(
                "uniform: need 0 < min <= max <= {MAX_EXEC_US}, got min {min} max {max}"
            )),
            Dist::Normal { mean, sd } if ok(mean) && mean > 0.0 && ok(sd) => Ok(()),
            Dist::Normal { mean, sd } => Err(format!(
                "normal: need mean > 0 and sd >= 0 (both finite, <= {MAX_EXEC_US}), got mean {mean} sd {sd}"
            )),
            Dist::Lognormal { median, sigma }
                if ok(median)
                    && median > 0.0
                    && sigma.is_finite()
                    && (0.0..=3.0).contains(&sigma) =>
            {
                Ok(())
            }
            Dist::Lognormal { median, sigma } => Err(format!(
                "lognormal: need median > 0 and 0 <= sigma <= 3, got median {median} sigma {sigma}"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Func {
    pub id: i32,
    pub name: String,
    pub core: CoreType,
    pub exec: Dist,
}

/// A tensor family: every tensor whose name starts with `<name>.` (or is
/// exactly `<name>`) shares its dtype and shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    pub name: String,
    pub dtype: &'static str,
    pub elem_bytes: u64,
    pub shape: Vec<u32>,
    /// Lives outside the round (weights, KV cache, queries, outputs).
    pub external: bool,
}

impl Family {
    pub fn numel(&self) -> u64 {
        self.shape.iter().map(|d| u64::from(*d)).product()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tensor {
    pub name: String,
    pub family: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgSpec {
    pub tensor: u32,
    pub kind: ArgKind,
}

impl ArgSpec {
    pub fn reads(self) -> bool {
        matches!(self.kind, ArgKind::Input | ArgKind::Inout)
    }
    pub fn writes(self) -> bool {
        !matches!(self.kind, ArgKind::Input)
    }
}

/// One `submit_task()` of the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSpec {
    /// Index into [`Workload::funcs`].
    pub func: u16,
    pub ring: u8,
    pub args: Vec<ArgSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    pub name: String,
    pub description: String,
    pub funcs: Vec<Func>,
    pub families: Vec<Family>,
    pub tensors: Vec<Tensor>,
    pub tasks: Vec<TaskSpec>,
    pub ring_window: u32,
}

impl Workload {
    /// A built-in name, `random:N`, or a path to a `.json` workload file.
    pub fn resolve(spec: &str, seed: u64) -> Result<Workload, DeviceError> {
        let spec = spec.trim();
        let err = |name: &str, reason: String| DeviceError::Workload {
            name: name.to_string(),
            reason,
        };
        if let Some(n) = spec.strip_prefix("random:") {
            let n: usize = n.trim().parse().map_err(|_| {
                err(spec, format!("'{n}' is not a task count: expected random:N with N in 1..={MAX_RANDOM_TASKS}"))
            })?;
            return super::random::generate(n, seed).map_err(|r| err(spec, r));
        }
        if let Some((_, text)) = BUILTINS.iter().find(|(n, _)| *n == spec) {
            return Workload::from_json(text).map_err(|r| err(spec, format!("built-in: {r}")));
        }
        let path = std::path::Path::new(spec);
        let looks_like_path = spec.ends_with(".json") || spec.contains(std::path::MAIN_SEPARATOR);
        if !looks_like_path && !path.exists() {
            return Err(err(
                spec,
                format!(
                    "unknown workload: expected one of {}, random:N or a path to a .json file",
                    BUILTIN_NAMES.join(", ")
                ),
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(spec, format!("cannot read the file: {e}")))?;
        Workload::from_json(&text).map_err(|r| err(spec, r))
    }

    /// The embedded workloads (`random:N` is generated, not listed).
    pub fn builtin_names() -> &'static [&'static str] {
        &BUILTIN_NAMES
    }

    /// Tasks per round.
    pub fn task_count(&self) -> usize {
        self.tasks.len()
    }

    pub fn func_of(&self, task: usize) -> &Func {
        &self.funcs[usize::from(self.tasks[task].func)]
    }

    /// Parses and expands a workload document.
    pub fn from_json(text: &str) -> Result<Workload, String> {
        let doc: Doc = serde_json::from_str(text).map_err(|e| format!("bad JSON: {e}"))?;
        doc.build()
    }
}

// ---- document --------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    ring_window: Option<u32>,
    functions: Vec<FuncDoc>,
    tensors: std::collections::BTreeMap<String, FamilyDoc>,
    program: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FuncDoc {
    id: i32,
    name: String,
    core: String,
    exec_us: DistDoc,
}

#[derive(Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
enum DistDoc {
    Fixed { us: f64 },
    Uniform { min: f64, max: f64 },
    Normal { mean: f64, sd: f64 },
    Lognormal { median: f64, sigma: f64 },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyDoc {
    dtype: String,
    shape: Vec<u32>,
    #[serde(default)]
    external: bool,
}

/// Element sizes of the dtypes deps.json uses.
fn dtype(name: &str) -> Option<(&'static str, u64)> {
    const TABLE: [(&str, u64); 10] = [
        ("FLOAT32", 4),
        ("FLOAT16", 2),
        ("BFLOAT16", 2),
        ("INT8", 1),
        ("UINT8", 1),
        ("INT16", 2),
        ("INT32", 4),
        ("UINT32", 4),
        ("INT64", 8),
        ("UINT64", 8),
    ];
    TABLE
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .copied()
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl Doc {
    fn build(self) -> Result<Workload, String> {
        if !valid_name(&self.name) {
            return Err(format!(
                "name '{}' must be 1–64 characters of [A-Za-z0-9._-]",
                self.name
            ));
        }
        let ring_window = self.ring_window.unwrap_or(DEFAULT_RING_WINDOW);
        if !(2..=MAX_RING_WINDOW).contains(&ring_window) {
            return Err(format!(
                "ring_window {ring_window} out of range 2..={MAX_RING_WINDOW} (one slot stays free to tell full from empty)"
            ));
        }
        if self.functions.is_empty() {
            return Err("functions: at least one function is needed".into());
        }
        if self.functions.len() > usize::from(u16::MAX) {
            return Err("functions: too many".into());
        }
        let mut funcs = Vec::with_capacity(self.functions.len());
        for (i, f) in self.functions.into_iter().enumerate() {
            let at = format!("functions[{i}] ('{}')", f.name);
            if f.id < 0 {
                return Err(format!("{at}: id {} must be >= 0", f.id));
            }
            if !valid_name(&f.name) {
                return Err(format!(
                    "{at}: name must be 1–64 characters of [A-Za-z0-9._-]"
                ));
            }
            let core = CoreType::parse(&f.core)
                .ok_or_else(|| format!("{at}: core '{}' must be \"aic\" or \"aiv\"", f.core))?;
            let exec = match f.exec_us {
                DistDoc::Fixed { us } => Dist::Fixed(us),
                DistDoc::Uniform { min, max } => Dist::Uniform { min, max },
                DistDoc::Normal { mean, sd } => Dist::Normal { mean, sd },
                DistDoc::Lognormal { median, sigma } => Dist::Lognormal { median, sigma },
            };
            exec.validate().map_err(|e| format!("{at}: exec_us {e}"))?;
            if funcs.iter().any(|g: &Func| g.id == f.id) {
                return Err(format!("{at}: duplicate id {}", f.id));
            }
            if funcs.iter().any(|g: &Func| g.name == f.name) {
                return Err(format!("{at}: duplicate name"));
            }
            funcs.push(Func {
                id: f.id,
                name: f.name,
                core,
                exec,
            });
        }
        let mut families = Vec::with_capacity(self.tensors.len());
        for (name, f) in self.tensors {
            let at = format!("tensors.{name}");
            if !valid_name(&name) || name.contains('.') {
                return Err(format!(
                    "{at}: family names are 1–64 characters of [A-Za-z0-9_-]"
                ));
            }
            let (dt, bytes) = dtype(&f.dtype).ok_or_else(|| {
                format!("{at}: unknown dtype '{}' (FLOAT32, FLOAT16, BFLOAT16, INT8, UINT8, INT16, INT32, UINT32, INT64, UINT64)", f.dtype)
            })?;
            if f.shape.is_empty() || f.shape.len() > 8 || f.shape.contains(&0) {
                return Err(format!("{at}: shape must have 1–8 dimensions, none zero"));
            }
            f.shape
                .iter()
                .try_fold(1u64, |acc, d| acc.checked_mul(u64::from(*d)))
                .filter(|n| *n <= 1 << 36)
                .ok_or_else(|| format!("{at}: shape is too large"))?;
            families.push(Family {
                name,
                dtype: dt,
                elem_bytes: bytes,
                shape: f.shape,
                external: f.external,
            });
        }
        if families.len() > usize::from(u16::MAX) {
            return Err("tensors: too many families".into());
        }
        let mut b = Builder::new(funcs, families);
        let mut scope = Vec::new();
        let mut env = Vec::new();
        for (i, stmt) in self.program.iter().enumerate() {
            b.stmt(stmt, &format!("program[{i}]"), 0, &mut scope, &mut env)?;
        }
        if b.tasks.is_empty() {
            return Err("program: expands to no task".into());
        }
        Ok(b.finish(self.name, self.description, ring_window))
    }
}

// ---- expansion -------------------------------------------------------

/// Turns task descriptions into [`TaskSpec`]s: interns tensor names and
/// decides each argument's direction. Shared by the JSON loader and `random:N`.
pub(crate) struct Builder {
    funcs: Vec<Func>,
    families: Vec<Family>,
    tensors: Vec<Tensor>,
    by_name: HashMap<String, u32>,
    /// Written by an earlier task of the round (replay state).
    written: Vec<bool>,
    tasks: Vec<TaskSpec>,
    name_buf: String,
    steps: u64,
}

impl Builder {
    pub(crate) fn new(funcs: Vec<Func>, families: Vec<Family>) -> Builder {
        Builder {
            funcs,
            families,
            tensors: Vec::new(),
            by_name: HashMap::new(),
            written: Vec::new(),
            tasks: Vec::new(),
            name_buf: String::new(),
            steps: 0,
        }
    }

    pub(crate) fn finish(self, name: String, description: String, ring_window: u32) -> Workload {
        Workload {
            name,
            description,
            funcs: self.funcs,
            families: self.families,
            tensors: self.tensors,
            tasks: self.tasks,
            ring_window,
        }
    }

    fn tensor(&mut self, name: &str) -> Result<u32, String> {
        if let Some(id) = self.by_name.get(name) {
            return Ok(*id);
        }
        let fam_name = name.split('.').next().unwrap_or(name);
        let family = self
            .families
            .iter()
            .position(|f| f.name == fam_name)
            .ok_or_else(|| format!("tensor '{name}': no family '{fam_name}' in \"tensors\""))?;
        let id = u32::try_from(self.tensors.len()).map_err(|_| "too many tensors".to_string())?;
        self.tensors.push(Tensor {
            name: name.to_string(),
            family: family as u16,
        });
        self.written.push(false);
        self.by_name.insert(name.to_string(), id);
        Ok(id)
    }

    /// Adds one task; `reads`/`writes` are tensor names.
    pub(crate) fn task(
        &mut self,
        func: u16,
        ring: u8,
        reads: &[&str],
        writes: &[&str],
    ) -> Result<(), String> {
        if self.tasks.len() >= MAX_TASKS {
            return Err(format!(
                "the program expands to more than {MAX_TASKS} tasks per round"
            ));
        }
        let fname = self
            .funcs
            .get(usize::from(func))
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let mut args: Vec<ArgSpec> = Vec::with_capacity(reads.len() + writes.len());
        let r_ids = reads
            .iter()
            .map(|n| self.tensor(n))
            .collect::<Result<Vec<u32>, String>>()?;
        let w_ids = writes
            .iter()
            .map(|n| self.tensor(n))
            .collect::<Result<Vec<u32>, String>>()?;
        for (i, r) in r_ids.iter().enumerate() {
            let t = &self.tensors[*r as usize];
            if r_ids[..i].contains(r) {
                return Err(format!("{fname}: tensor '{}' is read twice", t.name));
            }
            let fam = &self.families[usize::from(t.family)];
            if !fam.external && !self.written[*r as usize] {
                return Err(format!(
                    "{fname}: reads '{}' before any task writes it (family '{}' is not external)",
                    t.name, fam.name
                ));
            }
            let kind = if w_ids.contains(r) {
                ArgKind::Inout
            } else {
                ArgKind::Input
            };
            args.push(ArgSpec { tensor: *r, kind });
        }
        for (i, w) in w_ids.iter().enumerate() {
            if w_ids[..i].contains(w) {
                let name = &self.tensors[*w as usize].name;
                return Err(format!("{fname}: tensor '{name}' is written twice"));
            }
            if r_ids.contains(w) {
                continue;
            }
            let t = &self.tensors[*w as usize];
            let fam = &self.families[usize::from(t.family)];
            let kind = if !fam.external && !self.written[*w as usize] {
                ArgKind::Output
            } else {
                ArgKind::OutputExisting
            };
            args.push(ArgSpec { tensor: *w, kind });
        }
        if args.len() > MAX_ARGS {
            return Err(format!(
                "{fname}: {} tensor arguments, at most {MAX_ARGS} fit a task payload",
                args.len()
            ));
        }
        for w in &w_ids {
            self.written[*w as usize] = true;
        }
        self.tasks.push(TaskSpec { func, ring, args });
        Ok(())
    }

    fn count_step(&mut self, at: &str) -> Result<(), String> {
        self.steps += 1;
        if self.steps > MAX_EXPANSION_STEPS {
            return Err(format!(
                "{at}: the program needs more than {MAX_EXPANSION_STEPS} expansion steps"
            ));
        }
        Ok(())
    }

    fn stmt(
        &mut self,
        v: &Value,
        at: &str,
        ring: u8,
        scope: &mut Vec<String>,
        env: &mut Vec<i64>,
    ) -> Result<(), String> {
        self.count_step(at)?;
        let obj = v.as_object().ok_or_else(|| {
            format!("{at}: a statement must be an object with \"repeat\" or \"task\"")
        })?;
        let ring = match obj.get("ring") {
            None => ring,
            Some(r) => r
                .as_u64()
                .filter(|r| *r <= u64::from(MAX_RING))
                .map(|r| r as u8)
                .ok_or_else(|| format!("{at}: ring must be an integer 0..={MAX_RING}"))?,
        };
        if obj.contains_key("repeat") {
            check_keys(obj, &["repeat", "count", "ring", "body"], at)?;
            self.repeat(obj, at, ring, scope, env)
        } else if obj.contains_key("task") {
            check_keys(obj, &["task", "reads", "writes", "ring"], at)?;
            self.task_stmt(obj, at, ring, scope, env)
        } else {
            Err(format!("{at}: a statement needs \"repeat\" or \"task\""))
        }
    }

    fn repeat(
        &mut self,
        obj: &serde_json::Map<String, Value>,
        at: &str,
        ring: u8,
        scope: &mut Vec<String>,
        env: &mut Vec<i64>,
    ) -> Result<(), String> {
        let var = obj
            .get("repeat")
            .and_then(Value::as_str)
            .filter(|s| {
                s.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
            .ok_or_else(|| format!("{at}: repeat must name a variable ([A-Za-z_][A-Za-z0-9_]*)"))?
            .to_string();
        if scope.contains(&var) {
            return Err(format!(
                "{at}: variable '{var}' is already bound by an enclosing repeat"
            ));
        }
        let count = match obj.get("count") {
            Some(Value::Number(n)) => {
                let n = n
                    .as_u64()
                    .filter(|n| *n <= MAX_TASKS as u64)
                    .ok_or_else(|| format!("{at}: count must be an integer 0..={MAX_TASKS}"))?;
                n as i64
            }
            Some(Value::Object(by)) => {
                check_keys(by, &["by", "values"], &format!("{at}.count"))?;
                let name = by.get("by").and_then(Value::as_str).unwrap_or_default();
                let idx = scope.iter().position(|s| s == name).ok_or_else(|| {
                    format!("{at}: count.by '{name}' is not an enclosing repeat variable")
                })?;
                let values: Vec<u64> = by
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|v| v.as_u64().unwrap_or(u64::MAX)).collect())
                    .unwrap_or_default();
                if values.is_empty() || values.iter().any(|v| *v > MAX_TASKS as u64) {
                    return Err(format!(
                        "{at}: count.values must be a non-empty list of integers 0..={MAX_TASKS}"
                    ));
                }
                let i = env[idx].rem_euclid(values.len() as i64) as usize;
                values[i] as i64
            }
            _ => {
                return Err(format!(
                    "{at}: count must be an integer or {{\"by\": var, \"values\": [..]}}"
                ));
            }
        };
        let body = obj
            .get("body")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{at}: repeat needs a \"body\" list"))?;
        scope.push(var);
        env.push(0);
        for i in 0..count {
            self.count_step(at)?;
            if let Some(last) = env.last_mut() {
                *last = i;
            }
            for (j, s) in body.iter().enumerate() {
                self.stmt(s, &format!("{at}.body[{j}]"), ring, scope, env)?;
            }
        }
        scope.pop();
        env.pop();
        Ok(())
    }

    fn task_stmt(
        &mut self,
        obj: &serde_json::Map<String, Value>,
        at: &str,
        ring: u8,
        scope: &[String],
        env: &[i64],
    ) -> Result<(), String> {
        let fname = obj.get("task").and_then(Value::as_str).unwrap_or_default();
        let func = self
            .funcs
            .iter()
            .position(|f| f.name == fname)
            .ok_or_else(|| format!("{at}: task '{fname}' is not one of \"functions\""))?;
        let mut names: [Vec<String>; 2] = [Vec::new(), Vec::new()];
        for (slot, key) in ["reads", "writes"].iter().enumerate() {
            let list = match obj.get(*key) {
                None => continue,
                Some(Value::Array(a)) => a,
                Some(_) => return Err(format!("{at}: {key} must be a list of tensor names")),
            };
            for (k, item) in list.iter().enumerate() {
                let text = item
                    .as_str()
                    .ok_or_else(|| format!("{at}.{key}[{k}]: must be a string"))?;
                let tpl =
                    Template::parse(text, scope).map_err(|e| format!("{at}.{key}[{k}]: {e}"))?;
                tpl.eval(env, &mut self.name_buf)
                    .map_err(|e| format!("{at}.{key}[{k}]: {e}"))?;
                names[slot].push(self.name_buf.clone());
            }
        }
        let reads: Vec<&str> = names[0].iter().map(String::as_str).collect();
        let writes: Vec<&str> = names[1].iter().map(String::as_str).collect();
        self.task(func as u16, ring, &reads, &writes)
            .map_err(|e| format!("{at}: {e}"))
    }
}

fn check_keys(
    obj: &serde_json::Map<String, Value>,
    allowed: &[&str],
    at: &str,
) -> Result<(), String> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "{at}: unknown key '{k}' (expected {})",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(program: &str) -> String {
        format!(
            r#"{{"name": "t", "ring_window": 8,
            "functions": [{{"id": 3, "name": "A", "core": "aic", "exec_us": {{"dist": "fixed", "us": 2}}}},
                          {{"id": 5, "name": "B", "core": "aiv", "exec_us": {{"dist": "uniform", "min": 1, "max": 2}}}}],
            "tensors": {{"x": {{"dtype": "FLOAT16", "shape": [4, 4], "external": true}},
                        "y": {{"dtype": "float32", "shape": [4]}}}},
            "program": {program}}}"#
        )
    }

    fn err_of(program: &str) -> String {
        Workload::from_json(&doc(program)).unwrap_err()
    }

    #[test]
    fn builtins_load_and_have_the_promised_shape() {
        let pa = Workload::resolve("paged_attention", 1).unwrap();
        assert!(
            (500..=1000).contains(&pa.task_count()),
            "{}",
            pa.task_count()
        );
        let names: Vec<&str> = pa.funcs.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["QK", "SF", "PV", "UP"]);
        assert!(pa.ring_window < 256);
        let mm = Workload::resolve("matmul_chain", 1).unwrap();
        assert!(mm.task_count() > 100);
        assert!(mm.funcs.iter().any(|f| f.core == CoreType::Aic));
        assert!(mm.funcs.iter().any(|f| f.core == CoreType::Aiv));
        let r = Workload::resolve("random:50", 1).unwrap();
        assert_eq!(r.task_count(), 50);
        for name in Workload::builtin_names() {
            assert_eq!(&Workload::resolve(name, 1).unwrap().name, name);
        }
    }

    #[test]
    fn directions_follow_reads_writes_and_first_writer() {
        let w = Workload::from_json(&doc(r#"[{"repeat": "i", "count": 2, "body": [
                 {"task": "A", "reads": ["x.{i}"], "writes": ["y.{i}"]},
                 {"task": "B", "reads": ["y.{i}"], "writes": ["y.{i}", "x.{i}"]},
                 {"task": "B", "writes": ["y.{i}"]}]}]"#))
        .unwrap();
        assert_eq!(w.task_count(), 6);
        let kinds: Vec<Vec<ArgKind>> = w.tasks[..3]
            .iter()
            .map(|t| t.args.iter().map(|a| a.kind).collect())
            .collect();
        use ArgKind::*;
        assert_eq!(
            kinds,
            vec![
                vec![Input, Output],
                vec![Inout, OutputExisting],
                vec![OutputExisting]
            ]
        );
        assert_eq!(w.tensors[w.tasks[3].args[0].tensor as usize].name, "x.1");
        assert_eq!(w.families[1].dtype, "FLOAT32");
        assert_eq!(w.ring_window, 8);
    }

    #[test]
    fn counts_by_variable_and_rings_are_honoured() {
        let w = Workload::from_json(&doc(r#"[{"repeat": "b", "count": 3, "body": [
                 {"repeat": "k", "count": {"by": "b", "values": [1, 0, 2]}, "ring": 2, "body": [
                    {"task": "A", "reads": ["x.{b}.{k}"], "writes": ["y.{b}.{k}"]}]}]}]"#))
        .unwrap();
        assert_eq!(w.task_count(), 3);
        assert!(w.tasks.iter().all(|t| t.ring == 2));
    }

    #[test]
    fn schema_errors_are_precise() {
        let e = err_of(r#"[{"task": "A", "raeds": ["x.0"]}]"#);
        assert!(e.contains("program[0]: unknown key 'raeds'"), "{e}");
        let e = err_of(r#"[{"task": "Z"}]"#);
        assert!(e.contains("task 'Z' is not one of"), "{e}");
        let e = err_of(r#"[{"task": "A", "reads": ["y.0"]}]"#);
        assert!(e.contains("reads 'y.0' before any task writes it"), "{e}");
        let e = err_of(r#"[{"task": "A", "reads": ["q.0"]}]"#);
        assert!(e.contains("no family 'q'"), "{e}");
        let e =
            err_of(r#"[{"repeat": "i", "count": 2, "body": [{"task": "A", "reads": ["x.{j}"]}]}]"#);
        assert!(
            e.contains("program[0].body[0].reads[0]") && e.contains("unknown variable 'j'"),
            "{e}"
        );
        let e = err_of(
            r#"[{"repeat": "i", "count": 1, "body": [{"repeat": "i", "count": 1, "body": []}]}]"#,
        );
        assert!(e.contains("already bound"), "{e}");
        let e = err_of(r#"[{"task": "A", "ring": 4}]"#);
        assert!(e.contains("ring must be"), "{e}");
        let e = err_of(r#"[]"#);
        assert!(e.contains("no task"), "{e}");
        let e = err_of(
            r#"[{"repeat": "a", "count": 1000000, "body": [{"repeat": "b", "count": 1000000, "body": []}]}]"#,
        );
        assert!(e.contains("expansion steps"), "{e}");
        let e = Workload::from_json(r#"{"name": "t"}"#).unwrap_err();
        assert!(e.starts_with("bad JSON: missing field"), "{e}");
        let e = Workload::from_json(
            &doc("[]").replace("\"fixed\", \"us\": 2", "\"fixed\", \"us\": -2"),
        )
        .unwrap_err();
        assert!(e.contains("functions[0] ('A'): exec_us fixed"), "{e}");
        let e = Workload::from_json(&doc("[]").replace("\"us\": 2", "\"us\": 2, \"sd\": 1"))
            .unwrap_err();
        assert!(e.contains("unknown field `sd`"), "{e}");
        let e = Workload::from_json(&doc("[]").replace("FLOAT16", "FLOAT8")).unwrap_err();
        assert!(e.contains("unknown dtype 'FLOAT8'"), "{e}");
    }

    #[test]
    fn resolve_reports_unknown_names_and_bad_files() {
        match Workload::resolve("no_such_workload", 1) {
            Err(DeviceError::Workload { name, reason }) => {
                assert_eq!(name, "no_such_workload");
                assert!(reason.contains("paged_attention"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let dir = std::env::temp_dir().join(format!("swimtop-wl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.json");
        std::fs::write(&bad, "{ not json").unwrap();
        let path = bad.to_string_lossy().to_string();
        match Workload::resolve(&path, 1) {
            Err(DeviceError::Workload { name, reason }) => {
                assert_eq!(name, path);
                assert!(reason.contains("bad JSON"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let good = dir.join("good.json");
        std::fs::write(
            &good,
            doc(r#"[{"task": "A", "reads": ["x.0"], "writes": ["y.0"]}]"#),
        )
        .unwrap();
        assert_eq!(
            Workload::resolve(&good.to_string_lossy(), 1)
                .unwrap()
                .task_count(),
            1
        );
        let e = Workload::resolve(&dir.join("missing.json").to_string_lossy(), 1).unwrap_err();
        assert!(e.to_string().contains("cannot read the file"), "{e}");
        for bad in ["random:0", "random:x", "random:99999999"] {
            assert!(Workload::resolve(bad, 1).is_err(), "{bad}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
