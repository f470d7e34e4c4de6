"""consolehub: one webconsole pod per user, on the Python standard library.

    POST /api/<uname>/start/  creates the Job `webconsole-<uname>` from the template
    POST /api/<uname>/run/    forwards the body to http://<podIP>:5000/api/<uname>/run/ of the user's ready pod
    GET  /healthz             {"status": "ok"} (ours: the workshop app has none; the API above is unchanged)

Environment (the defaults are the workshop's behaviour):
    HUB_NAMESPACE   namespace of the users' Jobs and pods (set it from the downward API)  default: default
    JOB_TEMPLATE    path of the Job template (JSON, which is also YAML), relative to the working dir  default: job-template.yaml
    SESSION_PORT    port of the users' webconsole pods                                     default: 5000
The Kubernetes API is reached as client libraries do in a pod: https://$KUBERNETES_SERVICE_HOST:
$KUBERNETES_SERVICE_PORT, verified with the ServiceAccount's ca.crt, authenticated with its token.
HUB_SERVICEACCOUNT_DIR (default /var/run/secrets/kubernetes.io/serviceaccount) moves those files, for
running outside a pod (tests).
"""
import copy
import http.client
import json
import os
import re
import ssl
import sys
from urllib.parse import quote, urlencode

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from jsonhttp import HEALTH_ROUTE, HttpError, read_body, route, serve  # noqa: E402

JOB_PREFIX = 'webconsole-'
# A user name goes into the Job's name (a DNS-1123 label of at most 63 characters) and a label value.
UNAME = re.compile(r'[a-z0-9]([-a-z0-9]{0,%d}[a-z0-9])?' % (63 - len(JOB_PREFIX) - 2))
# The labels the hub puts on each user's pod; the users' NetworkPolicy selects `managed-by`.
MANAGED_BY = {'managed-by': 'provisioner'}
API_TIMEOUT_SECONDS = 10
# A user's code may compute for a while before the console answers.
SESSION_TIMEOUT_SECONDS = 120


class Cluster:
    """The in-cluster Kubernetes API, as client libraries configure it (`load_incluster_config`)."""

    def __init__(self, env):
        host, port = env.get('KUBERNETES_SERVICE_HOST'), env.get('KUBERNETES_SERVICE_PORT')
        if not host or not port:
            raise SystemExit('consolehub: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set: '
                             'the hub runs in a pod, or with them set to an API server')
        self.host, self.port = host, int(port)
        account = env.get('HUB_SERVICEACCOUNT_DIR', '/var/run/secrets/kubernetes.io/serviceaccount')
        self.token_file = os.path.join(account, 'token')
        try:
            self.tls = ssl.create_default_context(cafile=os.path.join(account, 'ca.crt'))
        except OSError as error:
            raise SystemExit(f'consolehub: cannot read the cluster CA in {account}: {error}')

    def request(self, method, path, body=None):
        """(status, parsed JSON body) of an API call."""
        # Read on every call: the kubelet rotates bound tokens in place, and the hub makes few calls.
        with open(self.token_file, encoding='utf-8') as f:
            token = f.read().strip()
        headers = {'Authorization': f'Bearer {token}', 'Accept': 'application/json'}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        connection = http.client.HTTPSConnection(self.host, self.port, context=self.tls, timeout=API_TIMEOUT_SECONDS)
        try:
            connection.request(method, path, payload, headers)
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise HttpError(503, f'the Kubernetes API is unreachable: {error}')
        finally:
            connection.close()
        try:
            return response.status, json.loads(raw or b'{}')
        except ValueError:
            return response.status, {'message': raw.decode('utf-8', 'replace')[:200]}


def api_error(status, body, doing):
    """A 502 naming what failed and the API's own message (e.g. RBAC refusing, a quota exceeded)."""
    return HttpError(502, f'{doing}: the Kubernetes API answered {status}: {body.get("message", "")}'.rstrip(': '))


class Hub:
    def __init__(self, env, cluster):
        self.namespace = env.get('HUB_NAMESPACE') or 'default'
        self.session_port = int(env.get('SESSION_PORT') or 5000)
        path = env.get('JOB_TEMPLATE') or 'job-template.yaml'
        # Read once at start: a template that cannot be read stops the hub at rollout, not at a user's first start.
        try:
            with open(path, encoding='utf-8') as f:
                self.template = json.load(f)
        except (OSError, ValueError) as error:
            raise SystemExit(f'consolehub: cannot read the Job template {path}: {error}')
        if not isinstance(self.template, dict) or self.template.get('kind') != 'Job' or self.template.get('apiVersion') != 'batch/v1':
            raise SystemExit(f'consolehub: the Job template {path} is not a batch/v1 Job')
        self.cluster = cluster

    def job_for(self, uname):
        """The template with the user's Job name and pod labels (the template's other labels stay)."""
        job = copy.deepcopy(self.template)
        metadata = job.get('metadata') or {}
        metadata['name'] = JOB_PREFIX + uname
        # The API server rejects a body whose namespace differs from the request's.
        metadata['namespace'] = self.namespace
        job['metadata'] = metadata
        pod = job.setdefault('spec', {}).setdefault('template', {})
        pod_metadata = pod.get('metadata') or {}
        pod_metadata['labels'] = {**(pod_metadata.get('labels') or {}), 'uname': uname, **MANAGED_BY}
        pod['metadata'] = pod_metadata
        return job

    def start(self, request, match):
        uname = user(match)
        name = JOB_PREFIX + uname
        jobs = f'/apis/batch/v1/namespaces/{quote(self.namespace)}/jobs'
        status, body = self.cluster.request('POST', jobs, self.job_for(uname))
        if status == 201:
            return 201, {'status': 'created', 'job': name, 'namespace': self.namespace}
        if status != 409:
            raise api_error(status, body, f'creating Job {self.namespace}/{name}')
        # It exists: starting again is a no-op while the console lives; a finished one must go first.
        status, job = self.cluster.request('GET', f'{jobs}/{quote(name)}')
        if status != 200:
            raise api_error(status, job, f'reading Job {self.namespace}/{name}')
        ended = [c['type'] for c in (job.get('status') or {}).get('conditions') or []
                 if c.get('type') in ('Complete', 'Failed') and c.get('status') == 'True']
        if ended:
            raise HttpError(409, f'the console of {uname} has ended ({ended[0]}); its Job {name} is deleted '
                                 'shortly (ttlSecondsAfterFinished), then start again')
        return 200, {'status': 'exists', 'job': name, 'namespace': self.namespace}

    def run(self, request, match):
        uname = user(match)
        body = read_body(request)
        selector = ','.join(f'{k}={v}' for k, v in {'uname': uname, **MANAGED_BY}.items())
        query = urlencode({'labelSelector': selector})
        status, pods = self.cluster.request('GET', f'/api/v1/namespaces/{quote(self.namespace)}/pods?{query}')
        if status != 200:
            raise api_error(status, pods, f'listing the pods of {uname}')
        items = pods.get('items') or []
        if not items:
            raise HttpError(404, f'{uname} has no console: POST /api/{uname}/start/ first')
        ready = [p for p in items if is_ready(p)]
        if not ready:
            phase = (items[0].get('status') or {}).get('phase', 'Pending')
            if phase in ('Succeeded', 'Failed'):
                raise HttpError(409, f'the console of {uname} has ended ({phase}): start it again once its Job is gone')
            raise HttpError(503, f'the console of {uname} is not ready yet ({phase})', {'Retry-After': '2'})
        return self.forward(request, ready[0]['status']['podIP'], uname, body)

    def forward(self, request, ip, uname, body):
        connection = http.client.HTTPConnection(ip, self.session_port, timeout=SESSION_TIMEOUT_SECONDS)
        try:
            connection.request('POST', f'/api/{quote(uname)}/run/', body,
                                {'Content-Type': request.headers.get('Content-Type') or 'application/json'})
            response = connection.getresponse()
            payload = response.read()
        except TimeoutError:
            raise HttpError(504, f'the console of {uname} did not answer within {SESSION_TIMEOUT_SECONDS} s')
        except (OSError, http.client.HTTPException) as error:
            raise HttpError(502, f'the console of {uname} at {ip}:{self.session_port} is unreachable: {error}')
        finally:
            connection.close()
        request.send_raw(response.status, payload, response.getheader('Content-Type') or 'application/json')


def is_ready(pod):
    """Running with an IP and Ready: its console listens (a Running pod may not yet, until its readiness probe passes)."""
    status = pod.get('status') or {}
    ready = any(c.get('type') == 'Ready' and c.get('status') == 'True' for c in status.get('conditions') or [])
    return status.get('phase') == 'Running' and bool(status.get('podIP')) and ready


def user(match):
    uname = match['uname']
    if not UNAME.fullmatch(uname):
        raise HttpError(400, f'invalid user name {uname!r}: lower-case letters, digits and "-", starting and '
                             f'ending with a letter or digit, at most {63 - len(JOB_PREFIX)} characters '
                             f'(it becomes part of the Job name {JOB_PREFIX}<uname>)')
    return uname


def routes(hub):
    return [
        route('POST', r'/api/(?P<uname>[^/]+)/start/?', hub.start),
        route('POST', r'/api/(?P<uname>[^/]+)/run/?', hub.run),
        HEALTH_ROUTE,
    ]


if __name__ == '__main__':
    serve('consolehub', routes(Hub(os.environ, Cluster(os.environ))))
