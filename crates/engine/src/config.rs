//! Configuration in Kafka's own key names (`acks`, `linger.ms`, `segment.bytes`, ...).
//!
//! Every config struct parses `key=value` pairs through [`ConfigError`], so a bad key or value always
//! names the key and says what is allowed.

use std::fmt;

/// A configuration problem, phrased for a learner: which key, what was given, what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    UnknownKey { key: String, known: Vec<&'static str> },
    InvalidValue { key: String, value: String, allowed: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::UnknownKey { key, known } => {
                write!(f, "unknown config `{key}`; known keys: {}", known.join(", "))
            }
            ConfigError::InvalidValue { key, value, allowed } => {
                write!(f, "invalid value `{value}` for `{key}`: allowed {allowed}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    pub fn invalid(key: &str, value: &str, allowed: impl Into<String>) -> Self {
        ConfigError::InvalidValue { key: key.to_string(), value: value.to_string(), allowed: allowed.into() }
    }
}

/// Parses an integer config value and checks it lies in `min..=max`.
pub fn parse_int(key: &str, value: &str, min: i64, max: i64) -> Result<i64, ConfigError> {
    let allowed = || {
        if max == i64::MAX {
            format!("an integer >= {min}")
        } else {
            format!("an integer in [{min}, {max}]")
        }
    };
    let parsed: i64 = value.trim().parse().map_err(|_| ConfigError::invalid(key, value, allowed()))?;
    if parsed < min || parsed > max {
        return Err(ConfigError::invalid(key, value, allowed()));
    }
    Ok(parsed)
}

/// Parses a `true`/`false` config value.
pub fn parse_bool(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ConfigError::invalid(key, value, "true or false")),
    }
}

/// Parses a floating point config value and checks it lies in `min..=max`.
pub fn parse_ratio(key: &str, value: &str, min: f64, max: f64) -> Result<f64, ConfigError> {
    match value.trim().parse::<f64>() {
        Ok(v) if v >= min && v <= max => Ok(v),
        _ => Err(ConfigError::invalid(key, value, format!("a number in [{min}, {max}]"))),
    }
}

/// Parses one of a fixed set of words.
pub fn parse_choice<'a>(key: &str, value: &str, choices: &[&'a str]) -> Result<&'a str, ConfigError> {
    let v = value.trim();
    choices
        .iter()
        .find(|c| **c == v)
        .copied()
        .ok_or_else(|| ConfigError::invalid(key, value, format!("one of {}", choices.join(", "))))
}

/// The longest rack id the picture can label.
pub const MAX_RACK_LENGTH: usize = 32;

/// Parses a rack id (`broker.rack`, `client.rack`): up to 32 ASCII letters, digits, `.`, `_`
/// and `-`. Kafka takes any string; this keeps the label drawable. Empty means no rack.
pub fn parse_rack(key: &str, value: &str) -> Result<String, ConfigError> {
    let v = value.trim();
    if v.len() > MAX_RACK_LENGTH || !v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return Err(ConfigError::invalid(
            key,
            value,
            format!("a rack id of at most {MAX_RACK_LENGTH} ASCII letters, digits, `.`, `_` or `-`"),
        ));
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rack_ids_are_short_and_drawable() {
        assert_eq!(parse_rack("client.rack", " az-1 ").unwrap(), "az-1");
        assert_eq!(parse_rack("client.rack", "").unwrap(), "");
        let err = parse_rack("broker.rack", "rack a").unwrap_err().to_string();
        assert!(err.contains("`broker.rack`") && err.contains("rack id"), "{err}");
        assert!(parse_rack("broker.rack", &"r".repeat(33)).is_err());
    }

    #[test]
    fn int_out_of_range_names_key_and_range() {
        let err = parse_int("batch.size", "-1", 0, i32::MAX as i64).unwrap_err();
        assert_eq!(err.to_string(), "invalid value `-1` for `batch.size`: allowed an integer in [0, 2147483647]");
    }

    #[test]
    fn choice_lists_allowed_words() {
        let err = parse_choice("acks", "2", &["0", "1", "all", "-1"]).unwrap_err();
        assert_eq!(err.to_string(), "invalid value `2` for `acks`: allowed one of 0, 1, all, -1");
        assert_eq!(parse_choice("acks", "all", &["0", "1", "all"]).unwrap(), "all");
    }

    #[test]
    fn bool_and_ratio() {
        assert!(parse_bool("enable.idempotence", "true").unwrap());
        assert!(parse_bool("enable.idempotence", "yes").is_err());
        assert_eq!(parse_ratio("min.cleanable.dirty.ratio", "0.5", 0.0, 1.0).unwrap(), 0.5);
        assert!(parse_ratio("min.cleanable.dirty.ratio", "1.5", 0.0, 1.0).is_err());
    }
}
