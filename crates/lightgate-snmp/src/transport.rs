//! The seam between discovery/polling and the wire: GET a list of cells, walk a
//! subtree. The real [`Client`] speaks SNMP over UDP; [`Replay`] answers from a
//! recorded walk (the snmprec format snmpsim serves), so discovery and decoding of
//! every vendor profile can be tested without a socket.

use std::collections::BTreeMap;
use std::future::Future;

use lightgate_core::source::SourceError;

use crate::client::{Client, Counters};
use crate::types::{Oid, Value, Varbind};

/// What discovery and polling need from a device.
pub trait Transport: Send {
    /// The values of `oids`, in request order; a cell the device lacks comes back as
    /// NoSuchObject/NoSuchInstance.
    fn get(
        &mut self,
        oids: &[Oid],
        counters: &mut Counters,
    ) -> impl Future<Output = Result<Vec<Varbind>, SourceError>> + Send;

    /// Every cell under `root`, in order.
    fn walk(
        &mut self,
        root: &Oid,
        counters: &mut Counters,
    ) -> impl Future<Output = Result<Vec<Varbind>, SourceError>> + Send;

    /// Every cell under each of `roots`: the same as walking each in turn (each
    /// column's cells in order, the columns in the order given). The SNMP client walks
    /// them side by side, one GETBULK for all, so a table's columns cost about the
    /// PDUs of one.
    fn walk_columns(
        &mut self,
        roots: &[Oid],
        counters: &mut Counters,
    ) -> impl Future<Output = Result<Vec<Varbind>, SourceError>> + Send {
        async move {
            let mut out = Vec::new();
            for root in roots {
                out.extend(self.walk(root, counters).await?);
            }
            Ok(out)
        }
    }
}

/// The cells of `oids` the device has: one GET (in as many PDUs as it takes), the
/// cells it lacks left out; nothing asked, nothing sent.
pub async fn get_present<T: Transport>(
    transport: &mut T,
    oids: &[Oid],
    counters: &mut Counters,
) -> Result<Vec<Varbind>, SourceError> {
    if oids.is_empty() {
        return Ok(Vec::new());
    }
    let mut answers = transport.get(oids, counters).await?;
    answers.retain(|(_, v)| !v.is_absent());
    Ok(answers)
}

impl Transport for Client {
    async fn get(
        &mut self,
        oids: &[Oid],
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        Client::get(self, oids, counters).await
    }

    async fn walk(
        &mut self,
        root: &Oid,
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        Client::walk(self, root, counters).await
    }

    async fn walk_columns(
        &mut self,
        roots: &[Oid],
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        Client::walk_columns(self, roots, counters).await
    }
}

/// A device played back from a recorded walk. Each GET and each walk counts as one
/// request, so tests can also check how much a discovery or a poll asks.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    cells: BTreeMap<Oid, Value>,
}

impl Replay {
    /// A device from snmprec text: one `OID|TYPE|VALUE` per line (types 2 Integer32,
    /// 4 OCTET STRING, 4x hex, 6 OID, 64 IpAddress, 65 Counter32, 66 Gauge32,
    /// 67 TimeTicks, 70 Counter64; snmpsim's `TYPE:variation` tags are ignored).
    /// Lines that cannot be read are errors naming the line.
    pub fn from_snmprec(text: &str) -> Result<Replay, String> {
        let (replay, skipped) = Self::from_snmprec_skipping(text);
        match skipped.into_iter().next() {
            Some(first) => Err(first),
            None => Ok(replay),
        }
    }

    /// [`Replay::from_snmprec`] that skips the lines it cannot read instead of
    /// refusing the walk, and returns them (each "line N: why"). Real captures hold
    /// cells that their publishers sanitised into values that are not valid snmprec
    /// (an IpAddress `<private>`, an odd-length hex string); one such cell must not
    /// cost the rest of the walk.
    pub fn from_snmprec_skipping(text: &str) -> (Replay, Vec<String>) {
        let mut cells = BTreeMap::new();
        let mut skipped = Vec::new();
        for (n, line) in text.lines().enumerate() {
            match snmprec_line(line) {
                Ok(Some((oid, v))) => {
                    cells.insert(oid, v);
                }
                Ok(None) => {}
                Err(e) => skipped.push(format!("line {}: {e}", n + 1)),
            }
        }
        (Replay { cells }, skipped)
    }

    /// Sets one cell (a test changes the device between polls).
    pub fn set(&mut self, oid: Oid, value: Value) {
        self.cells.insert(oid, value);
    }

    /// Removes one cell.
    pub fn remove(&mut self, oid: &Oid) {
        self.cells.remove(oid);
    }
}

/// One line of snmprec text: its cell, `None` for a blank or comment line, or why it
/// is not valid snmprec.
pub fn snmprec_line(line: &str) -> Result<Option<(Oid, Value)>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let mut parts = line.splitn(3, '|');
    let (Some(oid), Some(tag), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("not OID|TYPE|VALUE".to_string());
    };
    let oid: Oid = oid.parse()?;
    // "2:writecache" (a variation) keeps its type; "value=1" is its value.
    let kind = tag.split(':').next().unwrap_or(tag);
    let raw = value.strip_prefix("value=").unwrap_or(value);
    Ok(Some((oid, snmprec_value(kind, raw)?)))
}

fn snmprec_value(kind: &str, raw: &str) -> Result<Value, String> {
    let int = || {
        raw.trim()
            .parse::<i64>()
            .map_err(|e| format!("{raw:?}: {e}"))
    };
    let unsigned = || {
        raw.trim()
            .parse::<u64>()
            .map_err(|e| format!("{raw:?}: {e}"))
    };
    let small = |v: u64| u32::try_from(v).map_err(|_| format!("{raw:?} does not fit 32 bits"));
    Ok(match kind {
        "2" => Value::Integer(int()?),
        "4" => Value::OctetString(raw.as_bytes().to_vec()),
        "4x" => Value::OctetString(hex(raw)?),
        "6" => Value::ObjectId(raw.parse()?),
        "64" => {
            let b: Vec<u8> = raw
                .split('.')
                .map(|p| p.parse::<u8>().map_err(|e| format!("{raw:?}: {e}")))
                .collect::<Result<_, _>>()?;
            let a: [u8; 4] = b
                .try_into()
                .map_err(|_| format!("{raw:?} is not an IPv4 address"))?;
            Value::IpAddress(a)
        }
        "65" => Value::Counter32(small(unsigned()?)?),
        "66" => Value::Gauge32(small(unsigned()?)?),
        "67" => Value::TimeTicks(small(unsigned()?)?),
        "70" => Value::Counter64(unsigned()?),
        "5" => Value::Null,
        _ => Value::Other,
    })
}

fn hex(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        // The length, not the text: a long cell would fill the message.
        return Err(format!("odd hex length ({} digits)", s.len()));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            // Byte offsets: a non-ASCII character is no hex digit (and must not be
            // cut in half).
            s.get(i..i + 2)
                .filter(|pair| pair.is_ascii())
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("not hex at digit {}", i + 1))
        })
        .collect()
}

impl Transport for Replay {
    async fn get(
        &mut self,
        oids: &[Oid],
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        counters.requests += 1;
        counters.varbinds += oids.len() as u64;
        Ok(oids
            .iter()
            .map(|o| {
                let v = self.cells.get(o).cloned().unwrap_or(Value::NoSuchInstance);
                (o.clone(), v)
            })
            .collect())
    }

    async fn walk(
        &mut self,
        root: &Oid,
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        counters.requests += 1;
        let out: Vec<Varbind> = self
            .cells
            .range(root.clone()..)
            .take_while(|(o, _)| o.starts_with(root))
            .map(|(o, v)| (o.clone(), v.clone()))
            .collect();
        counters.varbinds += out.len() as u64;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::oid;

    #[test]
    fn snmprec_lines_become_cells_and_walks_stay_in_their_subtree() {
        let text = "1.3.6.1.2.1.1.3.0|67|12345\n1.3.6.1.2.1.2.2.1.2.1|4|Hu0/0/1\n1.3.6.1.2.1.2.2.1.2.2|4x|48753020\n1.3.6.1.2.1.2.2.1.8.1|2:writecache|value=1\n1.3.6.1.2.1.2.2.1.10.1|65|7\n";
        let mut r = Replay::from_snmprec(text).unwrap();
        let mut c = Counters::default();
        let walked = futures_lite(r.walk(&oid("1.3.6.1.2.1.2.2.1.2"), &mut c));
        assert_eq!(walked.len(), 2);
        assert_eq!(walked[0].1, Value::OctetString(b"Hu0/0/1".to_vec()));
        let got = futures_lite(r.get(
            &[oid("1.3.6.1.2.1.2.2.1.8.1"), oid("1.3.6.1.2.1.1.5.0")],
            &mut c,
        ));
        assert_eq!(got[0].1, Value::Integer(1));
        assert_eq!(got[1].1, Value::NoSuchInstance);
        assert_eq!(c.requests, 2);
        assert!(Replay::from_snmprec("1.3.6|2|x")
            .unwrap_err()
            .starts_with("line 1"));
    }

    #[test]
    fn a_line_that_is_not_snmprec_is_skipped_and_counted_not_the_walk() {
        // Cells as upstream sanitised them: an IpAddress "<private>", odd hex.
        let text = "1.3.6.1.2.1.1.5.0|4|r1\n1.3.6.1.4.1.9.9.168.1.2.1.1.3.1|64|<private>\n1.3.6.1.2.1.17.7.1.4.2.1.4.0.1|4x|fff\n1.3.6.1.2.1.1.3.0|67|5\n";
        assert!(Replay::from_snmprec(text)
            .unwrap_err()
            .starts_with("line 2"));
        let (mut r, skipped) = Replay::from_snmprec_skipping(text);
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert!(skipped[1].starts_with("line 3"), "{skipped:?}");
        // Not hex, and not ASCII: an error, never a panic.
        let (_, skipped) =
            Replay::from_snmprec_skipping("1.3.6.1.2.1.1.5.0|4x|zz\n1.3.6.1.2.1.1.6.0|4x|0é0\n");
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        let mut c = Counters::default();
        let got = futures_lite(r.get(
            &[oid("1.3.6.1.2.1.1.5.0"), oid("1.3.6.1.2.1.1.3.0")],
            &mut c,
        ));
        assert_eq!(got[0].1, Value::OctetString(b"r1".to_vec()));
        assert_eq!(got[1].1, Value::TimeTicks(5));
    }

    /// Runs a future that never waits (the replay's).
    fn futures_lite<T>(f: impl Future<Output = Result<T, SourceError>>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
            .unwrap()
    }
}
