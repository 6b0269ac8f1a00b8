//! Behaviour analytics on hand-worked shops: every expected number was worked out by hand from
//! the rows in each module (and, for the SQL table functions, in `tests/slt/`), not read off the
//! program.

mod channels;
mod funnel;
mod paths;
mod retention;
mod slt;
