//! A provider's published OpenAPI document as a simulator's contract: every request body and
//! every answer of an operation the document defines is validated, by `jsonschema`, against
//! the document's own schemas, read from its file. A simulator so checked accepts what the
//! provider accepts, not what the adapter happens to send.
//!
//! Two readings, both applied here and nowhere else:
//! - The document writes its `pattern`s as JavaScript literals (`"/^\\+[0-9]+$/"`); JSON
//!   Schema takes the text between the slashes as the expression.
//! - An object schema with `properties` refuses properties it does not name (as if it said
//!   `additionalProperties: false`), so the adapter sends nothing the contract leaves undefined.
//!   Names the document lists as `required` count as named even where `properties` forgot
//!   them (KartaPay's `Payer` requires `firstName` and `lastName` and describes neither).

use axum::{
    body::{Body, Bytes, to_bytes},
    extract::{Request, State},
    http::{Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};
use std::{collections::BTreeMap, sync::Arc};

/// The operations of one OpenAPI 3.0 document, their schemas compiled.
pub struct Contract {
    operations: Vec<Operation>,
}

struct Operation {
    method: Method,
    /// The path template's segments (`v1`, `payments`, `{id}`).
    segments: Vec<String>,
    /// The JSON request body's schema, when the operation takes one.
    request: Option<jsonschema::Validator>,
    /// The JSON answer's schema by status code.
    answers: BTreeMap<u16, jsonschema::Validator>,
}

/// Largest body the contract reads.
const BODY_LIMIT: usize = 256 * 1024;

impl Contract {
    /// Compiles every operation of the document `text`.
    ///
    /// ```
    /// use installment_proxy::sandbox::contract::Contract;
    /// let contract = Contract::from_document(installment_proxy::sandbox::KARTAPAY_DOCUMENT)?;
    /// assert!(contract.check_request("POST", "/v1/payments", br#"{"purchase":{}}"#).is_err());
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_document(text: &str) -> Result<Self, String> {
        let document: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let paths = document["paths"]
            .as_object()
            .ok_or("the document has no paths")?;
        let mut operations = Vec::new();
        for (template, methods) in paths {
            for (method, operation) in methods.as_object().into_iter().flatten() {
                let Ok(method) = method.to_uppercase().parse::<Method>() else {
                    continue;
                };
                let compile = |schema: &Value| {
                    jsonschema::draft4::new(&strict(schema.clone()))
                        .map_err(|e| format!("{method} {template}: {e}"))
                };
                let json_schema =
                    |content: &Value| content["content"]["application/json"]["schema"].clone();
                let request = match json_schema(&operation["requestBody"]) {
                    Value::Null => None,
                    schema => Some(compile(&schema)?),
                };
                let mut answers = BTreeMap::new();
                for (status, answer) in operation["responses"].as_object().into_iter().flatten() {
                    if let (Ok(status), schema @ Value::Object(_)) =
                        (status.parse::<u16>(), json_schema(answer))
                    {
                        answers.insert(status, compile(&schema)?);
                    }
                }
                operations.push(Operation {
                    method,
                    segments: template
                        .trim_matches('/')
                        .split('/')
                        .map(str::to_owned)
                        .collect(),
                    request,
                    answers,
                });
            }
        }
        Ok(Self { operations })
    }

    fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.operations.iter().find(|operation| {
            operation.method.as_str() == method
                && operation.segments.len() == segments.len()
                && operation
                    .segments
                    .iter()
                    .zip(&segments)
                    .all(|(template, segment)| template.starts_with('{') || template == segment)
        })
    }

    /// Whether `body` is a request the document's operation `method path` takes; the
    /// validator's messages when not. A path the document does not define passes.
    pub fn check_request(&self, method: &str, path: &str, body: &[u8]) -> Result<(), Vec<String>> {
        match self
            .operation(method, path)
            .and_then(|o| o.request.as_ref())
        {
            Some(schema) => validate(schema, body),
            None => Ok(()),
        }
    }

    /// Whether `body` is what the document says operation `method path` answers with
    /// `status`; the validator's messages when not.
    pub fn check_answer(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &[u8],
    ) -> Result<(), Vec<String>> {
        match self
            .operation(method, path)
            .and_then(|o| o.answers.get(&status))
        {
            Some(schema) => validate(schema, body),
            None => Ok(()),
        }
    }

    /// Middleware that holds a simulator to the contract: a request body the document refuses
    /// gets 400 with the validator's messages; an answer of the simulator's that breaks the
    /// document becomes a 500 naming why, so a test sees it at once.
    pub async fn enforce(
        State(contract): State<Arc<Self>>,
        request: Request,
        next: Next,
    ) -> Response {
        let method = request.method().as_str().to_owned();
        let path = request.uri().path().to_owned();
        let (parts, body) = request.into_parts();
        let Ok(body) = to_bytes(body, BODY_LIMIT).await else {
            return refused(vec!["the body is too large".to_owned()]);
        };
        if let Err(messages) = contract.check_request(&method, &path, &body) {
            return refused(messages);
        }
        let answer = next.run(Request::from_parts(parts, Body::from(body))).await;
        let (parts, body) = answer.into_parts();
        let body: Bytes = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
        if let Err(messages) = contract.check_answer(&method, &path, parts.status.as_u16(), &body) {
            tracing::error!(%method, %path, ?messages, "a simulator's answer breaks its provider's document");
            let body = json!({"statusCode": 500, "error": "Answer outside the contract", "message": messages});
            return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response();
        }
        Response::from_parts(parts, Body::from(body))
    }
}

/// The error answer of a body the document refuses: the validator's messages, each naming
/// the place in the body.
fn refused(messages: Vec<String>) -> Response {
    let body = json!({"statusCode": 400, "error": "Bad Request", "message": messages});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

fn validate(schema: &jsonschema::Validator, body: &[u8]) -> Result<(), Vec<String>> {
    let instance: Value =
        serde_json::from_slice(body).map_err(|e| vec![format!("not JSON: {e}")])?;
    let messages: Vec<String> = schema
        .iter_errors(&instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    if messages.is_empty() {
        Ok(())
    } else {
        Err(messages)
    }
}

/// The document's schema as JSON Schema reads it (see the module's two readings).
fn strict(mut schema: Value) -> Value {
    if let Value::Object(fields) = &mut schema {
        if let Some(Value::String(pattern)) = fields.get_mut("pattern")
            && pattern.len() > 1
            && pattern.starts_with('/')
            && pattern.ends_with('/')
        {
            *pattern = pattern[1..pattern.len() - 1].to_owned();
        }
        if let Some(Value::Object(properties)) = fields.get("properties").cloned() {
            let mut named: Map<String, Value> = properties
                .into_iter()
                .map(|(name, property)| (name, strict(property)))
                .collect();
            let required = fields.get("required").and_then(Value::as_array);
            for name in required.into_iter().flatten() {
                if let Some(name) = name.as_str() {
                    named.entry(name).or_insert_with(|| json!({}));
                }
            }
            fields.insert("properties".into(), Value::Object(named));
            fields
                .entry("additionalProperties")
                .or_insert(Value::Bool(false));
        }
        if let Some(items) = fields.get_mut("items") {
            *items = strict(items.take());
        }
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_lose_their_javascript_slashes_and_objects_their_unnamed_properties() {
        let schema = strict(json!({"type": "object", "required": ["firstName"],
            "properties": {"phone": {"type": "string", "pattern": "/^\\+[0-9]+$/"}}}));
        let validator = jsonschema::draft4::new(&schema).unwrap();
        assert!(validator.is_valid(&json!({"firstName": "Ala", "phone": "+375291234567"})));
        assert!(!validator.is_valid(&json!({"firstName": "Ala", "phone": "375291234567"})));
        assert!(!validator.is_valid(&json!({"firstName": "Ala", "months": 6})));
        assert!(!validator.is_valid(&json!({"phone": "+375291234567"})));
    }
}
