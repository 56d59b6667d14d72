//! CLI, configuration, the event loop and the non-interactive modes.
