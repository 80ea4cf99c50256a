"""Raw HTTPS requests to an edgectl server with the admin client certificate of a
kubeconfig: for inputs no real client would send (bodies of any shape, numbers
past every range, query parameters at their limits) and for connection tests."""
import base64
import http.client
import json
import os
import socket
import ssl
import tempfile

import yaml


class RawAPI:
    def __init__(self, kubeconfig, timeout=60):
        cfg = yaml.safe_load(open(kubeconfig))
        cluster = cfg["clusters"][0]["cluster"]
        user = cfg["users"][0]["user"]
        self.dir = tempfile.mkdtemp(prefix="raw-api-")
        files = {}
        for key, name, src in [("certificate-authority-data", "ca", cluster), ("client-certificate-data", "crt", user),
                               ("client-key-data", "key", user)]:
            files[name] = os.path.join(self.dir, name)
            with open(files[name], "wb") as f:
                f.write(base64.b64decode(src[key]))
        self.context = ssl.create_default_context(cafile=files["ca"])
        self.context.load_cert_chain(files["crt"], files["key"])
        self.host, port = cluster["server"].split("//")[1].rsplit(":", 1)
        self.port = int(port)
        self.timeout = timeout
        self.conn = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=self.timeout)
        return self.conn

    def request(self, method, path, body=None, headers=None):
        """(status, headers by lower-case name with repeats joined, body bytes); reconnects once if the kept-alive connection closed."""
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        h = {"Content-Type": "application/json", "Accept": "application/json"}
        h.update(headers or {})
        for attempt in range(2):
            c = self._connection()
            try:
                c.request(method, path, body=body, headers=h)
                r = c.getresponse()
                data = r.read()
                if r.getheader("connection", "").lower() == "close":
                    self.close()
                headers = {}
                for k, v in r.getheaders():  # repeated headers (Warning) joined in order, as HTTP allows
                    headers[k.lower()] = headers[k.lower()] + ", " + v if k.lower() in headers else v
                return r.status, headers, data
            except (ConnectionError, http.client.RemoteDisconnected, http.client.CannotSendRequest, ssl.SSLError, BrokenPipeError):
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def json(self, method, path, body=None, headers=None):
        """(status, parsed body or raw bytes when it is not JSON)."""
        status, _, data = self.request(method, path, body, headers)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data

    def ready(self):
        """True when /readyz answers ok on a fresh connection."""
        try:
            c = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=10)
            c.request("GET", "/readyz")
            r = c.getresponse()
            ok = r.status == 200 and r.read() == b"ok"
            c.close()
            return ok
        except (OSError, http.client.HTTPException):
            return False

    def tls_socket(self, timeout=10):
        """A bare TLS connection with the admin certificate (for slow or idle clients)."""
        raw = socket.create_connection((self.host, self.port), timeout=timeout)
        return self.context.wrap_socket(raw, server_hostname=self.host)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
