//! A scripted router console for tests: prompts, an optional login, paging, canned
//! show outputs, and the faults a real console shows (wrong password, paging that
//! cannot be turned off, slow output, a disconnect mid-output, no prompt at all,
//! garbage, configuration mode). It serves a TCP port on 127.0.0.1 or one end of a
//! pseudo-terminal pair made by socat.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    None,
    IgnoresPagingOff,
    Slow,
    DisconnectMidOutput,
    Silent,
    Garbage,
    ConfigMode,
}

#[derive(Clone)]
pub struct Router {
    pub prompt: String,
    /// The login prompt ("Username: " or "login: ") and the accepted credentials.
    pub login: Option<(String, String, String)>,
    pub outputs: HashMap<String, String>,
    pub fault: Fault,
    /// Every line the router received, in order.
    pub heard: Arc<Mutex<Vec<String>>>,
}

impl Router {
    pub fn new(prompt: &str) -> Router {
        Router {
            prompt: prompt.to_string(),
            login: None,
            outputs: HashMap::new(),
            fault: Fault::None,
            heard: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn output(mut self, command: &str, text: &str) -> Router {
        self.outputs.insert(command.to_string(), text.to_string());
        self
    }

    pub fn login(mut self, prompt: &str, user: &str, password: &str) -> Router {
        self.login = Some((prompt.to_string(), user.to_string(), password.to_string()));
        self
    }

    pub fn fault(mut self, f: Fault) -> Router {
        self.fault = f;
        self
    }

    pub fn heard(&self) -> Vec<String> {
        self.heard.lock().unwrap().clone()
    }

    fn prompt_text(&self) -> String {
        if self.fault == Fault::ConfigMode {
            format!("{}(config)#", self.prompt.trim_end_matches(['#', '>']))
        } else {
            self.prompt.clone()
        }
    }

    /// Serves one session on `io` until the peer leaves or `exit`.
    pub fn serve(&self, io: &mut (impl Read + Write)) {
        let mut logged_in = self.login.is_none();
        let mut awaiting: Option<&str> = None; // "user" | "password"
        let mut paging = true;
        let mut line = Vec::new();
        let mut buf = [0u8; 512];
        loop {
            let n = match io.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            for &b in &buf[..n] {
                if self.fault == Fault::Silent {
                    continue;
                }
                if self.fault == Fault::Garbage {
                    let _ = io.write_all(b"\x00\xff\xfe garbage \x1b[31m!!\x07 \xc3\x28 ");
                    continue;
                }
                if b != b'\r' && b != b'\n' {
                    if awaiting != Some("password") {
                        let _ = io.write_all(&[b]);
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
                let _ = io.write_all(b"\r\n");
                if !logged_in {
                    let (prompt, user, password) = self.login.clone().unwrap();
                    match awaiting {
                        None => {
                            let _ = io.write_all(prompt.as_bytes());
                            awaiting = Some("user");
                        }
                        Some("user") => {
                            let _ = io.write_all(b"Password: ");
                            awaiting = Some(if input == user {
                                "password"
                            } else {
                                "password-bad"
                            });
                        }
                        Some(state) => {
                            if state == "password" && input == password {
                                logged_in = true;
                                awaiting = None;
                                let _ = io.write_all(self.prompt_text().as_bytes());
                            } else {
                                let _ = io.write_all(
                                    format!("% Login invalid\r\n\r\n{prompt}").as_bytes(),
                                );
                                awaiting = Some("user");
                            }
                        }
                    }
                    continue;
                }
                if input == "exit" {
                    return;
                }
                if input == "terminal length 0" || input == "set cli screen-length 0" {
                    if self.fault != Fault::IgnoresPagingOff {
                        paging = false;
                    }
                } else if input.is_empty() {
                } else if let Some(out) = self.outputs.get(&input) {
                    let lines: Vec<&str> = out.lines().collect();
                    for (i, l) in lines.iter().enumerate() {
                        if self.fault == Fault::DisconnectMidOutput && i == lines.len() / 2 {
                            return;
                        }
                        if self.fault == Fault::Slow {
                            std::thread::sleep(Duration::from_millis(15));
                        }
                        let _ = io.write_all(format!("{l}\r\n").as_bytes());
                        if paging && i % 8 == 7 && i + 1 < lines.len() {
                            let _ = io.write_all(b" --More-- ");
                            // Wait for the space, then erase the marker.
                            let mut one = [0u8; 1];
                            loop {
                                match io.read(&mut one) {
                                    Ok(1) if one[0] == b' ' => break,
                                    Ok(1) => continue,
                                    _ => return,
                                }
                            }
                            let _ = io.write_all(b"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08          \x08\x08\x08\x08\x08\x08\x08\x08\x08\x08");
                        }
                    }
                } else {
                    let _ = io.write_all(b"% Invalid input detected at '^' marker.\r\n");
                }
                let _ = io.write_all(self.prompt_text().as_bytes());
            }
        }
    }
}

/// Serves `router` on a TCP port of 127.0.0.1, one session after another.
pub fn tcp(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            router.serve(&mut s);
        }
    });
    addr
}

/// A socat pseudo-terminal pair; the router serves one end, lightgate opens the other.
pub struct Pty {
    child: Child,
    pub device: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Pty {
    fn drop(&mut self) {
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
    }
}

pub fn fixture(name: &str) -> String {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/serial")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
