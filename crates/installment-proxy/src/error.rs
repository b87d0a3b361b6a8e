//! The one error type of the HTTP API: a status, a stable `code` and a message naming what
//! was wrong. Provider details never get here; they stay in the server log.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use installment_core::wire::ApiError;

/// A 4xx answer with `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Stable, machine-readable.
    pub code: &'static str,
    /// For the developer reading it.
    pub message: String,
}

impl AppError {
    /// A 400 with `code`.
    ///
    /// ```
    /// use installment_proxy::AppError;
    /// let error = AppError::bad_request("invalid_bin", "bin: 6 to 8 digits");
    /// assert_eq!(error.status.as_u16(), 400);
    /// ```
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    /// A 404 with `code`.
    ///
    /// ```
    /// use installment_proxy::AppError;
    /// assert_eq!(AppError::not_found("not_found", "no such route").status.as_u16(), 404);
    /// ```
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code,
            message: message.into(),
        }
    }

    /// The core's error about the query parameter `field`.
    ///
    /// ```
    /// use installment_core::{Currency, Money};
    /// use installment_proxy::AppError;
    /// let byn = Currency::from_code("BYN").unwrap();
    /// let error = AppError::field("amount", &Money::parse("abc", byn).unwrap_err());
    /// assert_eq!((error.code, error.message.starts_with("amount: ")), ("invalid_amount", true));
    /// ```
    pub fn field(field: &str, error: &installment_core::Error) -> Self {
        Self::bad_request(error.code(), format!("{field}: {error}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ApiError {
            code: self.code.to_owned(),
            message: self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
