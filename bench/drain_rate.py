"""Drain rate in one process, with a SELECT 1 baseline in the same run. Run inside
``manage.py shell`` against a migrated database holding the bench petition (see
bench/RESULTS.md, "Petition signing")."""

import time
import uuid

from django.db import connection

from petitions import intake, services
from petitions.models import Petition

p = Petition.objects.get(slug="bench-petition")
r = uuid.uuid4().hex[:6]
t = time.perf_counter()
for i in range(2000):
    services.sign_petition(
        petition=p,
        email=f"rate-{r}-{i}@example.org",
        first_name="P",
        last_name="Q",
        zip_code="78701",
        wants_email=True,
    )
sign_s = time.perf_counter() - t
with connection.cursor() as c:
    t = time.perf_counter()
    for _ in range(200):
        c.execute("SELECT 1")
    select1 = (time.perf_counter() - t) / 200
t = time.perf_counter()
n = intake.drain_intake()
d = time.perf_counter() - t
print(
    f"RATE sign one-statement avg {1000 * sign_s / 2000:.2f} ms; SELECT 1 {1000 * select1:.2f} ms; drained {n} in {d:.2f}s = {n / d:.0f}/s"
)
