//! hpasim's integration tests: one binary, a module per topic.

mod support;
mod theory;
