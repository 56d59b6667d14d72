//! `name_map_<case>.json` (spec §8): func id → kernel name and the
//! orchestrator's name, as SceneTest writes them with Python's `json.dump`
//! (2-space indent, ASCII-escaped strings, no trailing newline).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use serde::Deserialize;

use super::error::FormatError;
use super::json::write_str;
use crate::record::DeviceInfo;

/// What a name map says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameMap {
    pub func_names: BTreeMap<i32, String>,
    pub orchestrator_name: Option<String>,
}

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    orchestrator_name: Option<String>,
    #[serde(default)]
    callable_id_to_name: Option<BTreeMap<String, String>>,
}

/// `name_map_<case>.json`, the case label sanitised as SceneTest does: any
/// character outside `[A-Za-z0-9._-]` becomes `_`.
pub fn file_name(case: &str) -> String {
    let safe: String = case
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("name_map_{safe}.json")
}

/// The case label a name map's file name carries (`name_map_<case>.json`).
pub fn case_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let case = name.strip_prefix("name_map_")?.strip_suffix(".json")?;
    (!case.is_empty()).then(|| case.to_string())
}

/// True when there is anything to write (SceneTest skips the file otherwise).
pub fn has_names(info: &DeviceInfo) -> bool {
    !info.func_names.is_empty() || info.orchestrator_name.is_some()
}

pub fn write(info: &DeviceInfo, w: &mut dyn Write) -> io::Result<()> {
    let mut s = String::from("{\n  \"level\": 2,\n  \"orchestrator_name\": ");
    match &info.orchestrator_name {
        Some(name) => write_str(&mut s, name),
        None => s.push_str("null"),
    }
    if !info.func_names.is_empty() {
        s.push_str(",\n  \"callable_id_to_name\": {");
        for (i, (id, name)) in info.func_names.iter().enumerate() {
            s.push_str(if i == 0 { "\n    " } else { ",\n    " });
            let _ = write!(s, "\"{id}\": ");
            write_str(&mut s, name);
        }
        s.push_str("\n  }");
    }
    s.push_str("\n}");
    w.write_all(s.as_bytes())?;
    w.flush()
}

pub fn read(path: &Path) -> Result<NameMap, FormatError> {
    parse(&FormatError::read_file(path)?, path)
}

pub fn parse(bytes: &[u8], path: &Path) -> Result<NameMap, FormatError> {
    let doc: Doc =
        serde_json::from_slice(bytes).map_err(|e| FormatError::from_json(path, bytes, &e))?;
    let mut func_names = BTreeMap::new();
    for (key, name) in doc.callable_id_to_name.into_iter().flatten() {
        let id = key.trim().parse::<i32>().map_err(|_| {
            FormatError::key(
                path,
                &format!("callable_id_to_name.{key}"),
                "expected a decimal func id as the key",
            )
        })?;
        func_names.insert(id, name);
    }
    Ok(NameMap {
        func_names,
        orchestrator_name: doc.orchestrator_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_sanitised() {
        assert_eq!(
            file_name("TestTinyAttn_default"),
            "name_map_TestTinyAttn_default.json"
        );
        assert_eq!(file_name("a b/c:d"), "name_map_a_b_c_d.json");
        assert_eq!(
            case_of(Path::new("x/name_map_TestTinyAttn_default.json")).as_deref(),
            Some("TestTinyAttn_default")
        );
    }

    #[test]
    fn empty_names_omit_the_table() {
        let mut info = crate::capture::formats::info::empty(Path::new("x"));
        info.orchestrator_name = Some("Ö".into());
        let mut out = Vec::new();
        write(&info, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n  \"level\": 2,\n  \"orchestrator_name\": \"\\u00d6\"\n}"
        );
    }

    #[test]
    fn keys_must_be_numbers() {
        let e = parse(
            br#"{"callable_id_to_name": {"x": "QK"}}"#,
            Path::new("n.json"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("n.json: callable_id_to_name.x: expected a decimal"),
            "{e}"
        );
    }
}
