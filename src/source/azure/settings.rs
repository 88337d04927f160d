//! How lightgate reaches Azure: the settings the Azure source owns and the config
//! resolves into.

use std::path::PathBuf;
use std::time::Duration;

use lightgate_core::secret::Secret;

/// How lightgate reaches Azure.
#[derive(Debug, Clone, PartialEq)]
pub struct AzureConfig {
    pub auth: AzureAuth,
    /// The cloud: its Resource Manager audience, and the default endpoints below.
    pub cloud: Cloud,
    /// Azure Resource Manager, e.g. https://management.azure.com (sovereign clouds and
    /// tests change it).
    pub arm_endpoint: String,
    /// Microsoft Entra ID, e.g. https://login.microsoftonline.com.
    pub login_endpoint: String,
    /// The instance metadata service, e.g. http://169.254.169.254.
    pub metadata_endpoint: String,
    /// Azure Arc's identity endpoint (from IDENTITY_ENDPOINT on an Arc-enabled host, or
    /// the config): a managed identity then signs in through it instead of IMDS.
    pub arc_endpoint: Option<String>,
    /// Where Azure Arc's agent writes the challenge files it asks for; a challenge that
    /// names a file elsewhere is refused.
    pub arc_token_directory: PathBuf,
    pub poll_interval: Duration,
    pub request_timeout: Duration,
}

/// A national cloud: where to sign in and what to ask a token for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Public,
    UsGov,
    China,
}

impl Cloud {
    pub const NAMES: [&'static str; 3] = ["public", "usgov", "china"];

    pub fn parse(name: &str) -> Option<Cloud> {
        match name {
            "public" => Some(Cloud::Public),
            "usgov" => Some(Cloud::UsGov),
            "china" => Some(Cloud::China),
            _ => None,
        }
    }

    /// Azure Resource Manager of the cloud.
    pub fn arm(self) -> &'static str {
        match self {
            Cloud::Public => "https://management.azure.com",
            Cloud::UsGov => "https://management.usgovcloudapi.net",
            Cloud::China => "https://management.chinacloudapi.cn",
        }
    }

    /// Microsoft Entra ID of the cloud.
    pub fn login(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com",
            Cloud::UsGov => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The token audience (resource) of Resource Manager in the cloud.
    pub fn audience(self) -> String {
        format!("{}/", self.arm())
    }
}

/// How lightgate authenticates to Azure.
#[derive(Debug, Clone, PartialEq)]
pub enum AzureAuth {
    /// A service principal with a client secret.
    ServicePrincipal {
        tenant_id: String,
        client_id: String,
        client_secret: Secret,
    },
    /// A service principal with a certificate: a PEM file holding the certificate and
    /// its RSA private key.
    Certificate {
        tenant_id: String,
        client_id: String,
        certificate_path: PathBuf,
    },
    /// Workload identity federation: a token file another system keeps fresh
    /// (Kubernetes' projected service account token, AZURE_FEDERATED_TOKEN_FILE).
    WorkloadIdentity {
        tenant_id: String,
        client_id: String,
        token_file: PathBuf,
    },
    /// The host's managed identity (a user-assigned one when `client_id` is set): the
    /// Azure VM's metadata service, or Azure Arc's on an Arc-enabled server.
    ManagedIdentity { client_id: Option<String> },
    /// The Azure CLI's signed-in account (`az account get-access-token`).
    AzureCli { command: String },
    /// The first of these that gives a token, in order (then kept while it works).
    Chain(Vec<AzureAuth>),
}

impl AzureAuth {
    /// The name the config's `credential` uses.
    pub fn kind(&self) -> &'static str {
        match self {
            AzureAuth::ServicePrincipal { .. } => "client-secret",
            AzureAuth::Certificate { .. } => "certificate",
            AzureAuth::WorkloadIdentity { .. } => "workload-identity",
            AzureAuth::ManagedIdentity { .. } => "managed-identity",
            AzureAuth::AzureCli { .. } => "azure-cli",
            AzureAuth::Chain(_) => "default",
        }
    }
}
