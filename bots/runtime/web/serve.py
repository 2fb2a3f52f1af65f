"""Serving a web app with waitress, in the foreground or on a thread (tests, the demo)."""

import threading

from bots.runtime.logs import get_logger

log = get_logger(__name__)


def serve(app, host: str = "127.0.0.1", port: int = 8480, threads: int = 8) -> None:
    """Serve ``app`` until interrupted (Ctrl-C)."""
    from waitress import serve as waitress_serve

    waitress_serve(app, host=host, port=port, threads=threads, ident=None)


class BackgroundServer:
    """``app`` served by waitress on a thread; ``port=0`` takes a free port. ``url`` says where."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, threads: int = 4):
        from waitress.server import create_server

        # A short loop timeout lets stop() end the serving thread promptly.
        self.server = create_server(app, host=host, port=port, threads=threads, ident=None, asyncore_loop_timeout=0.2)
        self.host = host
        self.port = self.server.effective_port
        self._thread = threading.Thread(target=self.server.run, name=f"web-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "BackgroundServer":
        self._thread.start()
        log.info("web server started", url=self.url)
        return self

    def stop(self) -> None:
        """Close the listening socket and every open connection, in the serving thread itself."""
        server = self.server

        def close_all():
            for channel in list(server._map.values()):  # keep-alive connections would keep the loop going
                if channel is not server and channel is not server.trigger:
                    channel.close()
            server.close()  # the listener and the trigger: the loop has nothing left and ends

        if self._thread.is_alive():
            server.trigger.pull_trigger(close_all)
            self._thread.join(5)
        else:
            server.close()
        server.task_dispatcher.shutdown(timeout=5)

    def __enter__(self) -> "BackgroundServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
