//! The env vars of the SDK chain and helpers to read them off a container without ever
//! exposing a secret value.

use crate::model::{ContainerInfo, EnvValue};

/// Env vars of the chain.
pub const ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
pub const SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
pub const ROLE_ARN: &str = "AWS_ROLE_ARN";
pub const WEB_IDENTITY_TOKEN_FILE: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";
pub const CONTAINER_FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub const CONTAINER_RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
pub const CONTAINER_TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

/// True when the container sets the variable directly (any value source).
pub fn has_env(container: &ContainerInfo, name: &str) -> bool {
    container.env_var(name).is_some()
}

/// The literal value of an env var, when it has one that may be shown.
pub fn literal_env<'c>(container: &'c ContainerInfo, name: &str) -> Option<&'c str> {
    container.env_var(name).and_then(|e| e.literal_value())
}

/// Where a secret-bearing env var comes from, without its value.
pub fn env_source(container: &ContainerInfo, name: &str) -> Option<String> {
    container.env_var(name).map(|e| match &e.value {
        EnvValue::Literal(v) => format!("literal value ({} chars)", v.chars().count()),
        EnvValue::Redacted { len } => format!("literal value ({len} chars, redacted)"),
        EnvValue::SecretKeyRef { name, key } => format!("Secret {name} key {key}"),
        EnvValue::ConfigMapKeyRef { name, key } => format!("ConfigMap {name} key {key}"),
        EnvValue::FieldRef { field_path } => format!("fieldRef {field_path}"),
        EnvValue::ResourceFieldRef { resource } => format!("resourceFieldRef {resource}"),
        EnvValue::Other => "valueFrom".to_owned(),
    })
}

/// Normalises a (possibly Windows) path for prefix comparison: `/` separators, no drive letter.
fn norm_path(p: &str) -> String {
    let p = p.replace('\\', "/");
    let bytes = p.as_bytes();
    let p = if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        p.get(2..).unwrap_or_default().to_owned()
    } else {
        p
    };
    p.trim_end_matches('/').to_owned()
}

/// True when `file` lies under one of the container's volume mounts.
pub fn file_is_mounted(container: &ContainerInfo, file: &str) -> bool {
    let file = norm_path(file);
    container.volume_mounts.iter().any(|m| {
        let mount = norm_path(&m.mount_path);
        if m.sub_path.is_some() {
            file == mount
        } else {
            file.strip_prefix(&mount)
                .is_some_and(|rest| rest.starts_with('/'))
        }
    })
}
