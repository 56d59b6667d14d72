//! The built-in simulated a2a3 chip.
