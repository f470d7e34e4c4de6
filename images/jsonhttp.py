"""A small JSON-over-HTTP server on the standard library, shared by the webconsole and consolehub images.

Each request runs in its own thread (ThreadingHTTPServer), so one slow request (a user's long computation,
a slow pod) does not hold up the others. Routes are (method, compiled regex, handler) triples; a handler
gets the request and the regex match, and returns (status, JSON-able body), or None when it has answered
itself (a relayed answer), or raises HttpError.
"""
import argparse
import json
import re
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A request body larger than this is refused (413): both APIs take a snippet of source code.
MAX_BODY_BYTES = 1024 * 1024


class HttpError(Exception):
    """An answer other than success: its status and a message for the JSON body `{"error": message}`."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def route(method, pattern, handler):
    """A route: `pattern` matches the whole path (query string excluded)."""
    return method, re.compile(pattern), handler


def _health(_request, _match):
    return 200, {'status': 'ok'}


# GET /healthz: {"status": "ok"}, the probes' endpoint of both images.
HEALTH_ROUTE = route('GET', r'/healthz', _health)


def read_body(request):
    """The request body as bytes, bounded by MAX_BODY_BYTES."""
    try:
        length = int(request.headers.get('Content-Length') or 0)
    except ValueError:
        raise HttpError(400, 'Content-Length is not a number')
    if length < 0:
        raise HttpError(400, 'Content-Length is negative')
    if length > MAX_BODY_BYTES:
        raise HttpError(413, f'the body is larger than {MAX_BODY_BYTES} bytes')
    return request.rfile.read(length)


def read_json(request):
    """The request body parsed as a JSON object; a clear 400 otherwise."""
    raw = read_body(request)
    try:
        value = json.loads(raw.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as error:
        raise HttpError(400, f'the body is not valid JSON: {error}')
    if not isinstance(value, dict):
        raise HttpError(400, 'the body must be a JSON object')
    return value


def make_handler(routes):
    """A request handler class that dispatches to `routes` and answers JSON, errors included."""

    class Handler(BaseHTTPRequestHandler):
        server_version = 'workshop-stacks'
        sys_version = ''

        def dispatch(self):
            path = self.path.split('?', 1)[0]
            allowed = []
            for method, pattern, handler in routes:
                match = pattern.fullmatch(path)
                if not match:
                    continue
                if method != self.command:
                    allowed.append(method)
                    continue
                try:
                    answer = handler(self, match)
                    if answer is not None:
                        self.send_json(*answer)
                except HttpError as error:
                    self.send_json(error.status, {'error': error.message}, error.headers)
                return
            if allowed:
                self.send_json(405, {'error': f'{self.command} is not allowed on {path}'}, {'Allow': ', '.join(allowed)})
            else:
                self.send_json(404, {'error': f'no route for {self.command} {path}'})

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = dispatch

        def send_json(self, status, body, headers=None):
            self.send_raw(status, json.dumps(body).encode('utf-8') + b'\n', 'application/json', headers)

        def send_raw(self, status, payload, content_type, headers=None):
            self.send_response(status)
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()

    return Handler


def serve(name, routes, argv=None):
    """Parses `--host`/`--port`, listens, prints `<name> listening on http://host:port` and serves forever."""
    parser = argparse.ArgumentParser(prog=name)
    parser.add_argument('--host', default='0.0.0.0', help='address to listen on (default 0.0.0.0)')
    parser.add_argument('--port', type=int, default=5000, help='port to listen on (default 5000; 0 picks a free one)')
    args = parser.parse_args(argv)
    # ThreadingHTTPServer's request threads are daemons: a hung one does not keep the process alive.
    server = ThreadingHTTPServer((args.host, args.port), make_handler(routes))
    host, port = server.server_address[:2]
    # As PID 1 in a container the process gets no default SIGTERM action: without a handler, every pod
    # deletion would wait out the grace period and end in SIGKILL.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f'{name} listening on http://{host}:{port}', file=sys.__stdout__, flush=True)
    server.serve_forever()
