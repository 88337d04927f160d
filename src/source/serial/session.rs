//! The console dialogue: wake the console, recognise the prompt, log in when asked
//! (username and password, or a password alone), raise privilege with `enable` when
//! configured, turn paging off (and page through `--More--` anyway), run read-only
//! show commands, and log out on every path, success or failure. A session lightgate
//! did not open (someone at a prompt, at a pager, in configuration mode) is never acted
//! in: only the wake-up's empty line is typed, and the visit reports the console in use.
//!
//! Text is read through a [`Terminal`], so pager erasures, ANSI sequences and CRs mean
//! the same whatever read they arrive in. A prompt is only taken as one when it is the
//! unfinished last line, after a newline since our last input, and the console then
//! stays quiet for [`QUIET`]: a read that ends in the middle of "Last login: ..." or of
//! an output line that happens to end in `#` is never a prompt. Once the first prompt is
//! seen, only prompts of the same host count.
//!
//! Every step shares one deadline for the whole poll; steps also have their own limits.
//! An error keeps its inner cause and the console's last output, with every configured
//! secret removed.

use std::time::{Duration, Instant};

use super::change_times::ChangeTimes;
use super::dialect::Dialect;
use super::terminal::Terminal;
use super::transport::Console;
use crate::domain::format_duration;
use crate::source::types::SourceError;
use lightgate_core::secret::Secret;

/// How to talk to one console.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    pub dialect: Dialect,
    /// Needed only by consoles that ask for a username.
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// Sent to `enable` when the console is at user level (IOS, EOS `>` prompts).
    pub enable_password: Option<Secret>,
    /// Longest wait for a prompt after a wake-up, a login step or a paging command.
    pub step_timeout: Duration,
    /// Longest wait for one show command's output.
    pub command_timeout: Duration,
}

/// How long the console must stay silent after prompt-like text for it to be a prompt.
pub const QUIET: Duration = Duration::from_millis(150);
/// The same for the exact prompt already seen in this session, which output text
/// cannot be mistaken for: a shorter pause (many characters' time even at 9600 baud).
pub const QUIET_KNOWN: Duration = Duration::from_millis(25);
/// Most of the poll's time kept for logging out once the poll failed or ran out of time.
pub const LOGOUT_GRACE: Duration = Duration::from_secs(2);
/// Longest wait for the console's goodbye after one `exit`: a console that prints
/// nothing after it is released after this, not held to the poll's deadline.
pub const GOODBYE_WAIT: Duration = Duration::from_millis(1500);
/// How long a prompt of another host must stand, quiet, before the console is taken to
/// have been renamed mid-visit: output never holds a prompt-shaped last line that long.
const RENAMED_QUIET: Duration = Duration::from_secs(1);
/// Share of characters that are not text (bytes that are not UTF-8, control characters
/// other than line endings, tabs, backspace and escape) above which the console's
/// output is unreadable: a wrong speed, parity or data bits garbles nearly everything.
const GARBLED_SHARE: f64 = 0.1;
/// `exit` is typed at most this many times when the prompt comes back instead of a
/// goodbye (a garbled line, a console that ignored it).
const EXIT_TRIES: usize = 3;

/// What one visit knows beyond its settings, shared with its caller.
#[derive(Debug, Default)]
pub struct VisitState {
    /// Since when a session lightgate opened on this console may still be open (its
    /// logout, or its login, was not seen through): a CLI prompt found on wake-up
    /// within [`OWN_SESSION_MEMORY`] is lightgate's own, and is logged out. Set and
    /// cleared by the visits.
    pub own_session_open: std::sync::Mutex<Option<Instant>>,
    /// Set when the agent stops (or gives up on the visit): no further command is
    /// typed, and the session logs out at once.
    pub stop: std::sync::atomic::AtomicBool,
    /// The links' change times as earlier visits read them (see
    /// [`ChangeTimes`]).
    pub change_times: ChangeTimes,
    /// Commands the router rejected, already logged.
    rejections_logged: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// How long a session lightgate may have left open is taken for its own: a router
/// logs an idle console session out by itself after its exec-timeout (10 minutes by
/// default on IOS, IOS-XE, NX-OS and EOS), so a prompt found later is someone else's.
pub const OWN_SESSION_MEMORY: Duration = Duration::from_secs(600);

impl VisitState {
    /// Whether `command`'s rejection is seen for the first time (then logged).
    fn first_rejection(&self, command: &str) -> bool {
        let mut seen = self
            .rejections_logged
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        seen.len() < 256 && seen.insert(command.to_string())
    }

    fn stopping(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether a prompt found now may be lightgate's own session.
    fn own_session_may_be_open(&self) -> bool {
        self.own_session_open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|since| since.elapsed() < OWN_SESSION_MEMORY)
    }

    fn set_own_session_open(&self, open: bool) {
        let mut since = self
            .own_session_open
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        // Refreshed at every visit that leaves it open: the router's idle timer
        // restarted then too.
        *since = open.then(Instant::now);
    }
}

/// Why a visit read nothing from a console someone else is using.
fn in_use(what: &str) -> SourceError {
    SourceError::Console(format!(
        "in use by someone else ({what}): lightgate never acts in a session it did not open; it reads again once that session is closed"
    ))
}
/// Console text as a person reads it in a reason: line breaks as " | ", anything else
/// that is not text as "?" (never a Rust escape code).
fn printable(text: &str) -> String {
    text.replace("\r\n", " | ")
        .replace('\n', " | ")
        .chars()
        .map(|c| {
            if c.is_control() || c == char::REPLACEMENT_CHARACTER {
                '?'
            } else {
                c
            }
        })
        .collect()
}

/// Most text one step may print before the console is taken for broken.
const MAX_OUTPUT: usize = 4 * 1024 * 1024;

/// A CLI prompt: the host part ("edge-c.ams1", "monitor@mx1", "RP/0/RSP0/CPU0:er01"),
/// the mode character and whether it is configuration mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub host: String,
    pub mode: char,
    pub config: bool,
}

/// The prompt `line` shows, if it is one.
pub fn prompt(line: &str) -> Option<Prompt> {
    let t = line.trim();
    let mode = t.chars().last()?;
    if !matches!(mode, '>' | '#' | '%') || t.len() > 80 || t.len() < 2 {
        return None;
    }
    let body = &t[..t.len() - 1];
    let ok = body.chars().all(|c| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | ':' | '@' | '(' | ')')
    });
    if !ok || !body.chars().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let (host, config) = match body.find('(') {
        Some(i) if body.ends_with(')') => {
            let mode_text = &body[i..];
            (
                &body[..i],
                mode_text.contains("config") || mode_text.contains("cfg"),
            )
        }
        _ => (body, false),
    };
    Some(Prompt {
        host: host.to_string(),
        mode,
        config,
    })
}

/// A login prompt; "Last login: ..." and banner lines are not.
pub fn is_login_prompt(line: &str) -> bool {
    let l = line.trim().to_ascii_lowercase();
    if l.starts_with("last login") || l.starts_with("last failed login") {
        return false;
    }
    l.ends_with("username:") || l.ends_with("login:") || l.ends_with("user name:")
}

pub fn is_password_prompt(line: &str) -> bool {
    line.trim().to_ascii_lowercase().ends_with("password:")
}

/// A pager waiting for a key: IOS/NX-OS/EOS `--More--`, Junos `---(more)---` and
/// `---(more 45%)---`.
pub fn is_more(line: &str) -> bool {
    let t = line.trim();
    t.ends_with("--More--")
        || t.ends_with("--more--")
        || t.ends_with("---(more)---")
        || t.contains("---(more ") && t.ends_with("%)---")
}

/// Text a refused command prints at user level.
fn privilege_refusal(output: &str) -> Option<&str> {
    output.lines().map(str::trim).find(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("% invalid input")
            || l.starts_with("% authorization failed")
            || l.starts_with("% permission denied")
            || l.contains("insufficient privilege")
    })
}

/// The router's "I do not know that command" answer, when `output` is one: IOS/EOS
/// `% Invalid input`, `% Incomplete command`, `% Ambiguous command`, NX-OS `% Invalid
/// command`, Junos `syntax error` / `unknown command`.
fn rejection(output: &str) -> Option<&str> {
    let first = output
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && *l != "^")?;
    let l = first.to_ascii_lowercase();
    let known = [
        "% invalid input",
        "% invalid command",
        "% incomplete command",
        "% ambiguous command",
        "% unrecognized command",
        "syntax error",
        "error: syntax error",
        "unknown command",
        "error: unknown command",
    ];
    known.iter().any(|k| l.starts_with(k)).then_some(first)
}

/// How the console answered a logout.
enum Goodbye {
    Said,
    HungUp,
    PromptAgain,
    Silence,
}

/// What a wait was looking for and found.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Cli(Prompt),
    Login,
    Password,
}

fn seen(line: &str) -> Option<Seen> {
    if is_password_prompt(line) {
        Some(Seen::Password)
    } else if is_login_prompt(line) {
        Some(Seen::Login)
    } else {
        prompt(line).map(Seen::Cli)
    }
}

struct Dialogue<'a> {
    console: &'a mut dyn Console,
    settings: &'a SessionSettings,
    term: Terminal,
    /// When the dialogue's own steps must be done: the poll's deadline less the
    /// logout's allowance.
    deadline: Instant,
    /// When the poll must be over, logout included.
    hard_deadline: Instant,
    /// The host part of the first prompt seen.
    host: Option<String>,
    /// The last prompt seen, exactly as shown.
    last_prompt: Option<String>,
    /// A line was completed since our last input: what the console shows now answers it.
    answered: bool,
    /// Lines completed during the last wait.
    lines: Vec<String>,
    logged_in: bool,
    enabled: bool,
    /// The session is lightgate's to act in (page through, type into): set once it
    /// logged in, or found its own or a login-less console's prompt.
    owned: bool,
    /// Credentials were typed: the console may have logged lightgate in even if this
    /// visit never saw the prompt that says so.
    login_sent: bool,
    /// Commands the console refused at user level: (index, why), their outputs empty.
    refused: Vec<(usize, String)>,
    /// Commands the router did not know: (index, why), their outputs empty.
    rejected: Vec<(usize, String)>,
    visit: &'a VisitState,
    /// Characters the console printed, and how many of them were not text.
    printed: usize,
    garbled: usize,
}

impl Dialogue<'_> {
    fn io_error(e: std::io::Error) -> SourceError {
        SourceError::Transport(format!("the console connection failed: {e}"))
    }

    fn send(&mut self, line: &str) -> Result<(), SourceError> {
        self.lines.clear();
        self.term.take_lines();
        self.answered = false;
        self.console
            .write_all(format!("{line}\r").as_bytes())
            .map_err(Self::io_error)
    }

    /// Reads until `want` accepts the current line after a quiet period, paging through
    /// `--More--`. `limit` is the step's own limit; the poll's deadline bounds it too.
    fn wait<T>(
        &mut self,
        limit: Duration,
        what: &str,
        want: impl Fn(&str) -> Option<T>,
    ) -> Result<T, SourceError> {
        let started = Instant::now();
        let step_end = (started + limit).min(self.deadline);
        let mut last_byte = started;
        let mut chunk = [0u8; 4096];
        loop {
            if self.visit.stopping() {
                return Err(SourceError::Transport(
                    "the agent is stopping: the visit ended before its commands".to_string(),
                ));
            }
            let current = self.term.current();
            if is_more(&current) {
                if !self.owned {
                    // Someone's output, paused: paging it would act in their session.
                    return Err(in_use(&format!(
                        "its output is paused at a pager: {:?}",
                        current.trim()
                    )));
                }
                // Paging could not be turned off: page on. The router then erases the
                // marker on its own line, which the terminal model confines there.
                self.term.clear_current();
                self.console.write_all(b" ").map_err(Self::io_error)?;
                continue;
            }
            let found = if self.answered { want(&current) } else { None };
            let nothing_wanted = found.is_none();
            let quiet = last_byte.elapsed();
            let needed = if self.last_prompt.as_deref() == Some(current.trim()) {
                QUIET_KNOWN
            } else {
                QUIET
            };
            if let Some(x) = found {
                if quiet >= needed {
                    self.lines.extend(self.term.take_lines());
                    if prompt(&current).is_some() {
                        self.last_prompt = Some(current.trim().to_string());
                    }
                    return Ok(x);
                }
            }
            if nothing_wanted && self.answered && quiet >= RENAMED_QUIET {
                if let Some(e) = self.renamed(&current, what) {
                    return Err(e);
                }
            }
            let now = Instant::now();
            if now >= step_end {
                return Err(self.timed_out(step_end - started, what, step_end < started + limit));
            }
            let mut wait = (step_end - now).min(Duration::from_millis(200));
            if self.answered && want(&current).is_some() {
                wait = wait.min(needed.saturating_sub(quiet).max(Duration::from_millis(1)));
            }
            let n = self
                .console
                .read(&mut chunk, wait)
                .map_err(|e| SourceError::Transport(format!("the console disconnected: {e}")))?;
            if n > 0 {
                self.count(&chunk[..n]);
                self.term.feed(&chunk[..n]);
                last_byte = Instant::now();
                let completed = self.term.take_lines();
                if !completed.is_empty() {
                    self.answered = true;
                    self.lines.extend(completed);
                }
                if self.term.held() + self.lines.iter().map(String::len).sum::<usize>() > MAX_OUTPUT
                {
                    return Err(SourceError::Decode(
                        "the console printed more than 4 MiB without a prompt".to_string(),
                    ));
                }
            }
        }
    }

    fn timed_out(&self, waited: Duration, what: &str, budget: bool) -> SourceError {
        if let Some(e) = self.unreadable() {
            return e;
        }
        let budget = if budget {
            " (all that was left of the poll's timeout)"
        } else {
            ""
        };
        SourceError::Timeout(format!(
            "{}{budget} waiting for {what} (last output: \"{}\")",
            format_duration(waited),
            self.last_output()
        ))
    }

    /// The last 60 characters the console printed (its completed lines and the current
    /// one), printable, for a reason.
    fn last_output(&self) -> String {
        let mut tail = self.lines.join("\n");
        let current = self.term.current();
        if !current.is_empty() {
            tail.push('\n');
            tail.push_str(&current);
        }
        let chars: Vec<char> = tail.trim().chars().collect();
        let last: String = chars[chars.len().saturating_sub(60)..].iter().collect();
        printable(last.trim())
    }

    /// Counts what the console printed, and how much of it was not text.
    fn count(&mut self, bytes: &[u8]) {
        for c in String::from_utf8_lossy(bytes).chars() {
            self.printed += 1;
            let text = !c.is_control() || matches!(c, '\r' | '\n' | '\t' | '\x08' | '\x1b');
            if c == char::REPLACEMENT_CHARACTER || !text {
                self.garbled += 1;
            }
        }
    }

    /// The console's output is unreadable: it says so, with the likely cause.
    fn unreadable(&self) -> Option<SourceError> {
        let share = self.garbled as f64 / self.printed.max(1) as f64;
        (self.garbled >= 8 && share >= GARBLED_SHARE).then(|| {
            SourceError::Console(format!(
                "its output is unreadable ({} of {} characters are not text): check the line's speed, parity and data bits",
                self.garbled, self.printed
            ))
        })
    }

    /// A prompt of another host than the visit's, standing quiet: the console was
    /// renamed (or another device is on the line). Said as such, not as a timeout; the
    /// new host is the one to log out of.
    fn renamed(&mut self, current: &str, what: &str) -> Option<SourceError> {
        let host = self.host.as_ref()?;
        let now = prompt(current).filter(|p| p.host != *host)?;
        let was = self.last_prompt.clone().unwrap_or_else(|| host.clone());
        self.host = Some(now.host);
        self.last_prompt = Some(current.trim().to_string());
        Some(SourceError::Console(format!(
            "its prompt changed from \"{}\" to \"{}\" while waiting for {what} (the hostname changed, or another device is on the line); lightgate reads again at the next poll",
            printable(&was),
            printable(current.trim())
        )))
    }

    /// Why the wake-up found no prompt, however many tries fitted in the poll: the
    /// output unreadable, silence, or text without a prompt (shown, printable).
    fn no_prompt(&self, waited: Duration) -> SourceError {
        if let Some(e) = self.unreadable() {
            return e;
        }
        let said = if self.printed == 0 {
            "the console printed nothing".to_string()
        } else {
            format!(
                "the console shows no prompt (last output: \"{}\")",
                self.last_output()
            )
        };
        SourceError::Timeout(format!(
            "{} waiting for a prompt: {said}; is it the right port, speed and parity?",
            format_duration(waited)
        ))
    }

    /// A CLI prompt of the host we talk to.
    fn our_prompt(&self) -> impl Fn(&str) -> Option<Prompt> + 'static {
        let host = self.host.clone();
        move |l: &str| prompt(l).filter(|p| host.as_ref().is_none_or(|h| *h == p.host))
    }

    fn session(&mut self, commands: &[String]) -> Result<Vec<String>, SourceError> {
        let s = self.settings;
        // Wake the console: an empty line, a few times.
        let waking = Instant::now();
        let mut first = None;
        for _ in 0..3 {
            self.send("")?;
            match self.wait(s.step_timeout, "a prompt", seen) {
                Ok(x) => {
                    first = Some(x);
                    break;
                }
                Err(SourceError::Timeout(_)) if Instant::now() < self.deadline => continue,
                Err(SourceError::Timeout(_)) => break,
                Err(e) => return Err(e),
            }
        }
        let Some(mut at) = first else {
            return Err(self.no_prompt(waking.elapsed()));
        };
        if at == Seen::Login {
            let Some(user) = &s.username else {
                return Err(SourceError::Auth(
                    "the console asks for a username but none is configured".to_string(),
                ));
            };
            self.login_sent = true;
            self.send(user)?;
            at = self.wait(s.step_timeout, "the password prompt", seen)?;
            if at == Seen::Login {
                return Err(SourceError::Auth(
                    "the console rejected the username".to_string(),
                ));
            }
            if matches!(at, Seen::Cli(_)) {
                self.logged_in = true;
                self.owned = true;
            }
        }
        if at == Seen::Password {
            let Some(password) = &s.password else {
                return Err(SourceError::Auth(
                    "the console asks for a password but none is configured".to_string(),
                ));
            };
            self.login_sent = true;
            self.send(password.expose())?;
            at = self.wait(s.step_timeout, "a prompt after the login", seen)?;
            let Seen::Cli(_) = at else {
                return Err(SourceError::Auth(
                    "the console rejected the username or password".to_string(),
                ));
            };
            self.logged_in = true;
            self.owned = true;
        }
        let Seen::Cli(p) = at else {
            unreachable!("login and password prompts are answered above")
        };
        self.host = Some(p.host.clone());
        let shown_prompt = format!("{}{}", p.host, p.mode);
        if p.config
            || self
                .lines
                .iter()
                .any(|l| l.trim_start().starts_with("[edit"))
        {
            // Lightgate never enters configuration mode: whoever is there, it is not us.
            return Err(in_use(&format!(
                "it is in configuration mode at {shown_prompt}"
            )));
        }
        if !self.owned {
            // A prompt with nobody logged in by this visit.
            let needs_login = s.username.is_some() || s.password.is_some();
            if !needs_login {
                // A console without a login: the prompt is what everyone finds.
                self.owned = true;
            } else if self.visit.own_session_may_be_open() {
                // The session an earlier visit could not confirm closed: ours to close.
                tracing::info!(prompt = %crate::text::escape(&shown_prompt), "Found lightgate's own earlier console session still open; using it and logging it out.");
                self.logged_in = true;
                self.owned = true;
            } else {
                return Err(in_use(&format!(
                    "logged in at {shown_prompt} in a session lightgate did not open (if this console has no login, remove username and password from [device.serial])"
                )));
            }
        }
        let user_level = p.mode == '>' && s.dialect.spec().enable_level;
        let mut shown = p;
        if user_level {
            if let Some(secret) = &s.enable_password {
                shown = self.enable(secret)?;
            }
        }
        self.send(s.dialect.spec().paging_off)?;
        let ours = self.our_prompt();
        self.wait(s.step_timeout, "the prompt after turning paging off", &ours)?;
        let mut outputs = Vec::with_capacity(commands.len());
        for cmd in commands {
            debug_assert!(cmd.starts_with("show "), "only show commands are sent");
            if self.visit.stopping() {
                return Err(SourceError::Transport(
                    "the agent is stopping: the visit ended before its commands".to_string(),
                ));
            }
            self.send(cmd)?;
            self.wait(s.command_timeout, &format!("the output of `{cmd}`"), &ours)?;
            let mut lines = std::mem::take(&mut self.lines);
            // Drop the echoed command: the first line, prompt and command.
            if let Some(i) = lines.iter().position(|l| {
                l.contains(cmd.as_str())
                    || self
                        .host
                        .as_ref()
                        .is_some_and(|h| l.starts_with(h.as_str()))
            }) {
                lines.drain(..=i);
            }
            let out = lines.join("\n");
            if shown.mode == '>' && user_level {
                if let Some(refusal) = privilege_refusal(&out) {
                    // Read what is allowed; say which command was refused.
                    let why = format!(
                        "the console is at user level ({}{}) and refused `{cmd}` ({refusal}); set enable_password (or enable_password_file / enable_password_env) in [device.serial], or give the account the privilege to run show commands",
                        shown.host, shown.mode
                    );
                    self.refused.push((outputs.len(), why));
                    outputs.push(String::new());
                    continue;
                }
            }
            if let Some(answer) = rejection(&out) {
                // A command this router does not know (an older release, a platform
                // without it): its output is empty and the reading says so.
                let why = format!("the router rejected `{cmd}` ({answer})");
                if self.visit.first_rejection(cmd) {
                    tracing::warn!(command = %cmd, answer = %crate::text::escape(answer), "The console rejected a command; what it would have given is missing (logged once per command).");
                }
                self.rejected.push((outputs.len(), why));
                outputs.push(String::new());
                continue;
            }
            outputs.push(out);
        }
        if !outputs.is_empty() && self.refused.len() == outputs.len() {
            // Nothing was allowed: the privilege is the problem, said once.
            let (_, why) = self.refused.swap_remove(0);
            return Err(SourceError::Refused(why));
        }
        Ok(outputs)
    }

    /// `enable`, answering its password prompt; the privileged prompt, or why not.
    fn enable(&mut self, secret: &Secret) -> Result<Prompt, SourceError> {
        let step = self.settings.step_timeout;
        let ours = self.our_prompt();
        let password_or_prompt = |l: &str| {
            if is_password_prompt(l) {
                return Some(None);
            }
            ours(l).map(Some)
        };
        self.send("enable")?;
        let at = self.wait(step, "the enable password prompt", password_or_prompt)?;
        let at = match at {
            Some(p) => p,
            None => {
                self.send(secret.expose())?;
                let p = self.wait(step, "the prompt after enable", password_or_prompt)?;
                match p {
                    Some(p) => p,
                    None => {
                        // Asked again: the password was wrong. Leave the prompt.
                        let _ = self.console.write_all(b"\r");
                        return Err(SourceError::Auth(
                            "the console refused the enable password".to_string(),
                        ));
                    }
                }
            }
        };
        if at.mode != '#' {
            return Err(SourceError::Auth(format!(
                "enable did not reach privileged level (the prompt is {}{}); check enable_password",
                at.host, at.mode
            )));
        }
        self.enabled = true;
        Ok(at)
    }

    /// Leaves the console as lightgate found it: logged out if lightgate logged in (or
    /// found its own earlier session), at user level if it ran `enable`, untouched if it
    /// did not own the session. After a failure the console may be at a pager: `q`
    /// quits it (nothing else is typed but whole lines). `exit` is typed alone on its
    /// line, and again (up to [`EXIT_TRIES`] times) when the prompt comes back instead of
    /// a goodbye. The line is released as soon as the console says goodbye (a login
    /// prompt, "Press RETURN", a hang-up) or [`GOODBYE_WAIT`] passes in silence. Returns
    /// whether a session lightgate opened may still be open.
    fn leave(&mut self) -> bool {
        if !self.owned {
            return false;
        }
        let closing = if self.logged_in {
            "exit"
        } else if self.enabled {
            "disable"
        } else {
            return false;
        };
        if is_more(&self.term.current()) {
            let _ = self.console.write_all(b"q");
        }
        let ours = self.our_prompt();
        for _ in 0..EXIT_TRIES {
            if self.send(closing).is_err() {
                return false; // the connection is gone: so is the session
            }
            let end = Instant::now()
                + GOODBYE_WAIT.min(
                    self.hard_deadline
                        .saturating_duration_since(Instant::now())
                        .max(Duration::from_millis(300)),
                );
            match self.goodbye(end, &ours) {
                Goodbye::Said | Goodbye::HungUp => return false,
                Goodbye::Silence => return closing == "exit",
                Goodbye::PromptAgain if closing == "disable" => return false,
                Goodbye::PromptAgain => continue,
            }
        }
        tracing::warn!(prompt = %crate::text::escape(self.last_prompt.as_deref().unwrap_or("")), "The console kept its prompt after {EXIT_TRIES} exits; the session may still be open (the next visit logs it out).");
        closing == "exit"
    }

    /// Reads until the console says goodbye, shows our prompt again, hangs up, or
    /// `end` passes in silence.
    fn goodbye(&mut self, end: Instant, ours: &impl Fn(&str) -> Option<Prompt>) -> Goodbye {
        let said = |l: &str| {
            let lower = l.to_ascii_lowercase();
            is_login_prompt(l) || lower.contains("press return") || lower.contains("now available")
        };
        let mut chunk = [0u8; 1024];
        let mut last_byte = Instant::now();
        loop {
            let current = self.term.current();
            if self.lines.iter().any(|l| said(l)) || said(&current) {
                return Goodbye::Said;
            }
            // The prompt again, once the line we typed was answered and the console is
            // quiet: `exit` did not log out (or `disable` did what it should).
            if self.answered && ours(&current).is_some() && last_byte.elapsed() >= QUIET {
                return Goodbye::PromptAgain;
            }
            let now = Instant::now();
            if now >= end {
                return Goodbye::Silence;
            }
            let left = end - now;
            match self
                .console
                .read(&mut chunk, left.min(Duration::from_millis(50)))
            {
                Ok(0) => {}
                Ok(n) => {
                    self.term.feed(&chunk[..n]);
                    last_byte = Instant::now();
                    let completed = self.term.take_lines();
                    if !completed.is_empty() {
                        self.answered = true;
                        self.lines.extend(completed);
                    }
                }
                Err(_) => return Goodbye::HungUp,
            }
        }
    }

    /// The console's passwords, to keep out of error texts.
    fn secrets(&self) -> Vec<&str> {
        let s = self.settings;
        [&s.password, &s.enable_password]
            .into_iter()
            .flatten()
            .map(Secret::expose)
            .collect()
    }
}

/// Runs `commands` on the console and returns their outputs (echo and prompt
/// removed), all by `deadline`: the steps get all but the logout's allowance (up to
/// [`LOGOUT_GRACE`], at most a third of the time), and the session logs out (or leaves
/// privileged mode) on every path. A console found in someone else's session is left
/// untouched ([`VisitState`] says whether a session found open is lightgate's own).
pub fn run(
    console: &mut dyn Console,
    s: &SessionSettings,
    commands: &[String],
    deadline: Instant,
) -> Result<Vec<String>, SourceError> {
    run_with(console, s, commands, deadline, &VisitState::default()).and_then(|o| {
        match o.refused.into_iter().next() {
            Some((_, why)) => Err(SourceError::Refused(why)),
            None => Ok(o.texts),
        }
    })
}

/// What a session read: each command's output (empty for a refused one) and the
/// commands the console refused at user level, by index, with why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outputs {
    pub texts: Vec<String>,
    pub refused: Vec<(usize, String)>,
    /// Commands the router did not know, by index, with its answer.
    pub rejected: Vec<(usize, String)>,
}

/// [`run`] with what the caller knows of earlier visits and whether to stop; a
/// command refused at user level does not fail the others.
pub fn run_with(
    console: &mut dyn Console,
    s: &SessionSettings,
    commands: &[String],
    deadline: Instant,
    visit: &VisitState,
) -> Result<Outputs, SourceError> {
    let total = deadline.saturating_duration_since(Instant::now());
    let reserve = LOGOUT_GRACE.min(total / 3);
    let mut d = Dialogue {
        console,
        settings: s,
        term: Terminal::new(),
        deadline: deadline - reserve,
        hard_deadline: deadline,
        host: None,
        last_prompt: None,
        answered: false,
        lines: Vec::new(),
        logged_in: false,
        enabled: false,
        owned: false,
        login_sent: false,
        refused: Vec::new(),
        rejected: Vec::new(),
        visit,
        printed: 0,
        garbled: 0,
    };
    let outcome = d.session(commands);
    let left_open = d.leave();
    if d.owned || d.login_sent {
        // A login typed but never seen through may have succeeded all the same.
        visit.set_own_session_open(left_open || (d.login_sent && !d.logged_in));
    }
    let secrets: Vec<String> = d.secrets().iter().map(|x| x.to_string()).collect();
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    outcome
        .map(|texts| Outputs {
            texts,
            refused: std::mem::take(&mut d.refused),
            rejected: std::mem::take(&mut d.rejected),
        })
        .map_err(|e| e.redacted(&refs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_of_every_dialect() {
        let p = |l: &str| prompt(l).map(|p| (p.host, p.mode, p.config));
        assert_eq!(p("edge-a.ams1#"), Some(("edge-a.ams1".into(), '#', false)));
        assert_eq!(p("edge-a>"), Some(("edge-a".into(), '>', false)));
        assert_eq!(
            p("RP/0/RSP0/CPU0:er01.ams#"),
            Some(("RP/0/RSP0/CPU0:er01.ams".into(), '#', false))
        );
        assert_eq!(
            p("monitor@mx1.ams-re0>"),
            Some(("monitor@mx1.ams-re0".into(), '>', false))
        );
        assert_eq!(p("edge-a(config-if)#"), Some(("edge-a".into(), '#', true)));
        assert_eq!(p("Current        -  #"), None);
        assert_eq!(p("  Tx Power     -2.2 dBm"), None);
        assert_eq!(p("########"), None);
        assert!(is_login_prompt("Username: "));
        assert!(is_login_prompt("mx1 (ttyu0)\n\nlogin:"));
        assert!(is_password_prompt("Password:"));
    }

    #[test]
    fn last_login_lines_are_never_login_prompts() {
        assert!(!is_login_prompt("Last login:"));
        assert!(!is_login_prompt(
            "Last login: Wed Nov 25 10:00:00 2026 from 10.0.0.1"
        ));
        assert!(!is_login_prompt("Last failed login:"));
        assert!(is_login_prompt("edge-a login:"));
    }

    #[test]
    fn pagers_of_every_dialect() {
        for p in [" --More-- ", "--More--", "---(more)---", "---(more 45%)---"] {
            assert!(is_more(p), "{p}");
        }
        assert!(!is_more("more lines follow"));
    }
}
