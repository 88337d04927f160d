//! SNMPv3 for the simulated routers: the User-based Security Model (RFC 3414) as the
//! authoritative engine, with HMAC-MD5/SHA-1 (RFC 3414) and HMAC-SHA-2 (RFC 7860)
//! authentication and AES-128 privacy (RFC 3826). Enough for lightgate's, net-snmp's and
//! snmp_exporter's v3 clients: engine discovery by report, then authenticated (and
//! encrypted) requests. One user per fleet, keys localized to each router's engine ID.
//!
//! Simplifications a simulator can afford: the time window (RFC 3414 3.2.7) is not
//! enforced, so no notInTimeWindow reports; a wrong digest is dropped (and counted)
//! rather than reported; AES-128 is the only privacy protocol.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use aes::cipher::{AsyncStreamCipher, KeyIvInit};
use hmac::{Hmac, Mac};
use sha2::Digest;
use snmp2::{AsnReader, Pdu};

use super::ber;
use super::device::{SimDevice, Snapshot};
use super::respond::{answer_pdu, Answer, Dropped};
use lightgate_snmp::types::{oid, Value};

const SEQUENCE: u8 = 0x30;
const FLAG_AUTH: u8 = 0x01;
const FLAG_PRIV: u8 = 0x02;
const FLAG_REPORTABLE: u8 = 0x04;
/// Headers of a v3 response around its varbinds, at most (security parameters with a
/// 48-byte SHA-512 MAC, engine ID, user, scoped PDU).
const V3_OVERHEAD: usize = 200;

pub use lightgate_snmp::settings::AuthProtocol;

macro_rules! each_hash {
    ($p:expr, $h:ident => $body:expr) => {
        match $p {
            AuthProtocol::Md5 => {
                type $h = md5::Md5;
                $body
            }
            AuthProtocol::Sha1 => {
                type $h = sha1::Sha1;
                $body
            }
            AuthProtocol::Sha224 => {
                type $h = sha2::Sha224;
                $body
            }
            AuthProtocol::Sha256 => {
                type $h = sha2::Sha256;
                $body
            }
            AuthProtocol::Sha384 => {
                type $h = sha2::Sha384;
                $body
            }
            AuthProtocol::Sha512 => {
                type $h = sha2::Sha512;
                $body
            }
        }
    };
}

/// USM hashing for a simulated agent: lightgate's authentication protocols, with the
/// key derivation and MACs an agent needs (the client side lives in snmp2).
pub trait UsmHash {
    fn mac_len(&self) -> usize;
    fn digest(&self, parts: &[&[u8]]) -> Vec<u8>;
    fn mac(&self, key: &[u8], data: &[u8]) -> Vec<u8>;
    fn password_to_key(&self, password: &[u8]) -> Vec<u8>;
    fn localize(&self, ku: &[u8], engine_id: &[u8]) -> Vec<u8>;
}

impl UsmHash for AuthProtocol {
    /// Length of msgAuthenticationParameters (the truncated MAC).
    fn mac_len(&self) -> usize {
        match self {
            AuthProtocol::Md5 | AuthProtocol::Sha1 => 12,
            AuthProtocol::Sha224 => 16,
            AuthProtocol::Sha256 => 24,
            AuthProtocol::Sha384 => 32,
            AuthProtocol::Sha512 => 48,
        }
    }

    fn digest(&self, parts: &[&[u8]]) -> Vec<u8> {
        each_hash!(self, H => {
            let mut h = H::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().to_vec()
        })
    }

    fn mac(&self, key: &[u8], data: &[u8]) -> Vec<u8> {
        each_hash!(self, H => {
            let mut m = <Hmac<H> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
            m.update(data);
            m.finalize().into_bytes().to_vec()
        })
    }

    /// Password to key (RFC 3414 A.2): the hash of a megabyte of the password repeated.
    fn password_to_key(&self, password: &[u8]) -> Vec<u8> {
        if password.is_empty() {
            return Vec::new();
        }
        each_hash!(self, H => {
            let mut h = H::new();
            let mut block = [0u8; 64];
            let mut at = 0usize;
            for _ in 0..(1_048_576 / 64) {
                for b in block.iter_mut() {
                    *b = password[at % password.len()];
                    at += 1;
                }
                h.update(block);
            }
            h.finalize().to_vec()
        })
    }

    /// The key localized to an engine: H(Ku || engineID || Ku).
    fn localize(&self, ku: &[u8], engine_id: &[u8]) -> Vec<u8> {
        self.digest(&[ku, engine_id, ku])
    }
}

/// The v3 user the simulated routers accept.
#[derive(Clone)]
pub struct V3User {
    pub name: String,
    pub auth: AuthProtocol,
    pub auth_password: String,
    /// With a privacy password, requests must be authPriv (AES-128).
    pub priv_password: Option<String>,
}

impl fmt::Debug for V3User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V3User")
            .field("name", &self.name)
            .field("auth", &self.auth)
            .field("auth_password", &"<redacted>")
            .field(
                "priv_password",
                &self.priv_password.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// One router's authoritative engine with the user's keys localized to it.
pub struct Engine {
    pub id: Vec<u8>,
    boots: i64,
    started: Instant,
    user: Vec<u8>,
    auth: AuthProtocol,
    auth_key: Vec<u8>,
    priv_key: Option<[u8; 16]>,
    salt: AtomicU64,
    reports: AtomicU64,
}

/// Master keys of the user (password-to-key is a megabyte of hashing: done once per
/// fleet, then localized per router).
pub struct MasterKeys {
    user: V3User,
    auth_ku: Vec<u8>,
    priv_ku: Option<Vec<u8>>,
}

impl MasterKeys {
    pub fn new(user: &V3User) -> MasterKeys {
        MasterKeys {
            user: user.clone(),
            auth_ku: user.auth.password_to_key(user.auth_password.as_bytes()),
            priv_ku: user
                .priv_password
                .as_ref()
                .map(|p| user.auth.password_to_key(p.as_bytes())),
        }
    }

    /// The engine of router `name`.
    pub fn engine(&self, name: &str) -> Engine {
        // RFC 3411 engine ID: enterprise 8072 (net-snmp), format 4 (text).
        let mut id = vec![0x80, 0x00, 0x1f, 0x88, 0x04];
        id.extend_from_slice(format!("lightgate-{name}").as_bytes());
        let auth = self.user.auth;
        let priv_key = self.priv_ku.as_ref().map(|ku| {
            let k = auth.localize(ku, &id);
            let mut key = [0u8; 16];
            key.copy_from_slice(&k[..16]);
            key
        });
        Engine {
            auth_key: auth.localize(&self.auth_ku, &id),
            id,
            boots: 1,
            started: Instant::now(),
            user: self.user.name.as_bytes().to_vec(),
            auth,
            priv_key,
            salt: AtomicU64::new(0x5eed),
            reports: AtomicU64::new(0),
        }
    }
}

fn garbled(e: impl fmt::Display) -> Dropped {
    Dropped::Garbled(e.to_string())
}

/// The parts of a v3 message the engine needs.
struct Incoming<'a> {
    msg_id: i64,
    flags: u8,
    engine_id: &'a [u8],
    boots: i64,
    time: i64,
    user: &'a [u8],
    /// Offset and length of msgAuthenticationParameters in the message.
    auth_at: (usize, usize),
    priv_params: &'a [u8],
    /// The scoped PDU, or its ciphertext when FLAG_PRIV is set.
    data: &'a [u8],
}

fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

fn parse(bytes: &[u8]) -> Result<Incoming<'_>, Dropped> {
    let msg = AsnReader::from_bytes(bytes)
        .read_raw(SEQUENCE)
        .map_err(garbled)?;
    let mut m = AsnReader::from_bytes(msg);
    if m.read_asn_integer().map_err(garbled)? != 3 {
        return Err(Dropped::Garbled("not SNMPv3".into()));
    }
    let global = m.read_raw(SEQUENCE).map_err(garbled)?;
    let mut g = AsnReader::from_bytes(global);
    let msg_id = g.read_asn_integer().map_err(garbled)?;
    let _max_size = g.read_asn_integer().map_err(garbled)?;
    let flags = g
        .read_asn_octetstring()
        .map_err(garbled)?
        .first()
        .copied()
        .unwrap_or(0);
    if g.read_asn_integer().map_err(garbled)? != 3 {
        return Err(Dropped::Unsupported("a security model other than USM"));
    }
    let params = m.read_asn_octetstring().map_err(garbled)?;
    let seq = AsnReader::from_bytes(params)
        .read_raw(SEQUENCE)
        .map_err(garbled)?;
    let mut p = AsnReader::from_bytes(seq);
    let engine_id = p.read_asn_octetstring().map_err(garbled)?;
    let boots = p.read_asn_integer().map_err(garbled)?;
    let time = p.read_asn_integer().map_err(garbled)?;
    let user = p.read_asn_octetstring().map_err(garbled)?;
    let auth = p.read_asn_octetstring().map_err(garbled)?;
    let priv_params = p.read_asn_octetstring().map_err(garbled)?;
    let data = if flags & FLAG_PRIV != 0 {
        m.read_asn_octetstring().map_err(garbled)?
    } else {
        m.read_raw(SEQUENCE).map_err(garbled)?
    };
    Ok(Incoming {
        msg_id,
        flags,
        engine_id,
        boots,
        time,
        user,
        auth_at: (offset_in(bytes, auth), auth.len()),
        priv_params,
        data,
    })
}

/// The PDU inside a scoped PDU, parsed by snmp2 (wrapped as a v2c message, whose
/// community is not looked at), and the context name.
fn scoped_pdu(scoped: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Dropped> {
    let mut r = AsnReader::from_bytes(scoped);
    let _context_engine = r.read_asn_octetstring().map_err(garbled)?;
    let context = r.read_asn_octetstring().map_err(garbled)?.to_vec();
    let pdu_tlv = &scoped[scoped.len() - r.bytes_left()..];
    let mut inner = Vec::with_capacity(pdu_tlv.len() + 8);
    ber::integer(&mut inner, 1);
    ber::octets(&mut inner, b"v3");
    inner.extend_from_slice(pdu_tlv);
    let mut wrapped = Vec::with_capacity(inner.len() + 4);
    ber::sequence(&mut wrapped, &inner);
    Ok((wrapped, context))
}

impl Engine {
    fn time(&self) -> i64 {
        self.started.elapsed().as_secs() as i64
    }

    fn iv(boots: i64, time: i64, salt: &[u8]) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv[..4].copy_from_slice(&(boots as u32).to_be_bytes());
        iv[4..8].copy_from_slice(&(time as u32).to_be_bytes());
        iv[8..].copy_from_slice(&salt[..8]);
        iv
    }

    /// Builds a whole message: `scoped` encrypted when `flags` says so, MAC filled in
    /// when it says auth.
    fn message(&self, msg_id: i64, flags: u8, scoped: &[u8]) -> Vec<u8> {
        let time = self.time();
        let (data, salt) = match (flags & FLAG_PRIV != 0, self.priv_key) {
            (true, Some(key)) => {
                let salt = self.salt.fetch_add(1, Ordering::Relaxed).to_be_bytes();
                let mut buf = scoped.to_vec();
                cfb_mode::Encryptor::<aes::Aes128>::new(
                    &key.into(),
                    &Self::iv(self.boots, time, &salt).into(),
                )
                .encrypt(&mut buf);
                let mut d = Vec::with_capacity(buf.len() + 4);
                ber::octets(&mut d, &buf);
                (d, salt.to_vec())
            }
            _ => (scoped.to_vec(), Vec::new()),
        };
        let mac_len = if flags & FLAG_AUTH != 0 {
            self.auth.mac_len()
        } else {
            0
        };
        let mut sp = Vec::with_capacity(128);
        ber::octets(&mut sp, &self.id);
        ber::integer(&mut sp, self.boots);
        ber::integer(&mut sp, time);
        ber::octets(
            &mut sp,
            if flags & FLAG_AUTH != 0 {
                &self.user
            } else {
                b""
            },
        );
        ber::octets(&mut sp, &vec![0u8; mac_len]);
        ber::octets(&mut sp, &salt);
        let mut params = Vec::with_capacity(sp.len() + 4);
        ber::sequence(&mut params, &sp);
        let mut global = Vec::with_capacity(24);
        ber::integer(&mut global, msg_id);
        ber::integer(&mut global, 65_507);
        ber::octets(&mut global, &[flags]);
        ber::integer(&mut global, 3);
        let mut body = Vec::with_capacity(data.len() + params.len() + 48);
        ber::integer(&mut body, 3);
        ber::sequence(&mut body, &global);
        ber::octets(&mut body, &params);
        body.extend_from_slice(&data);
        let mut out = Vec::with_capacity(body.len() + 4);
        ber::sequence(&mut out, &body);
        if mac_len > 0 {
            if let Ok(m) = parse(&out) {
                let (at, len) = m.auth_at;
                let mac = self.auth.mac(&self.auth_key, &out);
                out[at..at + len].copy_from_slice(&mac[..len]);
            }
        }
        out
    }

    fn scoped(&self, context: &[u8], pdu: &[u8]) -> Vec<u8> {
        let mut s = Vec::with_capacity(pdu.len() + self.id.len() + 16);
        ber::octets(&mut s, &self.id);
        ber::octets(&mut s, context);
        s.extend_from_slice(pdu);
        let mut out = Vec::with_capacity(s.len() + 4);
        ber::sequence(&mut out, &s);
        out
    }

    /// A Report-PDU carrying one usmStats counter (RFC 3414 3.2), unauthenticated.
    fn report(&self, msg_id: i64, request_id: i64, counter: &str) -> Vec<u8> {
        let n = self.reports.fetch_add(1, Ordering::Relaxed) + 1;
        let mut vbs = Vec::new();
        ber::varbind(&mut vbs, &oid(counter), &Value::Counter32(n as u32));
        let pdu = ber::pdu(ber::REPORT, request_id, 0, 0, &vbs);
        self.message(msg_id, 0, &self.scoped(b"", &pdu))
    }

    /// Answers one SNMPv3 datagram: a report for discovery or a USM error, or the
    /// response, authenticated and encrypted like the request.
    pub fn respond(
        &self,
        dev: &SimDevice,
        snap: &mut Snapshot,
        max_size: usize,
        bytes: &[u8],
    ) -> Result<Answer, Dropped> {
        let m = parse(bytes)?;
        let request_id = |scoped: &[u8]| {
            scoped_pdu(scoped)
                .ok()
                .and_then(|(w, _)| Pdu::from_bytes(&w).ok().map(|p| i64::from(p.req_id)))
                .unwrap_or(0)
        };
        let report = |counter: &str, why: &'static str| -> Result<Answer, Dropped> {
            if m.flags & FLAG_REPORTABLE == 0 {
                return Err(Dropped::Unsupported(why));
            }
            let rid = if m.flags & FLAG_PRIV == 0 {
                request_id(m.data)
            } else {
                0
            };
            Ok(Answer::report(self.report(m.msg_id, rid, counter)))
        };
        if m.engine_id != self.id.as_slice() {
            // Discovery (empty engine ID) or another engine's ID.
            return report("1.3.6.1.6.3.15.1.1.4.0", "unknown engine ID");
        }
        if m.user != self.user.as_slice() {
            return report("1.3.6.1.6.3.15.1.1.3.0", "unknown user name");
        }
        let wants_priv = self.priv_key.is_some();
        if m.flags & FLAG_AUTH == 0 || (wants_priv && m.flags & FLAG_PRIV == 0) {
            return report("1.3.6.1.6.3.15.1.1.1.0", "unsupported security level");
        }
        let (at, len) = m.auth_at;
        if len != self.auth.mac_len() {
            return Err(Dropped::Auth("wrong MAC length"));
        }
        let mut zeroed = bytes.to_vec();
        zeroed[at..at + len].iter_mut().for_each(|b| *b = 0);
        let mac = self.auth.mac(&self.auth_key, &zeroed);
        if mac[..len] != bytes[at..at + len] {
            return Err(Dropped::Auth("wrong digest"));
        }
        let scoped = if m.flags & FLAG_PRIV != 0 {
            let key = self
                .priv_key
                .ok_or(Dropped::Unsupported("privacy without a privacy password"))?;
            if m.priv_params.len() != 8 {
                return Err(Dropped::Garbled(
                    "AES privacy parameters are not 8 bytes".into(),
                ));
            }
            let mut buf = m.data.to_vec();
            cfb_mode::Decryptor::<aes::Aes128>::new(
                &key.into(),
                &Self::iv(m.boots, m.time, m.priv_params).into(),
            )
            .decrypt(&mut buf);
            buf
        } else {
            m.data.to_vec()
        };
        let inner = AsnReader::from_bytes(&scoped)
            .read_raw(SEQUENCE)
            .map_err(|_| Dropped::Auth("does not decrypt"))?;
        let (wrapped, context) = scoped_pdu(inner)?;
        let pdu = Pdu::from_bytes(&wrapped).map_err(garbled)?;
        let budget = max_size.saturating_sub(V3_OVERHEAD);
        let a = answer_pdu(dev, snap, 1, &pdu, budget)?;
        let response = ber::pdu(
            ber::RESPONSE,
            i64::from(pdu.req_id),
            a.error.0,
            a.error.1,
            &a.varbinds,
        );
        let flags = m.flags & (FLAG_AUTH | FLAG_PRIV);
        Ok(Answer {
            bytes: self.message(m.msg_id, flags, &self.scoped(&context, &response)),
            kind: Some(a.kind),
            varbinds_in: a.varbinds_in,
            varbinds_out: a.varbinds_out,
            too_big: a.too_big,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// RFC 3414 A.3.1 and A.3.2: "maplesyrup" localized to engine 000000000000000000000002.
    #[test]
    fn keys_match_the_rfc_3414_examples() {
        let engine = [0u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        let md5 = AuthProtocol::Md5.password_to_key(b"maplesyrup");
        assert_eq!(hex(&md5), "9faf3283884e92834ebc9847d8edd963");
        assert_eq!(
            hex(&AuthProtocol::Md5.localize(&md5, &engine)),
            "526f5eed9fcce26f8964c2930787d82b"
        );
        let sha = AuthProtocol::Sha1.password_to_key(b"maplesyrup");
        assert_eq!(hex(&sha), "9fb5cc0381497b3793528939ff788d5d79145211");
        assert_eq!(
            hex(&AuthProtocol::Sha1.localize(&sha, &engine)),
            "6695febc9288e36282235fc7151f128497b38f3f"
        );
    }

    #[test]
    fn passwords_stay_out_of_debug_output() {
        let u = V3User {
            name: "lg".into(),
            auth: AuthProtocol::Sha256,
            auth_password: "hunter2hunter2".into(),
            priv_password: Some("s3cr3tpriv".into()),
        };
        let d = format!("{u:?}");
        assert!(!d.contains("hunter2") && !d.contains("s3cr3t"), "{d}");
    }
}
