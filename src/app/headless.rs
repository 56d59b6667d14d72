//! Non-interactive modes: record a capture, print statistics, follow the
//! device as one status line per round. Each takes its output streams as
//! arguments so tests can run them without a terminal.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::bail;

use super::cli::{ConvertArgs, RecordArgs, SiblingArgs, StatsArgs};
use super::config::{ResolvedLevel, SimSettings};
use super::source::sim_device;
use crate::capture::accounting::Counts;
use crate::capture::channel::{CaptureEvent, CaptureItem};
use crate::capture::formats::{self, Format};
use crate::capture::thread::{CaptureConfig, CaptureHandle};
use crate::device::{Device, RunSummary, StopToken, VecSink};
use crate::dfx::DfxFlags;
use crate::record::RoundSummary;
use crate::render::header::{HeaderModel, header_text};
use crate::render::units;
use crate::store::TraceStore;
use crate::store::stats::TraceStats;

/// A finished capture, ingested.
pub struct Collected {
    pub store: TraceStore,
    pub summary: RunSummary,
    pub counts: Counts,
    pub notices: Vec<String>,
}

/// Drains a capture into a trace store until the device finishes. `on_round`
/// sees the store after each round's records are in (events never overtake
/// the batches sent before them).
pub fn collect(
    handle: &mut CaptureHandle,
    mut on_round: impl FnMut(&mut TraceStore, &RoundSummary, Counts),
    mut on_batch: impl FnMut(&TraceStore),
) -> anyhow::Result<Collected> {
    collect_runs(
        handle,
        &mut on_round,
        &mut on_batch,
        &mut |_| {},
        &mut |_| {},
    )
}

/// [`collect`], also seeing a driven program's run events.
pub fn collect_runs(
    handle: &mut CaptureHandle,
    on_round: &mut dyn FnMut(&mut TraceStore, &RoundSummary, Counts),
    on_batch: &mut dyn FnMut(&TraceStore),
    on_run: &mut dyn FnMut(&crate::device::RunEvent),
    on_log: &mut dyn FnMut(&crate::device::LogLine),
) -> anyhow::Result<Collected> {
    let mut store: Option<TraceStore> = None;
    let mut notices = Vec::new();
    let summary = loop {
        let Some(item) = handle.rx.recv() else {
            bail!("the capture thread ended without reporting a result");
        };
        match item {
            CaptureItem::Describe(info, flags) => store = Some(TraceStore::new(*info, flags)),
            CaptureItem::Batch(batch) => {
                let Some(s) = store.as_mut() else {
                    bail!("the device sent records before describing itself");
                };
                s.ingest(batch);
                on_batch(s);
            }
            CaptureItem::Store(s) => {
                on_batch(&s);
                store = Some(*s);
            }
            CaptureItem::Event(CaptureEvent::Round(r)) => {
                if let Some(s) = store.as_mut() {
                    s.round_done(&r);
                    on_round(s, &r, handle.accounting.snapshot());
                }
            }
            CaptureItem::Event(CaptureEvent::Notice(n)) => notices.push(n),
            CaptureItem::Event(CaptureEvent::Run(e)) => on_run(&e),
            CaptureItem::Log(l) => on_log(&l),
            CaptureItem::Event(CaptureEvent::Finished(summary)) => break summary,
            CaptureItem::Event(CaptureEvent::Failed(msg)) => bail!("{msg}"),
        }
    };
    handle.join();
    let Some(store) = store else {
        bail!("the device finished without describing itself");
    };
    Ok(Collected {
        store,
        summary,
        notices,
        counts: handle.accounting.snapshot(),
    })
}

/// What `record` did, for the caller's last line and for tests.
#[derive(Debug)]
pub struct RecordReport {
    pub written: Vec<PathBuf>,
    pub flags: DfxFlags,
    pub rounds: u32,
    pub tasks: u64,
    pub records: u64,
    pub device_time_ns: u64,
    pub overhead_ns: u64,
}

/// `swimtop record`: run the simulated chip and write a capture.
pub fn record(
    args: &RecordArgs,
    sim: &SimSettings,
    level: &ResolvedLevel,
    progress: &mut dyn Write,
) -> anyhow::Result<RecordReport> {
    let flags = level.flags;
    let format = args.format;
    if !args.runtime.command.is_empty() {
        return record_runtime(args, level, progress);
    }
    // The chip and Perfetto outputs draw true dependencies, as a real run
    // with --enable-dep-gen gives them.
    let device = sim_device(sim, format != Format::Swimlane)?;
    if !flags.aicore_timing() {
        // Level 0 still runs the chip (so the user sees it ran and for how
        // long) but records nothing, so there is nothing to write.
        let mut device = device;
        let mut sink = VecSink::default();
        let summary = device.run(flags, &mut sink, &StopToken::new())?;
        writeln!(
            progress,
            "level 0 ({flags}): profiling is off, nothing was recorded and no file was written \
             ({} round(s), {} tasks, device time {})",
            summary.rounds,
            summary.tasks,
            units::duration(summary.device_time_ns)
        )?;
        return Ok(RecordReport {
            written: Vec::new(),
            flags,
            rounds: summary.rounds,
            tasks: summary.tasks,
            records: 0,
            device_time_ns: summary.device_time_ns,
            overhead_ns: summary.overhead_ns,
        });
    }
    // Before the run, not after it: an unwritable -o should not cost one.
    formats::check_writable(&args.output)?;

    let interactive = !args.quiet && std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut last_progress = Instant::now();
    let total_rounds = sim.rounds;
    let mut handle = CaptureHandle::spawn(Box::new(device), flags, CaptureConfig::lossless());
    let collected = collect(
        &mut handle,
        |store, round, counts| {
            // Long runs say where they are; short ones stay quiet.
            if args.quiet || started.elapsed() < Duration::from_millis(500) {
                return;
            }
            if interactive && last_progress.elapsed() < Duration::from_millis(200) {
                return;
            }
            last_progress = Instant::now();
            let of = total_rounds.map(|t| format!("/{t}")).unwrap_or_default();
            let line = format!(
                "recording: round {}{of} · {} tasks · {} records",
                round.round + 1,
                units::count(store.task_count() as u64),
                units::count(counts.delivered)
            );
            let _ = if interactive {
                write!(progress, "\r\x1b[K{line}")
            } else {
                writeln!(progress, "{line}")
            };
        },
        |_| {},
    )?;
    if interactive && started.elapsed() >= Duration::from_millis(500) {
        write!(progress, "\r\x1b[K")?;
    }

    let Collected {
        store,
        summary,
        counts,
        ..
    } = collected;
    // Recording is lossless: anything else is a bug worth stopping for.
    if counts.dropped != 0 || !counts.balanced() || store.ingested() != counts.delivered {
        bail!(
            "record accounting does not add up: produced {} delivered {} dropped {} ingested {}",
            counts.produced,
            counts.delivered,
            counts.dropped,
            store.ingested()
        );
    }
    let capture = store.to_capture();
    let written = formats::write_capture(&capture, &args.output, format)?;
    let report = RecordReport {
        written,
        flags,
        rounds: summary.rounds,
        tasks: summary.tasks,
        records: counts.delivered,
        device_time_ns: summary.device_time_ns,
        overhead_ns: summary.overhead_ns,
    };
    write_record_report(&report, format, progress)?;
    Ok(report)
}

/// `swimtop record … -- CMD`: one run of the real runtime's command, its
/// output streamed to `err`, its capture normalised into `args.output`.
fn record_runtime(
    args: &RecordArgs,
    level: &ResolvedLevel,
    err: &mut dyn Write,
) -> anyhow::Result<RecordReport> {
    if args.runtime.repeat.is_some() {
        bail!(
            "record runs the command once; --repeat is for the live view (swimtop --level N --repeat -- CMD)"
        );
    }
    let flags = level.flags;
    // The command may run for minutes: find out first whether its capture
    // could be kept (level 0 writes nothing).
    if flags.aicore_timing() {
        formats::check_writable(&args.output)?;
    }
    let (device, retry) = super::source::runtime_device(&args.runtime, &SiblingArgs::default())?;
    // Nobody can press `r` here: a failed run ends the recording.
    drop(retry);
    let mut handle = CaptureHandle::spawn(Box::new(device), flags, CaptureConfig::lossless());
    // Ctrl-C / SIGTERM / SIGHUP stop the command (it has its own process
    // group, so the terminal's SIGINT does not reach it) before we exit.
    let stop = handle.stop_token();
    let signals = super::tui::signals();
    std::thread::spawn(move || {
        if signals.recv().is_ok() {
            stop.stop();
        }
    });
    let quiet = args.quiet;
    let collected = collect_runs(
        &mut handle,
        &mut |_, _, _| {},
        &mut |_| {},
        &mut |_| {},
        &mut |l| {
            if !quiet || l.stream == crate::device::LogStream::Swimtop {
                let _ = writeln!(err, "{} {}", super::runs::stream_tag(l.stream), l.text);
            }
        },
    )?;
    if collected.summary.stopped {
        bail!("stopped before the command finished; nothing was written");
    }
    if !flags.aicore_timing() {
        writeln!(
            err,
            "level 0 ({flags}): the command ran without a profiling flag; nothing was recorded and no file was written"
        )?;
        return Ok(RecordReport {
            written: Vec::new(),
            flags,
            rounds: collected.summary.rounds,
            tasks: 0,
            records: 0,
            device_time_ns: 0,
            overhead_ns: 0,
        });
    }
    for n in &collected.notices {
        writeln!(err, "swimtop: note: {n}")?;
    }
    let capture = collected.store.to_capture();
    let written = formats::write_capture(&capture, &args.output, args.format)?;
    let report = RecordReport {
        written,
        flags: capture.flags,
        rounds: collected.summary.rounds,
        tasks: capture.tasks.len() as u64,
        records: collected.counts.delivered,
        device_time_ns: collected.summary.device_time_ns,
        overhead_ns: 0,
    };
    write_record_report(&report, args.format, err)?;
    Ok(report)
}

fn write_record_report(
    r: &RecordReport,
    format: Format,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let what = match format {
        Format::Swimlane => match r.flags.level().legacy_json_version(true) {
            Some(v) => format!("swimlane JSON version {v}"),
            None => "swimlane JSON".to_string(),
        },
        Format::Chip => format!(
            "chip_swimlane_level {}",
            r.flags.level().chip_swimlane_level()
        ),
        Format::Perfetto => "Perfetto trace".to_string(),
    };
    for (i, path) in r.written.iter().enumerate() {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if i == 0 {
            writeln!(
                out,
                "wrote {} ({what}, {}, {} round(s), {} tasks, {} records, {})",
                path.display(),
                r.flags,
                r.rounds,
                r.tasks,
                r.records,
                units::bytes(size)
            )?;
        } else {
            writeln!(out, "wrote {} ({})", path.display(), units::bytes(size))?;
        }
    }
    // Only the simulated chip models its instrumentation cost.
    if r.overhead_ns > 0 {
        writeln!(
            out,
            "device time {} · modelled instrumentation cost {} (summed over every core and AICPU thread; \
             `swimtop bench` shows what it adds to device time)",
            units::duration(r.device_time_ns),
            units::duration(r.overhead_ns)
        )?;
    }
    Ok(())
}

/// `swimtop stats FILE`.
/// Read options from the command line's sibling flags.
pub fn read_options(s: &SiblingArgs, progress: Option<formats::Progress>) -> formats::ReadOptions {
    formats::ReadOptions {
        deps_json: s.deps_json.clone(),
        func_names: s.func_names.clone(),
        progress,
        deps_graph_only: true,
    }
}

/// Reads a capture for a headless command, telling `err` what was skipped
/// or is missing (never silently half-loaded).
fn read_reporting(
    file: &Path,
    siblings: &SiblingArgs,
    whole_deps: bool,
    err: &mut dyn Write,
) -> anyhow::Result<crate::record::Capture> {
    let mut opts = read_options(siblings, None);
    opts.deps_graph_only = !whole_deps;
    let (capture, stats) = formats::read_capture_with(file, &opts)?;
    report(file, &stats, err)?;
    Ok(capture)
}

/// What a read dropped, skipped or found missing, a line each.
fn report(file: &Path, stats: &formats::ReadStats, err: &mut dyn Write) -> std::io::Result<()> {
    for m in stats.messages() {
        writeln!(err, "swimtop: {}: {m}", file.display())?;
    }
    Ok(())
}

/// `swimtop convert FILE -o OUT --to FORMAT`.
pub fn convert(args: &ConvertArgs, err: &mut dyn Write) -> anyhow::Result<()> {
    // Reading a large capture takes a while: not for nothing.
    formats::check_writable(&args.output)?;
    // A chip export writes deps.json back: it needs every argument.
    let capture = read_reporting(&args.file, &args.siblings, args.to == Format::Chip, err)?;
    let written = formats::write_capture(&capture, &args.output, args.to)?;
    for (i, path) in written.iter().enumerate() {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if i == 0 {
            writeln!(
                err,
                "wrote {} ({}, {}, {} tasks, {})",
                path.display(),
                args.to,
                capture.flags,
                capture.tasks.len(),
                units::bytes(size)
            )?;
        } else {
            writeln!(err, "wrote {} ({})", path.display(), units::bytes(size))?;
        }
    }
    Ok(())
}

/// `swimtop stats FILE`.
pub fn stats(args: &StatsArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let (store, read) =
        crate::capture::load::load_store(&args.file, &read_options(&args.siblings, None))?;
    report(&args.file, &read, err)?;
    let stats = store.stats(None);
    if args.json {
        stats_json(&args.file, &store, &stats, out)
    } else if args.csv {
        stats_csv(&stats, out)
    } else {
        stats_table(&args.file, &store, &stats, out)
    }
}

fn opt_micros(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), units::micros)
}

fn opt_pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |p| format!("{p:.1}%"))
}

fn stats_table(
    file: &Path,
    store: &TraceStore,
    s: &TraceStats,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let info = store.info();
    writeln!(out, "capture  {}", file.display())?;
    writeln!(out, "level    {}", store.flags())?;
    writeln!(
        out,
        "tasks    {} on {} cores · span {}",
        s.tasks,
        info.num_cores(),
        units::duration(s.span_ns)
    )?;
    if !store.flags().task_lifecycle() {
        writeln!(
            out,
            "note     no dispatch/finish timestamps at this level: head, tail and exec % are '-'"
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:>7}  {:<14} {:>6}  {:>10} {:>10} {:>10}  {:>10} {:>10}  {:>7}",
        "func",
        "name",
        "count",
        "exec mean",
        "exec p50",
        "exec p99",
        "head mean",
        "tail mean",
        "exec %"
    )?;
    writeln!(
        out,
        "{:>7}  {:<14} {:>6}  {:>10} {:>10} {:>10}  {:>10} {:>10}  {:>7}",
        "", "", "", "µs", "µs", "µs", "µs", "µs", ""
    )?;
    for f in &s.functions {
        writeln!(
            out,
            "{:>7}  {:<14} {:>6}  {:>10} {:>10} {:>10}  {:>10} {:>10}  {:>7}",
            f.func_id,
            f.label,
            f.count,
            units::micros(f.exec_mean_ns),
            units::micros(f.exec_p50_ns as f64),
            units::micros(f.exec_p99_ns as f64),
            opt_micros(f.head_mean_ns),
            opt_micros(f.tail_mean_ns),
            opt_pct(f.exec_pct)
        )?;
    }
    writeln!(out, "{:>7}  {:<14} {:>6}", "TOTAL", "", s.tasks)?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<8} {:<4} {:>6} {:>12} {:>7}",
        "core", "type", "tasks", "busy µs", "util %"
    )?;
    for c in &s.cores {
        writeln!(
            out,
            "{:<8} {:<4} {:>6} {:>12} {:>6.1}%",
            info.core_label(c.core),
            c.core_type.as_str(),
            c.tasks,
            units::micros(c.busy_ns as f64),
            c.utilisation * 100.0
        )?;
    }
    if !s.threads.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{:<8} phase share of the thread's recorded time",
            "thread"
        )?;
        for t in &s.threads {
            let shares: Vec<String> = t
                .phases
                .iter()
                .map(|(name, ns, share)| {
                    format!("{name} {:.1}% ({})", share * 100.0, units::duration(*ns))
                })
                .collect();
            writeln!(out, "Sched_{:<2} {}", t.thread, shares.join(" · "))?;
        }
    }
    Ok(())
}

fn csv_opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| format!("{x:.3}"))
}

fn stats_csv(s: &TraceStats, out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "kind,id,name,count,exec_mean_ns,exec_p50_ns,exec_p99_ns,head_mean_ns,tail_mean_ns,exec_pct,busy_ns,utilisation"
    )?;
    for f in &s.functions {
        writeln!(
            out,
            "function,{},{},{},{:.3},{},{},{},{},{},,",
            f.func_id,
            csv_field(&f.label),
            f.count,
            f.exec_mean_ns,
            f.exec_p50_ns,
            f.exec_p99_ns,
            csv_opt(f.head_mean_ns),
            csv_opt(f.tail_mean_ns),
            csv_opt(f.exec_pct)
        )?;
    }
    for c in &s.cores {
        writeln!(
            out,
            "core,{},{},{},,,,,,,{},{:.6}",
            c.core,
            c.core_type.as_str(),
            c.tasks,
            c.busy_ns,
            c.utilisation
        )?;
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn stats_json(
    file: &Path,
    store: &TraceStore,
    s: &TraceStats,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    use serde_json::json;
    let functions: Vec<_> = s
        .functions
        .iter()
        .map(|f| {
            json!({
                "func_id": f.func_id, "name": f.label, "count": f.count,
                "exec_mean_ns": f.exec_mean_ns, "exec_p50_ns": f.exec_p50_ns,
                "exec_p99_ns": f.exec_p99_ns, "head_mean_ns": f.head_mean_ns,
                "tail_mean_ns": f.tail_mean_ns, "latency_mean_ns": f.latency_mean_ns,
                "exec_pct": f.exec_pct,
            })
        })
        .collect();
    let cores: Vec<_> = s
        .cores
        .iter()
        .map(|c| {
            json!({
                "core": c.core, "type": c.core_type.as_str(), "tasks": c.tasks,
                "busy_ns": c.busy_ns, "utilisation": c.utilisation,
            })
        })
        .collect();
    let threads: Vec<_> = s
        .threads
        .iter()
        .map(|t| {
            let phases: Vec<_> = t
                .phases
                .iter()
                .map(|(n, ns, share)| json!({"phase": n, "ns": ns, "share": share}))
                .collect();
            json!({"thread": t.thread, "phases": phases})
        })
        .collect();
    let doc = json!({
        "file": file.display().to_string(),
        "level": store.flags().level().get(),
        "dfx_flags": format!("{:#x}", store.flags().bits()),
        "flags": store.flags().words(),
        "tasks": s.tasks,
        "span_ns": s.span_ns,
        "functions": functions,
        "cores": cores,
        "threads": threads,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

/// Rounds kept in memory by the status-line mode (it only shows the latest).
const FOLLOW_LINES_HISTORY: u32 = 2;

/// The live view without a terminal UI: one header line per round.
pub fn follow_lines(
    sim: &SimSettings,
    level: &ResolvedLevel,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let device = sim_device(sim, false)?;
    let source = device.info().source;
    let mut handle = CaptureHandle::spawn(Box::new(device), level.flags, CaptureConfig::live());
    let stop = handle.stop_token();
    let accounting = handle.accounting.clone();
    let started = Instant::now();
    let mut write_err = None;
    collect(
        &mut handle,
        |store, round, _| {
            // Bounded memory on an endless run: keep the last rounds only.
            let keep_from = round.round.saturating_sub(FOLLOW_LINES_HISTORY - 1);
            accounting.evicted(store.evict_rounds_before(keep_from));
            let h = HeaderModel {
                source: source.clone(),
                flags: store.flags(),
                round: Some(round.round),
                following: true,
                counts: accounting.snapshot(),
                ingest_per_s: store.ingested() as f64 / started.elapsed().as_secs_f64().max(1e-3),
                round_device_ns: Some(round.device_time_ns()),
                round_overhead_ns: Some(round.overhead_ns),
                view_span_ns: None,
                status: None,
                notes: 0,
            };
            if let Err(e) = writeln!(out, "{}", header_text(&h)).and_then(|()| out.flush()) {
                // A closed pipe (`| head`) ends the run quietly.
                stop.stop();
                write_err.get_or_insert(e);
            }
        },
        |_| {},
    )?;
    match write_err {
        Some(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
