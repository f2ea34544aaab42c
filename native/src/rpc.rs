//! JSON-RPC 2.0 framing: one request per line in, one reply per line out.
use serde::Serialize;
use serde_json::{json, Value};
use std::panic::{self, AssertUnwindSafe};

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;
/// A path (or a symlink's target) lies outside the request's root.
pub const OUTSIDE_ROOT: i64 = -32001;
/// A file, folder or symbol does not exist.
pub const NOT_FOUND: i64 = -32002;
/// A file exists but cannot be used: binary, too large, unreadable.
pub const UNREADABLE: i64 = -32003;
/// The file's language has no grammar in this build.
pub const UNSUPPORTED_LANGUAGE: i64 = -32004;

/// An error reply; `data` carries machine-readable details (e.g. the offending path).
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError { code, message: message.into(), data: None }
    }
    pub fn with_path(code: i64, message: impl Into<String>, path: &str) -> Self {
        RpcError { code, message: message.into(), data: Some(json!({ "path": path })) }
    }
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(INVALID_PARAMS, message)
    }
}

/// A method's result as JSON text: handlers serialise straight to a string, skipping a
/// serde_json::Value tree (a large outline reply spent ~10% of its CPU building and dropping one).
pub type RpcResult = Result<String, RpcError>;

/// Serialises a method's result.
pub fn to_value<T: Serialize>(v: &T) -> RpcResult {
    serde_json::to_string(v).map_err(|e| RpcError::new(INTERNAL_ERROR, e.to_string()))
}

/// Decodes typed params, turning serde's message into an invalid-params error.
pub fn params<T: serde::de::DeserializeOwned>(p: Value) -> Result<T, RpcError> {
    serde_json::from_value(p).map_err(|e| RpcError::invalid_params(format!("invalid params: {e}")))
}

fn reply(id: &Value, outcome: RpcResult) -> String {
    let v = match outcome {
        Ok(result) => return format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{result}}}"#),
        Err(e) => {
            let mut err = json!({ "code": e.code, "message": e.message });
            if let Some(d) = e.data {
                err["data"] = d;
            }
            json!({ "jsonrpc": "2.0", "id": id, "error": err })
        }
    };
    v.to_string()
}

/// Handles one input line. Returns the reply line, or None for a notification (no id).
/// Never panics: a handler panic becomes an internal error and the process lives on.
pub fn handle_line(line: &[u8], dispatch: &dyn Fn(&str, Value) -> RpcResult) -> Option<String> {
    let msg: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) => return Some(reply(&Value::Null, Err(RpcError::new(PARSE_ERROR, format!("parse error: {e}"))))),
    };
    let obj = match msg.as_object() {
        Some(o) => o,
        None => return Some(reply(&Value::Null, Err(RpcError::new(INVALID_REQUEST, "a request must be a JSON object")))),
    };
    let id = obj.get("id").cloned();
    let id_ok = matches!(id, None | Some(Value::Number(_)) | Some(Value::String(_)) | Some(Value::Null));
    let reply_id = if id_ok { id.clone().unwrap_or(Value::Null) } else { Value::Null };
    if !id_ok {
        return Some(reply(&reply_id, Err(RpcError::new(INVALID_REQUEST, "id must be a number, a string or null"))));
    }
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Some(reply(&reply_id, Err(RpcError::new(INVALID_REQUEST, "jsonrpc must be \"2.0\""))));
    }
    let method = match obj.get("method").and_then(Value::as_str) {
        Some(m) => m,
        None => return Some(reply(&reply_id, Err(RpcError::new(INVALID_REQUEST, "method must be a string")))),
    };
    let params = match obj.get("params") {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(p @ Value::Object(_)) => p.clone(),
        Some(_) => return Some(reply(&reply_id, Err(RpcError::invalid_params("params must be an object")))),
    };
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| dispatch(method, params)))
        .unwrap_or_else(|_| Err(RpcError::new(INTERNAL_ERROR, format!("internal error while handling {method}"))));
    // A request without an id is a notification: it gets no reply.
    id.map(|_| reply(&reply_id, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo(method: &str, params: Value) -> RpcResult {
        match method {
            "echo" => Ok(params.to_string()),
            "boom" => panic!("boom"),
            _ => Err(RpcError::new(METHOD_NOT_FOUND, "nope")),
        }
    }

    fn run(line: &str) -> Value {
        serde_json::from_str(&handle_line(line.as_bytes(), &echo).unwrap()).unwrap()
    }

    #[test]
    fn replies_with_result_and_id() {
        let v = run(r#"{"jsonrpc":"2.0","id":7,"method":"echo","params":{"a":1}}"#);
        assert_eq!(v["id"], 7);
        assert_eq!(v["result"]["a"], 1);
    }

    #[test]
    fn malformed_json_is_a_parse_error() {
        let v = run("{not json");
        assert_eq!(v["error"]["code"], PARSE_ERROR);
        assert_eq!(v["id"], Value::Null);
    }

    #[test]
    fn wrong_shapes_are_invalid_requests() {
        assert_eq!(run("[1,2]")["error"]["code"], INVALID_REQUEST);
        assert_eq!(run(r#"{"id":1,"method":"echo"}"#)["error"]["code"], INVALID_REQUEST);
        assert_eq!(run(r#"{"jsonrpc":"2.0","id":1}"#)["error"]["code"], INVALID_REQUEST);
        assert_eq!(run(r#"{"jsonrpc":"2.0","id":{},"method":"echo"}"#)["error"]["code"], INVALID_REQUEST);
        assert_eq!(run(r#"{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}"#)["error"]["code"], INVALID_PARAMS);
    }

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let prev = panic::take_hook();
        panic::set_hook(Box::new(|_| {}));
        let v = run(r#"{"jsonrpc":"2.0","id":"x","method":"boom"}"#);
        panic::set_hook(prev);
        assert_eq!(v["error"]["code"], INTERNAL_ERROR);
        assert_eq!(v["id"], "x");
    }

    #[test]
    fn notifications_get_no_reply() {
        assert!(handle_line(br#"{"jsonrpc":"2.0","method":"echo"}"#, &echo).is_none());
    }
}
