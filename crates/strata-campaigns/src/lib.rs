//! Campaigns: acting on each tier and measuring what it changed.
//!
//! A [`Campaign`] ([`spec`]) names an audience (a saved segment), the channels allowed per
//! level of the reach pyramid, offers, a contact window, a holdout, a budget and the KPI it
//! is judged by. What was sent, and who was held back, is the `contacts` table
//! ([`contacts`]); [`measure`] judges a campaign from the orders and events that followed,
//! with intervals ([`strata_models::inference`]). Holdouts are drawn reproducibly from a
//! seed and the customer id ([`draw`]).
//!
//! This crate reads through the DataFusion session it is given and does no other IO:
//! storing campaigns and contacts is the application layer's job.

pub mod contacts;
pub mod draw;
mod error;
pub mod measure;
pub mod spec;

pub use contacts::CONTACTS;
pub use draw::{DRAW_FUNCTION, draw, draw_udf};
pub use error::{CampaignError, Result};
pub use measure::{Comparison, MeasureOptions, Measurement, Outcome, measure};
pub use spec::{Audience, Campaign, CampaignFile, Channel, Kpi, Level, Trigger};
