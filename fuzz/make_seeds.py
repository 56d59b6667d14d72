#!/usr/bin/env python3
"""Rebuilds fuzz/seeds/<target>/ from the project's captures and from
`swimtop record` (small random workloads, levels 1-3, every format).

Usage: python3 fuzz/make_seeds.py [SWIMTOP_BINARY]   (default target/debug/swimtop)

Files larger than MAX_LEN are cut to valid smaller JSON by halving their
longest arrays until they fit (every target runs with -max_len=MAX_LEN).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MAX_LEN = 64 * 1024
BUDGET = MAX_LEN - 2048
ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "assets" / "captures"
SEEDS = ROOT / "fuzz" / "seeds"


def longest_list(node, best=None):
    """The longest list anywhere in a JSON value (lists of >1 element)."""
    if isinstance(node, list):
        if len(node) > 1 and (best is None or len(node) > len(best)):
            best = node
        for v in node:
            best = longest_list(v, best)
    elif isinstance(node, dict):
        for v in node.values():
            best = longest_list(v, best)
    return best


def fitted(path):
    """The file's bytes, or a trimmed valid JSON under BUDGET."""
    data = path.read_bytes()
    if len(data) <= BUDGET:
        return data
    doc = json.loads(data)
    while True:
        text = json.dumps(doc, separators=(",", ":")).encode()
        if len(text) <= BUDGET:
            return text
        lst = longest_list(doc)
        if lst is None:
            raise SystemExit(f"{path}: cannot trim under {BUDGET} bytes")
        del lst[(len(lst) + 1) // 2 :]


def put(target, name, data):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def kind(path):
    """Which reader a capture file belongs to, by content."""
    doc = json.loads(path.read_bytes())
    if isinstance(doc, list) or "traceEvents" in doc:
        return "perfetto"
    if "callable_id_to_name" in doc:
        return "name_map"
    if "chip_swimlane_level" in doc or "aicore_tasks" in doc:
        return "raw"
    if "edges" in doc or "tensors" in doc:
        return "deps_json"
    return "legacy_json"


def add_capture(path, name):
    data = fitted(path)
    k = kind(path)
    put(k, name, data)
    if k in ("perfetto", "raw", "legacy_json"):
        put("detect", name, data)


def main():
    binary = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "target" / "debug" / "swimtop")
    for t in ["detect", "legacy_json", "raw", "deps_json", "name_map", "perfetto"]:
        shutil.rmtree(SEEDS / t, ignore_errors=True)
    for sub in ["spec", "generations"]:
        for p in sorted((CAPTURES / sub).glob("*.json")):
            add_capture(p, f"{sub}.{p.name}")
    for d in sorted((CAPTURES / "real").iterdir()):
        if d.is_dir():
            for p in sorted(d.glob("*.json")):
                add_capture(p, f"real.{d.name}.{p.name[:60]}")
    with tempfile.TemporaryDirectory() as tmp:
        for level in [1, 2, 3]:
            for fmt in ["swimlane", "chip", "perfetto"]:
                out = Path(tmp) / f"L{level}.{fmt}" / "capture.json"
                out.parent.mkdir()
                subprocess.run(
                    [str(binary), "record", "-q", "--workload", "random:20",
                     "--level", str(level), "--aic", "2", "--aiv", "4",
                     "--format", fmt, "-o", str(out)],
                    check=True,
                )
                for p in sorted(out.parent.iterdir()):
                    name = "capture.json" if p == out else p.name
                    add_capture(p, f"record.L{level}.{fmt}.{name}")
    # Handy cross-feeding: deps.json and name maps also seed detection.
    for t in ["deps_json", "name_map"]:
        for p in sorted((SEEDS / t).iterdir()):
            put("detect", p.name, p.read_bytes())
    # Level strings and config files are written by hand: see seeds/levels/.
    print("\n".join(f"{t.name}: {len(list(t.iterdir()))} files" for t in sorted(SEEDS.iterdir())))


if __name__ == "__main__":
    main()
