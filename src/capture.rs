//! The capture side: the thread that drives a device, the bounded channel to
//! the app, the produced/delivered/dropped accounting, and the file formats.

pub mod accounting;
pub mod channel;
pub mod formats;
pub mod load;
pub mod thread;
