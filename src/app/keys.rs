//! The one key table: key → action → help text. Dispatch and the help
//! overlay both read it, so they cannot disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;

#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub code: KeyCode,
    /// Only CONTROL and ALT are compared; SHIFT is carried by the character.
    pub mods: KeyModifiers,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

/// One entry of the table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are shown in the help overlay.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    pub section: Section,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Navigate,
    Select,
    View,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::Navigate => "Navigate",
            Section::Select => "Select",
            Section::View => "View",
        }
    }
}

use Section::{Navigate, Select, View};

/// Perfetto/Tracy conventions where they exist.
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    Binding { keys: &[ch('w'), ch('+'), ch('=')], label: "w +", action: Action::ZoomIn, help: "zoom in around the cursor", section: Navigate },
    Binding { keys: &[ch('s'), ch('-')], label: "s -", action: Action::ZoomOut, help: "zoom out around the cursor", section: Navigate },
    Binding { keys: &[ch('a'), code(KeyCode::Left), ch('h')], label: "a ←", action: Action::PanLeft, help: "pan earlier", section: Navigate },
    Binding { keys: &[ch('d'), code(KeyCode::Right)], label: "d →", action: Action::PanRight, help: "pan later", section: Navigate },
    Binding { keys: &[code(KeyCode::Up), ch('k')], label: "↑", action: Action::LaneUp, help: "lane above (selection follows)", section: Navigate },
    Binding { keys: &[code(KeyCode::Down), ch('j')], label: "↓", action: Action::LaneDown, help: "lane below (selection follows)", section: Navigate },
    Binding { keys: &[code(KeyCode::PageUp)], label: "PgUp", action: Action::PageUp, help: "scroll lanes up a page", section: Navigate },
    Binding { keys: &[code(KeyCode::PageDown)], label: "PgDn", action: Action::PageDown, help: "scroll lanes down a page", section: Navigate },
    Binding { keys: &[ch('f')], label: "f", action: Action::FitAll, help: "fit everything captured", section: Navigate },
    Binding { keys: &[ch('F')], label: "F", action: Action::FitSelection, help: "fit selection, dispatch→finish", section: Navigate },
    Binding { keys: &[ch('g'), code(KeyCode::Home)], label: "g", action: Action::GoStart, help: "go to the start", section: Navigate },
    Binding { keys: &[ch('G'), code(KeyCode::End)], label: "G", action: Action::GoEnd, help: "go to the end", section: Navigate },
    Binding { keys: &[ch('.')], label: ".", action: Action::NextTask, help: "next task on the lane", section: Select },
    Binding { keys: &[ch(',')], label: ",", action: Action::PrevTask, help: "previous task on the lane", section: Select },
    Binding { keys: &[ch('[')], label: "[", action: Action::Predecessor, help: "follow to a predecessor", section: Select },
    Binding { keys: &[ch(']')], label: "]", action: Action::Successor, help: "follow to a successor", section: Select },
    Binding { keys: &[ch('/')], label: "/", action: Action::Search, help: "search by function name", section: Select },
    Binding { keys: &[ch('n')], label: "n", action: Action::SearchNext, help: "next match", section: Select },
    Binding { keys: &[ch('N')], label: "N", action: Action::SearchPrev, help: "previous match", section: Select },
    Binding { keys: &[code(KeyCode::Esc)], label: "Esc", action: Action::Cancel, help: "close overlay / unselect", section: Select },
    Binding { keys: &[ch(' ')], label: "space", action: Action::TogglePause, help: "pause/resume following", section: View },
    Binding { keys: &[ch('c'), code(KeyCode::Enter)], label: "c", action: Action::ToggleCollapse, help: "fold/unfold group at cursor", section: View },
    Binding { keys: &[ch('t')], label: "t", action: Action::ToggleStats, help: "stats: visible → whole → off", section: View },
    Binding { keys: &[ch('?')], label: "?", action: Action::ToggleHelp, help: "this help", section: View },
    Binding { keys: &[ch('l')], label: "l", action: Action::ToggleLog, help: "command log (runtime)", section: View },
    Binding { keys: &[ch('r')], label: "r", action: Action::Retry, help: "retry a failed run", section: View },
    Binding { keys: &[ch('q'), ctrl('c')], label: "q ^C", action: Action::Quit, help: "quit", section: View },
];

/// Mouse gestures, shown with the keys.
pub const MOUSE_HELP: &[(&str, &str)] = &[
    ("wheel", "zoom around the pointer"),
    ("drag", "pan"),
    ("click", "select the task clicked"),
];

/// The action a key press means, if any.
pub fn action_for(ev: &KeyEvent) -> Option<Action> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
    BINDINGS
        .iter()
        .find(|b| b.keys.iter().any(|k| k.code == ev.code && k.mods == mods))
        .map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn the_table_is_unambiguous_and_every_action_has_a_key() {
        let mut seen = HashSet::new();
        for b in BINDINGS {
            for k in b.keys {
                assert!(seen.insert((k.code, k.mods)), "{:?} bound twice", k.code);
            }
        }
        let actions: HashSet<Action> = BINDINGS.iter().map(|b| b.action).collect();
        assert_eq!(actions.len(), BINDINGS.len(), "one row per action");
    }

    #[test]
    fn keys_map_to_actions() {
        let none = KeyModifiers::NONE;
        assert_eq!(
            action_for(&press(KeyCode::Char('w'), none)),
            Some(Action::ZoomIn)
        );
        assert_eq!(
            action_for(&press(KeyCode::Char('F'), KeyModifiers::SHIFT)),
            Some(Action::FitSelection)
        );
        assert_eq!(
            action_for(&press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for(&press(KeyCode::Char('c'), none)),
            Some(Action::ToggleCollapse)
        );
        assert_eq!(
            action_for(&press(KeyCode::Left, none)),
            Some(Action::PanLeft)
        );
        assert_eq!(action_for(&press(KeyCode::Char('z'), none)), None);
        let mut release = press(KeyCode::Char('q'), none);
        release.kind = KeyEventKind::Release;
        assert_eq!(action_for(&release), None);
    }
}
