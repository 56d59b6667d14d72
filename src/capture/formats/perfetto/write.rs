//! The writer: `{"traceEvents": [...], "otherData": {...}}` with one event
//! per line, keys in the converter's order, streamed through a chunked
//! buffer so a million-task capture never sits in memory as text.

use std::io::{self, Write};

use super::super::json::{TextOut, write_str};
use super::hash::FastMap;
use super::num::{push_int, push_us};
use super::plan::Plan;
use super::{other, write_flows, write_phases, write_tasks};
use crate::record::{Capture, Ns, TaskId};

/// Writes `capture` as a Chrome trace in the converter's current layout
/// (spec §9.1–9.3). The same capture always gives the same bytes.
pub fn write(capture: &Capture, w: &mut dyn Write) -> io::Result<()> {
    let plan = Plan::new(capture);
    let mut out = Out::new(w);
    out.text.s.push_str("{\"traceEvents\": [\n");
    write_tasks::write(&plan, &mut out)?;
    let mut anchors = Anchors::default();
    let mut next_id = write_tasks::slice_count(&plan);
    write_phases::scheduler(&plan, &mut out, &mut anchors, &mut next_id)?;
    write_phases::orchestrator(&plan, &mut out, &mut anchors, &mut next_id)?;
    write_flows::write(&plan, &anchors, &mut out)?;
    out.text.s.push_str("\n],\n\"otherData\": ");
    other::write(&plan, &mut out.text.s);
    out.text.s.push_str("}\n");
    out.text.finish()
}

/// A Worker View slice on an `AICPU_n` lane that dependency arrows anchor
/// on when the task has no kernel row (dummy, predicated skip, alloc).
#[derive(Debug, Clone, Copy)]
pub struct Anchor {
    pub tid: u64,
    pub start: Ns,
    pub end: Ns,
    pub id: u32,
}

pub type Anchors = FastMap<TaskId, Vec<Anchor>>;

/// Events, comma-separated, one per line.
pub struct Out<'w> {
    pub text: TextOut<'w>,
    count: u64,
}

impl<'w> Out<'w> {
    fn new(w: &'w mut dyn Write) -> Out<'w> {
        Out {
            text: TextOut::new(w),
            count: 0,
        }
    }

    /// Writes one event object built by `body`.
    pub fn event(&mut self, body: impl FnOnce(&mut Obj<'_>)) -> io::Result<()> {
        if self.count > 0 {
            self.text.s.push_str(",\n");
        }
        self.count += 1;
        let mut o = Obj::new(&mut self.text.s);
        body(&mut o);
        o.s.push('}');
        self.text.maybe_flush()
    }

    /// `process_name` (and `process_sort_index` = pid, as the converter does).
    pub fn process(&mut self, pid: u32, name: &str) -> io::Result<()> {
        self.event(|o| {
            o.obj("args", |a| a.str("name", name));
            meta_tail(o, "process_name", pid, None);
        })?;
        self.event(|o| {
            o.obj("args", |a| a.int("sort_index", pid));
            meta_tail(o, "process_sort_index", pid, None);
        })
    }

    pub fn thread(&mut self, pid: u32, tid: u64, name: &str) -> io::Result<()> {
        self.event(|o| {
            o.obj("args", |a| a.str("name", name));
            meta_tail(o, "thread_name", pid, Some(tid));
        })
    }
}

/// The keys after `args` of every metadata event.
pub fn meta_tail(o: &mut Obj<'_>, name: &str, pid: u32, tid: Option<u64>) {
    o.str("cat", "__metadata");
    o.str("name", name);
    o.str("ph", "M");
    o.int("pid", pid);
    if let Some(tid) = tid {
        o.int("tid", tid);
    }
}

/// One JSON object being written: `"key": value` pairs with Python's
/// default separators.
pub struct Obj<'s> {
    pub s: &'s mut String,
    first: bool,
}

impl<'s> Obj<'s> {
    fn new(s: &'s mut String) -> Obj<'s> {
        s.push('{');
        Obj { s, first: true }
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.s.push_str(", ");
        }
        self.first = false;
        self.s.push('"');
        self.s.push_str(k);
        self.s.push_str("\": ");
    }

    pub fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        push_json_str(self.s, v);
    }

    pub fn int(&mut self, k: &str, v: impl Into<Int>) {
        self.key(k);
        push_int(self.s, v.into().0);
    }

    /// A time or duration in µs from integer ns.
    pub fn us(&mut self, k: &str, ns: i128) {
        self.key(k);
        push_us(self.s, ns);
    }

    pub fn null(&mut self, k: &str) {
        self.key(k);
        self.s.push_str("null");
    }

    pub fn bool(&mut self, k: &str, v: bool) {
        self.key(k);
        self.s.push_str(if v { "true" } else { "false" });
    }

    pub fn ints(&mut self, k: &str, v: &[i16]) {
        self.key(k);
        self.s.push('[');
        for (i, x) in v.iter().enumerate() {
            if i > 0 {
                self.s.push_str(", ");
            }
            push_int(self.s, i128::from(*x));
        }
        self.s.push(']');
    }

    pub fn obj(&mut self, k: &str, body: impl FnOnce(&mut Obj<'_>)) {
        self.key(k);
        let mut o = Obj::new(self.s);
        body(&mut o);
        o.s.push('}');
    }
}

/// Any integer the writer prints.
pub struct Int(i128);

macro_rules! int_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Int {
            fn from(v: $t) -> Int {
                Int(v as i128)
            }
        }
    )*};
}
int_from!(u8, u16, u32, u64, usize, i16, i32, i64);

/// A JSON string: plain ASCII copied as is, anything else escaped the way
/// Python's `json.dump` does (see `json::write_str`).
pub fn push_json_str(s: &mut String, v: &str) {
    let plain = v
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
    if plain {
        s.push('"');
        s.push_str(v);
        s.push('"');
    } else {
        write_str(s, v);
    }
}
