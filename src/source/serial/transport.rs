//! The byte pipes to a console: a local serial port (serialport crate) or a console
//! server's TCP port (raw, as ser2net serves it; telnet option negotiation is answered
//! with refusals and stripped). Blocking I/O: callers run it off the async workers.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A console connection.
pub trait Console: Send {
    /// Reads what is there within `timeout`: Ok(0) when nothing came, Err when the
    /// connection is gone.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
    fn write_all(&mut self, data: &[u8]) -> io::Result<()>;
}

/// Where the console is.
#[derive(Debug, Clone, PartialEq)]
pub enum ConsoleTarget {
    /// A local serial device and its line settings.
    Device { path: String, line: LineSettings },
    /// A console server port, host:port.
    Tcp(String),
}

impl ConsoleTarget {
    pub fn describe(&self) -> String {
        match self {
            ConsoleTarget::Device { path, .. } => path.clone(),
            ConsoleTarget::Tcp(a) => format!("tcp://{a}"),
        }
    }
}

/// Serial line settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineSettings {
    pub baud: u32,
    pub data_bits: u8,
    /// 'n', 'e' or 'o'.
    pub parity: char,
    pub stop_bits: u8,
    /// "none", "software" or "hardware".
    pub flow_control: &'static str,
}

pub struct SerialConsole(Box<dyn serialport::SerialPort>);

impl SerialConsole {
    pub fn open(path: &str, s: &LineSettings) -> io::Result<SerialConsole> {
        use serialport::{DataBits, FlowControl, Parity, StopBits};
        let port = serialport::new(path, s.baud)
            .data_bits(match s.data_bits {
                5 => DataBits::Five,
                6 => DataBits::Six,
                7 => DataBits::Seven,
                _ => DataBits::Eight,
            })
            .parity(match s.parity {
                'e' => Parity::Even,
                'o' => Parity::Odd,
                _ => Parity::None,
            })
            .stop_bits(if s.stop_bits == 2 {
                StopBits::Two
            } else {
                StopBits::One
            })
            .flow_control(match s.flow_control {
                "software" => FlowControl::Software,
                "hardware" => FlowControl::Hardware,
                _ => FlowControl::None,
            })
            .timeout(Duration::from_millis(200))
            .open()
            .map_err(|e| io::Error::other(format!("cannot open {path}: {e}")))?;
        Ok(SerialConsole(port))
    }
}

impl Console for SerialConsole {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.0.set_timeout(timeout).map_err(io::Error::other)?;
        match self.0.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.0.write_all(data)?;
        self.0.flush()
    }
}

/// A console server port over TCP.
pub struct TcpConsole {
    stream: TcpStream,
    /// Bytes of an unfinished telnet command carried over between reads.
    pending: Vec<u8>,
}

const IAC: u8 = 255;
const DONT: u8 = 254;
const DO: u8 = 253;
const WONT: u8 = 252;
const WILL: u8 = 251;
const SB: u8 = 250;
const SE: u8 = 240;

impl TcpConsole {
    pub fn connect(host_port: &str, timeout: Duration) -> io::Result<TcpConsole> {
        use std::net::ToSocketAddrs;
        let addr = host_port
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::other(format!("{host_port} does not resolve")))?;
        let stream = TcpStream::connect_timeout(&addr, timeout)?;
        stream.set_nodelay(true)?;
        Ok(TcpConsole {
            stream,
            pending: Vec::new(),
        })
    }

    /// Removes telnet commands from `data`, answering option requests with refusals.
    fn strip_telnet(&mut self, data: &[u8]) -> io::Result<Vec<u8>> {
        let mut input = std::mem::take(&mut self.pending);
        input.extend_from_slice(data);
        let mut out = Vec::with_capacity(input.len());
        let mut replies = Vec::new();
        let mut i = 0;
        while i < input.len() {
            if input[i] != IAC {
                out.push(input[i]);
                i += 1;
                continue;
            }
            match input.get(i + 1) {
                None => {
                    self.pending = input[i..].to_vec();
                    break;
                }
                Some(&IAC) => {
                    out.push(IAC);
                    i += 2;
                }
                Some(&cmd @ (DO | DONT | WILL | WONT)) => match input.get(i + 2) {
                    None => {
                        self.pending = input[i..].to_vec();
                        break;
                    }
                    Some(&opt) => {
                        match cmd {
                            DO => replies.extend([IAC, WONT, opt]),
                            WILL => replies.extend([IAC, DONT, opt]),
                            _ => {}
                        }
                        i += 3;
                    }
                },
                Some(&SB) => match input[i..].windows(2).position(|w| w == [IAC, SE]) {
                    Some(end) => i += end + 2,
                    None => {
                        self.pending = input[i..].to_vec();
                        break;
                    }
                },
                Some(_) => i += 2,
            }
        }
        if !replies.is_empty() {
            self.stream.write_all(&replies)?;
        }
        Ok(out)
    }
}

impl Console for TcpConsole {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.stream
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        let mut raw = vec![0u8; buf.len()];
        let n = match self.stream.read(&mut raw) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the console server closed the connection",
                ))
            }
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(0)
            }
            Err(e) => return Err(e),
        };
        let clean = self.strip_telnet(&raw[..n])?;
        let k = clean.len().min(buf.len());
        buf[..k].copy_from_slice(&clean[..k]);
        Ok(k)
    }

    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        // A literal 0xFF must be doubled on a telnet connection; harmless on raw ones.
        let mut escaped = Vec::with_capacity(data.len());
        for b in data {
            escaped.push(*b);
            if *b == IAC {
                escaped.push(IAC);
            }
        }
        self.stream.write_all(&escaped)
    }
}
