//! swimtop: a live terminal swimlane viewer and capture tool for the Ascend
//! a2a3 `tensormap_and_ringbuffer` runtime. Every module is library code so
//! tests and benches link it; `main.rs` only parses, runs and maps errors.

pub mod app;
pub mod capture;
pub mod device;
pub mod dfx;
pub mod record;
pub mod render;
pub mod store;
