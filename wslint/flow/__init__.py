"""The message-flow model: a project's endpoints, senders and broadcasters, built once per run.

The model is what the project-wide rules (WSL005, WSL006, the client rules) and ``wslint map``
read. Its records (:mod:`wslint.flow.model`) are plain values:

- :class:`~wslint.flow.model.Endpoint`: ``path`` (``{param}`` segments kept, router prefixes
  resolved; None when unknown), ``function``, ``file``, ``line``, ``initial_types``,
  ``status`` (``updated``, ``never-updated``, ``self-updating``, ``unknown``);
- :class:`~wslint.flow.model.Sender`: ``types`` (``frozenset[str]``, None when unknown), its
  ``kind``, and :meth:`FlowModel.endpoints_reached` for the endpoints it may send to;
- :class:`~wslint.flow.model.Broadcaster`: loop kind, interval, change guard, error handling,
  logging, and what starts it;
- :attr:`FlowModel.has_server_code`: whether the project holds Python server code at all;
- :attr:`FlowModel.paths_complete`: whether every socket the project serves is an endpoint of
  the model with a known path (a client's URL that matches none can then be reported).

Get it with ``wslint.flow.build.flow_model(index)`` inside a rule, or
``wslint.flow.project.model_of(paths, settings)`` from outside a run.
"""
