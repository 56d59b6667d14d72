//! Writes deps.json from a capture's submit records in the compact layout of
//! the spec example: the dep_gen writer's objects, one task / tensor / edge
//! per line (upstream prints them all on one line; the bytes of each object
//! are the same).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::capture::formats::json::TextOut;
use crate::record::{ArgKind, Capture, EdgeSource, SubmitRecord, TensorView};

pub fn write(capture: &Capture, w: &mut dyn Write) -> io::Result<()> {
    let mut out = TextOut::new(w);
    out.s.push_str("{\"tasks\":[");
    for (i, s) in capture.submits.iter().enumerate() {
        out.s.push_str(if i == 0 { "\n" } else { ",\n" });
        task(&mut out.s, s);
        out.maybe_flush()?;
    }
    close(&mut out.s, capture.submits.is_empty());

    out.s.push_str(",\"tensors\":[");
    let mut seen = HashSet::new();
    let mut first = true;
    for view in capture
        .submits
        .iter()
        .flat_map(|s| &s.args)
        .filter(|a| a.kind != ArgKind::Output)
        .filter_map(|a| a.view.as_ref())
    {
        if !seen.insert((view.buffer_addr, view.version)) {
            continue;
        }
        out.s.push_str(if first { "\n" } else { ",\n" });
        first = false;
        let _ = write!(
            out.s,
            "{{\"tensor_id\":\"{}\",\"buffer_addr\":\"{}\",\"version\":{},\"dtype\":\"{}\",\"buffer_numel\":\"{}\"}}",
            view.tensor_id(),
            view.buffer_addr,
            view.version,
            view.dtype,
            view.buffer_numel
        );
        out.maybe_flush()?;
    }
    close(&mut out.s, first);

    out.s.push_str(",\"edges\":[");
    let mut first = true;
    for s in &capture.submits {
        for e in &s.edges_in {
            out.s.push_str(if first { "\n" } else { ",\n" });
            first = false;
            let _ = write!(
                out.s,
                "{{\"pred\":\"{}\",\"succ\":\"{}\",\"arg\":{},\"source\":\"{}\",\"flags\":",
                e.pred.0,
                e.succ.0,
                e.arg,
                e.source.as_str()
            );
            // Creator (and explicit) edges both wait for and retain the
            // producer; tensormap edges only wait.
            out.s.push_str(match e.source {
                EdgeSource::Tensormap => "[\"wait\"]",
                EdgeSource::Creator | EdgeSource::Explicit => "[\"wait\",\"retain\"]",
            });
            if e.source == EdgeSource::Tensormap {
                out.s.push_str(",\"overlap\":\"covered\"");
            }
            if e.source != EdgeSource::Explicit {
                let consumer = usize::try_from(e.arg)
                    .ok()
                    .and_then(|a| s.args.get(a))
                    .and_then(|a| a.view.as_ref());
                if let Some(v) = consumer {
                    let _ = write!(
                        out.s,
                        ",\"tensor_id\":\"{}\",\"consumer_dtype\":\"{}\",\"consumer_shape\":",
                        v.tensor_id(),
                        v.dtype
                    );
                    geometry(&mut out.s, "consumer", v);
                }
            }
            if e.source == EdgeSource::Tensormap
                && let Some(p) = &e.producer_view
            {
                out.s.push_str(",\"producer_shape\":");
                geometry(&mut out.s, "producer", p);
            }
            out.s.push('}');
            out.maybe_flush()?;
        }
    }
    close(&mut out.s, first);
    out.s.push_str("}\n");
    out.finish()
}

fn close(s: &mut String, empty: bool) {
    if !empty {
        s.push('\n');
    }
    s.push(']');
}

fn task(s: &mut String, t: &SubmitRecord) {
    let [a, b, c] = t.kernel_ids;
    let _ = write!(
        s,
        "{{\"task_id\":\"{}\",\"scope\":\"auto\",\"early_dispatch\":false,\"kernel_ids\":[{a},{b},{c}],\"block_num\":{},\"args\":[",
        t.task_id.0, t.block_num
    );
    for (i, arg) in t.args.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{{\"idx\":{i},\"type\":\"{}\"", arg.kind.as_str());
        // An OUTPUT buffer does not exist yet: only its slot and type.
        if arg.kind != ArgKind::Output
            && let Some(v) = &arg.view
        {
            let _ = write!(
                s,
                ",\"tensor_id\":\"{}\",\"dtype\":\"{}\",\"shape\":",
                v.tensor_id(),
                v.dtype
            );
            uints(s, &v.shape);
            let _ = write!(s, ",\"start_offset\":\"{}\",\"strides\":", v.start_offset);
            uints(s, &v.strides);
        }
        s.push('}');
    }
    s.push_str("]}");
}

/// `<shape>,"<who>_start_offset":"<n>","<who>_strides":<strides>` (the
/// `<who>_shape` key itself is written by the caller).
fn geometry(s: &mut String, who: &str, v: &TensorView) {
    uints(s, &v.shape);
    let _ = write!(
        s,
        ",\"{who}_start_offset\":\"{}\",\"{who}_strides\":",
        v.start_offset
    );
    uints(s, &v.strides);
}

fn uints(s: &mut String, v: &[u32]) {
    s.push('[');
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{x}");
    }
    s.push(']');
}
