//! Looking at processes from /proc: what a test needs to prove that
//! nothing was left running.

/// Processes in process group `pgid` (zombies aside).
pub fn group_members(pgid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp …: comm may hold spaces, so split after ')'.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |x| x.1)
            .split_whitespace()
            .collect();
        if fields.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(pgid)
            && fields.first() != Some(&"Z")
        {
            out.push(pid);
        }
    }
    out
}

/// The pid of the stand-in runtime whose arguments hold `marker`: the
/// program itself, not swimtop (whose argv names it too) nor the shell it
/// re-executes through to ignore SIGINT.
pub fn fake_pid(marker: &str) -> Option<u32> {
    for e in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd);
        let program = cmd.split('\0').next().unwrap_or("");
        if program.ends_with("swimtop-fake-runtime") && cmd.contains(marker) {
            return Some(pid);
        }
    }
    None
}

/// Waits (up to 20 s) until the stand-in runtime whose arguments hold
/// `marker` runs with at least one process it forked (`--grandchild`) in
/// its group; returns its pid, which is the group's id.
pub fn wait_for_fake_group(marker: &str) -> u32 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(pid) = fake_pid(marker)
            && group_members(pid).len() >= 2
        {
            return pid;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the stand-in and its grandchild never appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
