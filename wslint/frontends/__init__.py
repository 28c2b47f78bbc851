"""The front ends other tools load: the flake8 plugin and SARIF output.

The pylint plugin lives at ``wslint.pylint_plugin`` (the name users pass to ``--load-plugins``).
Every front end is a thin adapter over :mod:`wslint.driver`; none holds analysis of its own.
"""
