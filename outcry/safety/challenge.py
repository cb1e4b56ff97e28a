"""Self-hosted proof of work (the ALTCHA v1 scheme): the browser finds the number whose SHA-256 with
the salt matches the challenge, our static/safety/js/altcha.js does it in the background, and the
server checks the answer with its own HMAC key. Nothing is sent to a third party.

The page's script fetches its challenge when the page opens, so the time the server wrote into the
challenge's salt (covered by the signature) is when this visitor started: the fill time is measured from
it, never from a value in the cached page, which every visitor shares."""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qs

import altcha
from django.conf import settings
from django.utils import timezone

from outcry.safety import ratelimit


class ChallengeResult(StrEnum):
    PASSED = "passed"
    MISSING = "missing"
    FAILED = "failed"
    REPLAYED = "replayed"


def _key() -> str:
    return f"{settings.OUTCRY_HASH_KEY}:altcha"


def new_challenge(issued_at: datetime | None = None) -> dict:
    issued_at = issued_at or timezone.now()
    challenge = altcha.create_challenge_v1(
        altcha.ChallengeOptionsV1(
            hmac_key=_key(),
            max_number=settings.OUTCRY_POW_MAX_NUMBER,
            expires=issued_at + timedelta(seconds=settings.OUTCRY_POW_EXPIRES_SECONDS),
            params={"issued": str(int(issued_at.timestamp()))},
        )
    )
    return challenge.to_dict()


def seconds_since_issued(payload: str) -> float | None:
    """How long ago the challenge of a verified payload was handed out (check_solution first: only a
    genuine signature makes the time in the salt trustworthy); None when it carries no time."""
    try:
        salt = json.loads(base64.b64decode(payload, validate=True))["salt"]
        issued = float(parse_qs(salt.partition("?")[2])["issued"][0])
    except (ValueError, binascii.Error, KeyError, TypeError, IndexError):
        return None
    return time.time() - issued


def verify_solution(payload: str) -> tuple[ChallengeResult, str]:
    """Check an answer's signature, expiry and work, not yet whether it was used before: PASSED comes with the
    one-use marker's key, which the caller must take (ratelimit.first_use or ratelimit.hit_then_mark) before
    trusting it."""
    if not payload:
        return ChallengeResult.MISSING, ""
    try:
        data = json.loads(base64.b64decode(payload, validate=True))
    except (ValueError, binascii.Error):
        return ChallengeResult.FAILED, ""
    if not isinstance(data, dict):
        return ChallengeResult.FAILED, ""
    try:
        ok, _error = altcha.verify_solution_v1(data, _key(), check_expires=True)
    except (TypeError, ValueError, AttributeError):
        return ChallengeResult.FAILED, ""
    if not ok:
        return ChallengeResult.FAILED, ""
    # One submission per solved challenge: remember each signature until the challenge expires.
    # In the limit store, not the page cache: a flood of reads cannot evict the marker, and every process sees it.
    return ChallengeResult.PASSED, f"pow:{data['signature']}"


def marker_seconds() -> int:
    return settings.OUTCRY_POW_EXPIRES_SECONDS + 60


def check_solution(payload: str) -> ChallengeResult:
    """Verify a solution once: the same answer presented again is a replay."""
    result, marker = verify_solution(payload)
    if result == ChallengeResult.PASSED and not ratelimit.first_use(marker, marker_seconds()):
        return ChallengeResult.REPLAYED
    return result


def solve(challenge: dict) -> str:
    """The browser's side, for tests and load generators: the payload altcha.js would submit."""
    solution = altcha.solve_challenge_v1(
        challenge=challenge["challenge"], salt=challenge["salt"], algorithm=challenge["algorithm"], max_number=challenge["maxNumber"]
    )
    if solution is None:
        raise ValueError("challenge has no solution")
    payload = {k: challenge[k] for k in ("algorithm", "challenge", "salt", "signature")} | {"number": solution.number}
    return base64.b64encode(json.dumps(payload).encode()).decode()
