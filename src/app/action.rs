//! What a key or a mouse event means, independent of which key it was.

/// Every command the view understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    ZoomIn,
    ZoomOut,
    PanLeft,
    PanRight,
    LaneUp,
    LaneDown,
    PageUp,
    PageDown,
    FitAll,
    FitSelection,
    NextTask,
    PrevTask,
    Predecessor,
    Successor,
    Search,
    SearchNext,
    SearchPrev,
    TogglePause,
    GoStart,
    GoEnd,
    ToggleCollapse,
    ToggleStats,
    ToggleHelp,
    /// Full-screen log of the driven command.
    ToggleLog,
    /// Run a failed run of the driven command again.
    Retry,
    /// Close an overlay, or drop the selection.
    Cancel,
}
