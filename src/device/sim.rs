//! The built-in simulated a2a3 chip.

pub mod clock;
pub mod random;
pub mod rng;
pub mod template;
pub mod workload;

pub use workload::Workload;
