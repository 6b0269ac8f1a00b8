//! Integration tests of the demo shop: reproducibility, file formats, and the findings the data
//! must let analyses rediscover (measured from the files, as an analysis would).

mod determinism;
mod findings;
