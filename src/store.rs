//! The trace store: the in-memory model the app owns.
