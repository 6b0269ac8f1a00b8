//! The customer table on hand-worked shops and on a small demo shop.

mod profile;
