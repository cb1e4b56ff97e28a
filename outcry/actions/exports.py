"""Which columns of an action go into each export."""

CSV_COLUMNS = [
    "id", "created_at", "status", "first_name", "last_name", "email", "country", "postcode", "language",
    "consent_updates", "consent_wording", "source", "referred_by", "utm_source", "utm_medium", "utm_campaign",
]
# The organisation's mailing list: only people who ticked the box, with the wording they agreed to.
MAILING_LIST_COLUMNS = ["email", "first_name", "last_name", "country", "language", "created_at", "consent_wording"]
