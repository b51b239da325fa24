//! Errors that reach the command line: one line naming the input and the problem.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum InputError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("{0}")]
    Invalid(String),
}
