//! Spawn, stop and join the capture thread.
