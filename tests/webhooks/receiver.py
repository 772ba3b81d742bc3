"""An endpoint of a district's own system, for the tests: it keeps what it is sent and
answers with the status the test sets."""

import threading
from dataclasses import dataclass, field
from wsgiref.simple_server import WSGIRequestHandler, make_server


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    status: str = "204 No Content"
    received: list[Received] = field(default_factory=list)

    def start(self) -> "Receiver":
        self._server = make_server("127.0.0.1", 0, self._app, handler_class=_Quiet)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/proficio-events"

    def _app(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        } | {"content-type": environ.get("CONTENT_TYPE", "")}
        self.received.append(Received(headers, environ["wsgi.input"].read(length)))
        start_response(self.status, [("Content-Type", "text/plain")])
        return [b""]
