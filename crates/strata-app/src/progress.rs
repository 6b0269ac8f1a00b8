//! How long work reports where it is: the command line draws it as a bar, the server streams it
//! as a job's progress.

/// One report of progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Bytes of input read so far (an import).
    Bytes {
        what: &'static str,
        done: u64,
        total: u64,
    },
    /// Items done so far (customers generated).
    Items {
        what: &'static str,
        done: u64,
        total: u64,
    },
}

/// A callback that ignores progress.
pub fn ignore(_: Progress) {}
