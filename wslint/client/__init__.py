"""The client half: the project's JavaScript / TypeScript held against its Python server.

Client files are found on the same walk as the Python ones (:mod:`wslint.client.files`),
ruled out by a byte scan unless they may open a socket or handle a message
(:func:`wslint.client.clients.may_hold_sockets`), read with tree-sitter
(:mod:`wslint.client.syntax`, imported only when a run meets such a file) into sockets and
waited-for message types (:mod:`wslint.client.reading`), and checked by WSL014 and WSL015 against the
:class:`~wslint.client.surface.ServerSurface`, what the Python side serves and sends.

This package is the analysis layer's: it reads, it never walks, caches or runs anything. The
stage of a run that the runner calls (finding the files, the cache, ``// noqa``, building each
project's surface) is the driver's: :mod:`wslint.driver.client_stage`.
"""
