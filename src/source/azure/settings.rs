//! How lightgate reaches Azure: the settings the Azure source owns and the config
//! resolves into.

use std::time::Duration;

use lightgate_core::secret::Secret;

/// How lightgate reaches Azure.
#[derive(Debug, Clone, PartialEq)]
pub struct AzureConfig {
    pub auth: AzureAuth,
    /// Azure Resource Manager, e.g. https://management.azure.com (sovereign clouds and
    /// tests change it).
    pub arm_endpoint: String,
    /// Microsoft Entra ID, e.g. https://login.microsoftonline.com.
    pub login_endpoint: String,
    /// The instance metadata service, e.g. http://169.254.169.254.
    pub metadata_endpoint: String,
    pub poll_interval: Duration,
    pub request_timeout: Duration,
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
    /// The host's managed identity (a user-assigned one when `client_id` is set).
    ManagedIdentity { client_id: Option<String> },
}
