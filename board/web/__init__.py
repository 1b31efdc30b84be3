"""Transport: the JSON API, the Socket.IO handlers and the server-rendered pages.

Everything that knows about HTTP requests, cookies or sockets lives here; it parses and
checks input, calls one service, and shapes the answer. The domain is in board.services.
"""
