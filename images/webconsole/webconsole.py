"""webconsole: the workshop's console API, on the Python standard library.

    POST /api/<uname>/run/   {"input": "<python source>"}  ->  {"output": "<stdout and stderr>"}
    GET  /api/crash/         ends the process (to show restarts)
    GET  /healthz            {"status": "ok"} (ours: the workshop app has none; the API above is unchanged)

Each user has an interpreter kept in this process's memory, so variables persist across a user's requests
and users do not see each other's. A request's code runs in its own thread; its prints and tracebacks are
captured per thread, so concurrent users' outputs never mix. A user's requests run one at a time.
The last statement, when it is an expression, is echoed as the interactive prompt does (`6 * 7` -> `42`).
"""
import ast
import code
import io
import os
import sys
import threading
from urllib.parse import unquote

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from jsonhttp import HEALTH_ROUTE, HttpError, read_json, route, serve  # noqa: E402

_capture = threading.local()


class _ThreadOutput:
    """sys.stdout / sys.stderr: writes go to the buffer of the thread running a user's code, else to the real stream."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        buffer = getattr(_capture, 'buffer', None)
        return (buffer or self._stream).write(text)

    def flush(self):
        if getattr(_capture, 'buffer', None) is None:
            self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


class Session(code.InteractiveInterpreter):
    """One user's interpreter: its namespace lives as long as the process."""

    def __init__(self):
        super().__init__({'__name__': '__console__', '__doc__': None})
        self.lock = threading.Lock()

    def execute(self, source):
        """Runs `source` and returns everything it printed, tracebacks included."""
        buffer = io.StringIO()
        with self.lock:
            _capture.buffer = buffer
            try:
                self._run(source)
            finally:
                _capture.buffer = None
        return buffer.getvalue()

    def _run(self, source):
        try:
            tree = ast.parse(source, '<input>', 'exec')
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            body = compile(tree, '<input>', 'exec')
            tail = compile(ast.Expression(last.value), '<input>', 'eval') if last else None
        except (SyntaxError, ValueError, OverflowError):  # ValueError: a NUL byte in the source
            self.showsyntaxerror('<input>')
            return
        try:
            exec(body, self.locals)
            if tail is not None:
                value = eval(tail, self.locals)
                if value is not None:
                    # `_` per user: sys.displayhook would set it in builtins, shared by every user.
                    self.locals['_'] = value
                    print(repr(value))
        except BaseException:  # SystemExit included: `exit()` ends the snippet, not the console
            self.showtraceback()


_sessions = {}
_sessions_lock = threading.Lock()


def session_of(uname):
    with _sessions_lock:
        if uname not in _sessions:
            _sessions[uname] = Session()
        return _sessions[uname]


def run(request, match):
    body = read_json(request)
    source = body.get('input')
    if not isinstance(source, str):
        raise HttpError(400, 'the body must be {"input": "<python source>"}')
    return 200, {'output': session_of(unquote(match['uname'])).execute(source)}


def crash(request, _match):
    print('crash requested: exiting', file=sys.__stderr__, flush=True)
    request.send_json(200, {'output': 'crashing'})
    os._exit(1)


ROUTES = [
    route('GET', r'/api/crash/?', crash),
    route('POST', r'/api/(?P<uname>[^/]+)/run/?', run),
    HEALTH_ROUTE,
]

if __name__ == '__main__':
    sys.stdout = _ThreadOutput(sys.stdout)
    sys.stderr = _ThreadOutput(sys.stderr)
    # input() in a user's code ends with EOFError instead of waiting on the server's stdin.
    sys.stdin = io.StringIO()
    serve('webconsole', ROUTES)
