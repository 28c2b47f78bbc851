"""Example FastAPI application built on wslint's reference runtime."""
