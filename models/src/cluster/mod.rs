//! Nodes, node pools, the scheduler's placement and ResourceQuota admission (issue #8): the
//! pure groundwork the simulated cluster is built on. Nothing here owns time or state; every
//! function takes what it decides on as arguments and returns its reason.
//!
//! - [`resources`]: integer CPU [milli-cores], memory [bytes] and pod counts.
//! - [`pool`]: node pool specs (instance type, allocatable, price, spot, bounds).
//! - [`schedule`]: kube-scheduler placement (NodeResourcesFit filter and scoring).
//! - [`quota`]: `v1` ResourceQuota manifests and the API server's quota admission.
//! - [`pdb`]: `policy/v1` PodDisruptionBudget manifests and their validation.

pub mod pdb;
pub mod pool;
pub mod quota;
pub mod resources;
pub mod schedule;

pub use pdb::PodDisruptionBudget;
pub use pool::{validate_pools, NodePool};
pub use quota::{Quota, QuotaDenied, ResourceQuota};
pub use resources::Resources;
pub use schedule::{place, NodeView, Placement, Policy};
