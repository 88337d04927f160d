//! The console dialogue: wake the console, recognise the prompt, log in when asked,
//! turn paging off (and page through `--More--` anyway), run read-only show commands,
//! strip echoes, ANSI sequences and CR/LF noise, and log out if lightgate logged in.
//! Every step has a timeout; a console in configuration mode is left alone.

use std::time::{Duration, Instant};

use super::parse::Dialect;
use super::transport::Console;
use crate::config::Secret;
use crate::source::SourceError;

/// How to talk to one console.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    pub dialect: Dialect,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// Longest wait for a prompt after a wake-up, a login step or a paging command.
    pub step_timeout: Duration,
    /// Longest wait for one show command's output.
    pub command_timeout: Duration,
}

/// Whether the last line is a CLI prompt, and whether it is configuration mode.
fn prompt(last: &str) -> Option<bool> {
    let t = last.trim_end();
    let end = t.chars().last()?;
    if !matches!(end, '>' | '#' | '%') || t.len() > 80 || t.len() < 2 {
        return None;
    }
    let body = &t[..t.len() - 1];
    let config = body.contains("(config") || body.ends_with(")") && body.contains("(cfg");
    let ok = body.chars().all(|c| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | ':' | '@' | '(' | ')')
    });
    ok.then_some(config)
}

fn is_login_prompt(last: &str) -> bool {
    let l = last.trim_end().to_ascii_lowercase();
    l.ends_with("username:") || l.ends_with("login:") || l.ends_with("user name:")
}

fn is_password_prompt(last: &str) -> bool {
    last.trim_end().to_ascii_lowercase().ends_with("password:")
}

fn is_more(text: &str) -> bool {
    let t = text.trim_end();
    t.ends_with("--More--")
        || t.ends_with("---(more)---")
        || t.ends_with("--more--")
        || t.contains("---(more ") && t.ends_with("%)---")
}

/// Strips ANSI escape sequences, backspaces (with what they erase) and CRs.
pub fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for n in chars.by_ref() {
                        if n.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
            }
            '\x08' => {
                out.pop();
            }
            '\r' => {}
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn last_line(text: &str) -> &str {
    text.rsplit('\n').next().unwrap_or("")
}

struct Dialogue<'a> {
    console: &'a mut dyn Console,
    buf: String,
    /// Set after answering a --More--: the router's erasing of the marker follows.
    skip_erase: bool,
}

impl Dialogue<'_> {
    fn send(&mut self, line: &str) -> Result<(), SourceError> {
        self.console
            .write_all(format!("{line}\r").as_bytes())
            .map_err(|e| SourceError::Transport(format!("the console connection failed: {e}")))
    }

    /// Reads until `done` says the buffer is complete, paging through --More--.
    fn read_until(
        &mut self,
        timeout: Duration,
        done: impl Fn(&str) -> bool,
    ) -> Result<String, SourceError> {
        let deadline = Instant::now() + timeout;
        let mut chunk = [0u8; 4096];
        loop {
            let cleaned = clean(&self.buf);
            if done(last_line(&cleaned)) {
                self.buf.clear();
                return Ok(cleaned);
            }
            if is_more(last_line(&cleaned)) {
                // Paging could not be turned off: drop the marker and page on. The
                // router then erases the marker; that erase sequence is dropped too.
                if let Some(p) = ["--More--", "---(more", "--more--"]
                    .iter()
                    .filter_map(|m| self.buf.rfind(m))
                    .max()
                {
                    self.buf.truncate(p);
                }
                self.skip_erase = true;
                self.console.write_all(b" ").map_err(|e| {
                    SourceError::Transport(format!("the console connection failed: {e}"))
                })?;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let tail: String = cleaned
                    .chars()
                    .rev()
                    .take(60)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                return Err(SourceError::Timeout(format!(
                    "no prompt within {} (last output: {:?})",
                    crate::domain::format_duration(timeout),
                    tail.trim()
                )));
            }
            let n = self
                .console
                .read(&mut chunk, left.min(Duration::from_millis(200)))
                .map_err(|e| SourceError::Transport(format!("the console disconnected: {e}")))?;
            let mut text = String::from_utf8_lossy(&chunk[..n]).into_owned();
            if self.skip_erase && n > 0 {
                let erase: usize = text
                    .char_indices()
                    .take_while(|(_, c)| matches!(c, '\x08' | ' ' | '\r'))
                    .map(|(i, c)| i + c.len_utf8())
                    .last()
                    .unwrap_or(0);
                if text[..erase].contains(['\x08', '\r']) {
                    text.drain(..erase);
                }
                self.skip_erase = false;
            }
            self.buf.push_str(&text);
            if self.buf.len() > 4 * 1024 * 1024 {
                return Err(SourceError::Decode(
                    "the console printed more than 4 MiB without a prompt".to_string(),
                ));
            }
        }
    }
}

/// Runs `commands` on the console and returns their outputs (echo and prompt removed).
pub fn run(
    console: &mut dyn Console,
    s: &SessionSettings,
    commands: &[String],
) -> Result<Vec<String>, SourceError> {
    let mut d = Dialogue {
        console,
        buf: String::new(),
        skip_erase: false,
    };
    let any_prompt = |l: &str| prompt(l).is_some() || is_login_prompt(l) || is_password_prompt(l);
    // Wake the console: an empty line, a few times.
    let mut seen = None;
    for _ in 0..3 {
        d.send("")?;
        match d.read_until(s.step_timeout, any_prompt) {
            Ok(text) => {
                seen = Some(text);
                break;
            }
            Err(SourceError::Timeout(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    let Some(text) = seen else {
        return Err(SourceError::Timeout(
            "the console shows no prompt (is it the right port and speed?)".to_string(),
        ));
    };
    let mut logged_in = false;
    let mut last = last_line(&text).to_string();
    if is_login_prompt(&last) || is_password_prompt(&last) {
        let (Some(user), Some(password)) = (&s.username, &s.password) else {
            return Err(SourceError::Auth(
                "the console asks for a login but no username/password is configured".to_string(),
            ));
        };
        if is_login_prompt(&last) {
            d.send(user)?;
            let t = d.read_until(s.step_timeout, |l| {
                is_password_prompt(l) || prompt(l).is_some()
            })?;
            last = last_line(&t).to_string();
        }
        if is_password_prompt(&last) {
            d.send(password.expose())?;
            let t = d.read_until(s.step_timeout, any_prompt)?;
            last = last_line(&t).to_string();
        }
        if prompt(&last).is_none() {
            return Err(SourceError::Auth(
                "the console rejected the username or password".to_string(),
            ));
        }
        logged_in = true;
    }
    if prompt(&last) == Some(true) {
        return Err(SourceError::Decode(
            "the console is in configuration mode (someone is working on it); left alone"
                .to_string(),
        ));
    }
    if s.dialect == Dialect::Junos && text.contains("[edit") {
        return Err(SourceError::Decode(
            "the console is in Junos configuration mode; left alone".to_string(),
        ));
    }
    let paging = match s.dialect {
        Dialect::Junos => "set cli screen-length 0",
        _ => "terminal length 0",
    };
    d.send(paging)?;
    d.read_until(s.step_timeout, |l| prompt(l).is_some())?;
    let mut outputs = Vec::with_capacity(commands.len());
    for cmd in commands {
        debug_assert!(cmd.starts_with("show "), "only show commands are sent");
        d.send(cmd)?;
        let out = d.read_until(s.command_timeout, |l| prompt(l).is_some())?;
        // Drop the echoed command (first line) and the prompt (last line).
        let mut lines: Vec<&str> = out.lines().collect();
        if let Some(i) = lines.iter().position(|l| l.contains(cmd.as_str())) {
            lines.drain(..=i);
        }
        lines.pop();
        outputs.push(lines.join("\n"));
    }
    if logged_in {
        let _ = d.send("exit");
    }
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_of_every_dialect() {
        assert_eq!(prompt("edge-a.ams1#"), Some(false));
        assert_eq!(prompt("edge-a>"), Some(false));
        assert_eq!(prompt("RP/0/RSP0/CPU0:er01.ams#"), Some(false));
        assert_eq!(prompt("monitor@mx1.ams-re0>"), Some(false));
        assert_eq!(prompt("edge-a(config-if)#"), Some(true));
        assert_eq!(prompt("Current        -  #"), None);
        assert_eq!(prompt("  Tx Power     -2.2 dBm"), None);
        assert!(is_login_prompt("Username: "));
        assert!(is_login_prompt("mx1 (ttyu0)\n\nlogin:"));
        assert!(is_password_prompt("Password:"));
    }

    #[test]
    fn noise_is_cleaned() {
        // The marker in reverse video, then erased with eight backspaces.
        assert_eq!(
            clean("\x1b[7m--More--\x1b[m\x08\x08\x08\x08\x08\x08\x08\x08abc\r\n"),
            "abc\n"
        );
        // Each backspace takes back one character, no more.
        assert_eq!(clean("--More--\x08\x08\x08abc"), "--Morabc");
        assert_eq!(clean("a\x1b[2Kb\r\nc"), "ab\nc");
    }
}
