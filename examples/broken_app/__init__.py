"""A small dashboard backend with the checklist's five broadcasting mistakes (see README)."""
