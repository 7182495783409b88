//! Kafka's JSON reading for its tools' input files (`org.apache.kafka.server.util.json`: `Json`,
//! `JsonObject.apply`, `DecodeJson`), with their messages, over the terminal session's files.

use crate::Session;
use serde_json::Value;

/// `Utils.readFileAsString` of a session file; a missing one fails as Java's
/// `NoSuchFileException`, whose message is the path.
pub fn read<'s>(session: &'s Session<'_>, path: &str) -> Result<&'s str, String> {
    session.read_file(path).ok_or_else(|| path.to_string())
}

/// `Json.parseFull`: None when the text is not JSON.
pub fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

fn expected(kind: &str, node: &Value) -> String {
    format!("Expected `{kind}` value, received {node}")
}

/// `JsonValue.asJsonObject`.
pub fn object(node: &Value) -> Result<&serde_json::Map<String, Value>, String> {
    node.as_object().ok_or_else(|| expected("JSON object", node))
}

/// `JsonValue.asJsonArray`.
pub fn array(node: &Value) -> Result<&Vec<Value>, String> {
    node.as_array().ok_or_else(|| expected("JSON array", node))
}

/// `JsonObject.apply`: a field that must be there.
pub fn field<'v>(object: &'v serde_json::Map<String, Value>, name: &str) -> Result<&'v Value, String> {
    object.get(name).ok_or_else(|| format!("No such field exists: `{name}`"))
}

/// `DecodeJson.DecodeInteger`: a JSON number that fits an `int`.
pub fn int(node: &Value) -> Result<i32, String> {
    node.as_i64().and_then(|n| i32::try_from(n).ok()).ok_or_else(|| expected("Integer", node))
}

/// `DecodeJson.DecodeString`.
pub fn string(node: &Value) -> Result<String, String> {
    node.as_str().map(str::to_string).ok_or_else(|| expected("String", node))
}

/// `DecodeJson.decodeList(INT)`.
pub fn int_list(node: &Value) -> Result<Vec<i32>, String> {
    array(node)?.iter().map(int).collect()
}

/// `DecodeJson.decodeList(STRING)`.
pub fn string_list(node: &Value) -> Result<Vec<String>, String> {
    array(node)?.iter().map(string).collect()
}

/// A JSON string as Jackson writes it.
pub fn quote(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}
