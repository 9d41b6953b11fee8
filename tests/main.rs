//! hpasim's integration tests: one binary, a module per topic.

mod lifecycle;
mod support;
mod theory;
