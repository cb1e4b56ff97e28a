"""The benchmark's database: created if missing, migrated, the demo loaded, 1,000,000 actions preloaded.

Runs in the bench process with Django set up on the bench database (bench/run.py does that). The
preload is one INSERT … SELECT generate_series per 100,000 rows inside PostgreSQL, so a million
rows take seconds, and it happens only once: later runs find them and go on.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import psycopg
from django.core.management import call_command
from django.db import connection, transaction

BIG = "stop-detention-libya"
SMALL = "bench-ten-actions"
SMALL_ACTIONS = 10
CHUNK = 100_000
ADMIN = ("bench-admin", "bench-admin-password")


def create_database(url: str) -> bool:
    """Create the bench database if missing. True if it was created."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_demo", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_row (id bigserial PRIMARY KEY, body text, created_at timestamptz)")


def small_campaign():
    """A copy of the big campaign (same story, letter and targets) that holds only ten actions."""
    from outcry.campaigns.models import Campaign

    big = Campaign.objects.get(slug=BIG)
    small = Campaign.objects.filter(slug=SMALL).first()
    if small is None:
        targets, links = list(big.targets.all()), list(big.links.all())
        small = Campaign.objects.get(pk=big.pk)
        small.pk = None
        small.slug = SMALL
        small.save()
        for item in targets + links:
            item.pk = None
            item.campaign = small
            item.save()
    return small


def _preload_sql(campaign_id: int) -> tuple[str, list]:
    """INSERT … SELECT over generate_series(%s, %s), one value per Action column.

    Columns this file does not know (added later by someone else) get their model default (auto_now
    ones now()), so the preload keeps working as the model grows.
    """
    from outcry.actions.models import Action

    known = {
        "campaign_id": ("%s", [campaign_id]),
        "created_at": ("now() - make_interval(secs => i)", []),
        "status": ("'counted'", []),
        "first_name": ("'Supporter'", []),
        "last_name": ("'Number ' || i", []),
        "email": ("'preload' || i || '@example.org'", []),
        "email_hash": ("encode(sha256(convert_to('preload' || i, 'UTF8')), 'hex')", []),
        "email_domain": ("'example.org'", []),
        "country": ("(ARRAY['GB','FR','IT','LY','DE'])[1 + i %% 5]", []),
        "language": ("'en'", []),
        "consent_updates": ("i %% 3 = 0", []),
        "source": ("(ARRAY['direct','whatsapp','facebook','x','copy'])[1 + i %% 5]", []),
        "referral_code": ("'pre' || i", []),
        "ip_hash": ("encode(sha256(convert_to('ip' || (i %% 50000), 'UTF8')), 'hex')", []),
        "passed_challenge": ("true", []),
    }
    columns, values, params = [], [], []
    for field in Action._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in known:
            expression, extra = known[field.column]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            # Django fills these on save(), not through a default (Action.modified_at).
            expression, extra = "now()", []
        else:
            expression, extra = "%s", [field.get_db_prep_save(field.get_default(), connection)]
        values.append(expression)
        params.extend(extra)
    sql = (
        f"INSERT INTO {Action._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM generate_series(%s::bigint, %s::bigint) AS i"
    )
    return sql, params


def preload(campaign_id: int, total: int, offset: int = 0, say=print) -> float:
    """Make sure the campaign holds at least `total` counted preloaded actions. Returns seconds spent."""
    from outcry.actions.models import Action

    have = Action.objects.filter(campaign_id=campaign_id, email__startswith="preload").count()
    if have >= total:
        return 0.0
    sql, params = _preload_sql(campaign_id)
    started = time.monotonic()
    for first in range(offset + have + 1, offset + total + 1, CHUNK):
        last = min(first + CHUNK - 1, offset + total)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params + [first, last])
        say(f"  preloaded actions {first - offset:,}–{last - offset:,}")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Action._meta.db_table}")
    return time.monotonic() - started


def set_count_shards(campaign_id: int) -> int:
    """Spread the campaign's counted actions over the counter shards, as if each had been counted live."""
    from django.conf import settings

    from outcry.actions import counting
    from outcry.actions.models import Action, CountShard

    counted = Action.objects.filter(campaign_id=campaign_id, status=Action.Status.COUNTED).count()
    shards = settings.OUTCRY_COUNTER_SHARDS
    with transaction.atomic():
        CountShard.objects.filter(campaign_id=campaign_id, metric=CountShard.Metric.ACTIONS).delete()
        CountShard.objects.bulk_create(
            CountShard(campaign_id=campaign_id, metric=CountShard.Metric.ACTIONS, shard=n,
                       count=counted // shards + (1 if n < counted % shards else 0))
            for n in range(shards)
        )
    counting.forget_cached_count(campaign_id)
    # Every counted action leaves a dead row version behind; autovacuum clears them in production,
    # and a read should be measured on a table as autovacuum keeps it.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {CountShard._meta.db_table}")
    return counted


def clear_queues() -> None:
    """Letters and tasks queued by earlier POST runs: nobody sends them in a benchmark."""
    from django_tasks_db.models import DBTaskResult

    from outcry.delivery.models import Message

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Message._meta.db_table}, {DBTaskResult._meta.db_table} CASCADE")


def admin_user() -> tuple[str, str]:
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username=ADMIN[0], defaults={"is_staff": True, "is_superuser": True})
    user.is_staff = user.is_superuser = True
    user.set_password(ADMIN[1])
    user.save()
    return ADMIN
