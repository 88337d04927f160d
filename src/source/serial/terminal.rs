//! A console's byte stream as a terminal would show it: lines of text, with the cursor
//! movements that pagers, line editors and ANSI sequences use applied the way a screen
//! applies them. Stateful across reads, so a sequence cut in two by a read boundary (a
//! backspace run, an escape sequence, a UTF-8 character, a CR/LF pair) means the same
//! as when it arrives whole.
//!
//! The one rule that keeps output intact: cursor movements never leave the current
//! line. The backspaces that erase a `--More--` prompt move the cursor left on the
//! prompt's own line; they can never reach back into the output above it, whichever
//! read they arrive in.

/// Longest line kept; a console that prints more without a newline gets a line break
/// (memory stays bounded whatever it prints).
const MAX_LINE: usize = 16 * 1024;

#[derive(Debug, Clone, Default, PartialEq)]
enum Escape {
    #[default]
    None,
    /// After ESC.
    Esc,
    /// After ESC and a character-set designator ('(' or ')'): one more character.
    Charset,
    /// Inside a control sequence (ESC [): its parameter bytes so far.
    Csi(String),
    /// Inside an operating system command (ESC ]), until BEL or ESC \.
    Osc,
    /// ESC seen inside an OSC.
    OscEsc,
}

/// The screen model of one console session.
#[derive(Debug, Clone, Default)]
pub struct Terminal {
    /// Bytes of a UTF-8 character cut by a read boundary.
    partial: Vec<u8>,
    escape: Escape,
    /// Lines completed since the last [`Terminal::take_lines`].
    lines: Vec<String>,
    /// The line the cursor is on.
    line: Vec<char>,
    col: usize,
}

impl Terminal {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies bytes as they came from the console.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.partial.extend_from_slice(bytes);
        let buf = std::mem::take(&mut self.partial);
        let mut rest: &[u8] = &buf;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    s.chars().for_each(|c| self.put(c));
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    String::from_utf8_lossy(good)
                        .chars()
                        .for_each(|c| self.put(c));
                    match e.error_len() {
                        Some(n) => {
                            self.put('\u{FFFD}');
                            rest = &bad[n..];
                        }
                        None => {
                            // An incomplete character at the end: wait for the rest.
                            self.partial = bad.to_vec();
                            break;
                        }
                    }
                }
            }
        }
    }

    fn put(&mut self, c: char) {
        match std::mem::take(&mut self.escape) {
            Escape::None => self.plain(c),
            Escape::Esc => {
                self.escape = match c {
                    '[' => Escape::Csi(String::new()),
                    ']' => Escape::Osc,
                    '(' | ')' => Escape::Charset,
                    _ => Escape::None, // a two-character sequence (ESC 7, ESC =, ...)
                }
            }
            Escape::Charset => {}
            Escape::Csi(mut params) => {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    self.control_sequence(&params, c);
                } else if params.len() < 32 {
                    params.push(c);
                    self.escape = Escape::Csi(params);
                }
                // A sequence that never ends is dropped after 32 parameter bytes.
            }
            Escape::Osc => {
                self.escape = match c {
                    '\u{07}' => Escape::None,
                    '\u{1b}' => Escape::OscEsc,
                    _ => Escape::Osc,
                }
            }
            Escape::OscEsc => self.escape = if c == '\\' { Escape::None } else { Escape::Osc },
        }
    }

    fn plain(&mut self, c: char) {
        match c {
            '\n' => self.end_line(),
            '\r' => self.col = 0,
            '\u{08}' => self.col = self.col.saturating_sub(1),
            '\u{1b}' => self.escape = Escape::Esc,
            '\t' => self.write('\t'),
            c if c.is_control() => {}
            c => self.write(c),
        }
    }

    fn write(&mut self, c: char) {
        if self.col >= MAX_LINE {
            self.end_line();
        }
        if self.col < self.line.len() {
            self.line[self.col] = c;
        } else {
            self.line.resize(self.col, ' ');
            self.line.push(c);
        }
        self.col += 1;
    }

    fn end_line(&mut self) {
        let text: String = self.line.iter().collect();
        self.lines.push(text.trim_end().to_string());
        self.line.clear();
        self.col = 0;
    }

    /// Erase-in-line and cursor moves; every other sequence (colours, screen modes) is
    /// dropped.
    fn control_sequence(&mut self, params: &str, code: char) {
        let n = params
            .split(';')
            .next()
            .and_then(|p| p.parse::<usize>().ok());
        match code {
            'K' => match n.unwrap_or(0) {
                0 => self.line.truncate(self.col),
                1 => {
                    let end = (self.col + 1).min(self.line.len());
                    self.line[..end].iter_mut().for_each(|c| *c = ' ');
                }
                _ => self.line.clear(),
            },
            'D' => self.col = self.col.saturating_sub(n.unwrap_or(1).max(1)),
            'C' => self.col = (self.col + n.unwrap_or(1).max(1)).min(MAX_LINE),
            'G' => self.col = n.unwrap_or(1).saturating_sub(1).min(MAX_LINE),
            _ => {}
        }
    }

    /// The line the cursor is on, as shown (trailing blanks removed): where a prompt or
    /// a pager's `--More--` appears.
    pub fn current(&self) -> String {
        let text: String = self.line.iter().collect();
        text.trim_end().to_string()
    }

    /// Forgets the current line (a pager prompt that was answered).
    pub fn clear_current(&mut self) {
        self.line.clear();
        self.col = 0;
    }

    /// The lines completed since the last call.
    pub fn take_lines(&mut self) -> Vec<String> {
        std::mem::take(&mut self.lines)
    }

    /// Characters held: completed lines and the current one.
    pub fn held(&self) -> usize {
        self.lines.iter().map(|l| l.len() + 1).sum::<usize>() + self.line.len()
    }

    /// The last `n` characters shown, for error messages.
    pub fn tail(&self, n: usize) -> String {
        let mut all = self.lines.join("\n");
        if !self.line.is_empty() {
            if !all.is_empty() {
                all.push('\n');
            }
            all.push_str(&self.current());
        }
        let chars: Vec<char> = all.chars().collect();
        chars[chars.len().saturating_sub(n)..]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    }
}

/// The whole text `bytes` show on a terminal: completed lines and the current one.
pub fn render(bytes: &[u8]) -> String {
    let mut t = Terminal::new();
    t.feed(bytes);
    let mut lines = t.take_lines();
    lines.push(t.current());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pager_prompt_erased_in_another_read_never_erases_output() {
        // The bug this module exists for: backspaces arriving after the marker was
        // dropped took characters from the line above.
        let mut t = Terminal::new();
        t.feed(b"Hu0/0/1    2    -2.6   5.5\r\n --More-- ");
        assert_eq!(t.current().trim(), "--More--");
        t.clear_current();
        t.feed(b"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08");
        t.feed(b"          \x08\x08\x08\x08\x08\x08\x08\x08\x08\x08");
        t.feed(b"Hu0/0/1    3    -14.2  5.5\r\n");
        assert_eq!(
            t.take_lines(),
            vec!["Hu0/0/1    2    -2.6   5.5", "Hu0/0/1    3    -14.2  5.5"]
        );
    }

    #[test]
    fn every_split_of_a_stream_renders_the_same() {
        let stream: &[u8] = "a\x1b[7m--More--\x1b[m\x08\x08\x08\x08\x08\x08\x08\x08        \x08\x08\x08\x08\x08\x08\x08\x08b\r\nc\u{e9}d\r\n\x1b]0;title\x07e\r\x1b[2Kf\r\r\n".as_bytes();
        let whole = render(stream);
        assert_eq!(whole, "ab\ncéd\nf\n");
        for cut in 0..stream.len() {
            let mut t = Terminal::new();
            t.feed(&stream[..cut]);
            t.feed(&stream[cut..]);
            let mut lines = t.take_lines();
            lines.push(t.current());
            assert_eq!(lines.join("\n"), whole, "cut at {cut}");
        }
    }

    #[test]
    fn carriage_return_and_erase_rewrite_the_line() {
        assert_eq!(
            render(b"---(more 45%)---\r                \rxe-0/0/1"),
            "xe-0/0/1"
        );
        assert_eq!(render(b"abc\x1b[2D\x1b[Kx"), "ax");
        assert_eq!(render(b"\xff\xfe ok"), "\u{fffd}\u{fffd} ok");
    }

    #[test]
    fn a_line_without_end_stays_bounded() {
        let mut t = Terminal::new();
        t.feed(&vec![b'x'; MAX_LINE * 3]);
        assert!(t.held() <= MAX_LINE * 3 + 3);
        assert_eq!(t.take_lines().len(), 2);
    }
}
