//! Segments: named groups of customers defined by rules, the heart of tiered operations.
//!
//! A rule (`spend_tier in (diamond, gold) and did add_to_cart in last 7 days`) is parsed
//! ([`parse`]) into a [`Rule`], checked against what the workspace holds ([`Catalog`]) and
//! compiled to DataFusion expressions ([`compile`]); never to SQL text. All segments are
//! evaluated together over one wide per-customer table ([`eval`]). This crate does no IO
//! beyond the DataFusion session it is given: storing definitions and members is the
//! application layer's job. The language is documented in `docs/segments.md`.

pub mod ast;
pub mod catalog;
pub mod compile;
mod error;
pub mod eval;
mod lex;
pub mod parse;

pub use ast::Rule;
pub use compile::{CUSTOMER_TABLE, Catalog, Clock, Compiled, Compiler, compile_all};
pub use error::{Problem, Result, RuleError, SegmentError};
pub use eval::{Checked, Explanation, Members, explain, members};
pub use parse::parse;
