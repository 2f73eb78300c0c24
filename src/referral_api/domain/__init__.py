"""Pure domain logic: taxonomy, model, eligibility, hours, geometry and ranking (no I/O)."""
