//! ocf:croit:container
