//! Helpers shared by the integration tests.

/// Configuration pairs as the engine's actions take them.
pub fn pairs(configs: &[(&str, &str)]) -> Vec<(String, String)> {
    configs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}
