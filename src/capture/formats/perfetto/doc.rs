//! One streaming pass over a trace: each event is read into a small typed
//! record as it is parsed (never a whole `serde_json::Value` tree), keeping
//! only what the reader uses. Unknown keys, unknown phases and values of
//! an unexpected type are skipped, never an error; only malformed JSON is.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::label::parse_tdisp;
use super::lenient::{Bool, Depths, Num, Text, scalars};
use crate::record::TaskId;

/// What the top level held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Top {
    /// `{"traceEvents": [...]}` or a top-level array of events.
    Trace,
    /// An object without `traceEvents`.
    ObjectWithoutEvents,
    /// Not an object or array: the JSON kind found.
    Other(&'static str),
}

/// A `ph: "X"` event.
#[derive(Debug, Clone)]
pub struct Slice {
    pub pid: i64,
    pub tid: i64,
    /// ns from the trace origin.
    pub ts: i64,
    pub dur: i64,
    pub id: Option<u64>,
    pub name: String,
    pub args: Args,
}

/// The `args` keys the reader knows, decoded.
#[derive(Debug, Clone, Default)]
pub struct Args {
    /// `event-hint` = `Task:<tdisp>, FuncId:<f>, CoreId:<c>`.
    pub hint_task: Option<TaskId>,
    pub hint_func: Option<i32>,
    pub hint_core: Option<u32>,
    /// Free-text hint of AICPU-lane slices (`dummy(t3)`).
    pub task_id_arg: Option<u64>,
    pub local_setup_ns: Option<i64>,
    pub phase: Option<String>,
    pub loop_iter: Option<u64>,
    pub tasks_processed: Option<u64>,
    pub submit_idx: Option<u64>,
    /// `task_id` of phase records: −1 (or absent / null) = none.
    pub task_id: Option<i128>,
    pub shared_at_start: Option<[i16; 3]>,
    pub shared_at_end: Option<[i16; 3]>,
    pub pop_hit: Option<u64>,
    pub pop_miss: Option<u64>,
    pub predicated_pass: Option<bool>,
}

/// A `dependency` / `hb_violation` flow endpoint (`ph` `s` or `f`).
#[derive(Debug, Clone)]
pub struct Flow {
    pub start: bool,
    pub id: u64,
    pub pid: i64,
    pub tid: i64,
    pub ts: i64,
    pub bind: Option<u64>,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub events: usize,
    pub processes: Vec<(i64, String)>,
    pub threads: Vec<(i64, i64, String)>,
    pub slices: Vec<Slice>,
    pub flows: Vec<Flow>,
    /// `otherData` string pairs.
    pub other: Vec<(String, String)>,
    /// X events without a usable `ts`.
    pub skipped: usize,
}

/// Parses `bytes` in one pass.
pub fn parse(bytes: &[u8]) -> Result<(Top, Parsed), serde_json::Error> {
    let mut out = Parsed::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let top = TopSeed { out: &mut out }.deserialize(&mut de)?;
    de.end()?;
    Ok((top, out))
}

// ---------------------------------------------------------------------------
// Structure.

struct TopSeed<'o> {
    out: &'o mut Parsed,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = Top;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = Top;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a trace object or an array of events")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut top = Top::ObjectWithoutEvents;
        while let Some(key) = map.next_key::<Text<'de>>()? {
            match key.0.as_deref() {
                Some("traceEvents") => {
                    map.next_value_seed(EventsSeed {
                        out: &mut *self.out,
                    })?;
                    top = Top::Trace;
                }
                Some("otherData") => {
                    let pairs = map.next_value::<Pairs>()?;
                    self.out.other = pairs.0;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(top)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top, A::Error> {
        EventsSeed { out: self.out }.visit_seq(seq)?;
        Ok(Top::Trace)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Top, E> {
        Ok(Top::Other("a boolean"))
    }
    fn visit_unit<E>(self) -> Result<Top, E> {
        Ok(Top::Other("null"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Top, E> {
        Ok(Top::Other("a string"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
}

/// `otherData`: string values kept, others dropped.
struct Pairs(Vec<(String, String)>);

impl<'de> de::Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<Text<'de>, Text<'de>>()? {
                    if let (Some(k), Some(v)) = (k.0, v.0) {
                        out.push((k.into_owned(), v.into_owned()));
                    }
                }
                Ok(Pairs(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pairs, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Pairs(Vec::new()))
            }
            scalars!(Pairs(Vec::new()));
        }
        d.deserialize_any(V)
    }
}

struct EventsSeed<'o> {
    out: &'o mut Parsed,
}

impl<'de> DeserializeSeed<'de> for EventsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EventsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("traceEvents as an array of events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(ev) = seq.next_element::<RawEvent<'de>>()? {
            self.out.events += 1;
            if let Some(ev) = ev.0 {
                keep(self.out, ev);
            }
        }
        Ok(())
    }
}

/// An event as written, before it is sorted into [`Parsed`].
#[derive(Default)]
struct Ev<'de> {
    ph: Option<Cow<'de, str>>,
    name: Option<Cow<'de, str>>,
    pid: Num,
    tid: Num,
    ts: Num,
    dur: Num,
    id: Num,
    bind_id: Num,
    args: RawArgs<'de>,
}

/// An element of the event list; `None` for anything but an object.
struct RawEvent<'de>(Option<Ev<'de>>);

impl<'de> de::Deserialize<'de> for RawEvent<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawEvent<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an event object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEvent<'de>, A::Error> {
                let mut ev = Ev::default();
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    match key.0.as_deref() {
                        Some("ph") => ev.ph = map.next_value::<Text<'de>>()?.0,
                        Some("name") => ev.name = map.next_value::<Text<'de>>()?.0,
                        Some("pid") => ev.pid = map.next_value()?,
                        Some("tid") => ev.tid = map.next_value()?,
                        Some("ts") => ev.ts = map.next_value()?,
                        Some("dur") => ev.dur = map.next_value()?,
                        Some("id") => ev.id = map.next_value()?,
                        Some("bind_id") => ev.bind_id = map.next_value()?,
                        Some("args") => ev.args = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(RawEvent(Some(ev)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawEvent<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawEvent(None))
            }
            scalars!(RawEvent(None));
        }
        d.deserialize_any(V)
    }
}

#[derive(Default)]
struct RawArgs<'de> {
    name: Option<Cow<'de, str>>,
    hint: Option<Cow<'de, str>>,
    args: Args,
}

impl<'de> de::Deserialize<'de> for RawArgs<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawArgs<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an args object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawArgs<'de>, A::Error> {
                let mut r = RawArgs::default();
                let a = &mut r.args;
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    let num = |m: &mut A| m.next_value::<Num>();
                    match key.0.as_deref() {
                        Some("name") => r.name = map.next_value::<Text<'de>>()?.0,
                        Some("event-hint") => r.hint = map.next_value::<Text<'de>>()?.0,
                        Some("taskId") => a.task_id_arg = num(&mut map)?.u64(),
                        Some("local_setup_us") => a.local_setup_ns = num(&mut map)?.ns(),
                        Some("phase") => {
                            a.phase = map.next_value::<Text<'de>>()?.0.map(Cow::into_owned);
                        }
                        Some("loop_iter") => a.loop_iter = num(&mut map)?.u64(),
                        Some("tasks_processed") => a.tasks_processed = num(&mut map)?.u64(),
                        Some("submit_idx") => a.submit_idx = num(&mut map)?.u64(),
                        Some("task_id") => a.task_id = num(&mut map)?.int(),
                        Some("shared_at_start (aic,aiv,mix)") => {
                            a.shared_at_start = map.next_value::<Depths>()?.0;
                        }
                        Some("shared_at_end (aic,aiv,mix)") => {
                            a.shared_at_end = map.next_value::<Depths>()?.0;
                        }
                        Some("pop_hit") => a.pop_hit = num(&mut map)?.u64(),
                        Some("pop_miss") => a.pop_miss = num(&mut map)?.u64(),
                        Some("predicated_pass") => a.predicated_pass = map.next_value::<Bool>()?.0,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(r)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawArgs<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawArgs::default())
            }
            scalars!(RawArgs::default());
        }
        d.deserialize_any(V)
    }
}

/// Sorts one event into [`Parsed`], dropping what the reader never uses.
fn keep(out: &mut Parsed, ev: Ev<'_>) {
    let pid = ev.pid.i64().unwrap_or(0);
    let tid = ev.tid.i64().unwrap_or(0);
    match ev.ph.as_deref() {
        Some("M") => {
            let Some(name) = ev.args.name else { return };
            match ev.name.as_deref() {
                Some("process_name") => out.processes.push((pid, name.into_owned())),
                Some("thread_name") => out.threads.push((pid, tid, name.into_owned())),
                _ => {}
            }
        }
        Some("X") => {
            let Some(ts) = ev.ts.ns() else {
                out.skipped += 1;
                return;
            };
            let mut args = ev.args.args;
            if let Some(h) = ev.args.hint.as_deref() {
                read_hint(h, &mut args);
            }
            out.slices.push(Slice {
                pid,
                tid,
                ts,
                dur: ev.dur.ns().unwrap_or(0),
                id: ev.id.id(),
                name: ev.name.map(Cow::into_owned).unwrap_or_default(),
                args,
            });
        }
        Some(ph @ ("s" | "f")) => {
            if !matches!(ev.name.as_deref(), Some("dependency" | "hb_violation")) {
                return;
            }
            let (Some(id), Some(ts)) = (ev.id.id(), ev.ts.ns()) else {
                return;
            };
            out.flows.push(Flow {
                start: ph == "s",
                id,
                pid,
                tid,
                ts,
                bind: ev.bind_id.id(),
            });
        }
        _ => {}
    }
}

/// `Task:r1t0, FuncId:2, CoreId:0` (any part may be missing).
fn read_hint(h: &str, a: &mut Args) {
    for part in h.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Task:") {
            a.hint_task = parse_tdisp(v.trim());
        } else if let Some(v) = part.strip_prefix("FuncId:") {
            a.hint_func = v.trim().parse().ok();
        } else if let Some(v) = part.strip_prefix("CoreId:") {
            a.hint_core = v.trim().parse().ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (Top, Parsed) {
        parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn events_are_sorted_into_kinds() {
        let (top, p) = parsed(
            r#"{"otherData": {"producer": "swimtop 0.1.0", "n": 3},
                "traceEvents": [
                  {"ph": "M", "name": "process_name", "pid": 4, "args": {"name": "Worker View"}},
                  {"ph": "M", "name": "thread_name", "pid": "4", "tid": 10000, "args": {"name": "AIC_0"}},
                  {"ph": "X", "pid": 4, "tid": 10000, "ts": 1.6, "dur": 10.020000000000001, "id": 0,
                   "name": "QK(t0)", "args": {"event-hint": "Task:r1t2, FuncId:3, CoreId:7",
                   "local_setup_us": 0.02, "taskId": "4294967298",
                   "shared_at_start (aic,aiv,mix)": [1, 2], "task_id": -1}},
                  {"ph": "s", "name": "dependency", "id": "0x10", "pid": 4, "tid": 1, "ts": 2, "bind_id": 0},
                  {"ph": "s", "name": "dispatch", "id": 1, "pid": 4, "tid": 1, "ts": 2},
                  {"ph": "C", "name": "q", "pid": 2, "ts": 1, "args": {"AIC": 1}},
                  "not an event"
                ]}"#,
        );
        assert_eq!(top, Top::Trace);
        assert_eq!(p.events, 7);
        assert_eq!(p.processes, vec![(4, "Worker View".to_string())]);
        assert_eq!(p.threads, vec![(4, 10000, "AIC_0".to_string())]);
        assert_eq!(
            p.other,
            vec![("producer".to_string(), "swimtop 0.1.0".to_string())]
        );
        let s = &p.slices[0];
        assert_eq!((s.ts, s.dur, s.id), (1_600, 10_020, Some(0)));
        let a = &s.args;
        assert_eq!(a.hint_task, Some(TaskId::new(1, 2)));
        assert_eq!((a.hint_func, a.hint_core), (Some(3), Some(7)));
        assert_eq!(a.task_id_arg, Some(4_294_967_298));
        assert_eq!(a.local_setup_ns, Some(20));
        assert_eq!(a.shared_at_start, None, "two depths are not three");
        assert_eq!(a.task_id, Some(-1));
        assert_eq!(p.flows.len(), 1);
        assert_eq!((p.flows[0].id, p.flows[0].bind), (16, Some(0)));
    }

    #[test]
    fn top_level_kinds() {
        assert_eq!(parsed("[]").0, Top::Trace);
        assert_eq!(parsed(r#"{"a": [1]}"#).0, Top::ObjectWithoutEvents);
        assert_eq!(parsed("\"x\"").0, Top::Other("a string"));
        assert!(parse(br#"{"traceEvents": 5}"#).is_err());
        assert!(parse(b"[] x").is_err());
    }
}
