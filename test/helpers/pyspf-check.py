"""Evaluates SPF with pyspf (Debian's python3-spf) against one DNS server on 127.0.0.1.

argv: the server's port, then a JSON list of {"ip", "sender", "helo"}.
stdout: a JSON list of {"result", "lookups", "void_lookups", "explanation"}, in the same order.
Each check gets a fresh query (its own cache), as one message would.
"""
import json
import sys

import spf

port = int(sys.argv[1])
checks = json.loads(sys.argv[2])

# pyspf prefers dnspython and falls back to pydns; point whichever it uses at the test server only.
try:
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ['127.0.0.1']
    resolver.port = port
    dns.resolver.default_resolver = resolver
except ImportError:
    pass
try:
    import DNS

    DNS.defaults['server'] = ['127.0.0.1']
    DNS.defaults['port'] = port
except ImportError:
    pass

out = []
for check in checks:
    q = spf.query(i=check['ip'], s=check['sender'], h=check['helo'], timeout=5)
    result, _code, explanation = q.check()
    out.append({
        'result': result,
        'lookups': q.lookups,
        'void_lookups': q.void_lookups,
        'explanation': explanation,
    })
print(json.dumps(out))
