"""The core every layer stands on: findings, source units, options, noqa and the shared vocabulary."""
