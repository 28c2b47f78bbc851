"""The driver: discovery, reading, the cache, the workers, the runner and the output."""
