"""The engine: discovery, reading and parsing, configuration, suppression, reporting."""
