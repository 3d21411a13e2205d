//! The API's handlers, a file per resource: each extracts, calls the application and
//! responds. The routes are listed once, in [`crate::web::ENDPOINTS`].

pub mod health;
pub mod openapi;
pub mod periods;
pub mod registry;
pub mod reminders;
pub mod reports;
pub mod submissions;
