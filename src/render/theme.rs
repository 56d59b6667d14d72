//! Colours and glyphs. With colour off (`NO_COLOR`, `--no-color`) every
//! distinction that matters is still made by a glyph: markers, phases,
//! selection, arrows.

use ratatui::style::{Color, Modifier, Style};

/// Shading by busy fraction; a cell holding any item shows at least the first.
pub const SHADES: [char; 4] = ['░', '▒', '▓', '█'];
/// AICPU dispatch mark: the right-eighth block leans into the bar that follows.
pub const DISPATCH_MARK: char = '▕';
/// AICPU finish mark: the left-eighth block leans back onto the bar before.
pub const FINISH_MARK: char = '▏';
/// Between dispatch and start (head overhead) and end and finish (tail).
pub const OVERHEAD_LINE: char = '╌';

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

/// Distinct, readable on dark and light backgrounds.
const PALETTE: [Color; 12] = [
    Color::Rgb(86, 156, 214),  // blue
    Color::Rgb(220, 160, 60),  // amber
    Color::Rgb(106, 190, 110), // green
    Color::Rgb(200, 100, 190), // magenta
    Color::Rgb(80, 190, 190),  // teal
    Color::Rgb(225, 110, 90),  // coral
    Color::Rgb(170, 150, 230), // lavender
    Color::Rgb(190, 190, 80),  // olive
    Color::Rgb(120, 160, 120), // sage
    Color::Rgb(230, 140, 170), // pink
    Color::Rgb(140, 120, 90),  // brown
    Color::Rgb(150, 170, 200), // steel
];

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    /// A function's colour, stable for its id.
    pub fn func_color(&self, func: i32) -> Color {
        if func < 0 {
            return Color::Gray;
        }
        PALETTE[func as usize % PALETTE.len()]
    }

    /// Cell shading of a task lane column.
    pub fn task_cell(&self, func: Option<i32>) -> Style {
        match func {
            Some(f) => self.fg(self.func_color(f)),
            None => Style::default(),
        }
    }

    /// A task bar: coloured background with dark text, or reverse video.
    pub fn task_bar(&self, func: i32, selected: bool) -> Style {
        let s = if self.color {
            Style::default().bg(self.func_color(func)).fg(Color::Black)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        };
        if selected {
            s.add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            s
        }
    }

    pub fn marker(&self) -> Style {
        self.fg(Color::Rgb(240, 240, 240))
            .add_modifier(Modifier::BOLD)
    }

    pub fn overhead(&self) -> Style {
        self.fg(Color::Rgb(150, 150, 150))
    }

    /// Phase colours follow the runtime converter's choices (complete green,
    /// dispatch red, idle yellow-grey, orchestrator purple).
    pub fn phase_color(&self, name: &str) -> Color {
        match name {
            "complete" => Color::Rgb(96, 180, 96),
            "dispatch" => Color::Rgb(210, 90, 80),
            "idle" | "scan" | "poll" => Color::Rgb(110, 110, 90),
            "resolve" => Color::Rgb(90, 150, 220),
            "release" => Color::Rgb(150, 150, 60),
            "dummy" | "dummy_task" => Color::Gray,
            n if n.starts_with("orch_") => match n {
                "orch_alloc" => Color::Rgb(200, 120, 60),
                "orch_sync" => Color::Rgb(120, 120, 200),
                "orch_lookup" => Color::Rgb(100, 170, 200),
                "orch_insert" => Color::Rgb(120, 190, 140),
                "orch_params" => Color::Rgb(170, 130, 210),
                "orch_fanin" => Color::Rgb(210, 170, 90),
                _ => Color::Rgb(160, 110, 200),
            },
            _ => Color::Rgb(140, 140, 170),
        }
    }

    /// Without colour, phases differ by glyph.
    pub fn phase_glyph(&self, name: &str) -> char {
        match name {
            "complete" => '█',
            "dispatch" => '▓',
            "idle" | "scan" | "poll" => '·',
            "resolve" => '▒',
            "orch_alloc" => '▄',
            n if n.starts_with("orch_") => '▀',
            _ => '░',
        }
    }

    pub fn phase_cell(&self, name: &str) -> Style {
        self.fg(self.phase_color(name))
    }

    pub fn phase_bar(&self, name: &str) -> Style {
        if self.color {
            Style::default().bg(self.phase_color(name)).fg(Color::Black)
        } else {
            Style::default()
        }
    }

    pub fn arrow(&self) -> Style {
        self.fg(Color::Rgb(255, 215, 0))
            .add_modifier(Modifier::BOLD)
    }

    pub fn arrow_in(&self) -> Style {
        self.fg(Color::Rgb(120, 200, 255))
    }

    /// A dependency that goes backwards in time (successor starts before the
    /// predecessor ends): never hidden, always marked.
    pub fn arrow_backwards(&self) -> Style {
        self.fg(Color::Rgb(255, 60, 60))
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    pub fn label(&self) -> Style {
        Style::default()
    }

    pub fn cursor_label(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn group(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }

    pub fn header(&self) -> Style {
        if self.color {
            Style::default().bg(Color::Rgb(30, 40, 60)).fg(Color::White)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn warn(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Rgb(255, 180, 60))
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }

    pub fn error(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::Rgb(255, 90, 90))
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    pub fn shade(busy: f32, items: u32) -> char {
        if items == 0 && busy <= 0.0 {
            return ' ';
        }
        let i = ((busy * SHADES.len() as f32) as usize).min(SHADES.len() - 1);
        SHADES[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_item_shows_something() {
        assert_eq!(Theme::shade(0.0, 0), ' ');
        assert_eq!(Theme::shade(0.0, 1), '░');
        assert_eq!(Theme::shade(0.3, 1), '▒');
        assert_eq!(Theme::shade(1.0, 3), '█');
    }

    #[test]
    fn monochrome_still_tells_phases_apart() {
        let t = Theme::new(false);
        let glyphs: std::collections::HashSet<char> = ["complete", "dispatch", "idle", "resolve"]
            .iter()
            .map(|n| t.phase_glyph(n))
            .collect();
        assert_eq!(glyphs.len(), 4);
        assert_eq!(t.phase_cell("complete"), Style::default());
    }
}
