//! (not yet implemented: see the open issue for this mechanism)
