"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py app:app`.

Every value can be set from the environment (GUNICORN_BIND, GUNICORN_WORKERS, ...). The report
builds do not run here: they run in the scheduler process (`flask scheduler`)."""
import multiprocessing
import os

import gunicorn.http.wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(min(4, 2 * multiprocessing.cpu_count() + 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a request that takes longer is stuck
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then (memory)
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
# The access log names no query strings (they can hold search terms) and no cookies.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# The Server header names no software or version (issue 11): gunicorn puts its own name there,
# from this module-level name, for every response.
gunicorn.http.wsgi.SERVER = "webserver"
