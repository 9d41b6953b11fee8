//! Statistics kept beside the kernel, never inside it: the models feed them, the kernel does
//! not know they exist.

mod counter;
mod histogram;
mod sampler;
mod time_weighted;

pub use counter::Counter;
pub use histogram::LatencyHistogram;
pub use sampler::IntervalSampler;
pub use time_weighted::TimeWeighted;
