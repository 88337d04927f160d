//! `[azure]`: credentials and endpoints. Follows the AZURE_TENANT_ID / AZURE_CLIENT_ID /
//! AZURE_CLIENT_SECRET convention when the table leaves them out.

use std::ops::Range;
use std::time::Duration;

use toml::Spanned;

use super::raw::RawAzure;
use super::snmp::{secret, Report};
use crate::source::azure::Cloud;
use crate::source::azure::{AzureAuth, AzureConfig};
use lightgate_core::secret::Secret;

pub const DEFAULT_METADATA: &str = "http://169.254.169.254";
pub const DEFAULT_POLL: Duration = Duration::from_secs(60);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

fn endpoint(raw: &Option<Spanned<String>>, default: &str, report: Report<'_>) -> String {
    match raw {
        None => default.to_string(),
        Some(e) => {
            let v = e.get_ref().trim_end_matches('/').to_string();
            if !(v.starts_with("https://") || v.starts_with("http://")) {
                report(
                    e.span(),
                    format!("{:?} must be an http(s) URL", e.get_ref()),
                );
            }
            v
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The credentials `credential` may name.
pub const CREDENTIALS: [&str; 6] = [
    "default",
    "client-secret",
    "certificate",
    "managed-identity",
    "workload-identity",
    "azure-cli",
];

/// Where Azure Arc's agent writes its challenge files on Linux.
pub const ARC_TOKEN_DIRECTORY: &str = "/var/opt/azcmagent/tokens";

/// Resolves `[azure]`.
pub fn resolve(raw: &Spanned<RawAzure>, report: Report<'_>) -> Option<AzureConfig> {
    let a = raw.get_ref();
    let at: Range<usize> = raw.span();
    let cloud = match &a.cloud {
        None => Cloud::Public,
        Some(c) => Cloud::parse(c.get_ref()).unwrap_or_else(|| {
            report(
                c.span(),
                format!(
                    "cloud {:?} is not one of {}",
                    c.get_ref(),
                    Cloud::NAMES.join(", ")
                ),
            );
            Cloud::Public
        }),
    };
    let text = |v: &Option<Spanned<String>>| v.as_ref().map(|v| v.get_ref().clone());
    let tenant = text(&a.tenant_id).or_else(|| env("AZURE_TENANT_ID"));
    let client = text(&a.client_id).or_else(|| env("AZURE_CLIENT_ID"));
    let secret = secret(
        "client_secret",
        &a.client_secret,
        &a.client_secret_file,
        &a.client_secret_env,
        at.clone(),
        report,
    )
    .or_else(|| env("AZURE_CLIENT_SECRET").map(Secret::new));
    let certificate = text(&a.client_certificate_path)
        .or_else(|| env("AZURE_CLIENT_CERTIFICATE_PATH"))
        .map(std::path::PathBuf::from);
    let token_file = text(&a.federated_token_file)
        .or_else(|| env("AZURE_FEDERATED_TOKEN_FILE"))
        .map(std::path::PathBuf::from);
    let cli = AzureAuth::AzureCli {
        command: text(&a.azure_cli_command).unwrap_or_else(|| "az".to_string()),
    };
    // A service principal's credentials, each when all its settings are there.
    let principal = || Some((tenant.clone()?, client.clone()?));
    let client_secret = || {
        let (tenant_id, client_id) = principal()?;
        Some(AzureAuth::ServicePrincipal {
            tenant_id,
            client_id,
            client_secret: secret.clone()?,
        })
    };
    let with_certificate = || {
        let (tenant_id, client_id) = principal()?;
        Some(AzureAuth::Certificate {
            tenant_id,
            client_id,
            certificate_path: certificate.clone()?,
        })
    };
    let workload = || {
        let (tenant_id, client_id) = principal()?;
        Some(AzureAuth::WorkloadIdentity {
            tenant_id,
            client_id,
            token_file: token_file.clone()?,
        })
    };
    let managed = |client_id: Option<String>| AzureAuth::ManagedIdentity { client_id };
    let needs = |what: &str| {
        format!("credential = {what:?} needs {}", match what {
            "client-secret" => "tenant_id, client_id and client_secret (or client_secret_file, client_secret_env, or the AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET variables)",
            "certificate" => "tenant_id, client_id and client_certificate_path (or the AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH variables)",
            _ => "tenant_id, client_id and federated_token_file (or the AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE variables)",
        })
    };
    let chosen = match &a.credential {
        Some(c) if a.managed_identity == Some(true) && c.get_ref() != "managed-identity" => {
            report(
                c.span(),
                format!(
                    "managed_identity = true and credential = {:?} contradict each other: keep one",
                    c.get_ref()
                ),
            );
            return None;
        }
        Some(c) => Some((c.get_ref().clone(), c.span())),
        None if a.managed_identity == Some(true) => {
            Some(("managed-identity".to_string(), at.clone()))
        }
        None => None,
    };
    let auth = match chosen {
        // Before `credential` existed: a service principal, or managed_identity = true.
        None => match client_secret() {
            Some(sp) => sp,
            None => {
                report(
                    at,
                    format!(
                        "[azure] needs a credential: a service principal (tenant_id, client_id and client_secret, \
                         client_secret_file or client_secret_env, or the AZURE_TENANT_ID, AZURE_CLIENT_ID and \
                         AZURE_CLIENT_SECRET variables), or credential = one of {}",
                        CREDENTIALS.join(", ")
                    ),
                );
                return None;
            }
        },
        Some((kind, span)) => match kind.as_str() {
            "client-secret" => match client_secret() {
                Some(sp) => sp,
                None => {
                    report(span, needs("client-secret"));
                    return None;
                }
            },
            "certificate" => match with_certificate() {
                Some(c) => c,
                None => {
                    report(span, needs("certificate"));
                    return None;
                }
            },
            "workload-identity" => match workload() {
                Some(w) => w,
                None => {
                    report(span, needs("workload-identity"));
                    return None;
                }
            },
            "managed-identity" => managed(text(&a.client_id)),
            "azure-cli" => cli.clone(),
            "default" => AzureAuth::Chain(
                [client_secret(), with_certificate(), workload()]
                    .into_iter()
                    .flatten()
                    .chain([managed(client.clone()), cli.clone()])
                    .collect(),
            ),
            other => {
                report(
                    span,
                    format!(
                        "credential {other:?} is not one of {}",
                        CREDENTIALS.join(", ")
                    ),
                );
                return None;
            }
        },
    };
    // Azure Arc announces its endpoint to the services of an Arc-enabled server.
    let arc_endpoint = text(&a.arc_identity_endpoint)
        .or_else(|| env("IMDS_ENDPOINT").and(env("IDENTITY_ENDPOINT")));
    let duration = |d: &Option<Spanned<super::duration::HumanDuration>>,
                    default: Duration,
                    what: &str,
                    report: Report<'_>| match d {
        Some(v) => {
            let bounds = if what == "poll_interval" {
                super::duration::AZURE_POLL
            } else {
                super::duration::AZURE_REQUEST_TIMEOUT
            };
            bounds.setting(what, v, report)
        }
        None => default,
    };
    Some(AzureConfig {
        auth,
        cloud,
        arm_endpoint: endpoint(&a.arm_endpoint, cloud.arm(), report),
        login_endpoint: endpoint(&a.login_endpoint, cloud.login(), report),
        metadata_endpoint: endpoint(&a.metadata_endpoint, DEFAULT_METADATA, report),
        arc_endpoint,
        arc_token_directory: text(&a.arc_token_directory)
            .unwrap_or_else(|| ARC_TOKEN_DIRECTORY.to_string())
            .into(),
        poll_interval: duration(&a.poll_interval, DEFAULT_POLL, "poll_interval", report),
        request_timeout: duration(
            &a.request_timeout,
            DEFAULT_TIMEOUT,
            "request_timeout",
            report,
        ),
    })
}

/// Checks the shape of an ExpressRoutePorts resource id.
pub fn port_id_problem(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let ok = lower.starts_with("/subscriptions/")
        && lower.contains("/resourcegroups/")
        && lower.contains("/providers/microsoft.network/expressrouteports/")
        && !id.contains(['?', '#', ' ']);
    (!ok).then(|| {
        format!(
            "azure_port_id {id:?} must be an ExpressRoutePorts resource id: \\
             /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Network/expressRoutePorts/NAME"
        )
    })
}
