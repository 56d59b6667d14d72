//! Slice labels (spec §8) and reading them back.

use std::collections::BTreeMap;

use super::num::push_u64;
use crate::record::TaskId;

/// The base of a label for `func_id`: its name when known, `task` when the
/// id is unknown (< 0), else `func_<n>_<letters>`.
pub fn func_label(func_id: i32, names: &BTreeMap<i32, String>) -> String {
    let mut s = String::new();
    push_func_label(&mut s, func_id, names);
    s
}

/// `<base>(<tdisp>)`, with `_spmd` inserted for SPMD logical tasks unless
/// the base already says so.
pub fn task_label(func_id: i32, names: &BTreeMap<i32, String>, task: TaskId, spmd: bool) -> String {
    let mut s = String::new();
    push_task_label(&mut s, func_id, names, task, spmd);
    s
}

pub fn push_func_label(s: &mut String, func_id: i32, names: &BTreeMap<i32, String>) {
    if func_id < 0 {
        s.push_str("task");
        return;
    }
    match names.get(&func_id) {
        Some(name) => s.push_str(name),
        None => {
            s.push_str("func_");
            push_u64(s, func_id as u64);
            s.push('_');
            s.push_str(&letters(func_id as u32));
        }
    }
}

pub fn push_task_label(
    s: &mut String,
    func_id: i32,
    names: &BTreeMap<i32, String>,
    task: TaskId,
    spmd: bool,
) {
    let from = s.len();
    push_func_label(s, func_id, names);
    if spmd && !s[from..].to_ascii_lowercase().contains("spmd") {
        s.push_str("_spmd");
    }
    s.push('(');
    push_tdisp(s, task);
    s.push(')');
}

/// `t<local>` / `r<ring>t<local>` (the converter's display form).
pub fn push_tdisp(s: &mut String, task: TaskId) {
    if task.ring() != 0 {
        s.push('r');
        push_u64(s, u64::from(task.ring()));
    }
    s.push('t');
    push_u64(s, u64::from(task.local()));
}

/// Bijective base-26: 0 → `a`, 25 → `z`, 26 → `aa`, 27 → `ab`.
fn letters(n: u32) -> String {
    let mut out = Vec::new();
    let mut m = u64::from(n) + 1;
    while m > 0 {
        let rem = ((m - 1) % 26) as u8;
        out.push(b'a' + rem);
        m = (m - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A label split at its last `(`: the base and the task it names, when the
/// part in parentheses is a task display (`t5`, `r2t12`).
pub fn split(label: &str) -> (&str, Option<TaskId>) {
    let Some(body) = label.strip_suffix(')') else {
        return (label, None);
    };
    match body.rfind('(') {
        Some(i) => (&body[..i], parse_tdisp(&body[i + 1..])),
        None => (label, None),
    }
}

/// `t<local>` or `r<ring>t<local>` → the packed task id.
pub fn parse_tdisp(s: &str) -> Option<TaskId> {
    let (ring, local) = match s.strip_prefix('r') {
        Some(rest) => {
            let (ring, local) = rest.split_once('t')?;
            (ring.parse::<u8>().ok()?, local)
        }
        None => (0, s.strip_prefix('t')?),
    };
    Some(TaskId::new(ring, local.parse::<u32>().ok()?))
}

/// What a label base says about the function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base<'a> {
    /// `task`: the converter knew no func id.
    Unknown,
    /// `func_<n>_<letters>`: an id without a name.
    Id(i32),
    Name(&'a str),
}

/// Reads a base back. `spmd` says whether the task ran as an SPMD logical
/// task, in which case a trailing `_spmd` was most likely added by the
/// label rule rather than part of the name.
pub fn parse_base(base: &str, spmd: bool) -> Base<'_> {
    if base == "task" {
        return Base::Unknown;
    }
    if let Some(rest) = base.strip_prefix("func_")
        && let Some((n, l)) = rest.split_once('_')
        && let Ok(id) = n.parse::<u32>()
        && letters(id) == l
        && let Ok(id) = i32::try_from(id)
    {
        return Base::Id(id);
    }
    if spmd
        && let Some(name) = base.strip_suffix("_spmd")
        && !name.is_empty()
        && !name.to_ascii_lowercase().contains("spmd")
    {
        return parse_base(name, false);
    }
    Base::Name(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> BTreeMap<i32, String> {
        BTreeMap::from([(0, "QK".to_string()), (5, "fa_spmd_aic".to_string())])
    }

    #[test]
    fn labels_follow_the_converter() {
        let n = names();
        assert_eq!(task_label(0, &n, TaskId(0), false), "QK(t0)");
        assert_eq!(task_label(-1, &n, TaskId::new(1, 0), false), "task(r1t0)");
        assert_eq!(task_label(0, &n, TaskId(3), true), "QK_spmd(t3)");
        assert_eq!(task_label(5, &n, TaskId(3), true), "fa_spmd_aic(t3)");
        assert_eq!(
            task_label(27, &n, TaskId::new(1, 3), false),
            "func_27_ab(r1t3)"
        );
        assert_eq!(func_label(0, &BTreeMap::new()), "func_0_a");
        assert_eq!(letters(25), "z");
        assert_eq!(letters(26), "aa");
        assert_eq!(letters(701), "zz");
        assert_eq!(letters(702), "aaa");
        for t in [TaskId(0), TaskId(17), TaskId::new(3, 4_000_000_000)] {
            let mut s = String::new();
            push_tdisp(&mut s, t);
            assert_eq!(s, t.to_string());
        }
    }

    #[test]
    fn labels_read_back() {
        assert_eq!(split("QK(r2t5)"), ("QK", Some(TaskId::new(2, 5))));
        assert_eq!(split("f(x)(t1)"), ("f(x)", Some(TaskId(1))));
        assert_eq!(split("dispatch(3)"), ("dispatch", None));
        assert_eq!(split("plain"), ("plain", None));
        assert_eq!(parse_tdisp("r300t1"), None);
        assert_eq!(parse_base("task", false), Base::Unknown);
        assert_eq!(parse_base("func_27_ab", false), Base::Id(27));
        assert_eq!(parse_base("func_27_zz", false), Base::Name("func_27_zz"));
        assert_eq!(parse_base("QK_spmd", true), Base::Name("QK"));
        assert_eq!(parse_base("QK_spmd", false), Base::Name("QK_spmd"));
        assert_eq!(parse_base("func_3_d_spmd", true), Base::Id(3));
        assert_eq!(parse_base("fa_spmd_aic", true), Base::Name("fa_spmd_aic"));
        assert_eq!(parse_base("task_spmd", true), Base::Unknown);
    }
}
