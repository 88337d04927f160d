//! Secrets on the command line, one scheme for every command: `--NAME-env VAR` names an
//! environment variable, `--NAME-file FILE` a file (its content, without the trailing
//! newline, as Prometheus reads `password_file`). Never the secret itself, which would
//! sit in shell history and `ps` output; errors name the flag and the variable or file,
//! never the value.

use std::path::{Path, PathBuf};

/// The secret given by `--{flag}-env` or `--{flag}-file` (clap makes them exclusive);
/// `None` when neither is given.
pub fn read(flag: &str, env: Option<&str>, file: Option<&Path>) -> Result<Option<String>, String> {
    if let Some(var) = env {
        return std::env::var(var)
            .map(Some)
            .map_err(|_| format!("--{flag}-env: the environment variable {var:?} is not set"));
    }
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--{flag}-file: {}: {e}", path.display()))?;
        return Ok(Some(text.trim_end_matches(['\n', '\r']).to_string()));
    }
    Ok(None)
}

/// [`read`] for clap's `Option` fields.
pub fn read_opt(
    flag: &str,
    env: &Option<String>,
    file: &Option<PathBuf>,
) -> Result<Option<String>, String> {
    read(flag, env.as_deref(), file.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_loses_its_newline_and_errors_never_hold_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "s3cret-value\n").unwrap();
        assert_eq!(
            read("v3-auth-password", None, Some(&f)).unwrap().as_deref(),
            Some("s3cret-value")
        );
        let e = read("v3-auth-password", Some("LIGHTGATE_SURELY_UNSET_VAR"), None).unwrap_err();
        assert!(e.starts_with("--v3-auth-password-env:"), "{e}");
        let e = read("community", None, Some(&dir.path().join("missing"))).unwrap_err();
        assert!(e.starts_with("--community-file:"), "{e}");
        assert_eq!(read("x", None, None).unwrap(), None);
    }
}
