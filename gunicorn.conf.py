"""Gunicorn settings shared by every way the web process starts (Procfile.dev, the
Dockerfile's command, docker-compose.yml, bench/bench_sign.py); each passes
``--config gunicorn.conf.py`` and its own bind address and worker counts.

The access log records no personal data: no client address (%(h)s), no query string
(%(q)s, %(r)s carry staff search terms, ZIPs, emails), no referer or user agent. A line
is the time, method, path, protocol, status, response bytes and duration in ms.
"""

accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
