"""``wslint server``: the Language Server Protocol over stdio (needs ``wslint[lsp]``: pygls).

See ``docs/editors.md`` for what it offers and how editors start it.
"""
