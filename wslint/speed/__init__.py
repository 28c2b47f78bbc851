"""The speed layer: which rules may fire on which file, decided from the bytes before any parse."""
