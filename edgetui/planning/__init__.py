"""Pure planning: device facts and choices in, an upgrade plan out."""
