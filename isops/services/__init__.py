"""Services: keyword-only functions that take a unit of work and return plain values."""
