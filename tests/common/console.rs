//! A router console emulator for tests. It plays a login (username and password, or a
//! password alone) with banners and a "Last login:" line that arrives in two parts,
//! user and privileged levels with `enable`, a pager that may ignore `terminal length
//! 0` with its dialect's marker and erase sequence, per-character delays, writes cut at
//! random places, and the faults a real console shows (wrong password, a disconnect
//! mid-output, silence, garbage, a hang, configuration mode). It records every line it
//! heard and whether a session is still logged in. It serves a TCP port on 127.0.0.1
//! or one end of a pseudo-terminal pair made by socat.
//!
//! Show outputs are canned ([`Router::output`]) or rendered by [`dialect`] from a model
//! of an optic, in the five dialects' own formats.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use lightgate::source::serial::Dialect;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    None,
    IgnoresPagingOff,
    Slow,
    DisconnectMidOutput,
    Silent,
    Garbage,
    ConfigMode,
    /// Output stalls halfway through a show command; the first key typed afterwards
    /// interrupts it (as a real router's pager or break does).
    Hang,
}

/// What the console's sessions did, for assertions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsoleState {
    pub logged_in: bool,
    pub privileged: bool,
    pub logins: u32,
    pub logouts: u32,
    /// The session open is someone else's (see [`Router::foreign`]).
    pub foreign: bool,
    /// Lines typed into someone else's session (a wake-up's empty line is not one).
    pub typed_in_foreign: u32,
}

/// How a dialect pages and erases its pager prompt.
#[derive(Clone, Debug)]
pub struct Pager {
    pub marker: &'static str,
    pub erase: &'static [u8],
}

impl Pager {
    pub const CISCO: Pager = Pager {
        marker: " --More-- ",
        erase: b"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08          \x08\x08\x08\x08\x08\x08\x08\x08\x08\x08",
    };
    pub const JUNOS: Pager = Pager {
        marker: "---(more 42%)---",
        erase: b"\r                \r",
    };
    pub const EOS: Pager = Pager {
        marker: " --More-- ",
        erase: b"\r\x1b[K",
    };
}

#[derive(Clone)]
pub struct Router {
    /// The privileged prompt ("edge-c.ams1#", "monitor@mx1>").
    pub prompt: String,
    /// The login prompt ("Username: " or "login: ") and the accepted credentials; an
    /// empty prompt asks for the password alone.
    pub login: Option<(String, String, String)>,
    pub outputs: HashMap<String, String>,
    pub fault: Fault,
    /// Every line the router received, in order.
    pub heard: Arc<Mutex<Vec<String>>>,
    pub state: Arc<Mutex<ConsoleState>>,
    /// Printed before the login prompt.
    pub banner: Option<String>,
    /// Prints "Last login: ..." after a login, pausing in the middle of the line.
    pub last_login: bool,
    pub page_length: usize,
    pub pager: Pager,
    /// A pause after every byte written (serial speed: about 1 ms at 9600 baud).
    pub char_delay: Option<Duration>,
    /// Cut every write into pieces of 1..=n bytes with a short pause between them, so
    /// reads end at arbitrary places (a seed makes it repeatable).
    pub split: Option<(usize, u64)>,
    /// The session starts at user level (`>`); `enable` with this password raises it.
    pub enable_password: Option<String>,
    /// At user level, these commands are allowed (others refused); None refuses all.
    pub user_allowed: Option<Vec<String>>,
    /// Ctrl-U is an ordinary character, not "clear the line".
    pub ignores_ctrl_u: bool,
    /// `exit` logs out without a word: no "Press RETURN", no login prompt.
    pub silent_exit: bool,
    /// Someone else is logged in when lightgate first connects.
    pub foreign: Option<Foreign>,
    /// After this many show commands the router's hostname changes to this prompt's
    /// (a configuration commit from elsewhere, mid-visit).
    pub rename: Option<(usize, String)>,
    /// Show commands answered so far, over all sessions.
    pub shows: Arc<Mutex<usize>>,
}

/// Someone else's session, found open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Foreign {
    /// At a privileged prompt.
    Prompt,
    /// In the middle of their output, at a pager.
    More,
    /// In configuration mode.
    Config,
}

impl Router {
    pub fn new(prompt: &str) -> Router {
        Router {
            prompt: prompt.to_string(),
            login: None,
            outputs: HashMap::new(),
            fault: Fault::None,
            heard: Arc::new(Mutex::new(Vec::new())),
            state: Arc::new(Mutex::new(ConsoleState::default())),
            banner: None,
            last_login: false,
            page_length: 8,
            pager: Pager::CISCO,
            char_delay: None,
            split: None,
            enable_password: None,
            user_allowed: None,
            ignores_ctrl_u: false,
            silent_exit: false,
            foreign: None,
            rename: None,
            shows: Arc::new(Mutex::new(0)),
        }
    }

    /// After `commands` show commands the hostname changes to `prompt`'s.
    pub fn renamed_after(mut self, commands: usize, prompt: &str) -> Router {
        self.rename = Some((commands, prompt.to_string()));
        self
    }

    pub fn ignores_ctrl_u(mut self) -> Router {
        self.ignores_ctrl_u = true;
        self
    }

    pub fn silent_exit(mut self) -> Router {
        self.silent_exit = true;
        self
    }

    /// Someone else is logged in (see [`Foreign`]); `state().foreign` stays true until
    /// that session is logged out.
    pub fn foreign(mut self, f: Foreign) -> Router {
        self.foreign = Some(f);
        {
            let mut s = self.state.lock().unwrap();
            s.logged_in = true;
            s.foreign = true;
            s.privileged = true;
        }
        self
    }

    pub fn output(mut self, command: &str, text: &str) -> Router {
        self.outputs.insert(command.to_string(), text.to_string());
        self
    }

    pub fn login(mut self, prompt: &str, user: &str, password: &str) -> Router {
        self.login = Some((prompt.to_string(), user.to_string(), password.to_string()));
        self
    }

    /// A console that asks only for a password.
    pub fn password_only(mut self, password: &str) -> Router {
        self.login = Some((String::new(), String::new(), password.to_string()));
        self
    }

    pub fn fault(mut self, f: Fault) -> Router {
        self.fault = f;
        self
    }

    pub fn banner(mut self, text: &str) -> Router {
        self.banner = Some(text.to_string());
        self
    }

    pub fn last_login(mut self) -> Router {
        self.last_login = true;
        self
    }

    pub fn pager(mut self, pager: Pager, page_length: usize) -> Router {
        self.pager = pager;
        self.page_length = page_length.max(1);
        self
    }

    pub fn char_delay(mut self, d: Duration) -> Router {
        self.char_delay = Some(d);
        self
    }

    pub fn split(mut self, max: usize, seed: u64) -> Router {
        self.split = Some((max.max(1), seed | 1));
        self
    }

    pub fn user_level(mut self, enable_password: &str) -> Router {
        self.enable_password = Some(enable_password.to_string());
        self
    }

    /// At user level (see [`Router::user_level`]) the commands of `allowed` run;
    /// others are refused.
    pub fn user_allowing(mut self, allowed: &[&str]) -> Router {
        self.user_allowed = Some(allowed.iter().map(|a| a.to_string()).collect());
        self
    }

    pub fn heard(&self) -> Vec<String> {
        self.heard.lock().unwrap().clone()
    }

    pub fn state(&self) -> ConsoleState {
        self.state.lock().unwrap().clone()
    }

    fn prompt_text(&self) -> String {
        let privileged = self.state.lock().unwrap().privileged;
        let shows = *self.shows.lock().unwrap();
        let prompt = match &self.rename {
            Some((after, renamed)) if shows >= *after => renamed.as_str(),
            _ => self.prompt.as_str(),
        };
        let base = prompt.trim_end_matches(['#', '>']);
        let mode = self.prompt.chars().last().unwrap_or('#');
        let foreign_config =
            self.foreign == Some(Foreign::Config) && self.state.lock().unwrap().foreign;
        if self.fault == Fault::ConfigMode || foreign_config {
            format!("{base}(config)#")
        } else if self.enable_password.is_some() && !privileged {
            format!("{base}>")
        } else {
            format!("{base}{mode}")
        }
    }

    /// Serves one session on `io` until the peer leaves.
    pub fn serve(&self, io: &mut (impl Read + Write)) {
        let mut out = Writer {
            delay: self.char_delay,
            split: self.split,
        };
        let needs_login = self.login.is_some();
        {
            let mut s = self.state.lock().unwrap();
            if !needs_login {
                s.logged_in = true;
            }
        }
        let mut awaiting: Option<&str> = None; // "user" | "password" | "password-bad" | "enable"
        let mut paging = true;
        // Someone's output paused at a pager: shown again as keys come.
        let mut paged_foreign = false;
        let mut line = Vec::new();
        let mut buf = [0u8; 512];
        // Keys typed while output was held (a pager prompt, a hang) are read from here.
        let mut pending: Vec<u8> = Vec::new();
        loop {
            let bytes: Vec<u8> = if pending.is_empty() {
                let n = match io.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                buf[..n].to_vec()
            } else {
                std::mem::take(&mut pending)
            };
            let mut k = 0;
            while k < bytes.len() {
                let b = bytes[k];
                k += 1;
                if self.fault == Fault::Silent {
                    continue;
                }
                if self.fault == Fault::Garbage {
                    out.write(io, b"\x00\xff\xfe garbage \x1b[31m!!\x07 \xc3\x28 ");
                    continue;
                }
                if b == 0x15 && !self.ignores_ctrl_u {
                    line.clear(); // Ctrl-U: kill the line
                    continue;
                }
                {
                    // Someone's output paused at a pager: any key pages it on.
                    let st = self.state.lock().unwrap();
                    if st.foreign && self.foreign == Some(Foreign::More) && !paged_foreign {
                        drop(st);
                        out.write(io, self.pager.erase);
                        out.write(io, b"  Serial0/0/0   unassigned  YES unset  down  down\r\n");
                        if b == b'\r' || b == b'\n' {
                            // Return shows one more line: the pager still waits.
                            out.write(io, self.pager.marker.as_bytes());
                        } else {
                            // Any other key is typed into their session.
                            self.state.lock().unwrap().typed_in_foreign += 1;
                            paged_foreign = true;
                            out.write(io, self.prompt_text().as_bytes());
                        }
                        continue;
                    }
                }
                if b != b'\r' && b != b'\n' {
                    if !matches!(awaiting, Some("password" | "password-bad" | "enable")) {
                        out.write(io, &[b]);
                    }
                    line.push(b);
                    continue;
                }
                if b == b'\n' {
                    continue;
                }
                let input = String::from_utf8_lossy(&line).trim().to_string();
                line.clear();
                self.heard.lock().unwrap().push(input.clone());
                {
                    let mut st = self.state.lock().unwrap();
                    if st.foreign && !input.is_empty() {
                        st.typed_in_foreign += 1;
                    }
                }
                out.write(io, b"\r\n");
                let logged_in = self.state.lock().unwrap().logged_in;
                if !logged_in {
                    let (_, user, password) = self.login.clone().unwrap();
                    match awaiting {
                        None => awaiting = self.ask_user(&mut out, io),
                        Some("user") => {
                            out.write(io, b"Password: ");
                            awaiting = Some(if input == user {
                                "password"
                            } else {
                                "password-bad"
                            });
                        }
                        Some(state) => {
                            if state == "password" && input == password {
                                awaiting = None;
                                {
                                    let mut s = self.state.lock().unwrap();
                                    s.logged_in = true;
                                    s.logins += 1;
                                }
                                if self.last_login {
                                    // A read that ends here sees "Last login:" alone.
                                    out.write(io, b"Last login:");
                                    std::thread::sleep(Duration::from_millis(300));
                                    out.write(io, b" Wed Nov 25 10:00:00 2026 from 10.0.0.1\r\n");
                                }
                                out.write(io, self.prompt_text().as_bytes());
                            } else {
                                out.write(io, b"% Login invalid\r\n\r\n");
                                awaiting = self.ask_user(&mut out, io);
                            }
                        }
                    }
                    continue;
                }
                if awaiting == Some("enable") {
                    awaiting = None;
                    if Some(&input) == self.enable_password.as_ref() {
                        self.state.lock().unwrap().privileged = true;
                    } else {
                        out.write(io, b"% Access denied\r\n\r\n");
                    }
                    out.write(io, self.prompt_text().as_bytes());
                    continue;
                }
                match input.as_str() {
                    "exit" | "logout" | "quit" => {
                        {
                            let mut s = self.state.lock().unwrap();
                            s.logged_in = !needs_login;
                            s.privileged = false;
                            s.foreign = false;
                            s.logouts += 1;
                        }
                        if !self.silent_exit {
                            let host = self.prompt.trim_end_matches(['#', '>']);
                            out.write(
                                io,
                                format!("\r\n{host} con0 is now available\r\n\r\nPress RETURN to get started.\r\n").as_bytes(),
                            );
                        }
                        paging = true;
                        continue;
                    }
                    "enable" if self.enable_password.is_some() => {
                        out.write(io, b"Password: ");
                        awaiting = Some("enable");
                        continue;
                    }
                    "disable" => {
                        self.state.lock().unwrap().privileged = false;
                    }
                    "terminal length 0" | "set cli screen-length 0" | "no page" => {
                        if self.fault != Fault::IgnoresPagingOff {
                            paging = false;
                        }
                    }
                    "" => {}
                    cmd => {
                        let privileged = self.state.lock().unwrap().privileged;
                        let allowed = self
                            .user_allowed
                            .as_ref()
                            .is_some_and(|a| a.iter().any(|p| p == cmd));
                        let refused = self.enable_password.is_some() && !privileged && !allowed;
                        if cmd.starts_with("show ") {
                            *self.shows.lock().unwrap() += 1;
                        }
                        match self.outputs.get(cmd) {
                            Some(text) if !refused => {
                                let rest = bytes[k..].to_vec();
                                k = bytes.len();
                                match self.print(io, &mut out, text, paging, rest) {
                                    Some(left) => pending = left,
                                    None => return,
                                }
                            }
                            _ => out.write(io, b"% Invalid input detected at '^' marker.\r\n"),
                        }
                    }
                }
                out.write(io, self.prompt_text().as_bytes());
            }
        }
    }

    /// Shows the banner and the first login question; what is awaited next.
    fn ask_user(&self, out: &mut Writer, io: &mut impl Write) -> Option<&'static str> {
        let (prompt, _, _) = self.login.clone().unwrap_or_default();
        if let Some(b) = &self.banner {
            out.write(io, b.as_bytes());
        }
        if prompt.is_empty() {
            out.write(io, b"Password: ");
            Some("password")
        } else {
            out.write(io, prompt.as_bytes());
            Some("user")
        }
    }

    /// Prints a command's output, paging and faulting as configured. `typed` holds keys
    /// that came with the command; returns the keys left for the command line, or None
    /// when the session ends.
    fn print(
        &self,
        io: &mut (impl Read + Write),
        out: &mut Writer,
        text: &str,
        paging: bool,
        mut typed: Vec<u8>,
    ) -> Option<Vec<u8>> {
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if self.fault == Fault::DisconnectMidOutput && i == lines.len() / 2 {
                // The router dropped the line, and the session with it.
                self.state.lock().unwrap().logged_in = self.login.is_none();
                return None;
            }
            if self.fault == Fault::Hang && i == lines.len() / 2 {
                // Stalled: the next key interrupts the output.
                key(io, &mut typed)?;
                return Some(typed);
            }
            if self.fault == Fault::Slow {
                std::thread::sleep(Duration::from_millis(15));
            }
            out.write(io, format!("{l}\r\n").as_bytes());
            if paging && (i + 1) % self.page_length == 0 && i + 1 < lines.len() {
                out.write(io, self.pager.marker.as_bytes());
                let k = loop {
                    match key(io, &mut typed)? {
                        b' ' | b'\r' => break b' ',
                        b'q' | b'Q' => break b'q',
                        _ => continue,
                    }
                };
                out.write(io, self.pager.erase);
                if k == b'q' {
                    return Some(typed);
                }
            }
        }
        Some(typed)
    }
}

/// The next key typed: from what already came, else from the peer.
fn key(io: &mut impl Read, typed: &mut Vec<u8>) -> Option<u8> {
    if typed.is_empty() {
        let mut more = [0u8; 64];
        match io.read(&mut more) {
            Ok(0) | Err(_) => return None,
            Ok(n) => typed.extend_from_slice(&more[..n]),
        }
    }
    Some(typed.remove(0))
}

/// Writes with the router's timing: per-byte delays, random cuts.
struct Writer {
    delay: Option<Duration>,
    split: Option<(usize, u64)>,
}

impl Writer {
    fn write(&mut self, io: &mut impl Write, data: &[u8]) {
        if let Some(d) = self.delay {
            for b in data {
                let _ = io.write_all(&[*b]);
                let _ = io.flush();
                std::thread::sleep(d);
            }
            return;
        }
        if let Some((max, seed)) = &mut self.split {
            let mut rest = data;
            while !rest.is_empty() {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                let n = (1 + (*seed as usize) % *max).min(rest.len());
                let _ = io.write_all(&rest[..n]);
                let _ = io.flush();
                std::thread::sleep(Duration::from_micros(300));
                rest = &rest[n..];
            }
            return;
        }
        let _ = io.write_all(data);
        let _ = io.flush();
    }
}

/// Checks, when a test ends, that lightgate left the console as it found it: a session
/// it logged into is logged out, privileged level it raised is dropped, and someone
/// else's session is still open with nothing typed into it. Every console a test serves
/// ([`tcp`], [`pty`]) carries one, so the whole suite checks it, not only the tests
/// about logging out. A test that leaves a session open on purpose says so with
/// [`Watch::expect_left_open`].
pub struct Watch {
    state: Arc<Mutex<ConsoleState>>,
    needs_login: bool,
    enable: bool,
    foreign: bool,
    left_open: bool,
}

impl Watch {
    fn of(router: &Router) -> Watch {
        Watch {
            state: router.state.clone(),
            needs_login: router.login.is_some(),
            enable: router.enable_password.is_some(),
            foreign: router.foreign.is_some(),
            left_open: false,
        }
    }

    /// This test leaves lightgate's session open on purpose (a logout it lost).
    pub fn expect_left_open(&mut self) {
        self.left_open = true;
    }

    /// What is wrong with the console as lightgate left it, if anything.
    fn wrong(&self) -> Option<String> {
        let s = self.state.lock().unwrap().clone();
        if self.foreign {
            return (s.typed_in_foreign > 0).then(|| {
                format!(
                    "{} lines typed into someone else's session",
                    s.typed_in_foreign
                )
            });
        }
        if self.needs_login && s.logged_in {
            return Some("lightgate's session is still logged in".to_string());
        }
        if !self.needs_login && self.enable && s.privileged {
            return Some("the console was left at privileged level".to_string());
        }
        None
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if self.left_open || std::thread::panicking() {
            return;
        }
        // The console may still be reading lightgate's last line.
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Some(why) = self.wrong() {
            if Instant::now() >= deadline {
                panic!("the console was not left as lightgate found it: {why}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A router served on a TCP port: its address, and the [`Watch`] on it.
pub struct TcpServed {
    pub addr: String,
    pub watch: Watch,
}

impl std::ops::Deref for TcpServed {
    type Target = String;
    fn deref(&self) -> &String {
        &self.addr
    }
}

impl std::fmt::Display for TcpServed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.addr)
    }
}

/// Serves `router` on a TCP port of 127.0.0.1, one session after another.
pub fn tcp(router: Router) -> TcpServed {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let watch = Watch::of(&router);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let _ = s.set_nodelay(true);
            router.serve(&mut s);
        }
    });
    TcpServed { addr, watch }
}

/// A socat pseudo-terminal pair; the router serves one end, lightgate opens the other.
pub struct Pty {
    child: Child,
    pub device: PathBuf,
    _dir: tempfile::TempDir,
    pub watch: Option<Watch>,
}

impl Drop for Pty {
    fn drop(&mut self) {
        // The check first, while the router still hears lightgate's last line.
        drop(self.watch.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn pty(router: Router) -> Pty {
    super::require("socat", "socat");
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("lightgate"), dir.path().join("router"));
    let child = Command::new("socat")
        .arg(format!("pty,raw,echo=0,link={}", a.display()))
        .arg(format!("pty,raw,echo=0,link={}", b.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(a.exists() && b.exists()) {
        assert!(Instant::now() < deadline, "socat made no pty pair");
        std::thread::sleep(Duration::from_millis(20));
    }
    let router_end = b.clone();
    let watch = Watch::of(&router);
    std::thread::spawn(move || loop {
        let Ok(mut f) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&router_end)
        else {
            return;
        };
        router.serve(&mut f);
    });
    Pty {
        child,
        device: a,
        _dir: dir,
        watch: Some(watch),
    }
}

pub fn fixture(name: &str) -> String {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/serial")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Show outputs of the five dialects, rendered from a model of one interface.
pub mod dialect {
    use super::{Dialect, Pager, Router};

    /// One lane: `rx` None is dark.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Lane {
        pub rx: Option<f64>,
        pub tx: f64,
        pub bias_ma: f64,
    }

    /// High alarm, high warning, low warning, low alarm.
    pub type Limits = [f64; 4];

    #[derive(Debug, Clone, PartialEq)]
    pub struct Optic {
        /// "100GBASE-LR4" or "10GBASE-LR".
        pub standard: &'static str,
        pub lanes: Vec<Lane>,
        pub temperature: f64,
        pub voltage: f64,
        pub rx_limits: Limits,
        pub tx_limits: Limits,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct Iface {
        pub name: String,
        pub up: bool,
        pub optic: Optic,
    }

    /// A healthy 100G-LR4 (Tx above 0 dBm per lane, as real ones launch), with lane
    /// `dark` receiving no light.
    pub fn lr4(name: &str, dark: Option<usize>) -> Iface {
        let lanes = (0..4)
            .map(|i| Lane {
                rx: (dark != Some(i)).then_some(-2.1 - 0.1 * i as f64),
                tx: 0.4 + 0.1 * i as f64,
                bias_ma: 44.5 + 0.5 * i as f64,
            })
            .collect();
        Iface {
            name: name.to_string(),
            up: dark.is_none(),
            optic: Optic {
                standard: "100GBASE-LR4",
                lanes,
                temperature: 33.0,
                voltage: 3.29,
                rx_limits: [5.5, 2.5, -13.0, -16.0],
                tx_limits: [7.5, 4.5, -4.3, -6.3],
            },
        }
    }

    /// A healthy 10G-LR, optionally dark.
    pub fn lr(name: &str, dark: bool) -> Iface {
        Iface {
            name: name.to_string(),
            up: !dark,
            optic: Optic {
                standard: "10GBASE-LR",
                lanes: vec![Lane {
                    rx: (!dark).then_some(-3.4),
                    tx: -1.8,
                    bias_ma: 38.2,
                }],
                temperature: 31.0,
                voltage: 3.31,
                rx_limits: [2.5, 0.5, -14.4, -18.4],
                tx_limits: [3.5, 0.5, -8.2, -12.2],
            },
        }
    }

    /// The prompt, login prompt and pager of a dialect.
    pub fn router(d: Dialect) -> Router {
        match d {
            Dialect::CiscoIos => Router::new("edge-c.ams1#"),
            Dialect::CiscoNxos => Router::new("n9k-ams1#"),
            Dialect::CiscoIosxr => Router::new("RP/0/RSP0/CPU0:er01.ams#"),
            Dialect::AristaEos => Router::new("eos-ams1#").pager(Pager::EOS, 8),
            Dialect::Junos => Router::new("monitor@mx1.ams-re0>").pager(Pager::JUNOS, 8),
            Dialect::ArubaAoscx => Router::new("cx6300-ams1#"),
        }
    }

    pub fn login_prompt(d: Dialect) -> &'static str {
        match d {
            Dialect::Junos => "mx1.ams (ttyu0)\r\n\r\nlogin: ",
            Dialect::AristaEos => "eos-ams1 login: ",
            _ => "\r\nUser Access Verification\r\n\r\nUsername: ",
        }
    }

    /// The router with the outputs of every command lightgate sends for `ifaces`.
    pub fn with_outputs(d: Dialect, mut r: Router, ifaces: &[Iface]) -> Router {
        for i in ifaces {
            let cmds = lightgate::source::serial::commands(d, &i.name);
            for (cmd, text) in cmds.iter().zip(outputs(d, i)) {
                r = r.output(cmd, &text);
            }
        }
        r
    }

    /// Whether a power read back as `got` is `want` (dBm, None dark) within what `d`
    /// prints: a hundredth of a dB, or AOS-CX's hundredth of a milliwatt (under half
    /// of which a power prints "0.00mW", read as no light).
    pub fn power_read_back(
        d: Dialect,
        got: lightgate::domain::OpticalPower,
        want: Option<f64>,
    ) -> bool {
        match (want, got.dbm()) {
            (None, _) => got.is_no_light(),
            (Some(w), None) => {
                d == Dialect::ArubaAoscx && got.is_no_light() && milliwatts(w) <= AOSCX_HALF_STEP_MW
            }
            (Some(w), Some(g)) => dbm_read_back(d, g, w),
        }
    }

    /// Whether a value in dBm read back as `got` is `want` within what `d` prints.
    pub fn dbm_read_back(d: Dialect, got: f64, want: f64) -> bool {
        if d == Dialect::ArubaAoscx {
            (milliwatts(got) - milliwatts(want)).abs() <= AOSCX_HALF_STEP_MW + 1e-9
        } else {
            (got - want).abs() < 0.006
        }
    }

    const AOSCX_HALF_STEP_MW: f64 = 0.005;

    fn milliwatts(dbm: f64) -> f64 {
        10f64.powf(dbm / 10.0)
    }

    fn dark(d: Dialect) -> &'static str {
        match d {
            Dialect::AristaEos => "-30.00",
            Dialect::CiscoIos => "-40.0",
            _ => "-40.00",
        }
    }

    fn f1(v: f64) -> String {
        format!("{v:.1}")
    }

    fn f2(v: f64) -> String {
        format!("{v:.2}")
    }

    /// The outputs of `commands(d, name)`, in order.
    pub fn outputs(d: Dialect, i: &Iface) -> Vec<String> {
        match d {
            Dialect::CiscoIos => vec![ios_detail(i), ios_interface(i)],
            Dialect::CiscoNxos => vec![nxos_details(i), nxos_interface(i)],
            Dialect::CiscoIosxr => vec![xr_optics(i), xr_interface(i)],
            Dialect::AristaEos => vec![eos_transceiver(i), eos_interface(i), eos_status(i)],
            Dialect::Junos => vec![junos_optics(i), junos_interface(i)],
            Dialect::ArubaAoscx => vec![aoscx_dom(i), aoscx_interface(i)],
        }
    }

    fn short(name: &str) -> String {
        for (long, s) in [
            ("HundredGigE", "Hu"),
            ("TenGigabitEthernet", "Te"),
            ("Ethernet", "Et"),
        ] {
            if let Some(rest) = name.strip_prefix(long) {
                return format!("{s}{rest}");
            }
        }
        name.to_string()
    }

    fn ios_detail(i: &Iface) -> String {
        let o = &i.optic;
        let port = short(&i.name);
        let multi = o.lanes.len() > 1;
        let mut s = String::from("ITU Channel not available (Wavelength not available),\nTransceiver is internally calibrated.\nmA: milliamperes, dBm: decibels (milliwatts), NA or N/A: not applicable.\n++ : high alarm, +  : high warning, -  : low warning, -- : low alarm.\nThe threshold values are calibrated.\n\n");
        let limits = |l: Limits| {
            format!(
                "{:>10}  {:>9}  {:>9}  {:>9}",
                f1(l[0]),
                f1(l[1]),
                f1(l[2]),
                f1(l[3])
            )
        };
        for (what, unit, v) in [
            ("Temperature", "Celsius", o.temperature),
            ("Voltage", "Volts", o.voltage),
        ] {
            s.push_str(
                "                                High Alarm  High Warn  Low Warn   Low Alarm\n",
            );
            s.push_str(&format!(
                "             {what:<19}Threshold   Threshold  Threshold  Threshold\n"
            ));
            s.push_str(&format!("Port         ({unit})\n"));
            s.push_str(
                "---------    -----------------  ----------  ---------  ---------  ---------\n",
            );
            s.push_str(&format!(
                "{port:<13}{:<19}{}\n\n",
                f2(v),
                limits([75.0, 70.0, 0.0, -5.0])
            ));
        }
        let dark_rx = dark(Dialect::CiscoIos).to_string();
        let sections: [(&str, &str, Limits, Vec<String>); 3] = [
            (
                "Current",
                "mA",
                [75.0, 70.0, 20.0, 15.0],
                o.lanes.iter().map(|l| f1(l.bias_ma)).collect(),
            ),
            (
                "Transmit Power",
                "dBm",
                o.tx_limits,
                o.lanes.iter().map(|l| f1(l.tx)).collect(),
            ),
            (
                "Receive Power",
                "dBm",
                o.rx_limits,
                o.lanes
                    .iter()
                    .map(|l| l.rx.map(f1).unwrap_or_else(|| dark_rx.clone()))
                    .collect(),
            ),
        ];
        for (title, unit, l, values) in sections {
            s.push_str(
                "                 Optical          High Alarm  High Warn  Low Warn   Low Alarm\n",
            );
            s.push_str(&format!(
                "                 {title:<17}Threshold   Threshold  Threshold  Threshold\n"
            ));
            if multi {
                s.push_str(&format!("Port       Lane  ({unit})\n"));
                s.push_str("---------  ----  ---------------  ----------  ---------  ---------  ---------\n");
                for (n, v) in values.iter().enumerate() {
                    s.push_str(&format!("{port:<11}{:<6}{v:<17}{}\n", n + 1, limits(l)));
                }
            } else {
                s.push_str(&format!("Port             ({unit})\n"));
                s.push_str("---------        ---------------  ----------  ---------  ---------  ---------\n");
                s.push_str(&format!("{port:<17}{:<17}{}\n", values[0], limits(l)));
            }
            s.push('\n');
        }
        s
    }

    fn ios_interface(i: &Iface) -> String {
        let (state, proto) = if i.up { ("up", "up") } else { ("down", "down") };
        let media = if i.optic.lanes.len() > 1 {
            "QSFP 100G LR4"
        } else {
            "10GBase-LR"
        };
        let speed = if i.optic.lanes.len() > 1 {
            "100000Mbps"
        } else {
            "10000Mbps"
        };
        format!("{} is {state}, line protocol is {proto}\n  Hardware is HundredGigE, address is 00a7.42e1.7c41 (bia 00a7.42e1.7c41)\n  Description: to MSEE\n  MTU 9216 bytes, BW 100000000 Kbit/sec, DLY 10 usec,\n  Full Duplex, {speed}, link type is force-up, media type is {media}\n  5 minute input rate 0 bits/sec, 0 packets/sec\n", i.name)
    }

    fn nxos_details(i: &Iface) -> String {
        let o = &i.optic;
        let kind = if o.lanes.len() > 1 {
            "QSFP-100G-LR4"
        } else {
            "10Gbase-LR"
        };
        let mut s = format!("{}\n    transceiver is present\n    type is {kind}\n    name is CISCO-INNOLIGHT\n    part number is TR-FC13R-N00\n    nominal bitrate is 25500 MBit/sec\n    cisco product id is {kind}\n\n", i.name);
        let dbm = |v: Option<f64>| {
            v.map(f2)
                .unwrap_or_else(|| dark(Dialect::CiscoNxos).to_string())
        };
        for (n, l) in o.lanes.iter().enumerate() {
            if o.lanes.len() > 1 {
                s.push_str(&format!("Lane Number:{} Network Lane\n", n + 1));
            }
            let (r, t) = (o.rx_limits, o.tx_limits);
            s.push_str(&format!("           SFP Detail Diagnostics Information (internal calibration)\n  ----------------------------------------------------------------------------\n                Current              Alarms                  Warnings\n                Measurement     High        Low         High          Low\n  ----------------------------------------------------------------------------\n  Temperature   {:.2} C        75.00 C     -5.00 C     70.00 C        0.00 C\n  Voltage        {:.2} V         3.63 V      2.97 V      3.46 V        3.13 V\n  Current       {:.2} mA       85.00 mA    15.00 mA    80.00 mA      20.00 mA\n  Tx Power       {} dBm       {} dBm   {} dBm    {} dBm     {} dBm\n  Rx Power      {} dBm       {} dBm  {} dBm    {} dBm     {} dBm\n  Transmit Fault Count = 0\n  ----------------------------------------------------------------------------\n  Note: ++  high-alarm; +  high-warning; --  low-alarm; -  low-warning\n\n",
                o.temperature, o.voltage, l.bias_ma,
                f2(l.tx), f2(t[0]), f2(t[3]), f2(t[1]), f2(t[2]),
                dbm(l.rx), f2(r[0]), f2(r[3]), f2(r[1]), f2(r[2])));
        }
        s
    }

    fn nxos_interface(i: &Iface) -> String {
        let state = if i.up { "up" } else { "down" };
        let speed = if i.optic.lanes.len() > 1 {
            "100 Gb/s"
        } else {
            "10 Gb/s"
        };
        format!("{} is {state}\nadmin state is up, Dedicated Interface\n  Hardware: 40000/100000 Ethernet, address: 00de.fb12.3456\n  Description: to MSEE\n  MTU 9216 bytes, BW 100000000 Kbit, DLY 10 usec\n  full-duplex, {speed}, media type is 100G\n  Last link flapped 1week(s) 2day(s)\n", i.name)
    }

    fn xr_optics(i: &Iface) -> String {
        let o = &i.optic;
        let kind = if o.lanes.len() > 1 {
            "QSFP28 100G LR4"
        } else {
            "SFP+ 10G LR"
        };
        let state = if i.up { "Up" } else { "Down" };
        let mut s = format!(" Controller State: {state}\n\n Transport Admin State: In Service\n\n Laser State: On\n\n Optics Status\n\n         Optics Type:  {kind}\n         Wavelength = 1310.00 nm\n\n         Alarm Status:\n         -------------\n         Detected Alarms: None\n\n         LOS/LOL/Fault Status:\n\n");
        let dbm = |v: Option<f64>| {
            v.map(|v| format!("{v:.2}"))
                .unwrap_or_else(|| dark(Dialect::CiscoIosxr).to_string())
        };
        if o.lanes.len() == 1 {
            let l = o.lanes[0];
            s.push_str(&format!("         Laser Bias Current = {:.1} mA\n         Actual TX Power = {:.2} dBm\n         RX Power = {} dBm\n\n", l.bias_ma, l.tx, dbm(l.rx)));
        } else {
            // The sums over the lanes, as XR prints them for a multi-lane optic (lit
            // even with a dark lane).
            let total = |p: &mut dyn Iterator<Item = f64>| {
                10.0 * p.map(|d| 10f64.powf(d / 10.0)).sum::<f64>().log10()
            };
            let tx = total(&mut o.lanes.iter().map(|l| l.tx));
            let rx = total(&mut o.lanes.iter().filter_map(|l| l.rx));
            s.push_str(&format!(
                "         Total TX Power = {tx:.2} dBm\n         Total RX Power = {rx:.2} dBm\n\n"
            ));
        }
        let (r, t) = (o.rx_limits, o.tx_limits);
        s.push_str(&format!("         Performance Monitoring: Disable\n\n         THRESHOLD VALUES\n         ----------------\n\n         Parameter                 High Alarm  Low Alarm  High Warning  Low Warning\n         ------------------------  ----------  ---------  ------------  -----------\n         Rx Power Threshold(dBm)   {:>10}  {:>9}  {:>12}  {:>11}\n         Tx Power Threshold(dBm)   {:>10}  {:>9}  {:>12}  {:>11}\n         LBC Threshold(mA)              75.00      10.00         70.00        15.00\n\n", f1(r[0]), f1(r[3]), f1(r[1]), f1(r[2]), f1(t[0]), f1(t[3]), f1(t[1]), f1(t[2])));
        if o.lanes.len() > 1 {
            s.push_str("         Lane  Laser Bias    TX Power    RX Power  Output Frequency\n         ----  ----------  ----------  ----------  ----------------\n");
            for (n, l) in o.lanes.iter().enumerate() {
                s.push_str(&format!(
                    "           {n}     {:.1} mA  {:>6.2} dBm  {:>6} dBm       N/A\n",
                    l.bias_ma,
                    l.tx,
                    dbm(l.rx)
                ));
            }
            s.push('\n');
        }
        s.push_str(&format!(
            "         Temperature = {:.2} Celsius\n         Voltage = {:.2} V\n",
            o.temperature, o.voltage
        ));
        s
    }

    fn xr_interface(i: &Iface) -> String {
        let (state, proto) = if i.up { ("up", "up") } else { ("down", "down") };
        format!("{} is {state}, line protocol is {proto}\n  Interface state transitions: 1\n  Hardware is HundredGigE, address is 0032.1798.2a4c\n  Description: to MSEE\n  MTU 9216 bytes, BW 100000000 Kbit (Max: 100000000 Kbit)\n  Full-duplex, 100000Mb/s, link type is force-up\n  Last link flapped 1w2d\n", i.name)
    }

    fn eos_transceiver(i: &Iface) -> String {
        let o = &i.optic;
        let port = short(&i.name);
        let mut s = String::from("If device is externally calibrated, only calibrated values are printed.\nN/A: not applicable, Tx: transmit, Rx: receive.\nmA: milliamperes, dBm: decibels (milliwatts).\n                               Bias      Optical   Optical\n          Temp       Voltage   Current   Tx Power  Rx Power\nPort      (Celsius)  (Volts)   (mA)      (dBm)     (dBm)     Last Update\n-----     ---------  --------  --------  --------  --------  -------------------\n");
        // One row per lane, named after the lane's sub-interface; the module's
        // temperature and voltage only on the first.
        let base = port
            .rsplit_once('/')
            .map(|(b, _)| b.to_string())
            .unwrap_or(port.clone());
        for (n, l) in o.lanes.iter().enumerate() {
            let name = if o.lanes.len() > 1 {
                format!("{base}/{}", n + 1)
            } else {
                port.clone()
            };
            let (t, v) = if n == 0 {
                (f2(o.temperature), f2(o.voltage))
            } else {
                (String::new(), String::new())
            };
            let rx =
                l.rx.map(f2)
                    .unwrap_or_else(|| dark(Dialect::AristaEos).to_string());
            s.push_str(&format!(
                "{name:<10}{t:<11}{v:<10}{:<10}{:<10}{rx:<10}0:00:03 ago\n",
                f2(l.bias_ma),
                f2(l.tx)
            ));
        }
        s
    }

    fn eos_interface(i: &Iface) -> String {
        let (state, proto) = if i.up {
            ("up", "up (connected)")
        } else {
            ("down", "down (notconnect)")
        };
        let speed = if i.optic.lanes.len() > 1 {
            "100Gb/s"
        } else {
            "10Gb/s"
        };
        let since = if i.up { "Up" } else { "Down" };
        format!("{} is {state}, line protocol is {proto}\n  Hardware is Ethernet, address is 001c.7312.3456\n  Description: to MSEE\n  Ethernet MTU 9214 bytes\n  Full-duplex, {speed}, auto negotiation: off, uni-link: disabled\n  {since} 3 days, 2 hours, 1 minutes\n", i.name)
    }

    fn eos_status(i: &Iface) -> String {
        let port = short(&i.name);
        let status = if i.up { "connected" } else { "notconnect" };
        let speed = if i.optic.lanes.len() > 1 {
            "100G"
        } else {
            "10G"
        };
        format!("Port       Name        Status       Vlan     Duplex Speed  Type            Flags Encapsulation\n{port:<11}to MSEE     {status:<13}routed   full   {speed:<7}{}\n", i.optic.standard)
    }

    fn junos_optics(i: &Iface) -> String {
        let o = &i.optic;
        let mw = |dbm: f64| 10f64.powf(dbm / 10.0);
        let p = |v: Option<f64>| match v {
            Some(d) => format!("{:.4} mW / {:.2} dBm", mw(d), d),
            None => "0.0000 mW / - Inf dBm".to_string(),
        };
        let (r, t) = (o.rx_limits, o.tx_limits);
        let mut s = format!("Physical interface: {}\n    Module temperature                        :  {:.0} degrees C / 91 degrees F\n    Module voltage                            :  {:.4} V\n    Laser output power high alarm threshold   :  {}\n    Laser output power low alarm threshold    :  {}\n    Laser output power high warning threshold :  {}\n    Laser output power low warning threshold  :  {}\n    Laser rx power high alarm threshold       :  {}\n    Laser rx power low alarm threshold        :  {}\n    Laser rx power high warning threshold     :  {}\n    Laser rx power low warning threshold      :  {}\n",
            i.name, o.temperature, o.voltage, p(Some(t[0])), p(Some(t[3])), p(Some(t[1])), p(Some(t[2])), p(Some(r[0])), p(Some(r[3])), p(Some(r[1])), p(Some(r[2])));
        if let [l] = o.lanes.as_slice() {
            s.push_str(&format!("    Laser bias current                        :  {:.3} mA\n    Laser output power                        :  {}\n    Receiver signal average optical power     :  {}\n", l.bias_ma, p(Some(l.tx)), p(l.rx)));
            return s;
        }
        for (n, l) in o.lanes.iter().enumerate() {
            s.push_str(&format!("  Lane {n}\n    Laser bias current                        :  {:.3} mA\n    Laser output power                        :  {}\n    Laser receiver power                      :  {}\n", l.bias_ma, p(Some(l.tx)), p(l.rx)));
        }
        s
    }

    /// `show interfaces X`, as Junos prints it for an ExpressRoute-facing port.
    fn junos_interface(i: &Iface) -> String {
        let (link, alarms) = if i.up {
            ("Up", "None")
        } else {
            ("Down", "LINK")
        };
        format!("Physical interface: {}, Enabled, Physical link is {link}\n  Interface index: 650, SNMP ifIndex: 515\n  Description: to MSEE\n  Link-level type: Ethernet, MTU: 9192, LAN-PHY mode, Speed: 100Gbps, BPDU Error: None, Loop Detect PDU Error: None, Loopback: Disabled, Source filtering: Disabled, Flow control: Disabled\n  Pad to minimum frame size: Disabled\n  Device flags   : Present Running\n  Interface flags: SNMP-Traps Internal: 0x4000\n  Link flags     : None\n  CoS queues     : 8 supported, 8 maximum usable queues\n  Current address: 00:05:86:71:f3:c3, Hardware address: 00:05:86:71:f3:c3\n  Last flapped   : 2026-11-29 10:00:00 UTC (1w2d 03:04 ago)\n  Input rate     : 0 bps (0 pps)\n  Output rate    : 0 bps (0 pps)\n  Active alarms  : {alarms}\n  Active defects : {alarms}\n", i.name)
    }

    /// AOS-CX `show interface X dom detail`: powers in mW only (two decimals), a
    /// "Channel N:" section per lane of a multi-lane module.
    fn aoscx_dom(i: &Iface) -> String {
        let o = &i.optic;
        let mw = |dbm: Option<f64>| match dbm {
            Some(d) => format!("{:.2}mW", 10f64.powf(d / 10.0)),
            None => "0.00mW".to_string(),
        };
        let kind = if o.lanes.len() > 1 {
            "QSFP28LR4"
        } else {
            "SFP+LR"
        };
        let levels = ["high alarm", "high warning", "low warning", "low alarm"];
        let mut s = format!(
            "Transceiver in {}\n Type: {kind}\n  Temperature: {:.2}C\n  Voltage: {:.2}V\n",
            i.name, o.temperature, o.voltage
        );
        let lane = |s: &mut String, l: &Lane| {
            s.push_str(&format!(
                "  Tx Bias: {:.2}mA\n  Rx Power: {}\n",
                l.bias_ma,
                mw(l.rx)
            ));
            for (n, level) in levels.iter().enumerate() {
                s.push_str(&format!(
                    "  Rx Power {level}: Off\n  Rx Power {level} threshold: {}\n",
                    mw(Some(o.rx_limits[n]))
                ));
            }
            s.push_str(&format!("  Tx Power: {}\n", mw(Some(l.tx))));
            for (n, level) in levels.iter().enumerate() {
                s.push_str(&format!(
                    "  Tx Power {level}: Off\n  Tx Power {level} threshold: {}\n",
                    mw(Some(o.tx_limits[n]))
                ));
            }
        };
        if let [l] = o.lanes.as_slice() {
            lane(&mut s, l);
            return s;
        }
        for (n, l) in o.lanes.iter().enumerate() {
            s.push_str(&format!("\n Channel {}:\n", n + 1));
            lane(&mut s, l);
        }
        s
    }

    /// AOS-CX `show interface X`.
    fn aoscx_interface(i: &Iface) -> String {
        let (state, kind, speed) = match (i.up, i.optic.lanes.len() > 1) {
            (true, true) => ("up", "QSFP28LR4", 100_000),
            (false, true) => ("down", "QSFP28LR4", 100_000),
            (true, false) => ("up", "SFP+LR", 10_000),
            (false, false) => ("down", "SFP+LR", 10_000),
        };
        format!("Interface {} is {state}\nAdmin state is up\nDescription: to MSEE\nHardware: Ethernet, MAC Address: 70:72:cf:fd:e7:b4\nMTU 9198\nType {kind}\nSpeed {speed} Mb/s\nAuto-Negotiation is off\n", i.name)
    }
}
