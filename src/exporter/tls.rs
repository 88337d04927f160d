//! The rustls server configuration of `tls_server_config`, as exporter-toolkit defines
//! it: certificate and key, client certificates (client_auth_type, client_ca_file,
//! client_allowed_sans), protocol versions (min_version, max_version), TLS 1.2 cipher
//! suites and key exchange groups (curve_preferences), with Go's names.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

use serde::Deserialize;
use std::path::PathBuf;

/// `tls_server_config`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TlsServerConfig {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    /// NoClientCert (default), RequireAndVerifyClientCert, VerifyClientCertIfGiven.
    #[serde(default)]
    pub client_auth_type: Option<String>,
    #[serde(default)]
    pub client_ca_file: Option<PathBuf>,
    /// Accepted for exporter-toolkit compatibility; rustls picks the server's order.
    #[serde(default)]
    pub prefer_server_cipher_suites: Option<bool>,
    /// TLS12 (default) or TLS13.
    #[serde(default)]
    pub min_version: Option<String>,
    /// TLS12 or TLS13 (default).
    #[serde(default)]
    pub max_version: Option<String>,
    /// TLS 1.2 suites by Go's names; TLS 1.3's are always offered.
    #[serde(default)]
    pub cipher_suites: Option<Vec<String>>,
    /// X25519, CurveP256, CurveP384.
    #[serde(default)]
    pub curve_preferences: Option<Vec<String>>,
    /// A client certificate must name one of these (DNS names or IP addresses).
    #[serde(default)]
    pub client_allowed_sans: Option<Vec<String>>,
}

/// A protocol version by exporter-toolkit's name.
fn version(name: &str) -> Result<&'static rustls::SupportedProtocolVersion, String> {
    match name {
        "TLS12" => Ok(&rustls::version::TLS12),
        "TLS13" => Ok(&rustls::version::TLS13),
        "TLS10" | "TLS11" => Err(format!(
            "{name} is not offered (rustls speaks TLS 1.2 and 1.3 only)"
        )),
        other => Err(format!("unknown TLS version {other:?} (TLS12 or TLS13)")),
    }
}

/// Go's name of a TLS 1.2 cipher suite to rustls' (TLS 1.3 suites are not chosen in
/// exporter-toolkit either).
fn suite_name(go: &str) -> Option<rustls::CipherSuite> {
    use rustls::CipherSuite as C;
    Some(match go {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" => C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" => C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"
        | "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" => {
            C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        }
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" => C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" => C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305" | "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" => {
            C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
        }
        _ => return None,
    })
}

/// The crypto provider `t` asks for: TLS 1.2 suites restricted to `cipher_suites` (TLS
/// 1.3's kept), key exchange groups to `curve_preferences`, in the order given.
fn provider(t: &TlsServerConfig) -> Result<rustls::crypto::CryptoProvider, String> {
    let mut p = rustls::crypto::ring::default_provider();
    if let Some(names) = &t.cipher_suites {
        let mut wanted = Vec::new();
        for n in names {
            let s = suite_name(n).ok_or_else(|| {
                format!("cipher_suites: {n:?} is not a TLS 1.2 AEAD suite lightgate offers (ECDHE with AES-GCM or ChaCha20-Poly1305)")
            })?;
            wanted.push(s);
        }
        let (tls13, tls12): (
            Vec<rustls::SupportedCipherSuite>,
            Vec<rustls::SupportedCipherSuite>,
        ) = p
            .cipher_suites
            .iter()
            .copied()
            .partition(|s| s.version() == &rustls::version::TLS13);
        let mut suites = tls13;
        for w in &wanted {
            suites.extend(tls12.iter().copied().filter(|s| s.suite() == *w));
        }
        p.cipher_suites = suites;
    }
    if let Some(names) = &t.curve_preferences {
        let mut groups = Vec::new();
        for n in names {
            let g = match n.as_str() {
                "X25519" => rustls::crypto::ring::kx_group::X25519,
                "CurveP256" => rustls::crypto::ring::kx_group::SECP256R1,
                "CurveP384" => rustls::crypto::ring::kx_group::SECP384R1,
                other => {
                    return Err(format!(
                        "curve_preferences: {other:?} is not offered (X25519, CurveP256, CurveP384)"
                    ))
                }
            };
            groups.push(g);
        }
        p.kx_groups = groups;
    }
    Ok(p)
}

/// The rustls server configuration of `t`.
pub fn server_config(t: &TlsServerConfig) -> Result<rustls::ServerConfig, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&t.cert_file)
        .and_then(|it| it.collect())
        .map_err(|e| format!("cert_file {}: {e}", t.cert_file.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "cert_file {}: no certificate",
            t.cert_file.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&t.key_file)
        .map_err(|e| format!("key_file {}: {e}", t.key_file.display()))?;
    let min = version(t.min_version.as_deref().unwrap_or("TLS12"))
        .map_err(|e| format!("min_version: {e}"))?;
    let max = version(t.max_version.as_deref().unwrap_or("TLS13"))
        .map_err(|e| format!("max_version: {e}"))?;
    let versions: Vec<&'static rustls::SupportedProtocolVersion> =
        [&rustls::version::TLS12, &rustls::version::TLS13]
            .into_iter()
            .filter(|v| {
                let rank = |v: &rustls::SupportedProtocolVersion| u16::from(v.version);
                rank(v) >= rank(min) && rank(v) <= rank(max)
            })
            .collect();
    if versions.is_empty() {
        return Err("min_version is above max_version".to_string());
    }
    let provider = Arc::new(provider(t)?);
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| format!("cipher_suites/curve_preferences: {e}"))?;
    let mode = t.client_auth_type.as_deref().unwrap_or("NoClientCert");
    let builder = match mode {
        "NoClientCert" => {
            if t.client_allowed_sans.is_some() {
                return Err("client_allowed_sans needs client certificates (client_auth_type RequireAndVerifyClientCert)".to_string());
            }
            builder.with_no_client_auth()
        }
        "RequireAndVerifyClientCert" | "VerifyClientCertIfGiven" => {
            let ca = t
                .client_ca_file
                .as_ref()
                .ok_or_else(|| format!("client_auth_type {mode} needs client_ca_file"))?;
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(ca)
                .map_err(|e| format!("client_ca_file {}: {e}", ca.display()))?
            {
                roots
                    .add(cert.map_err(|e| format!("client_ca_file {}: {e}", ca.display()))?)
                    .map_err(|e| format!("client_ca_file {}: {e}", ca.display()))?;
            }
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = if mode == "VerifyClientCertIfGiven" {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            let verifier = verifier.build().map_err(|e| e.to_string())?;
            match &t.client_allowed_sans {
                None => builder.with_client_cert_verifier(verifier),
                Some(sans) => {
                    let allowed = sans
                        .iter()
                        .map(|s| {
                            ServerName::try_from(s.clone()).map_err(|_| {
                                format!("client_allowed_sans: {s:?} is not a DNS name or IP address")
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    builder.with_client_cert_verifier(Arc::new(AllowedSans {
                        inner: verifier,
                        allowed,
                    }))
                }
            }
        }
        other => return Err(format!("client_auth_type {other:?} is not supported (NoClientCert, RequireAndVerifyClientCert, VerifyClientCertIfGiven)")),
    };
    let mut config = builder
        .with_single_cert(certs, key)
        .map_err(|e| format!("cert_file/key_file: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A client certificate verifier that also wants one of the allowed subject
/// alternative names (DNS names or IP addresses) in the certificate.
#[derive(Debug)]
struct AllowedSans {
    inner: Arc<dyn ClientCertVerifier>,
    allowed: Vec<ServerName<'static>>,
}

impl ClientCertVerifier for AllowedSans {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let verified = self
            .inner
            .verify_client_cert(end_entity, intermediates, now)?;
        let cert = webpki::EndEntityCert::try_from(end_entity)
            .map_err(|e| rustls::Error::General(format!("client certificate: {e}")))?;
        if self
            .allowed
            .iter()
            .any(|name| cert.verify_is_valid_for_subject_name(name).is_ok())
        {
            Ok(verified)
        } else {
            Err(rustls::Error::General(
                "the client certificate names none of client_allowed_sans".to_string(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_suites_go_by_exporter_toolkits_names() {
        assert!(version("TLS13").is_ok());
        assert!(version("TLS10").unwrap_err().contains("not offered"));
        assert!(version("TLS14").unwrap_err().contains("unknown"));
        assert!(suite_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256").is_some());
        assert!(suite_name("TLS_RSA_WITH_AES_128_CBC_SHA").is_none());
    }
}
