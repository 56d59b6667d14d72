//! Pure drawing: state and store in, text and widgets out. No I/O, no clock
//! reads, no locks here.

pub mod header;
pub mod units;
