//! ra-api
