"""One identity per mailbox: the form of an email address that deduplication, rate limits and velocity
compare (through its keyed hash, outcry/lib/hashing.py), so that the spellings one mailbox receives
under count once.

    A.B+1@GMAIL.com, ab+2@gmail.com, a.b@googlemail.com  ->  ab@gmail.com

The rules, in order:
1. Unicode NFKC, so full-width and compatibility letters (ｇｍａｉｌ) read as the letters they show;
   then lower case.
2. The domain in IDNA ASCII (punycode), so Bücher.de and xn--bcher-kva.de are one domain.
3. A `+tag` is dropped on every domain: most providers deliver it to the same mailbox, and one that
   doesn't only loses a supporter's ability to act twice.
4. Domains that are other names of one provider fold into one (DOMAIN_ALIASES).
5. Dots in the local part are dropped for providers that ignore them (DOTS_IGNORED).

Changing either table changes hashes: run `manage.py merge_identities` afterwards, which recomputes
them for the addresses still held and merges the duplicates it finds.

A domain that mixes scripts to look like another (gmаil.com with a Cyrillic а) is a different domain,
so it is not folded: is_lookalike_domain flags it for screening instead.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

# Other names of one provider's mailboxes: the key receives what the value does.
DOMAIN_ALIASES: dict[str, str] = {
    "googlemail.com": "gmail.com",
}

# Providers that deliver a.b@ and ab@ to the same mailbox. Add a domain here (as the alias table's
# target, after folding) only when the provider documents it: folding dots elsewhere would merge
# different people.
DOTS_IGNORED: frozenset[str] = frozenset({
    "gmail.com",
})


def _ascii_domain(domain: str) -> str:
    domain = domain.strip().rstrip(".")
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        # Not a valid IDN (an over-long label, a forbidden character): the form's validator speaks to
        # that; here the lowered text still compares equal to itself.
        return domain


def normalise_email(email: str) -> str:
    """The one form of an address that identifies its mailbox. Idempotent."""
    email = unicodedata.normalize("NFKC", email).strip().lower()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    domain = _ascii_domain(domain)
    domain = DOMAIN_ALIASES.get(domain, domain)
    # "+news@x" has no mailbox name before the tag; keep it whole rather than make an empty one.
    local = local.split("+", 1)[0] or local
    if domain in DOTS_IGNORED:
        local = local.replace(".", "") or local
    return f"{local}@{domain}"


def email_domain(email: str) -> str:
    return normalise_email(email).rpartition("@")[2]


# Once per domain and process: the script tables make it ~40 µs a call, and a spike brings few domains.
@lru_cache(maxsize=4096)
def is_lookalike_domain(domain: str) -> bool:
    """True when a label of the domain mixes scripts (Latin with Cyrillic or Greek, …) in a way that can
    pass for another domain. Takes the domain in either its Unicode or its punycode form."""
    try:
        shown = domain.encode("ascii").decode("idna") if "xn--" in domain else domain
    except UnicodeError:
        return False
    return any(confusables.is_dangerous(label) for label in shown.split(".") if label)
