//! `[azure]`: credentials and endpoints. Follows the AZURE_TENANT_ID / AZURE_CLIENT_ID /
//! AZURE_CLIENT_SECRET convention when the table leaves them out.

use std::ops::Range;
use std::time::Duration;

use toml::Spanned;

use super::raw::RawAzure;
use super::snmp::{secret, Report};
use super::{AzureAuth, AzureConfig, Secret};

pub const DEFAULT_ARM: &str = "https://management.azure.com";
pub const DEFAULT_LOGIN: &str = "https://login.microsoftonline.com";
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

/// Resolves `[azure]`.
pub fn resolve(raw: &Spanned<RawAzure>, report: Report<'_>) -> Option<AzureConfig> {
    let a = raw.get_ref();
    let at: Range<usize> = raw.span();
    let auth = if a.managed_identity == Some(true) {
        AzureAuth::ManagedIdentity {
            client_id: a.client_id.as_ref().map(|c| c.get_ref().clone()),
        }
    } else {
        let tenant = a
            .tenant_id
            .as_ref()
            .map(|t| t.get_ref().clone())
            .or_else(|| env("AZURE_TENANT_ID"));
        let client = a
            .client_id
            .as_ref()
            .map(|c| c.get_ref().clone())
            .or_else(|| env("AZURE_CLIENT_ID"));
        let secret = secret(
            "client_secret",
            &a.client_secret,
            &a.client_secret_file,
            &a.client_secret_env,
            at.clone(),
            report,
        )
        .or_else(|| env("AZURE_CLIENT_SECRET").map(Secret::new));
        match (tenant, client, secret) {
            (Some(tenant_id), Some(client_id), Some(client_secret)) => {
                AzureAuth::ServicePrincipal {
                    tenant_id,
                    client_id,
                    client_secret,
                }
            }
            _ => {
                report(
                    at,
                    "[azure] needs a service principal (tenant_id, client_id and client_secret, \\
                     client_secret_file or client_secret_env, or the AZURE_TENANT_ID, AZURE_CLIENT_ID \\
                     and AZURE_CLIENT_SECRET variables) or managed_identity = true"
                        .to_string(),
                );
                return None;
            }
        }
    };
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
        arm_endpoint: endpoint(&a.arm_endpoint, DEFAULT_ARM, report),
        login_endpoint: endpoint(&a.login_endpoint, DEFAULT_LOGIN, report),
        metadata_endpoint: endpoint(&a.metadata_endpoint, DEFAULT_METADATA, report),
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
