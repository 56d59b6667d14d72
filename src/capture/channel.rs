//! Messages from the capture thread to the app.
