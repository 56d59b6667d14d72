//! Pure drawing: state and store in, text and widgets out. No I/O here.
