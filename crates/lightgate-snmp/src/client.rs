//! A thin SNMP client over snmp2's `AsyncSession`: GETs packed into as few PDUs as the
//! agent accepts (split on tooBig), walks with GETBULK (GETNEXT on v1), per-request
//! timeouts with doubling retries, stale replies discarded, every varbind converted to
//! owned data, and a count of request PDUs and varbinds for the self-metrics.

use std::time::Duration;

use snmp2::{AsyncSession, Error as SnmpError};

use super::settings::{AuthProtocol, PrivProtocol, SecurityLevel, SnmpSettings, SnmpVersion};
use super::types::{oid_from_snmp2, oid_to_snmp2, Oid, Value, Varbind};
use lightgate_core::retry::Backoff;
use lightgate_core::source::SourceError;

/// How many stale or mismatched replies one request may discard before giving up.
const MAX_DISCARDS: u32 = 8;
/// error-status values (RFC 3416).
const TOO_BIG: u32 = 1;
const NO_SUCH_NAME: u32 = 2;

/// Request and varbind counts, cumulative over a source's life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Request PDUs sent, retries included.
    pub requests: u64,
    /// Varbinds received in responses.
    pub varbinds: u64,
}

enum Op<'a> {
    Get(&'a [Oid]),
    Next(&'a Oid),
    /// GETBULK of these OIDs (non-repeaters 0) with these max-repetitions.
    Bulk(&'a [Oid], u32),
}

/// One session with one device.
pub struct Client {
    session: AsyncSession,
    timeout: Duration,
    retries: u32,
    max_repetitions: u32,
    max_get: usize,
    /// The configured varbinds per request: a GETBULK of several columns asks for at
    /// most this many cells (the repetitions shared among the columns).
    max_varbinds: usize,
    version: SnmpVersion,
}

fn transport(e: impl std::fmt::Display) -> SourceError {
    SourceError::Transport(e.to_string())
}

impl Client {
    /// Opens a session (and, for v3, discovers the engine and authenticates).
    pub async fn connect(s: &SnmpSettings, counters: &mut Counters) -> Result<Client, SourceError> {
        let req_id = initial_request_id();
        let session = match s.version {
            SnmpVersion::V1 | SnmpVersion::V2c => {
                let community = s
                    .community
                    .as_ref()
                    .map(|c| c.expose().as_bytes())
                    .unwrap_or(b"");
                let r = if s.version == SnmpVersion::V1 {
                    AsyncSession::new_v1(s.address.as_str(), community, req_id).await
                } else {
                    AsyncSession::new_v2c(s.address.as_str(), community, req_id).await
                };
                r.map_err(|e| {
                    transport(format!("cannot open a UDP session to {}: {e}", s.address))
                })?
            }
            SnmpVersion::V3 => {
                let v3 =
                    s.v3.as_ref()
                        .ok_or_else(|| SourceError::Auth("SNMPv3 without user settings".into()))?;
                if let Some(p) = v3.problems().into_iter().next() {
                    return Err(SourceError::Auth(p));
                }
                let mut session = AsyncSession::new_v3(s.address.as_str(), req_id, security(v3))
                    .await
                    .map_err(|e| {
                        transport(format!("cannot open a UDP session to {}: {e}", s.address))
                    })?;
                let mut waits = request_waits(s.request_timeout);
                let mut result = Err(SourceError::Timeout(format!(
                    "no answer to SNMPv3 engine discovery from {}",
                    s.address
                )));
                for _ in 0..=s.retries {
                    counters.requests += 2;
                    match tokio::time::timeout(waits.next_wait(), session.init()).await {
                        Ok(Ok(())) => {
                            result = Ok(());
                            break;
                        }
                        Ok(Err(e)) => {
                            result = Err(map_error(e));
                            if matches!(result, Err(SourceError::Auth(_))) {
                                break;
                            }
                        }
                        Err(_) => {}
                    }
                }
                result?;
                session
            }
        };
        Ok(Client {
            session,
            timeout: s.request_timeout,
            retries: s.retries,
            max_repetitions: s.max_repetitions.max(1),
            max_get: s.max_varbinds_per_request.max(1),
            max_varbinds: s.max_varbinds_per_request.max(1),
            version: s.version,
        })
    }

    /// How many varbinds a GET carries now (smaller after the agent said tooBig).
    pub fn max_get(&self) -> usize {
        self.max_get
    }

    /// Starts from a GET size learned in an earlier session with the same agent, so
    /// a tooBig is paid once per agent, not once per poll.
    pub fn set_max_get(&mut self, n: usize) {
        self.max_get = n.max(1);
    }

    /// GETs `oids`, in as few PDUs as possible; answers come back in request order.
    /// An OID the agent does not have comes back as NoSuchObject/NoSuchInstance.
    pub async fn get(
        &mut self,
        oids: &[Oid],
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        let mut out = Vec::with_capacity(oids.len());
        let mut start = 0;
        while start < oids.len() {
            let end = (start + self.max_get).min(oids.len());
            let chunk = &oids[start..end];
            let (status, index, vbs) = self.request(Op::Get(chunk), counters).await?;
            if status == TOO_BIG && chunk.len() > 1 {
                // Remember the smaller size for the rest of this session (and the
                // source keeps it for the next ones). Three quarters, not half: the
                // limit is usually near, and every PDU saved counts at scale.
                self.max_get = (chunk.len() * 3 / 4).max(1);
                continue;
            }
            if status == NO_SUCH_NAME && self.version == SnmpVersion::V1 {
                // v1 fails the whole PDU for one missing OID: mark it and ask again.
                let bad = (index as usize).checked_sub(1).filter(|i| *i < chunk.len());
                match bad {
                    Some(i) if chunk.len() > 1 => {
                        let (before, after) = (&chunk[..i], &chunk[i + 1..]);
                        let mut a = Box::pin(self.get(before, counters)).await?;
                        out.append(&mut a);
                        out.push((chunk[i].clone(), Value::NoSuchObject));
                        let mut b = Box::pin(self.get(after, counters)).await?;
                        out.append(&mut b);
                    }
                    _ => out.extend(chunk.iter().map(|o| (o.clone(), Value::NoSuchObject))),
                }
                start = end;
                continue;
            }
            if status != 0 {
                return Err(SourceError::Decode(format!(
                    "the agent answered error-status {status} at varbind {index}"
                )));
            }
            if vbs.len() != chunk.len() || vbs.iter().zip(chunk).any(|((got, _), want)| got != want)
            {
                return Err(SourceError::Decode(format!(
                    "the response does not match the request ({} varbinds for {} requested)",
                    vbs.len(),
                    chunk.len()
                )));
            }
            out.extend(vbs);
            start = end;
        }
        Ok(out)
    }

    /// Walks the subtree under `root`, in order.
    pub async fn walk(
        &mut self,
        root: &Oid,
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        self.walk_columns(std::slice::from_ref(root), counters)
            .await
    }

    /// Walks the subtrees under `roots` side by side, as `snmptable` does: one GETBULK
    /// asks for the next `max_repetitions` cells of every column still going, so the
    /// columns of a table cost about the PDUs of one response-sized stream, not one
    /// stream each. The answer is the same as walking each root in turn: each column's
    /// cells in order, the columns in the order given.
    ///
    /// A GETBULK answer lists repetition after repetition, each with one cell per
    /// column asked (RFC 3416 4.2.3), and an agent may cut it short anywhere to fit its
    /// message size: a column that got nothing this time is asked again from where it
    /// stood. A column ends when its next cell is outside its subtree or the MIB ends.
    /// A request asks for at most `max_varbinds_per_request` cells in all, the
    /// repetitions shared among its columns. On tooBig the repetitions are halved, then
    /// the columns asked at once.
    pub async fn walk_columns(
        &mut self,
        roots: &[Oid],
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        if self.version == SnmpVersion::V1 {
            let mut out = Vec::new();
            for root in roots {
                out.extend(self.walk_next(root, counters).await?);
            }
            return Ok(out);
        }
        let mut columns: Vec<Vec<Varbind>> = vec![Vec::new(); roots.len()];
        // Where column `c` stands: its last cell, or its root before the first.
        let cursor = |columns: &[Vec<Varbind>], c: usize| -> Oid {
            columns[c].last().map_or(&roots[c], |(o, _)| o).clone()
        };
        // The columns still going, by position in `roots`, asked in OID order: then an
        // agent that lists its answer column by column instead of repetition by
        // repetition puts a cell before the cursor of the column it is read for, which
        // is refused below, instead of ending that column early without a word.
        let mut active: Vec<usize> = (0..roots.len()).collect();
        active.sort_by(|a, b| roots[*a].cmp(&roots[*b]));
        let mut reps = self.max_repetitions;
        let mut max_width = roots.len();
        let mut asked: Vec<Oid> = Vec::with_capacity(roots.len());
        while !active.is_empty() {
            let width = active.len().min(max_width);
            asked.clear();
            asked.extend(active[..width].iter().map(|c| cursor(&columns, *c)));
            // At most `max_varbinds_per_request` cells in all (never less than one row):
            // an agent may build the whole answer before it cuts it to size, and 46
            // lane tables at 25 repetitions would ask it for 1150.
            let share = u32::try_from(self.max_varbinds / width).unwrap_or(u32::MAX);
            let asked_reps = reps.min(share).max(1);
            let (status, _, vbs) = self.request(Op::Bulk(&asked, asked_reps), counters).await?;
            if status == TOO_BIG && asked_reps > 1 {
                reps = (asked_reps / 2).max(1);
                continue;
            }
            if status == TOO_BIG && width > 1 {
                max_width = width / 2;
                continue;
            }
            if status == NO_SUCH_NAME {
                break;
            }
            if status != 0 {
                return Err(SourceError::Decode(format!(
                    "the agent answered error-status {status} while walking {}",
                    roots[active[0]]
                )));
            }
            if vbs.is_empty() {
                break;
            }
            let mut finished = vec![false; width];
            for (i, (o, v)) in vbs.into_iter().enumerate() {
                let k = i % width;
                if finished[k] {
                    continue;
                }
                let c = active[k];
                if matches!(v, Value::EndOfMibView) {
                    finished[k] = true;
                    continue;
                }
                // Every cell comes after the one before it in its column (the cell it
                // was asked after), the one past the column's end included.
                let before = columns[c].last().map_or(&asked[k], |(o, _)| o);
                if o <= *before {
                    return Err(SourceError::Decode(format!(
                        "the agent walked backwards at {o} (after {before})"
                    )));
                }
                if !o.starts_with(&roots[c]) {
                    finished[k] = true;
                    continue;
                }
                columns[c].push((o, v));
            }
            let mut k = 0;
            active.retain(|_| {
                let keep = k >= width || !finished[k];
                k += 1;
                keep
            });
        }
        let mut columns = columns.into_iter();
        let mut out = columns.next().unwrap_or_default();
        for column in columns {
            out.extend(column);
        }
        Ok(out)
    }

    /// Walks one subtree with GETNEXT (SNMPv1, which has no GETBULK).
    async fn walk_next(
        &mut self,
        root: &Oid,
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        let mut out: Vec<Varbind> = Vec::new();
        let mut cursor = root.clone();
        loop {
            let (status, _, vbs) = self.request(Op::Next(&cursor), counters).await?;
            if status == NO_SUCH_NAME {
                return Ok(out); // v1 end of MIB
            }
            if status != 0 {
                return Err(SourceError::Decode(format!(
                    "the agent answered error-status {status} while walking {root}"
                )));
            }
            if vbs.is_empty() {
                return Ok(out);
            }
            for (o, v) in vbs {
                if matches!(v, Value::EndOfMibView) || !o.starts_with(root) {
                    return Ok(out);
                }
                if o <= cursor {
                    return Err(SourceError::Decode(format!(
                        "the agent walked backwards at {o} (after {cursor})"
                    )));
                }
                cursor = o.clone();
                out.push((o, v));
            }
        }
    }

    async fn request(
        &mut self,
        op: Op<'_>,
        counters: &mut Counters,
    ) -> Result<(u32, u32, Vec<Varbind>), SourceError> {
        let mut waits = request_waits(self.timeout);
        let mut attempts = 0;
        let mut discards = 0;
        let mut last =
            SourceError::Timeout(format!("no answer after {} attempts", self.retries + 1));
        while attempts <= self.retries {
            counters.requests += 1;
            let wait = waits.next_wait();
            let answer = tokio::time::timeout(wait, send(&mut self.session, &op)).await;
            match answer {
                Ok(Ok((status, index, vbs))) => {
                    counters.varbinds += vbs.len() as u64;
                    return Ok((status, index, vbs));
                }
                // A late answer to an earlier request, or someone else's: discard it
                // and ask again, without spending a retry.
                Ok(Err(SnmpError::RequestIdMismatch | SnmpError::CommunityMismatch))
                    if discards < MAX_DISCARDS =>
                {
                    discards += 1;
                    continue;
                }
                Ok(Err(e)) => {
                    last = map_error(e);
                    if matches!(last, SourceError::Auth(_)) {
                        return Err(last);
                    }
                }
                Err(_) => {
                    last = SourceError::Timeout(format!(
                        "no answer after {} attempts (last wait {})",
                        attempts + 1,
                        lightgate_core::domain::format_duration(wait)
                    ));
                }
            }
            attempts += 1;
        }
        Err(last)
    }
}

/// How long each try of a request waits for its answer: the configured timeout,
/// doubling with each retry (an agent that is slow under load gets longer).
fn request_waits(timeout: Duration) -> Backoff {
    Backoff::new(timeout, Duration::MAX)
}

async fn send(
    session: &mut AsyncSession,
    op: &Op<'_>,
) -> Result<(u32, u32, Vec<Varbind>), SnmpError> {
    // The requested OIDs, encoded; a GET's answers are compared with these.
    let mut encoded: Vec<snmp2::Oid<'static>> = Vec::new();
    let pdu = match op {
        Op::Get(oids) => {
            encoded = to_snmp2_oids(oids)?;
            let refs: Vec<&snmp2::Oid<'_>> = encoded.iter().collect();
            session.get_many(&refs).await?
        }
        Op::Next(o) => {
            let o = oid_to_snmp2(o).ok_or(SnmpError::ValueOutOfRange)?;
            session.getnext(&o).await?
        }
        Op::Bulk(oids, reps) => {
            let owned = to_snmp2_oids(oids)?;
            let refs: Vec<&snmp2::Oid<'_>> = owned.iter().collect();
            session.getbulk(&refs, 0, *reps).await?
        }
    };
    // A GET's answers name the requested OIDs in order: reuse those (a reference
    // count) rather than decode and allocate every OID again; the same OID has the
    // same BER bytes. Anything else is decoded, and the caller sees the mismatch.
    let asked: &[Oid] = match op {
        Op::Get(oids) => oids,
        _ => &[],
    };
    let vbs = pdu
        .varbinds
        .clone()
        .enumerate()
        .map(|(i, (o, v))| {
            let oid = match (asked.get(i), encoded.get(i)) {
                (Some(want), Some(bytes)) if bytes.as_bytes() == o.as_bytes() => want.clone(),
                _ => oid_from_snmp2(&o),
            };
            (oid, Value::from(&v))
        })
        .collect();
    Ok((pdu.error_status, pdu.error_index, vbs))
}

fn to_snmp2_oids(oids: &[Oid]) -> Result<Vec<snmp2::Oid<'static>>, SnmpError> {
    oids.iter()
        .map(|o| oid_to_snmp2(o).ok_or(SnmpError::ValueOutOfRange))
        .collect()
}

/// Maps snmp2's errors to lightgate's kinds, with words an operator understands.
fn map_error(e: SnmpError) -> SourceError {
    match e {
        SnmpError::AuthFailure(kind) => SourceError::Auth(format!(
            "SNMPv3 authentication failed ({kind}); check the user, protocols and passwords"
        )),
        SnmpError::Crypto(m) => SourceError::Auth(format!("SNMPv3 crypto error: {m}")),
        SnmpError::Send => transport("cannot send to the device"),
        SnmpError::Receive => {
            transport("cannot receive from the device (connection refused or unreachable?)")
        }
        other => SourceError::Decode(format!("unreadable answer: {other}")),
    }
}

/// The snmp2 USM state for `v3` (public for the fuzz tests of v3 answer parsing).
pub fn security(v3: &super::settings::V3Settings) -> snmp2::v3::Security {
    use snmp2::v3;
    let auth_pw = v3
        .auth_password
        .as_ref()
        .map(|p| p.expose().as_bytes())
        .unwrap_or(b"");
    let auth = match v3.level {
        SecurityLevel::NoAuthNoPriv => v3::Auth::NoAuthNoPriv,
        SecurityLevel::AuthNoPriv => v3::Auth::AuthNoPriv,
        SecurityLevel::AuthPriv => v3::Auth::AuthPriv {
            cipher: match v3.priv_protocol {
                PrivProtocol::Des => v3::Cipher::Des,
                PrivProtocol::Aes128 => v3::Cipher::Aes128,
                PrivProtocol::Aes192 => v3::Cipher::Aes192,
                PrivProtocol::Aes256 => v3::Cipher::Aes256,
            },
            privacy_password: v3
                .priv_password
                .as_ref()
                .map(|p| p.expose().as_bytes().to_vec())
                .unwrap_or_default(),
        },
    };
    let proto = match v3.auth_protocol {
        AuthProtocol::Md5 => v3::AuthProtocol::Md5,
        AuthProtocol::Sha1 => v3::AuthProtocol::Sha1,
        AuthProtocol::Sha224 => v3::AuthProtocol::Sha224,
        AuthProtocol::Sha256 => v3::AuthProtocol::Sha256,
        AuthProtocol::Sha384 => v3::AuthProtocol::Sha384,
        AuthProtocol::Sha512 => v3::AuthProtocol::Sha512,
    };
    let mut sec = v3::Security::new(v3.user.as_bytes(), auth_pw)
        .with_auth(auth)
        .with_auth_protocol(proto)
        // net-snmp and most routers extend short AES-192/256 keys the Reeder way.
        .with_key_extension_method(v3::KeyExtension::Reeder);
    if let Some(ctx) = &v3.context {
        sec = sec.with_context_name(ctx);
    }
    sec
}

/// A request id that differs between sessions, so a late reply to an old session's
/// request is not mistaken for an answer.
fn initial_request_id() -> i32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(1);
    (nanos & 0x3fff_ffff) as i32
}
